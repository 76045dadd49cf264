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

"""What ``rc snapshot archive`` does: pure decisions, no HTTP.

An archive moves the volume snapshots of a volume-backed instance snapshot
into Cinder backups (their own ``backups``/``backup_gigabytes`` quota, off
the volume pool), then deletes the volume snapshots through the one delete
plan (:mod:`rcsnap_osc.core.deletion_plan`): what a volume still depends on
is refused before anything is made. The image stays as the catalogue
entry; what its disks became is recorded in its properties
(:mod:`rcsnap_osc.core.archives`).
"""

import collections.abc
import dataclasses

from rcsnap_osc.core import archives
from rcsnap_osc.core import deletion
from rcsnap_osc.core import deletion_plan
from rcsnap_osc.core import quota
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

#: The status of a backup an incremental one can build on.
AVAILABLE = 'available'


@dataclasses.dataclass(frozen=True)
class Request:
    """What ``archive`` was asked for: the snapshots named, ``full``
    backups only, ``wait`` seconds for the volume snapshots to go (None:
    do not wait), ``timeout`` seconds for the backups, ``dry_run``."""

    names: tuple = ()
    full: bool = False
    wait: int | None = None
    timeout: int = 1800
    dry_run: bool = False


@dataclasses.dataclass(frozen=True)
class Disk:
    """One disk to back up: its volume snapshot, the volume it was taken
    of, and the backup an incremental one builds on (None: full)."""

    snapshot_id: str
    volume_id: str | None
    size_gib: int | None
    device_name: str | None
    boot_index: int | None
    volume_type: str | None
    parent_backup: str | None = None

    @property
    def incremental(self) -> bool:
        return self.parent_backup is not None


@dataclasses.dataclass(frozen=True)
class Archive:
    """The archive of one instance snapshot: its image, its disks (root
    first) and the delete plan of its volume snapshots."""

    name: str
    image: dict
    disks: tuple
    deletion: deletion.Plan


def _stamp(value: str | None) -> str:
    """A Cinder time as comparable text (Cinder writes microseconds,
    other places a ``Z``): to the second."""
    return (value or '')[:19]


def latest_backup(snapshot: dict, backups: collections.abc.Iterable[dict]
                  ) -> dict | None:
    """The backup Cinder builds an incremental backup of this volume
    snapshot on: the available backup of its volume whose data is the
    newest older than the snapshot (``data_timestamp``); None: a full
    backup (Cinder refuses an incremental one then, or picks a newer
    parent)."""
    made = _stamp(snapshot.get('created_at'))
    found = [b for b in backups if b.get('volume_id') == snapshot.get(
        'volume_id') and b.get('status') == AVAILABLE
        and _stamp(b.get('data_timestamp')) < made]
    if not found:
        return None
    return max(found, key=lambda b: (_stamp(b.get('data_timestamp')),
                                     b['id']))


def _refuse(name: str, why: str) -> errors.Refused:
    return errors.Refused(_('Cannot archive %(name)s: %(why)s.') % {
        'name': name, 'why': why})


def _image_refusal(image: dict, project_id: str) -> str | None:
    why = archives.not_movable(image, project_id, archived=False)
    if why:
        return why
    try:
        mapping = snapshots.parse_block_device_mapping(
            image.get('block_device_mapping'))
    except snapshots.InvalidMapping as exc:
        return str(exc)
    if snapshots.snapshot_type(image) == snapshots.IMAGE_BACKED or not \
            snapshots.volume_refs(mapping):
        return _('it is image-backed: its data is in Glance, not in the '
                 'volume quota; there is nothing to move')
    return None


def _disks(name: str, image: dict, inventory: deletion_plan.Inventory,
           backups: collections.abc.Sequence[dict], full: bool) -> tuple:
    volumes = {v['id']: v for v in inventory.volumes}
    disks = []
    for ref in snapshots.volume_refs(snapshots.mapping_of(image)):
        found = inventory.volume_snapshots.get(ref.snapshot_id)
        if found is None:
            raise _refuse(name, _('volume snapshot %s is not in this '
                                  'project') % ref.snapshot_id)
        if found.get('status') != AVAILABLE:
            raise _refuse(name, _('volume snapshot %(id)s is %(status)s, '
                                  'not available') % {
                'id': ref.snapshot_id, 'status': found.get('status')})
        volume_id = found.get('volume_id')
        parent = None if full else latest_backup(found, backups)
        disks.append(Disk(
            ref.snapshot_id, volume_id, found.get('size'), ref.device_name,
            ref.boot_index,
            (volumes.get(volume_id) or {}).get('volume_type'),
            parent['id'] if parent else None))
    return tuple(disks)


