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

"""What an instance snapshot is, and what it really costs.

Pure functions over Glance- and Cinder-shaped dicts: no cliff, no HTTP.
An image is a flat dict as the Glance v2 API returns it (custom properties
are top-level keys); a volume snapshot is a dict as the Cinder v3 API
returns it, with at least ``id``, ``size`` (GiB) and ``status``.
"""

import collections.abc
import dataclasses
import json
import typing

if typing.TYPE_CHECKING:
    import datetime

GiB = 1024 ** 3

VOLUME_BACKED = 'volume-backed'
IMAGE_BACKED = 'image-backed'

#: Status shown for a volume snapshot the image refers to but Cinder does
#: not return (deleted behind the image's back, or in another project).
MISSING = 'missing'

#: Glance's own fields; everything else on an image is a custom property.
GLANCE_FIELDS = frozenset((
    'checksum', 'container_format', 'created_at', 'direct_url',
    'disk_format', 'file', 'id', 'locations', 'min_disk', 'min_ram', 'name',
    'os_hash_algo', 'os_hash_value', 'os_hidden', 'owner', 'protected',
    'schema', 'self', 'size', 'status', 'stores', 'tags', 'updated_at',
    'virtual_size', 'visibility',
))

#: Cinder's key for a snapshot's progress, e.g. "45%".
PROGRESS = 'os-extended-snapshot-attributes:progress'

IMAGE_FAILED = frozenset(('killed', 'deleted', 'pending_delete',
                          'deactivated'))
VOLUME_SNAPSHOT_FAILED = frozenset(('error', 'error_deleting', 'deleting',
                                    'deleted'))


class InvalidMapping(ValueError):
    """An image's ``block_device_mapping`` property cannot be read."""


@dataclasses.dataclass(frozen=True)
class VolumeRef:
    """One volume of the snapshotted server, as the image records it."""

    device_name: str | None
    boot_index: int | None
    snapshot_id: str
    volume_size: int | None


@dataclasses.dataclass(frozen=True)
class Device:
    """A :class:`VolumeRef` joined with what Cinder says of its snapshot."""

    device_name: str | None
    boot_index: int | None
    snapshot_id: str
    size_gib: int | None
    status: str | None

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Summary:
    """An instance snapshot with its real size, in GiB (None: unknown)."""

    image: dict
    type: str
    devices: tuple
    size_gib: int | float | None

    @property
    def missing(self) -> list[Device]:
        return [d for d in self.devices if d.status == MISSING]


def parse_block_device_mapping(value: object) -> list[dict]:
    """Return the list of mapping entries of an image property.

    Nova stores ``block_device_mapping`` as a JSON *string*; other tools
    (and the Glance v1 era) may hand over a list already.
    """
    if value is None or value == '':
        return []
    if isinstance(value, (str, bytes)):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise InvalidMapping('block_device_mapping is not JSON: %s' % exc)
    if not isinstance(value, list) or not all(
            isinstance(entry, dict) for entry in value):
        raise InvalidMapping('block_device_mapping is not a list of mappings')
    return value


def boot_index(entry: dict) -> int | None:
    """The entry's boot index as an int, or None (Nova may send "0")."""
    value: typing.Any = entry.get('boot_index')
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def root_entry(entries: collections.abc.Iterable[dict]) -> dict | None:
    """The root device: ``boot_index == 0``, wherever it stands in the list.

    Swap and ephemeral entries (boot index None or -1) may come first.
    """
    for entry in entries:
        if boot_index(entry) == 0:
            return entry
    return None


def volume_refs(entries: collections.abc.Iterable[dict]) -> list[VolumeRef]:
    """The volume snapshots an image refers to, root device first."""
    refs = [
        VolumeRef(
            device_name=entry.get('device_name'),
            boot_index=boot_index(entry),
            snapshot_id=entry['snapshot_id'],
            volume_size=entry.get('volume_size'),
        )
        for entry in entries
        if entry.get('snapshot_id')
        and entry.get('source_type', 'snapshot') == 'snapshot'
    ]

    def order(ref: VolumeRef) -> tuple[bool, int | None, str]:
        rooted = ref.boot_index is not None and ref.boot_index >= 0
        return (not rooted, ref.boot_index if rooted else 0,
                ref.device_name or '')

    return sorted(refs, key=order)


def mapping_of(image: dict) -> list[dict]:
    """The image's mapping entries; [] when it has none or it is unreadable.

    Callers that must tell "unreadable" apart use
    :func:`parse_block_device_mapping` directly.
    """
    try:
        return parse_block_device_mapping(image.get('block_device_mapping'))
    except InvalidMapping:
        return []


def snapshot_type(image: dict) -> str:
    """``volume-backed`` when the root device is a volume snapshot."""
    root = root_entry(mapping_of(image))
    if root is not None and root.get('snapshot_id') and root.get(
            'source_type', 'snapshot') == 'snapshot':
        return VOLUME_BACKED
    return IMAGE_BACKED


