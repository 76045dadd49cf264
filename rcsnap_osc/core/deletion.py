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

"""What deleting instance snapshots may remove: decided before acting.

Pure functions over Glance- and Cinder-shaped dicts: no cliff, no HTTP.
An instance snapshot is deleted only when the caller's project owns it, it
is not protected, and no other project uses it; each volume snapshot its
``block_device_mapping`` refers to is deleted with it only when it is
proven to belong to that snapshot alone:

(a) Cinder lists it in the caller's project;
(b) no other image the caller can see refers to it;
(c) no volume was created from it;

and Cinder would accept the request (status ``available`` or ``error``, not
part of a group snapshot). Anything else is kept, with the reason.
"""

import collections.abc
import dataclasses
import typing

from rcsnap_osc.core import copies
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

IMAGE = 'image'
VOLUME_SNAPSHOT = 'volume snapshot'
#: A Cinder backup an archived snapshot's disk is in (``archive``).
BACKUP = 'backup'
#: A volume an unarchived snapshot's volume snapshot was taken of
#: (``unarchive`` made it from a backup).
VOLUME = 'volume'
#: An image of a data volume of a ``share --copy --volumes all`` copy.
DATA_IMAGE = 'data image'

DELETE = 'delete'
KEEP = 'keep'
REFUSE = 'refuse'
FAIL = 'fail'

#: Cinder's key for a snapshot's project (shown to owners and admins).
PROJECT = 'os-extended-snapshot-attributes:project_id'

#: Volume snapshot statuses Cinder accepts a delete request in.
DELETABLE = frozenset(('available', 'error'))

#: Image visibilities that let other projects use the image.
OPEN_VISIBILITIES = frozenset(('public', 'community'))


@dataclasses.dataclass(frozen=True)
class Item:
    """One resource and what to do with it.

    ``images`` lists the instance snapshots (being deleted in this call)
    that refer to a volume snapshot: it is deleted only once they all are.
    """

    resource_id: str
    kind: str
    name: str | None
    action: str
    reason: str | None = None
    images: tuple = ()


@dataclasses.dataclass(frozen=True)
class Plan:
    """One named snapshot: its image first, then its volume snapshots."""

    name: str
    items: tuple
    #: What keeps the whole snapshot from being deleted, when the user
    #: must act on something else first (said again in the summary line).
    blocked_by: str | None = None

    @property
    def image(self) -> Item | None:
        """The image item; None in a plan of orphaned volume snapshots."""
        return next((i for i in self.items if i.kind == IMAGE), None)

    @property
    def volume_snapshots(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.kind == VOLUME_SNAPSHOT)

    @property
    def data_images(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.kind == DATA_IMAGE)

    @property
    def backups(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.kind == BACKUP)

    @property
    def volumes(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.kind == VOLUME)


def resolve(name_or_id: str, images: collections.abc.Sequence[dict]
            ) -> tuple[dict | None, str | None]:
    """``(image, error)``: the image with this ID, else this exact name."""
    by_id = [i for i in images if i.get('id') == name_or_id]
    if by_id:
        return by_id[0], None
    named = [i for i in images if i.get('name') == name_or_id]
    if not named:
        return None, _("no image with a name or ID of '%s'") % name_or_id
    if len(named) > 1:
        return None, _("more than one image is named '%(name)s': %(ids)s; "
                       "use an ID") % {
            'name': name_or_id, 'ids': ', '.join(i['id'] for i in named)}
    return named[0], None


def needs_members(image: dict, project_id: str) -> bool:
    """Whether the image's member list decides if it may be deleted."""
    return (image.get('owner') == project_id
            and image.get('visibility') == 'shared')


def refusal(image: dict, project_id: str,
            members: collections.abc.Iterable[dict] | None = (),
            force: bool = False) -> str | None:
    """Why this image must not be deleted, or None.

    :param members: the image's Glance members (only read for a shared
        image); those that accepted it may be running servers from it.
    """
    if not snapshots.is_instance_snapshot(image):
        return _('not an instance snapshot')
    if image.get('owner') != project_id:
        return _('owned by project %s, not this one') % image.get('owner')
    if image.get('protected'):
        return _('protected; run "openstack image set --unprotected %s" '
                 'first') % image['id']
    try:
        snapshots.parse_block_device_mapping(image.get('block_device_mapping'))
    except snapshots.InvalidMapping as exc:
        return str(exc)
    if force:
        return None
    visibility = image.get('visibility')
    if visibility in OPEN_VISIBILITIES:
        return _('visibility is %s: other projects may use it; '
                 'use --force') % visibility
    if visibility == 'shared':
        accepted: list[typing.Any]
        accepted = sorted(m.get('member_id') for m in members or ()
                          if m.get('status') == 'accepted')
        if accepted:
            return _('shared with projects that accepted it: %s; '
                     'use --force') % ', '.join(accepted)
    return None


