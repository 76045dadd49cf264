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

"""The server each snapshot came from, for ``show`` and ``list --long``,
attributed as ``prune`` and ``usage`` do (:func:`origin.server_of`):
the server a snapshot records, else the one its root volume is attached
to. The second costs ``show`` by ID nothing more (the early volume page),
by name one volume GET, and ``list --long`` one volume listing, made at
once with the reads they make anyway, and only when a snapshot records no
server."""

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import find
from rcsnap_osc.cloud import reads
from rcsnap_osc.core import origin
from rcsnap_osc.core import snapshots


def show_snapshot(conn, name_or_id):
    """``(summary, members, server ID or None)`` of an instance snapshot,
    found as :func:`find.find_snapshot_and_volumes` finds it (Cinder asked
    beside Glance); members None when another project owns it.

    By ID, the root volume comes in the early volume listing: the server
    costs a GET only when that page did not hold the whole listing."""
    image, volume_snapshots, page = find.find_snapshot_and_volumes(
        conn, name_or_id)
    recorded = origin.recorded_server(image)
    volume_id = None if recorded else origin.root_volume_of(
        image, volume_snapshots)
    listed = page and (volume_id in page.records or page.complete)
    calls = [lambda: reads.snapshot_members(conn, image)]
    if volume_id and not listed:
        calls.append(lambda: attached_to(conn, volume_id))
    found = reads.parallel(calls)
    if recorded or not volume_id:
        server = recorded
    elif listed:
        server = origin.attached_servers(page.records.values()).get(
            volume_id)
    else:
        server = found[1]
    return snapshots.summarize(image, volume_snapshots), found[0], server


def attached_to(conn, volume_id):
    """The server a volume is attached to (the first), or None; a volume
    gone or hidden is attached to nothing."""
    try:
        volume = conn.block_storage.get_volume(volume_id).to_dict(
            computed=False, original_names=True)
    except (sdk_exc.NotFoundException, sdk_exc.ForbiddenException):
        return None
    return origin.attached_servers([volume]).get(volume_id)


def list_snapshots(conn, scope=None, name=None):
    """``[(summary, server ID or None)]``: :func:`reads.list_snapshots`
    with the servers, in three listings at most: the images, and at once
    this project's volume snapshots (when one of its listed snapshots is
    volume-backed) and volumes (when one of those records no server)."""
    images = reads.list_snapshot_images(conn, scope, name)
    ours = [i for i in images if i.get('owner') == conn.current_project_id
            and snapshots.volume_snapshot_ids([i])]
    calls = []
    if ours:
        conn.block_storage.get_endpoint_data()  # discovery once
        calls.append(lambda: reads.list_volume_snapshots(conn))
    if any(not origin.recorded_server(i) for i in ours):
        calls.append(lambda: reads.paginate(
            conn.block_storage, '/volumes/detail', 'volumes',
            {'limit': reads.PAGE_SIZE}))
    found = iter(reads.parallel(calls))
    volume_snapshots, volumes = next(found, {}), next(found, [])
    attached = origin.attached_servers(volumes)
    return [(snapshots.summarize(i, volume_snapshots),
             origin.server_of(i, volume_snapshots, attached))
            for i in images]


def archived_backups(conn, image):
    """The disks of an archived snapshot (:mod:`rcsnap_osc.core.archives`)
    as dicts, each with its backup's ``status`` (``missing``: Cinder does
    not return it), the backups read at once."""
    from rcsnap_osc.core import archives

    disks = archives.current(image)

    def status(backup_id):
        try:
            return conn.block_storage.get_backup(backup_id).status
        except (sdk_exc.NotFoundException, sdk_exc.ForbiddenException):
            return snapshots.MISSING
    found = reads.parallel([lambda b=d.backup_id: status(b) for d in disks])
    return [dict(d.as_dict(), status=s) for d, s in zip(disks, found)]