def is_instance_snapshot(image: dict) -> bool:
    """Nova made this image from a server.

    Image-backed snapshots carry ``image_type: snapshot``; volume-backed ones
    (Nova's ``snapshot_volume_backed``) carry no ``image_type`` but a root
    mapping entry whose source is a volume snapshot.
    """
    return (image.get('image_type') == 'snapshot'
            or snapshot_type(image) == VOLUME_BACKED)


def volume_snapshot_ids(images: collections.abc.Iterable[dict]) -> list[str]:
    """Every volume snapshot id referred to by these images, deduplicated."""
    seen: dict[str, None] = {}
    for image in images:
        for ref in volume_refs(mapping_of(image)):
            seen.setdefault(ref.snapshot_id, None)
    return list(seen)


def summarize(image: dict, volume_snapshots: dict[str, dict]) -> Summary:
    """Join an image with the volume snapshots Cinder returned.

    :param image: a Glance image dict.
    :param volume_snapshots: mapping of volume snapshot id to a Cinder
        snapshot dict; ids the image refers to but that are absent here are
        reported with status :data:`MISSING` and an unknown size.
    """
    kind = snapshot_type(image)
    if kind == IMAGE_BACKED:
        return Summary(image=image, type=kind, devices=(),
                       size_gib=to_gib(image.get('size')))
    devices = []
    for ref in volume_refs(mapping_of(image)):
        found = volume_snapshots.get(ref.snapshot_id)
        if found is None:
            devices.append(Device(ref.device_name, ref.boot_index,
                                  ref.snapshot_id, None, MISSING))
        else:
            devices.append(Device(ref.device_name, ref.boot_index,
                                  ref.snapshot_id, found.get('size'),
                                  found.get('status')))
    sizes: list[typing.Any] = [d.size_gib for d in devices]
    return Summary(image=image, type=kind, devices=tuple(devices),
                   size_gib=None if None in sizes else sum(sizes))


def custom_properties(image: dict) -> dict:
    """The image's custom properties, the mapping left out (shown apart)."""
    return {
        key: value for key, value in image.items()
        if key not in GLANCE_FIELDS and key != 'block_device_mapping'
    }


def to_gib(size_bytes: int | None) -> int | float | None:
    """Bytes in GiB: an int when whole, else the exact quotient (a float
    holds it exactly: GiB is a power of two)."""
    if size_bytes is None:
        return None
    whole, rest = divmod(int(size_bytes), GiB)
    return size_bytes / GiB if rest else whole


def format_gib(size_gib: int | float | None) -> str:
    """A size in GiB as short human-readable text (``unknown`` for None)."""
    if size_gib is None:
        return 'unknown'
    return format_size(round(size_gib * GiB))


def format_size(size_bytes: int | float | None) -> str:
    """Bytes as a short human-readable string in binary units."""
    if size_bytes is None:
        return 'unknown'
    size = float(size_bytes)
    for unit in ('B', 'KiB', 'MiB', 'GiB', 'TiB'):
        if size < 1024 or unit == 'TiB':
            break
        size /= 1024
    if unit == 'B':
        return '%d B' % size_bytes
    if size == int(size):
        return '%d %s' % (size, unit)
    return '%.1f %s' % (size, unit)


def wait_state(image: dict, volume_snapshots: dict[str, dict]
               ) -> tuple[bool, str | None, list[str]]:
    """Where a new snapshot stands: ``(done, failure, pending)``.

    ``failure`` is a message when the image or one of its volume snapshots
    can no longer become usable; ``pending`` lists what is still in progress,
    for progress output.
    """
    status = image.get('status')
    if status in IMAGE_FAILED:
        return False, 'image %s is %s' % (image.get('id'), status), []
    pending = []
    if status != 'active':
        pending.append('image %s' % status)
    for ref in volume_refs(mapping_of(image)):
        found = volume_snapshots.get(ref.snapshot_id)
        if found is None:
            return False, 'volume snapshot %s is gone' % ref.snapshot_id, []
        vstatus = found.get('status')
        if vstatus in VOLUME_SNAPSHOT_FAILED:
            return (False, 'volume snapshot %s is %s' % (ref.snapshot_id,
                                                         vstatus), [])
        if vstatus != 'available':
            progress = found.get(PROGRESS)
            pending.append('volume snapshot %s %s%s' % (
                ref.snapshot_id, vstatus,
                ' (%s)' % progress if progress else ''))
    return not pending, None, pending


def age_seconds(resource: dict, now: 'datetime.datetime') -> float | None:
    """Seconds since Glance or Cinder made ``resource`` (its
    ``created_at``, UTC with or without a zone); None when unknown.
    ``now`` is a naive UTC datetime."""
    import datetime  # only the commands that weigh ages need it

    created = resource.get('created_at')
    if not created:
        return None
    try:
        made = datetime.datetime.fromisoformat(created.rstrip('Z'))
    except ValueError:
        return None
    return (now - made.replace(tzinfo=None)).total_seconds()


def round_gib(size_gib: int | float | None) -> int | float | None:
    """A size in GiB as a column shows it: rounded to two decimals, an int
    when whole (None stays None)."""
    if size_gib is None:
        return None
    rounded = round(size_gib, 2)
    return int(rounded) if rounded == int(rounded) else rounded
