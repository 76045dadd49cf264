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

"""An archived instance snapshot: what its image records of each disk.

``rc snapshot archive`` moves the volume snapshots of a volume-backed
instance snapshot into Cinder backups and keeps the image as the
catalogue entry. The image then records, in namespaced properties (Glance
keeps each value as a string of at most 255 characters: one property per
field), each disk's backup, size, device, boot index and volume type, and
the volume snapshot it replaced (its ``block_device_mapping`` entry still
names it)::

    rcsnap_archived_at           2026-12-02T05:40:00Z
    rcsnap_archive_disks         2
    rcsnap_archive_0_backup_id   <backup ID>
    rcsnap_archive_0_size_gib    10
    rcsnap_archive_0_device_name /dev/vda
    rcsnap_archive_0_boot_index  0
    rcsnap_archive_0_volume_type __DEFAULT__
    rcsnap_archive_0_snapshot_id <volume snapshot ID>
    rcsnap_archive_0_volume_id   <volume ID>

``rc snapshot unarchive`` makes each disk a volume snapshot again, of a
volume made from its backup: Cinder keeps a volume snapshot only with
its volume, so the image records those source volumes (``delete``
removes them after their volume snapshots), and keeps the records of
the backups it did not delete, without ``rcsnap_archived_at``::

    rcsnap_source_volumes        2
    rcsnap_source_volume_0       <volume ID>

Pure: Glance-shaped dicts in, plain values out.
"""

import dataclasses
import typing

from rcsnap_osc.core import holds

from rcsnap_osc.core import snapshots
from rcsnap_osc.i18n import _

ARCHIVED_AT = 'rcsnap_archived_at'
DISKS = 'rcsnap_archive_disks'
PREFIX = 'rcsnap_archive_'

#: The type an archived volume-backed snapshot shows.
ARCHIVED_TYPE = 'volume-backed, archived'

#: The key Cinder's backups made by ``archive`` carry in their metadata:
#: the ID of the image they belong to.
BACKUP_IMAGE_KEY = 'rcsnap_image_id'

#: How many source volumes an unarchived snapshot records, and the
#: prefix of each one's ID.
SOURCES = 'rcsnap_source_volumes'
SOURCE_PREFIX = 'rcsnap_source_volume_'

_FIELDS = ('backup_id', 'size_gib', 'device_name', 'boot_index',
           'volume_type', 'snapshot_id', 'volume_id')


