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
from rcsnap_osc.cloud import projects
from rcsnap_osc.cloud import reads
from rcsnap_osc.core import archives
from rcsnap_osc.core import holds
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


def show_snapshot(conn, name_or_id, binned=False):
    """The :class:`Shown` of an instance snapshot, found as
    :func:`find.find_snapshot_and_volumes` finds it (Cinder asked beside
    Glance, the members beside the volume snapshots); an archived one's
    backups are read after it.

    By ID, the root volume comes in the early volume listing: the server
    costs a GET only when that page did not hold the whole listing."""
    image, volume_snapshots, page, members = find.find_snapshot_and_volumes(
        conn, name_or_id, hidden=binned,
        beside=lambda image: reads.snapshot_members(conn, image))
    recorded = origin.recorded_server(image)
    volume_id = None if recorded else origin.root_volume_of(
        image, volume_snapshots)
    listed = page and (volume_id in page.records or page.complete)
    if recorded or not volume_id:
        server = recorded
    elif listed:
        server = origin.attached_servers(page.records.values()).get(
            volume_id)
    else:
        server = attached_to(conn, volume_id)
    summary = archives.as_archived(snapshots.summarize(image,
                                                       volume_snapshots))
    return Shown(summary, server, members,
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


def list_snapshots(conn, scope=None, name=None, servers=False, filters=None,
                   limit=None):
    """``[Listed]``: the instance snapshots of ``scope`` (None: what Glance
    lists by default; ``mine``, ``all``, or ``shared``: those other
    projects shared with this one, with this project's member status of
    each), with their servers when ``servers`` (a shared one's is the
    server it records: the volumes of others are not ours to see).
    ``filters`` (image properties, ``marker``) and ``limit``: as
    :func:`rcsnap_osc.cloud.reads.list_snapshot_images`.
    ``bin``: this project's snapshots in the recycle bin, only them."""
    binned = scope == 'bin'
    scope = 'mine' if binned else scope
    if scope == 'shared':
        return [Listed(archives.as_archived(summary),
                       origin.recorded_server(summary.image), status)
                for summary, status in sharing.list_shared_snapshots(
                    conn, name=name, filters=filters)][:limit]
    if servers:
        return _with_servers(conn, scope, name, filters, limit, binned)
    return [Listed(archives.as_archived(summary))
            for summary in reads.list_snapshots(conn, scope, name, filters,
                                                limit, binned)]


def _with_servers(conn, scope, name, filters, limit, binned=False):
    """:func:`list_snapshots` with the servers, in three listings at most:
    the images, and at once this project's volume snapshots (when one of
    its listed snapshots is volume-backed) and volumes (when one of those
    records no server)."""
    images = reads.list_snapshot_images(conn, scope, name, filters, limit,
                                        binned)
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


@dataclasses.dataclass(frozen=True)
class Binned:
    """A snapshot in the recycle bin as ``bin list`` shows it: with
    ``--all-projects``, the name of its project (else None)."""

    summary: snapshots.Summary
    project: str | None = None


def list_bin(conn, all_projects=False):
    """``[Binned]``: the snapshots in the recycle bin (this project's, or
    with ``all_projects`` every project's, as an admin), oldest binned
    first. Requests: the hidden images (Glance lists the bin only with
    ``os_hidden=true``; its property filters match exact values only, so
    the bin's properties are read here), and one listing of volume
    snapshots for the sizes, whatever the number of binned snapshots
    (with ``all_projects``, at once with those and the projects' names).
    """
    if all_projects:
        projects.require_admin(conn)
        conn.image.get_endpoint_data()
        conn.block_storage.get_endpoint_data()
        conn.identity.get_endpoint_data()
        try:
            images, volume_snapshots, names = reads.parallel([
                lambda: reads.list_images(conn, visibility='all',
                                          os_hidden='true'),
                lambda: reads.list_volume_snapshots(conn, all_tenants=1),
                lambda: projects.project_names(conn)])
        except sdk_exc.ForbiddenException:
            raise projects.needs_admin('--all-projects')
    else:
        images = reads.list_images(conn, owner=conn.current_project_id,
                                   os_hidden='true')
        names = None
    binned = [i for i in images if holds.is_binned(i)
              and snapshots.is_instance_snapshot(i)]
    if not all_projects:
        volume_snapshots = reads.list_volume_snapshots(conn) if (
            snapshots.volume_snapshot_ids(binned)) else {}
    binned.sort(key=lambda i: (i.get(holds.BINNED_AT) or '', i['id']))
    return [Binned(archives.as_archived(
        snapshots.summarize(i, volume_snapshots)),
        None if names is None else names.get(i.get('owner'),
                                             i.get('owner')))
        for i in binned]
