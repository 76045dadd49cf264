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

"""What this project's snapshots cost, against the quota.

Pure functions over Glance- and Cinder-shaped dicts: no cliff, no HTTP.
"""

import collections.abc
import dataclasses
import typing

from rcsnap_osc.core import deletion
from rcsnap_osc.core import holds
from rcsnap_osc.core import origin
from rcsnap_osc.core import orphans
from rcsnap_osc.core import quota
from rcsnap_osc.core import snapshots

#: The Glance unified limits a view holds when Glance reports them.
GLANCE_LIMITS = ('image_size_total', 'image_count_total')

#: Cinder's key for the project of a volume (admins see it).
VOLUME_PROJECT = 'os-vol-tenant-attr:tenant_id'


def _cost(images: collections.abc.Iterable[dict],
          volume_snapshots: dict[str, dict]) -> int | float:
    """GiB of these snapshots: each volume snapshot counted once, image
    sizes for image-backed ones (unknown sizes count 0)."""
    seen: set[str]
    total: int | float
    seen, total = set(), 0
    for image in images:
        summary = snapshots.summarize(image, volume_snapshots)
        if summary.type == snapshots.IMAGE_BACKED:
            total += summary.size_gib or 0
            continue
        for device in summary.devices:
            if device.snapshot_id not in seen:
                seen.add(device.snapshot_id)
                total += device.size_gib or 0
    return total


@dataclasses.dataclass(frozen=True)
class Listings:
    """What the listings hold: every image the project can see (hidden
    ones too), its volume snapshots by id, its volumes and its Cinder
    backups (Cinder-shaped dicts)."""

    images: collections.abc.Sequence[dict]
    volume_snapshots: dict[str, dict]
    volumes: collections.abc.Sequence[dict]
    backups: collections.abc.Sequence[dict] = ()


def compute(listed: Listings, project_id: str,
            quota_set: dict | None = None,
            glance_usage: dict | None = None) -> dict:
    """The plain view: a dict of the fields ``usage`` shows (its column
    map is :data:`rcsnap_osc.v1.snapshot_usage.USAGE`), and the Glance
    limits Glance reports, as ``{'usage': n, 'limit': n}`` each.

    :param quota_set: Cinder's ``quota_set`` with usage, or None.
    :param glance_usage: Glance's ``usage`` of ``/v2/info/usage``.

    ``quota_*_counted`` are what the listings hold (what Cinder's
    ``quota_*_used`` should be); ``drift`` the quotas where they differ
    (:func:`rcsnap_osc.core.quota.drift`), not a field.
    """
    images, volume_snapshots, volumes = (
        listed.images, listed.volume_snapshots, listed.volumes)
    owned = origin.owned_snapshots(images, project_id)
    binned = [i for i in owned if holds.is_binned(i)]
    owned = [i for i in owned if not holds.is_binned(i)]
    orphaned = orphans.find_orphans(
        images, list(volume_snapshots.values()), volumes, project_id,
        backups=listed.backups)
    ours = {sid for sid, s in volume_snapshots.items()
            if s.get(deletion.PROJECT, project_id) == project_id}
    launched = [v for v in volumes if v.get('snapshot_id') in ours
                and not v.get('attachments')]
    result = {
        'snapshots': len(owned),
        'snapshot_gib': _cost(owned, volume_snapshots),
        'orphans': len(orphaned),
        'orphan_gib': sum(o.size_gib or 0 for o in orphaned),
        # the recycle bin: what it holds of the quota until purged
        'binned': len(binned),
        'binned_gib': _cost(binned, volume_snapshots),
        'binned_volume_snapshots': len(set(snapshots.volume_snapshot_ids(
            binned)) & set(volume_snapshots)),
        'launched_volumes': len(launched),
        'launched_volume_gib': sum(v.get('size') or 0 for v in launched),
    }
    counted = quota.counted(
        [volume_snapshots[sid] for sid in ours],
        [v for v in volumes
         if v.get(VOLUME_PROJECT, project_id) == project_id])
    for name in ('snapshots', 'gigabytes'):
        used, limit = quota.quota_field(quota_set, name)
        result['quota_%s_used' % name] = used
        result['quota_%s_counted' % name] = counted[name]
        result['quota_%s_limit' % name] = limit
    result['drift'] = quota.drift(quota_set, counted)
    for name in GLANCE_LIMITS:
        entry = (glance_usage or {}).get(name)
        if isinstance(entry, dict):
            result[name] = {'usage': entry.get('usage'),
                            'limit': entry.get('limit')}
    return result


