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

"""What ``usage`` shows, from the listings of :mod:`rcsnap_osc.cloud.reads`:
a constant number of requests, made at once, whatever the number of
snapshots."""

import dataclasses

from rcsnap_osc.cloud import discovery
from rcsnap_osc.cloud import projects
from rcsnap_osc.cloud import reads
from rcsnap_osc.core import deletion
from rcsnap_osc.core import quota
from rcsnap_osc.usage import plan as usage


@dataclasses.dataclass(frozen=True)
class Usage:
    """What ``usage`` shows: the plain view (a dict of fields), or the
    rows of ``--by-server`` (:class:`usage.ServerUsage`) or of
    ``--all-projects`` (a view per project, with its ``project_id`` and
    ``project`` name); and a line for each view whose Cinder counters
    drifted from what the listings hold."""

    view: dict | None = None
    servers: list = ()
    projects: list = ()
    drift: list = ()


def gather(conn, by_server=False, all_projects=False):
    """The :class:`Usage` of this project, of its servers, or, for an
    admin, of every project."""
    if all_projects:
        return _all_projects(conn)
    if by_server:
        return Usage(servers=_by_server(conn))
    view = _plain(conn)
    return Usage(view=view, drift=[quota.drift_message(view['drift'])]
                 if view.get('drift') else [])


def _plain(conn):
    """The plain ``usage`` view, from seven requests made at once."""
    conn.image.get_endpoint_data()
    discovery.cinder(conn)
    listed, backups, quota_set, limits = reads.parallel([
        lambda: reads.listings(conn),
        lambda: reads.list_backups(conn),
        lambda: reads.cinder_quota(conn),
        lambda: reads.glance_usage(conn),
    ])
    view = usage.compute(usage.Listings(*listed, backups),
                         conn.current_project_id, quota_set, limits)
    view.update(usage.archive_fields(listed[0], backups,
                                     conn.current_project_id, quota_set))
    return view


def _by_server(conn):
    """``usage --by-server``: the listings and the servers, at once."""
    conn.compute.get_endpoint_data()
    (images, volume_snapshots, volumes), servers = reads.parallel([
        lambda: reads.listings(conn),
        lambda: {s.id: s.name for s in conn.compute.servers()},
    ])
    return usage.by_server(images, volume_snapshots, volumes,
                           conn.current_project_id, servers)


def _all_projects(conn):
    """``usage --all-projects``, for an admin: six listings made at once
    (one per service, whatever the number of projects), then Cinder's
    quota of each project, eight at a time (Cinder has no read of every
    project's usage)."""
    images, snaps, volumes, backups, names = projects.everything(conn)
    listed = usage.Listings(images, snaps, volumes, backups)
    held = {s.get(deletion.PROJECT) for s in snaps.values()} | {
        v.get(usage.VOLUME_PROJECT) for v in volumes}
    quotas = projects.quotas(conn, sorted((set(names) | held) - {None}))
    rows = [dict(view, project_id=project_id,
                 project=names.get(project_id) or '')
            for project_id, view in usage.per_project(listed, quotas)]
    return Usage(projects=rows, drift=[
        quota.drift_message(row['drift'], row['project'] or
                            row['project_id'])
        for row in rows if row['drift']])
