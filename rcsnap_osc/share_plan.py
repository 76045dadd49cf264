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

"""What sharing an instance snapshot takes: pure decisions, no cliff, no HTTP.

An image is a flat Glance v2 dict (custom properties top-level); a member
is a dict with ``member_id`` and ``status`` as Glance lists it. Every
refusal is a :class:`Refused` whose message is the one line the user sees.
"""

import dataclasses

from rcsnap_osc.errors import Refused
from rcsnap_osc.i18n import _
from rcsnap_osc import snapshots

#: Glance member statuses, in the order ``list --shared`` asks for them.
MEMBER_STATUSES = ('accepted', 'pending', 'rejected')

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

#: ``share --copy --volumes``: the root disk only, or every volume.
VOLUMES = ('root', 'all')

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


@dataclasses.dataclass(frozen=True)
class SharePlan:
    """The writes that share an image with some projects."""

    make_shared: bool
    add: tuple
    already: tuple


@dataclasses.dataclass(frozen=True)
class UnsharePlan:
    """The writes that take projects off an image's member list."""

    remove: tuple
    not_members: tuple
    make_private: bool


def _label(image):
    return '%s (%s)' % (image.get('name') or '-', image.get('id'))


def check_owner(image, project_id):
    """Only the owner project changes who an image is shared with."""
    if image.get('owner') != project_id:
        raise Refused(_(
            'Snapshot %(snap)s belongs to project %(owner)s: only its owner '
            'can share or unshare it.') % {
                'snap': _label(image), 'owner': image.get('owner')})


def check_shareable(image):
    """Public and community images have no member list to change."""
    visibility = image.get('visibility')
    if visibility in ('public', 'community'):
        raise Refused(_(
            'Snapshot %(snap)s is %(vis)s: every project can already see '
            'it, so it has no members to change.') % {
                'snap': _label(image), 'vis': visibility})


def check_changeable(image, project_id):
    """Whether this project may change who ``image`` is shared with: the
    one check of share and unshare, made before anything is read."""
    check_owner(image, project_id)
    check_shareable(image)


def check_targets(project_id, targets):
    """The projects to share with, deduplicated; never the owner itself."""
    if project_id in targets:
        raise Refused(_(
            'Snapshot is owned by project %s: it cannot be shared with '
            'itself.') % project_id)
    return tuple(dict.fromkeys(targets))


def needs_copy(image, copy):
    """Whether sharing needs a standalone copy; refuses when it does and
    ``copy`` was not asked for (a volume-backed snapshot's data stays in
    the owner's Cinder volume snapshots, which no other project can use).
    """
    if snapshots.snapshot_type(image) != snapshots.VOLUME_BACKED:
        return False
    if not copy:
        root = root_ref(image)
        raise Refused(_(
            'Snapshot %(snap)s is volume-backed: its data is volume snapshot '
            '%(vsnap)s of this project, which other projects cannot use, so '
            'they could see the image but not launch it. Use --copy to share '
            'a standalone image made from it.') % {
                'snap': _label(image), 'vsnap': root.snapshot_id})
    return True


def plan_share(image, targets, members):
    """What to write so that ``targets`` (checked by :func:`check_targets`)
    are members of ``image``, which :func:`check_changeable` let through.

    ``members`` are the image's current members. Projects that already are
    members are left as they are (sharing again is not an error).
    """
    present = {m['member_id'] for m in members}
    return SharePlan(
        make_shared=image.get('visibility') != 'shared',
        add=tuple(t for t in targets if t not in present),
        already=tuple(t for t in targets if t in present))


def plan_unshare(image, members, targets=None):
    """What to write to remove ``targets`` (every member when None) from
    an image :func:`check_changeable` let through.

    The image goes back to ``private`` when no member remains.
    """
    present = [m['member_id'] for m in members]
    if targets is None:
        remove = tuple(present)
        not_members = ()
    else:
        targets = tuple(dict.fromkeys(targets))
        remove = tuple(t for t in targets if t in present)
        not_members = tuple(t for t in targets if t not in present)
    remaining = [m for m in present if m not in remove]
    return UnsharePlan(
        remove=remove, not_members=not_members,
        make_private=image.get('visibility') == 'shared' and not remaining)


