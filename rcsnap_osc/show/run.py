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

"""What ``show`` and ``list`` show of instance snapshots: each snapshot's
summary (an archived one as :func:`archives.as_archived` shows it) and the
server it came from, attributed as ``prune`` and ``usage`` do
(:func:`origin.server_of`): the server a snapshot records, else the one
its root volume is attached to. The second costs ``show`` by ID nothing
more (the early volume page), by name one volume GET, and ``list --long``
one volume listing, made at once with the reads they make anyway, and only
when a snapshot records no server."""

import dataclasses

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import find
from rcsnap_osc.cloud import reads
from rcsnap_osc.core import archives
from rcsnap_osc.core import origin
from rcsnap_osc.core import snapshots
from rcsnap_osc.share import run as sharing


@dataclasses.dataclass(frozen=True)
class Shown:
    """An instance snapshot as ``show`` shows it: its server ID (None:
    unknown), its members (None: another project owns it, they are not
    ours to see) and, when it is archived, its backups (else None)."""

    summary: snapshots.Summary
    server: str | None
    members: list | None
    backups: list | None


@dataclasses.dataclass(frozen=True)
class Listed:
    """An instance snapshot as ``list`` shows it: with ``--long``, its
    server ID; with ``--shared``, this project's member status of it."""

    summary: snapshots.Summary
    server: str | None = None
    member_status: str | None = None


def show_snapshot(conn, name_or_id):
    """The :class:`Shown` of an instance snapshot, found as
    :func:`find.find_snapshot_and_volumes` finds it (Cinder asked beside
    Glance); an archived one's backups are read after it.

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
    answers = reads.parallel(calls)
    if recorded or not volume_id:
        server = recorded
    elif listed:
        server = origin.attached_servers(page.records.values()).get(
            volume_id)
    else:
        server = answers[1]
    summary = archives.as_archived(snapshots.summarize(image,
                                                       volume_snapshots))
    return Shown(summary, server, answers[0],
                 archived_backups(conn, image)
                 if archives.is_archived(image) else None)


def attached_to(conn, volume_id):
    """The server a volume is attached to (the first), or None; a volume
    gone or hidden is attached to nothing."""
    try:
        volume = conn.block_storage.get_volume(volume_id).to_dict(
            computed=False, original_names=True)
    except (sdk_exc.NotFoundException, sdk_exc.ForbiddenException):
        return None
    return origin.attached_servers([volume]).get(volume_id)


def list_snapshots(conn, scope=None, name=None, servers=False):
    """``[Listed]``: the instance snapshots of ``scope`` (None: what Glance
    lists by default; ``mine``, ``all``, or ``shared``: those other
    projects shared with this one, with this project's member status of
    each), with their servers when ``servers`` (a shared one's is the
    server it records: the volumes of others are not ours to see)."""
    if scope == 'shared':
        return [Listed(archives.as_archived(summary),
                       origin.recorded_server(summary.image), status)
                for summary, status in sharing.list_shared_snapshots(
                    conn, name=name)]
    if servers:
        return _with_servers(conn, scope, name)
    return [Listed(archives.as_archived(summary))
            for summary in reads.list_snapshots(conn, scope, name=name)]


def _with_servers(conn, scope, name):
    """:func:`list_snapshots` with the servers, in three listings at most:
    the images, and at once this project's volume snapshots (when one of
    its listed snapshots is volume-backed) and volumes (when one of those
    records no server)."""
    images = reads.list_snapshot_images(conn, scope, name)
    ours = [i for i in images if i.get('owner') == conn.current_project_id
            and snapshots.volume_snapshot_ids([i])]
    calls = []
    if ours:
        find.discover(conn)  # discovery once, with the token
        calls.append(lambda: reads.list_volume_snapshots(conn))
    if any(not origin.recorded_server(i) for i in ours):
        calls.append(lambda: reads.paginate(
            conn.block_storage, '/volumes/detail', 'volumes',
            {'limit': reads.PAGE_SIZE}))
    answers = iter(reads.parallel(calls))
    volume_snapshots, volumes = next(answers, {}), next(answers, [])
    attached = origin.attached_servers(volumes)
    return [Listed(
        archives.as_archived(snapshots.summarize(i, volume_snapshots)),
        origin.server_of(i, volume_snapshots, attached)) for i in images]


def archived_backups(conn, image):
    """The disks of an archived snapshot (:mod:`rcsnap_osc.core.archives`)
    as dicts, each with its backup's ``status`` (``missing``: Cinder does
    not return it), the backups read at once."""
    disks = archives.current(image)

    def status(backup_id):
        try:
            return conn.block_storage.get_backup(backup_id).status
        except (sdk_exc.NotFoundException, sdk_exc.ForbiddenException):
            return snapshots.MISSING
    statuses = reads.parallel(
        [lambda b=d.backup_id: status(b) for d in disks])
    return [dict(d.as_dict(), status=s) for d, s in zip(disks, statuses)]
