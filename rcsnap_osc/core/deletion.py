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
part of a group snapshot). Anything else is kept, with the reason. This
module holds the vocabulary (:class:`Item`, :class:`Plan`) and the image's
own rules; the verdicts on what goes with an image are
:mod:`rcsnap_osc.core.deletion_plan`'s.
"""

import collections.abc
import dataclasses
import typing

from rcsnap_osc.core import holds
from rcsnap_osc.core import snapshots
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

    def of_kind(self, kind: str) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.kind == kind)

    volume_snapshots = property(lambda self: self.of_kind(VOLUME_SNAPSHOT))
    data_images = property(lambda self: self.of_kind(DATA_IMAGE))
    backups = property(lambda self: self.of_kind(BACKUP))
    volumes = property(lambda self: self.of_kind(VOLUME))


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
    if image.get('protected') and image.get(holds.LOCKED_UNTIL):
        return _('locked until %(until)s; "openstack rc snapshot unlock '
                 '%(id)s" lifts it') % {
            'until': image[holds.LOCKED_UNTIL], 'id': image['id']}
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
    users: dict[str, list[str]] = {}
    for image in images:
        for ref in snapshots.volume_refs(snapshots.mapping_of(image)):
            users.setdefault(ref.snapshot_id, []).append(image['id'])
    return users


def failed_names(plans, outcomes):
    """The names given whose image or volume snapshots failed or were
    refused, in the order given; with what blocks them, if that is
    something the user must remove first."""
    failed = {id(o.item) for o in outcomes if o.failed}
    return ['%s (%s)' % (plan.name, plan.blocked_by) if plan.blocked_by
            else plan.name for plan in plans
            if any(id(item) in failed for item in plan.items)]


def failure_line(plans, outcomes, dry_run=False, what=None):
    """The line a deletion ends with when anything failed or was refused
    (``what``: of what; default: snapshots); None when everything went as
    planned."""
    failed = failed_names(plans, outcomes)
    if not failed:
        return None
    summary = (_('%(failed)d of %(total)d %(what)s would not be deleted: '
                 '%(names)s') if dry_run else
               _('%(failed)d of %(total)d %(what)s could not be deleted: '
                 '%(names)s'))
    return summary % {'failed': len(failed), 'total': len(plans),
                      'what': what or _('snapshots'),
                      'names': ', '.join(failed)}
