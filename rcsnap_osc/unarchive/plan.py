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

"""What ``rc snapshot unarchive`` does: pure decisions, no HTTP.

An unarchive makes an archived snapshot an ordinary volume-backed one
again: a volume from each backup its image records (the source volume),
a volume snapshot of it, the image's ``block_device_mapping`` rewritten to
name the new volume snapshots. Cinder deletes no volume that has a
snapshot, so the source volumes stay: the image records them
(:mod:`rcsnap_osc.core.archives`) and ``delete`` removes them after their
volume snapshots. The backups are deleted by delete's rules (one a newer
incremental backup builds on stays, recorded), or all kept with
``--keep-backups``.
"""

import dataclasses
import json
import typing

from rcsnap_osc.core import archives
from rcsnap_osc.core import deletion
from rcsnap_osc.core import deletion_plan
from rcsnap_osc.core import quota
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _


@dataclasses.dataclass(frozen=True)
class Request:
    """What ``unarchive`` was asked for: the snapshots named, whether to
    keep every backup, ``timeout`` seconds for the volumes and volume
    snapshots to be made, ``dry_run``."""

    names: tuple = ()
    keep_backups: bool = False
    timeout: int = 1800
    dry_run: bool = False


@dataclasses.dataclass(frozen=True)
class Unarchive:
    """The unarchive of one snapshot: its image, the records of its disks
    (root first) and what becomes of each backup (:class:`deletion.Item`)."""

    name: str
    image: dict
    disks: tuple
    backups: tuple

    @property
    def kept(self) -> list[archives.Record]:
        """The records of the backups that stay (the image keeps them)."""
        staying = {i.resource_id for i in self.backups
                   if i.action != deletion.DELETE}
        return [r for r in archives.records(self.image)
                if r.backup_id in staying]

    @property
    def size_gib(self) -> int:
        return sum(d.size_gib or 0 for d in self.disks)


def _refuse(name: str, why: str) -> errors.Refused:
    return errors.Refused(_('Cannot unarchive %(name)s: %(why)s.') % {
        'name': name, 'why': why})


def _disks(name: str, image: dict, listed: dict[str, dict]) -> tuple:
    disks = archives.current(image)
    if not disks or len(disks) != len(snapshots.volume_refs(
            snapshots.mapping_of(image))):
        raise _refuse(name, _('its image does not record a backup of '
                              'each disk'))
    for record in disks:
        found = listed.get(record.backup_id)
        if found is None:
            raise _refuse(name, _('backup %s is not in this project') %
                          record.backup_id)
        if found.get('status') != 'available':
            raise _refuse(name, _('backup %(id)s is %(status)s, not '
                                  'available') % {
                'id': record.backup_id, 'status': found.get('status')})
    return tuple(disks)


def _backup_items(image: dict, listed: dict[str, dict],
                  keep_backups: bool) -> tuple:
    """What becomes of each backup the image records: deleted unless
    kept (``--keep-backups``, or a newer incremental one builds on it)."""
    items = []
    for record in archives.records(image):
        reason: str | None
        if keep_backups:
            action, reason = deletion.KEEP, '--keep-backups'
        else:
            action, reason, _blocking = deletion_plan.backup_verdict(
                listed.get(record.backup_id), listed)
        items.append(deletion.Item(record.backup_id, deletion.BACKUP,
                                   record.device_name, action, reason,
                                   (image['id'],)))
    return tuple(items)


def plan_unarchive(names: typing.Iterable[str], images: list[dict],
                   backups: typing.Iterable[dict], project_id: str,
                   keep_backups: bool = False) -> list[Unarchive]:
    """The :class:`Unarchive` of each named snapshot (names or IDs); the
    first that cannot be unarchived is refused, before anything is made."""
    listed = {b['id']: b for b in backups}
    found: dict[str, Unarchive] = {}
    for name in names:
        image, error = deletion.resolve(name, images)
        if image is None:
            text = error or ''
            raise errors.Refused(text[:1].upper() + text[1:] + '.')
        if image['id'] in found:
            continue
        why = archives.not_movable(image, project_id, archived=True)
        if why:
            raise _refuse(name, why)
        found[image['id']] = Unarchive(
            name, image, _disks(name, image, listed),
            _backup_items(image, listed, keep_backups))
    return list(found.values())


def check_quota(quota_set: dict | None,
                plans: typing.Iterable[Unarchive]) -> None:
    """Refused when the volumes and their volume snapshots do not fit in
    the project's Cinder quota (a volume snapshot is charged the size of
    its volume); nothing to check where the quota is hidden."""
    plans = list(plans)
    count = sum(len(p.disks) for p in plans)
    gib = sum(p.size_gib for p in plans)
    exceeded = quota.over(quota_set, {'volumes': count, 'snapshots': count,
                                      'gigabytes': 2 * gib})
    if exceeded:
        raise errors.Refused(_(
            'Not unarchived: %(count)d volumes of %(gib)d GiB in all and a '
            'volume snapshot of each (as many GiB again) do not fit in the '
            'Cinder quota (%(quotas)s); nothing was made.') % {
            'count': count, 'gib': gib, 'quotas': quota.at(exceeded)})


def volume_body(plan: Unarchive, record: archives.Record) -> dict:
    """The ``POST /volumes`` body of a disk's source volume (the backup is
    added where Cinder takes it, 3.47); its metadata names the image, so
    that ``delete`` can prove it belongs to the snapshot."""
    body = {'name': 'unarchived %s %s' % (
        plan.image.get('name') or plan.image['id'],
        record.device_name or record.backup_id),
        'size': record.size_gib,
        'description': _('Source volume of the volume snapshot of instance '
                         'snapshot %(snap)s, restored from backup '
                         '%(backup)s') % {'snap': plan.image['id'],
                                          'backup': record.backup_id},
        'metadata': {archives.BACKUP_IMAGE_KEY: plan.image['id']}}
    if record.volume_type:
        body['volume_type'] = record.volume_type
    return body


def mapping(image: dict, new_ids: dict[str, str]) -> str:
    """The image's ``block_device_mapping``, each volume snapshot it names
    replaced by the new one (``new_ids``: old ID -> new ID), as the JSON
    string Nova writes."""
    entries = []
    for entry in snapshots.mapping_of(image):
        if entry.get('snapshot_id') in new_ids:
            entry = dict(entry, snapshot_id=new_ids[entry['snapshot_id']])
        entries.append(entry)
    return json.dumps(entries)


def image_changes(plan: Unarchive, new_ids: dict[str, str],
                  volume_ids: list[str]) -> tuple[dict, list[str]]:
    """``(set, remove)``: the image properties an unarchive writes (the
    new mapping, the source volumes, the records of the backups that
    stay) and those it removes (the archive's)."""
    changes = {'block_device_mapping': mapping(plan.image, new_ids)}
    changes.update(archives.source_properties(volume_ids))
    kept = plan.kept
    if kept:
        changes.update(archives.properties(kept, None))
    return changes, archives.property_keys(plan.image)