def check_member(image, project_id):
    """``accept`` and ``reject`` are for the projects an image is shared
    with, not for its owner."""
    if image.get('owner') == project_id:
        raise Refused(_(
            'Snapshot %s is owned by this project: accept and reject are '
            'for the projects it is shared with.') % _label(image))


def root_ref(image):
    """The root device's volume snapshot reference of a volume-backed
    snapshot."""
    refs = snapshots.volume_refs(snapshots.mapping_of(image))
    for ref in refs:
        if ref.boot_index == 0:
            return ref
    return refs[0]


def left_out(image):
    """Volume snapshot references a copy does not hold: all but the root."""
    root = root_ref(image)
    return tuple(ref for ref in snapshots.volume_refs(
        snapshots.mapping_of(image)) if ref != root)


def is_copied_property(key):
    if key.startswith(NOT_COPIED_PREFIXES):
        return False
    return key in COPIED_KEYS or key.startswith(COPIED_PREFIXES)


def copy_name(image, name=None):
    """The copy's image name: ``name``, else the snapshot's plus -copy."""
    return name or '%s-copy' % (image.get('name') or image['id'])


def copy_attributes(image, root_size_gib, data_images=0):
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


def data_count(copy):
    """How many data images a copy says it has."""
    try:
        return max(int(copy.get(DATA_IMAGES_PROPERTY) or 0), 0)
    except (TypeError, ValueError):
        return 0


def data_name(copy_name, ref, index):
    """A data image's name: the copy's and the device's (vdb...)."""
    device = (ref.device_name or '').rsplit('/', 1)[-1] or 'data%d' % index
    return '%s-%s' % (copy_name, device)


def data_attributes(ref, size_gib, copy_id, index):
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


def _index(image):
    try:
        return int(image.get(DATA_INDEX_PROPERTY))
    except (TypeError, ValueError):
        return None


def data_images(copy, images):
    """The data images of ``copy`` among ``images``, in their order: those
    that name it (:data:`COPY_PROPERTY`), have a place, and have the
    copy's owner; nothing else is proven to belong to it."""
    found = [i for i in images
             if i.get(COPY_PROPERTY) == copy['id']
             and i.get('owner') == copy.get('owner')
             and _index(i) is not None and i['id'] != copy['id']]
    return sorted(found, key=_index)


def complete(copy, found):
    """Whether ``found`` (:func:`data_images`) are every data image of
    ``copy``, each active."""
    return (len(found) == data_count(copy)
            and [_index(i) for i in found] == list(range(len(found)))
            and all(i.get('status') == 'active' for i in found))


def reusable_copy(copies, image, project_id, data_images=0):
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


def split_projects(values, is_id):
    """User-given projects as (IDs, names), each deduplicated in order."""
    values = list(dict.fromkeys(values))
    return ([v for v in values if is_id(v)],
            [v for v in values if not is_id(v)])


def match_projects(names, projects):
    """Resolve names against a Keystone project listing: {name: id}.

    ``projects`` are dicts with ``id`` and ``name``. An unknown or ambiguous
    name (one per domain) is refused.
    """
    found = {}
    for name in names:
        ids = [p['id'] for p in projects if p.get('name') == name]
        if not ids:
            raise Refused(_("No project named '%s' exists.") % name)
        if len(ids) > 1:
            raise Refused(_(
                "More than one project is named '%(name)s': %(ids)s; use an "
                "ID.") % {'name': name, 'ids': ', '.join(ids)})
        found[name] = ids[0]
    return found


def member_statuses(listings):
    """{image id: member status} from one image listing per status.

    ``listings`` maps a member status to the images Glance listed with
    ``member_status=<status>``.
    """
    statuses = {}
    for status in MEMBER_STATUSES:
        for image in listings.get(status, ()):
            statuses.setdefault(image['id'], status)
    return statuses