@dataclasses.dataclass(frozen=True)
class Record:
    """One archived disk."""

    backup_id: str
    size_gib: int | None
    device_name: str | None
    boot_index: int | None
    volume_type: str | None
    snapshot_id: str | None = None
    volume_id: str | None = None

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def _int(value: typing.Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def not_ours(image: dict, project_id: str) -> str | None:
    """Why ``archive`` and ``unarchive`` leave an image alone: not an
    instance snapshot, or another project's; None otherwise."""
    if not snapshots.is_instance_snapshot(image):
        return _('not an instance snapshot')
    if image.get('owner') != project_id:
        return _('owned by project %s, not this one') % image.get('owner')
    return None


def not_movable(image: dict, project_id: str,
                archived: bool) -> str | None:
    """Why ``archive`` (``archived`` False: the image must not be
    archived) or ``unarchive`` (True) leaves an image alone: not ours
    (:func:`not_ours`), or already where the command would take it."""
    why = not_ours(image, project_id)
    if why or is_archived(image) == archived:
        return why
    return (_('it is not archived') if archived else
            _('it is archived already'))


def is_archived(image: dict) -> bool:
    """Whether the image records an archive."""
    return bool(image.get(ARCHIVED_AT)) and bool(records(image))


def records(image: dict) -> list[Record]:
    """The archived disks the image records, root first ([] if none)."""
    found = []
    for index in range(_int(image.get(DISKS)) or 0):
        key = '%s%d_' % (PREFIX, index)
        backup_id = image.get(key + 'backup_id')
        if not backup_id:
            continue
        found.append(Record(
            backup_id, _int(image.get(key + 'size_gib')),
            image.get(key + 'device_name'),
            _int(image.get(key + 'boot_index')),
            image.get(key + 'volume_type'), image.get(key + 'snapshot_id'),
            image.get(key + 'volume_id')))
    return found


def kept_records(image: dict) -> list[Record]:
    """The backups an unarchived snapshot still records (``unarchive``
    kept them): an archive of it records them beside its own."""
    return [] if is_archived(image) else records(image)


def properties(disks: typing.Iterable[Record], when: str | None) -> dict:
    """The image properties that record an archive made at ``when``
    (None: the backups ``unarchive`` kept, no archive)."""
    props = {ARCHIVED_AT: when} if when else {}
    disks = list(disks)
    props[DISKS] = str(len(disks))
    for index, disk in enumerate(disks):
        for field in _FIELDS:
            value = getattr(disk, field)
            if value is not None:
                props['%s%d_%s' % (PREFIX, index, field)] = str(value)
    return props


def property_keys(image: dict) -> list[str]:
    """Every archive property the image has (what ``unarchive`` removes)."""
    return [k for k in image if k == ARCHIVED_AT or k.startswith(PREFIX)]


def source_volumes(image: dict) -> list[str]:
    """The IDs of the source volumes an unarchived snapshot records."""
    found = (image.get('%s%d' % (SOURCE_PREFIX, index))
             for index in range(_int(image.get(SOURCES)) or 0))
    return [ident for ident in found if ident]


def source_properties(volume_ids: typing.Sequence[str]) -> dict:
    """The image properties that record these source volumes."""
    props = {SOURCES: str(len(volume_ids))}
    props.update(('%s%d' % (SOURCE_PREFIX, index), ident)
                 for index, ident in enumerate(volume_ids))
    return props


def source_keys(image: dict) -> list[str]:
    """Every source-volume property the image has (what ``archive``
    removes once it deleted them)."""
    return [k for k in image if k == SOURCES or k.startswith(SOURCE_PREFIX)]


def backup_ids(images: typing.Iterable[dict]) -> set[str]:
    """The backups these images record."""
    return {r.backup_id for image in images for r in records(image)}


def current(image: dict) -> list[Record]:
    """The records of the disks the image's mapping names (not those of
    an earlier archive whose backups ``unarchive`` kept)."""
    named = {ref.snapshot_id for ref in snapshots.volume_refs(
        snapshots.mapping_of(image))}
    return [r for r in records(image) if r.snapshot_id in named]


def size_gib(image: dict) -> int | None:
    """The size of an archived snapshot's disks (None: one is unknown)."""
    sizes = [r.size_gib for r in current(image)]
    return None if None in sizes else sum(sizes)  # type: ignore[arg-type]


def as_archived(summary: typing.Any) -> typing.Any:
    """An instance snapshot's summary (:class:`snapshots.Summary`) as the
    commands show it: an archived one's type and size from what its image
    records, and no volume snapshots (they are gone, not missing)."""
    if not is_archived(summary.image):
        return summary
    return dataclasses.replace(summary, type=ARCHIVED_TYPE, devices=(),
                               size_gib=size_gib(summary.image))


def orphan_backups(backups: typing.Iterable[dict],
                   images: typing.Iterable[dict]) -> list[dict]:
    """The backups ``archive`` made (their metadata names the image) that
    no image recorded any more: their image was deleted behind the
    plugin's back (``openstack image delete``)."""
    recorded = backup_ids(images)
    return [b for b in backups if (b.get('metadata') or {}).get(
        BACKUP_IMAGE_KEY) and b['id'] not in recorded
        and not (b.get('metadata') or {}).get(holds.BINNED_AT)]


def due(images: typing.Iterable[dict], seconds: int | float,
        now: typing.Any) -> list[dict]:
    """Of the snapshots a retention keeps, those it archives: the
    volume-backed ones made more than ``seconds`` before ``now`` and not
    archived yet, oldest first (an image-backed one has nothing in the
    volume quota to move)."""
    found = []
    for image in images:
        age = snapshots.age_seconds(image, now)
        if age is None or age <= seconds or is_archived(image):
            continue
        if snapshots.snapshot_type(image) == snapshots.IMAGE_BACKED:
            continue
        found.append(image)
    return sorted(found, key=lambda i: (i.get('created_at') or '', i['id']))