def archive_fields(images: collections.abc.Iterable[dict],
                   backups: collections.abc.Sequence[dict], project_id: str,
                   quota_set: dict | None) -> dict:
    """The archived snapshots of the project (``rc snapshot archive``),
    its backups and Cinder's backup quota, for the plain view."""
    from rcsnap_osc.core import archives

    archived = [i for i in images if i.get('owner') == project_id
                and archives.is_archived(i)]
    ours = [b for b in backups if b.get(
        'os-backup-project-attr:project_id', project_id) == project_id]
    result = {'archived': len(archived),
              'archived_gib': sum(archives.size_gib(i) or 0
                                  for i in archived),
              'backups': len(ours),
              'backup_gib': sum(b.get('size') or 0 for b in ours)}
    for name, key in (('backups', 'backups'),
                      ('backup_gigabytes', 'backup_gib')):
        used, limit = quota.quota_field(quota_set, name)
        result['quota_%s_used' % key] = used
        result['quota_%s_limit' % key] = limit
    return result


def per_project(listed: Listings, quotas: dict[str, dict | None]
                ) -> list[tuple[str, dict]]:
    """``[(project ID, the :func:`compute` view)]`` from the listings of
    every project, for the projects of ``quotas`` ({project ID: Cinder's
    quota set or None}) and those the listings name: each that holds
    something or whose counters drifted, in ID order."""
    snaps: dict[str | None, dict[str, dict]] = {}
    for sid, snap in listed.volume_snapshots.items():
        snaps.setdefault(snap.get(deletion.PROJECT), {})[sid] = snap
    volumes: dict[str | None, list[dict]] = {}
    for volume in listed.volumes:
        volumes.setdefault(volume.get(VOLUME_PROJECT), []).append(volume)
    owners = {i.get('owner') for i in listed.images}
    rows = []
    named: set[str] = {p for p in set(quotas) | set(snaps) | set(volumes)
                       | owners if p is not None}
    for project_id in sorted(named):
        view = compute(Listings(
            listed.images, snaps.get(project_id, {}),
            volumes.get(project_id, []), listed.backups), project_id,
            quotas.get(project_id))
        if view['drift'] or any(view[f] for f in (
                'snapshots', 'orphans', 'binned', 'quota_snapshots_counted',
                'quota_gigabytes_counted')):
            rows.append((project_id, view))
    return rows


class ServerUsage(typing.NamedTuple):
    """A row of ``usage --by-server``: a server's ID (None: unknown), its
    name (None: the server no longer exists), how many snapshots of it
    this project owns and their GiB."""

    server_id: str | None
    server_name: str | None
    snapshots: int
    size_gib: int | float


def by_server(images: collections.abc.Iterable[dict],
              volume_snapshots: dict[str, dict],
              volumes: collections.abc.Iterable[dict], project_id: str,
              servers: dict[str, str]) -> list[ServerUsage]:
    """One :class:`ServerUsage` per server, by name; the snapshots whose
    server is unknown come last, under None.

    :param servers: server id -> name, of the servers that exist.
    """
    attached = origin.attached_servers(volumes)
    groups: dict[str | None, list[dict]] = {}
    for image in origin.owned_snapshots(images, project_id):
        server = origin.server_of(image, volume_snapshots, attached)
        groups.setdefault(server, []).append(image)
    rows = [ServerUsage(sid, servers.get(sid), len(group),
                        _cost(group, volume_snapshots))
            for sid, group in groups.items() if sid is not None]
    rows.sort(key=lambda r: (r.server_name is None, r.server_name or '',
                             r.server_id))
    if None in groups:
        group = groups[None]
        rows.append(ServerUsage(None, None, len(group),
                                _cost(group, volume_snapshots)))
    return rows
