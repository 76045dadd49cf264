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

"""The vocabulary of a copy that ``share --copy`` makes: the properties
that link it to its source and to its data images, which properties are
copied, and when a copy is complete. Pure: share, launch, delete and the
portable formats read copies through it.
"""

import collections.abc

from rcsnap_osc.core import snapshots

#: Property of a ``--copy`` image that names the snapshot it was made from.
SOURCE_PROPERTY = 'rcsnap_source_snapshot_id'

#: Property of a ``--copy`` image: the source's ``updated_at`` when the
#: copy was made. A copy of a source changed since is not reused.
SOURCE_UPDATED_PROPERTY = 'rcsnap_source_updated_at'

#: Property of a ``--copy --volumes all`` copy: how many data images it
#: has (none when absent).
DATA_IMAGES_PROPERTY = 'rcsnap_data_images'

#: Properties of a data image of such a copy: the copy it belongs to, its
#: place among the data volumes (0, 1...), the device name and the volume
#: snapshot it was made from.
COPY_PROPERTY = 'rcsnap_copy_id'
DATA_INDEX_PROPERTY = 'rcsnap_data_index'
DEVICE_PROPERTY = 'rcsnap_device_name'
DATA_SOURCE_PROPERTY = 'rcsnap_source_volume_snapshot_id'

#: Properties a copy inherits from its snapshot: how to boot it.
COPIED_KEYS = frozenset((
    'architecture', 'auto_disk_config', 'hypervisor_type', 'os_admin_user',
    'os_command_line', 'os_distro', 'os_require_quiesce', 'os_secure_boot',
    'os_type', 'os_version', 'vm_mode',
))
COPIED_PREFIXES = ('hw_', 'img_', 'trait:')
#: Never inherited: a signature does not match the copy's bytes, and
#: ``os_glance_*`` is Glance's own namespace.
NOT_COPIED_PREFIXES = ('img_signature', 'os_glance')


def root_ref(image: dict) -> snapshots.VolumeRef:
    """The root device's volume snapshot reference of a volume-backed
    snapshot."""
    refs = snapshots.volume_refs(snapshots.mapping_of(image))
    for ref in refs:
        if ref.boot_index == 0:
            return ref
    return refs[0]


def left_out(image: dict) -> tuple[snapshots.VolumeRef, ...]:
    """Volume snapshot references a copy does not hold: all but the root."""
    root = root_ref(image)
    return tuple(ref for ref in snapshots.volume_refs(
        snapshots.mapping_of(image)) if ref != root)


def is_copied_property(key: str) -> bool:
    if key.startswith(NOT_COPIED_PREFIXES):
        return False
    return key in COPIED_KEYS or key.startswith(COPIED_PREFIXES)


def copy_name(image: dict, name: str | None = None) -> str:
    """The copy's image name: ``name``, else the snapshot's plus -copy."""
    return name or '%s-copy' % (image.get('name') or image['id'])


def copy_attributes(image: dict, root_size_gib: int | None,
                    data_images: int = 0) -> dict:
    """What to set on a copy once Cinder uploaded it: the boot limits, the
    properties that say how to boot it, ``image_type`` so that it is listed
    as an instance snapshot, the snapshot it was made from and, when it has
    some, the number of its data images.

    ``min_disk`` is at least the root volume's size: a smaller disk cannot
    hold the copy.
    """
    attrs = {key: value for key, value in
             snapshots.custom_properties(image).items()
             if is_copied_property(key)}
    attrs.update(
        min_disk=max(image.get('min_disk') or 0, root_size_gib or 0),
        min_ram=image.get('min_ram') or 0,
        image_type='snapshot')
    attrs[SOURCE_PROPERTY] = image['id']
    attrs[SOURCE_UPDATED_PROPERTY] = image.get('updated_at') or ''
    if data_images:
        attrs[DATA_IMAGES_PROPERTY] = str(data_images)
    return attrs


def data_count(copy: dict) -> int:
    """How many data images a copy says it has."""
    try:
        return max(int(copy.get(DATA_IMAGES_PROPERTY) or 0), 0)
    except (TypeError, ValueError):
        return 0


def data_name(copy_name: str, ref: snapshots.VolumeRef, index: int) -> str:
    """A data image's name: the copy's and the device's (vdb...)."""
    device = (ref.device_name or '').rsplit('/', 1)[-1] or 'data%d' % index
    return '%s-%s' % (copy_name, device)


def data_attributes(ref: snapshots.VolumeRef, size_gib: int | None,
                    copy_id: str, index: int) -> dict:
    """What a data image gets once uploaded: the copy it belongs to (the
    proof unshare, delete and launch look for), its place, device and
    source, and ``min_disk``: a volume made from it needs the data
    volume's size. Not ``image_type``: it is no instance snapshot."""
    return {
        'min_disk': size_gib or 0,
        COPY_PROPERTY: copy_id,
        DATA_INDEX_PROPERTY: str(index),
        DEVICE_PROPERTY: ref.device_name or '',
        DATA_SOURCE_PROPERTY: ref.snapshot_id,
    }


def _index(image: dict) -> int | None:
    try:
        return int(image.get(DATA_INDEX_PROPERTY))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def data_images(copy: dict,
                images: collections.abc.Iterable[dict]) -> list[dict]:
    """The data images of ``copy`` among ``images``, in their order: those
    that name it (:data:`COPY_PROPERTY`), have a place, and have the
    copy's owner; nothing else is proven to belong to it."""
    found = [i for i in images
             if i.get(COPY_PROPERTY) == copy['id']
             and i.get('owner') == copy.get('owner')
             and _index(i) is not None and i['id'] != copy['id']]
    return sorted(found, key=_index)  # type: ignore[arg-type]


def complete(copy: dict, found: list[dict]) -> bool:
    """Whether ``found`` (:func:`data_images`) are every data image of
    ``copy``, each active."""
    return (len(found) == data_count(copy)
            and [_index(i) for i in found] == list(range(len(found)))
            and all(i.get('status') == 'active' for i in found))


def reusable_copy(copies: collections.abc.Iterable[dict], image: dict,
                  project_id: str, data_images: int = 0) -> dict | None:
    """An earlier ``--copy`` of ``image`` to share again instead of copying
    the disks once more: active, owned by this project, made from the
    source as it is now (same ``updated_at``), with as many data images as
    asked for. The newest wins; None when there is none."""
    fitting = [c for c in copies
               if c.get(SOURCE_PROPERTY) == image['id']
               and c.get('owner') == project_id
               and c.get('status') == 'active'
               and data_count(c) == data_images
               and c.get(SOURCE_UPDATED_PROPERTY) == (
                   image.get('updated_at') or '')]
    return max(fitting, key=lambda c: c.get('created_at') or '',
               default=None)