def _deletion(name: str, image: dict, inventory: deletion_plan.Inventory,
              project_id: str) -> deletion.Plan:
    """The delete plan of the image's volume snapshots, as if the image
    went (it stays: what Glance would refuse of deleting it is left
    out); refused when one of them must be kept."""
    stays = dict(image, protected=False, visibility='private')
    others = [i for i in inventory.images if i['id'] != image['id']]
    plan = deletion_plan.plan_delete(
        [image['id']], dataclasses.replace(inventory,
                                           images=others + [stays]),
        project_id, force=True)[0]
    # A blocked plan keeps the others too ("image not deleted"): the
    # cause is what the user must remove first.
    kept = [item for item in plan.volume_snapshots
            if item.action != deletion.DELETE and not (
                plan.blocked_by and item.reason == _('image not deleted'))]
    if plan.blocked_by or kept:
        raise _refuse(name, _('%s; nothing was made') % '; '.join(
            _('volume snapshot %(id)s would be kept (%(why)s)') % {
                'id': item.resource_id, 'why': item.reason}
            for item in kept))
    return plan


def plan_archive(names: collections.abc.Iterable[str],
                 inventory: deletion_plan.Inventory,
                 backups: collections.abc.Sequence[dict], project_id: str,
                 full: bool = False) -> list[Archive]:
    """The :class:`Archive` of each named snapshot (names or IDs), from
    what the project can see; the first that cannot be archived whole is
    refused, before anything is made."""
    found: dict[str, Archive] = {}
    for name in names:
        image, error = deletion.resolve(name, inventory.images)
        if image is None:
            text = error or ''
            raise errors.Refused(text[:1].upper() + text[1:] + '.')
        if image['id'] in found:
            continue
        why = _image_refusal(image, project_id)
        if why:
            raise _refuse(name, why)
        found[image['id']] = Archive(
            name, image, _disks(name, image, inventory, backups, full),
            _deletion(name, image, inventory, project_id))
    return list(found.values())


def check_quota(quota_set: dict | None, plans: collections.abc.Iterable[
        Archive]) -> None:
    """Refused when the backups do not fit in the project's ``backups``
    and ``backup_gigabytes`` quota (Cinder charges an incremental backup
    the size of its volume too); nothing to check where the quota is
    hidden (Cinder's own 413 then says it)."""
    if not quota_set:
        return
    disks = [d for p in plans for d in p.disks]
    need = {'backups': len(disks),
            'backup_gigabytes': sum(d.size_gib or 0 for d in disks)}
    short = []
    for key, wanted in need.items():
        left = quota.left(quota_set, key)
        if left is not None and wanted > left:
            short.append(_('%(key)s: needs %(need)d, %(left)d left of '
                           '%(limit)d') % {
                'key': key, 'need': wanted, 'left': max(left, 0),
                'limit': quota_set[key]['limit']})
    if short:
        raise errors.Refused(_(
            'Not archived: the backups do not fit in the quota (%s); '
            'nothing was made.') % '; '.join(short))


def disk_records(plan: Archive, backup_ids: dict[str, str]
                 ) -> list[archives.Record]:
    """What the image records of each disk, once ``backup_ids``
    (volume snapshot ID -> backup ID) are made."""
    return [archives.Record(
        backup_ids[d.snapshot_id], d.size_gib, d.device_name, d.boot_index,
        d.volume_type, d.snapshot_id, d.volume_id) for d in plan.disks]


#: The key of the plugin's settings that says whether the cloud runs a
#: backup service (cinder-backup): ``false`` refuses before any backup.
BACKUP_SERVICE_KEY = 'backup_service'


def backup_service_setting(settings: dict) -> bool | None:
    """The ``backup_service`` setting of the plugin's clouds.yaml key:
    True or False as written, None when absent (then asked of Cinder).
    openstacksdk hands first-level values over as strings."""
    value = settings.get(BACKUP_SERVICE_KEY)
    if value is None or isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in ('true', 'yes', 'on', '1'):
        return True
    if word in ('false', 'no', 'off', '0'):
        return False
    raise errors.Refused(_(
        "The cloud's clouds.yaml entry has rcsnap: %(key)s: %(value)s; "
        "use true or false.") % {'key': BACKUP_SERVICE_KEY, 'value': value})