def references(images: collections.abc.Iterable[dict]
               ) -> dict[str, list[str]]:
    """Volume snapshot id -> ids of the images that refer to it."""
    found: dict[str, list[str]] = {}
    for image in images:
        for ref in snapshots.volume_refs(snapshots.mapping_of(image)):
            found.setdefault(ref.snapshot_id, []).append(image['id'])
    return found


def volume_snapshot_verdict(
        snapshot_id: str, project_id: str, volume_snapshots: dict[str, dict],
        others: collections.abc.Sequence[str],
        dependents: collections.abc.Sequence[dict] | None
) -> tuple[str, str | None, bool]:
    """``(action, reason, orphaned)`` for one volume snapshot of a deleted
    image. ``orphaned`` is true when it is this project's, no other image
    uses it, and yet it must be kept: deleting the image would leave it
    behind, referred to by nothing.

    :param volume_snapshots: the caller's volume snapshots by id.
    :param others: ids of images, not deleted in this call, that refer to
        it.
    :param dependents: the volumes (Cinder dicts) created from it.
    """
    found = volume_snapshots.get(snapshot_id)
    if found is None:
        return KEEP, _('not found in this project'), False
    if found.get(PROJECT, project_id) != project_id:
        return KEEP, _('in project %s, not this one') % found.get(
            PROJECT), False
    if others:
        return KEEP, _('also used by image %s') % ', '.join(others), False
    if dependents:
        return KEEP, _('volume %s was created from it') % ', '.join(
            v['id'] for v in dependents), True
    if found.get('group_snapshot_id'):
        return KEEP, _('part of group snapshot %s') % found[
            'group_snapshot_id'], True
    status = found.get('status')
    if status == 'deleting':
        return KEEP, _('already being deleted'), False
    if status not in DELETABLE:
        return KEEP, _('status is %s') % (errors.undeletable(
            VOLUME_SNAPSHOT, snapshot_id, status) or status), True
    return DELETE, None, False


def describe_volume(volume: dict) -> str:
    """``volume ID``, and the server it is attached to, if any, or the
    state it is in when its owner cannot delete it there."""
    servers = [a.get('server_id') for a in volume.get('attachments') or ()
               if a.get('server_id')]
    if servers:
        return _('volume %(id)s (attached to server %(server)s)') % {
            'id': volume['id'], 'server': ', '.join(servers)}
    stuck = errors.undeletable('volume', volume['id'], volume.get('status'))
    if stuck:
        return _('volume %(id)s (%(stuck)s)') % {'id': volume['id'],
                                                 'stuck': stuck}
    return _('volume %s') % volume['id']


def data_image_items(image: dict, images: collections.abc.Iterable[dict],
                     project_id: str, refused: str | None
                     ) -> tuple[list[Item], list[str]]:
    """``(items, blockers)`` for the data images of a ``share --copy
    --volumes all`` copy being deleted: those proven to be its own
    (:func:`copies.data_images`: they name it, have its owner and a
    place) go with it. A protected one would be left behind: it blocks
    the copy (each blocker is a reason)."""
    if image.get('owner') != project_id or not copies.data_count(image):
        return [], []
    items, blockers = [], []
    for data in copies.data_images(image, images):
        action, reason = DELETE, None
        if data.get('protected'):
            blockers.append(_(
                'data image %(id)s is protected; run "openstack image set '
                '--unprotected %(id)s" first') % {'id': data['id']})
            action, reason = KEEP, _('protected')
        elif refused:
            action, reason = KEEP, _('image not deleted')
        items.append(Item(data['id'], DATA_IMAGE, data.get('name'), action,
                          reason, (image['id'],)))
    return items, blockers


def orphan_refusal(blocked: collections.abc.Iterable[
        tuple[str, str | None, collections.abc.Sequence[dict]]]) -> str:
    """Why an image is not deleted: ``blocked`` is [(volume snapshot id,
    reason, dependent volumes)] of the volume snapshots it would orphan."""
    volumes: list[dict]
    causes, volumes, blocked = [], [], list(blocked)
    for sid, why, deps in blocked:
        if deps:
            why = (_('%s was created from it') if len(deps) == 1 else
                   _('%s were created from it')) % ', '.join(
                describe_volume(v) for v in deps)
            volumes.extend(deps)
        causes.append(_('volume snapshot %(id)s would be left behind: '
                        '%(why)s') % {'id': sid, 'why': why})
    if volumes:
        unblock = (_('delete that volume first') if len(volumes) == 1 else
                   _('delete those volumes first'))
    elif any(state in why for _sid, why, _deps in blocked
             for state in errors.STUCK):
        unblock = _('have an operator reset it first')
    else:
        unblock = _('wait until Cinder can delete it')
    return _('%(causes)s; %(unblock)s, or use --keep-volume-snapshots to '
             'delete the image alone') % {'causes': '; '.join(causes),
                                          'unblock': unblock}
