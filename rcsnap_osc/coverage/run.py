#   Licensed under the Apache License, Version 2.0 (the "License"); you may
#   not use this file except in compliance with the License. You may obtain
#   a copy of the License at
#
#        http://www.apache.org/licenses/LICENSE-2.0
#
#   Unless required by applicable law or agreed to in writing, software
#   distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#   WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#   License for the specific language governing permissions and limitations
#   under the License.

"""``coverage``: the verdict on each server (:mod:`.plan`) from listings
whose number does not depend on the number of servers:

- one server listing (with their metadata: the policy and the last run),
  and beside it one image listing (the project's; with
  ``--all-projects``, every project's). Hidden images (``os_hidden``) are
  not listed: the window claims and temporary images hide themselves,
  and a snapshot in the recycle bin does not count whether it is hidden
  or not;
- only when a volume-backed snapshot does not record its server (one
  made by Nova directly), the volume snapshot and volume listings, at
  once, to find the server its root volume is attached to.
"""

import dataclasses

from rcsnap_osc.cloud import find
from rcsnap_osc.cloud import projects
from rcsnap_osc.cloud import reads
from rcsnap_osc.core import origin
from rcsnap_osc.core import snapshots as snaps
from rcsnap_osc.coverage import plan
from rcsnap_osc import errors


@dataclasses.dataclass(frozen=True)
class Request:
    """What ``coverage`` was asked: the ``servers`` named (empty: every
    server), the ``rpo`` in seconds (None: twice each policy's interval),
    ``all_projects``, ``now`` (naive UTC, the schedules' now) and
    ``schedule_of``: a server's metadata -> ``(policy text or None, its
    interval in seconds or None, why it cannot be read or None, the items
    of its last run)``, the schedules' own reading of their records, the
    policy's verify item apart (it is read here)."""

    servers: tuple
    rpo: int | None
    all_projects: bool
    now: object
    schedule_of: object


def choose(listed, names_or_ids):
    """The servers named (each once), from the listing."""
    if not names_or_ids:
        return listed
    return find.servers_named(listed, names_or_ids)


def attribute(conn, images, all_projects):
    """{server ID: its snapshots}: the server each snapshot records, else
    (volume-backed ones made by Nova) the one its root volume is
    attached to, which takes the volume listings."""
    unknown = [i for i in images if not origin.recorded_server(i)
               and snaps.snapshot_type(i) == snaps.VOLUME_BACKED]
    volume_snapshots, attached = {}, {}
    if unknown:
        query = {'all_tenants': 1} if all_projects else {}
        conn.block_storage.get_endpoint_data()
        volume_snapshots, volumes = reads.parallel([
            lambda: reads.list_volume_snapshots(conn, **query),
            lambda: reads.list_volumes(conn, **query)])
        attached = origin.attached_servers(volumes)
    found = {}
    for image in images:
        server = origin.server_of(image, volume_snapshots, attached)
        if server:
            found.setdefault(server, []).append(image)
    return found


def server_of(listed, images, schedule_of):
    """The :class:`plan.Server` of a listed server."""
    value, every, error, last = schedule_of(listed.metadata)
    verify = None
    if every is not None:
        try:
            verify = plan.split_verify(value)[1]
        except errors.Refused as exc:
            every, error = None, errors.one_line(str(exc))
    return plan.Server(listed.name, listed.id, value, every, error, verify,
                       last, tuple(images),
                       getattr(listed, 'project_id', None))


def coverage(conn, request):
    """The :class:`plan.Row` of each server, at the schedules' now."""
    if request.all_projects:
        projects.require_admin(conn)
    query = ({'visibility': 'all'} if request.all_projects else
             {'owner': conn.current_project_id})
    conn.compute.get_endpoint_data()
    conn.image.get_endpoint_data()
    listed, images = reads.parallel([
        lambda: list(conn.compute.servers(
            all_projects=request.all_projects)),
        lambda: reads.list_images(conn, **query)])
    servers = choose(listed, list(request.servers))
    images = [i for i in images if snaps.is_instance_snapshot(i)]
    by_server = attribute(conn, images, request.all_projects) if (
        servers and images) else {}
    return plan.rows([server_of(s, by_server.get(s.id, ()),
                                request.schedule_of)
                      for s in servers], request.now, request.rpo)
