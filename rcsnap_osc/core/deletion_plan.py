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

"""The plan of a whole deletion: every named instance snapshot with its
volume snapshots and data images, weighed together (a volume snapshot two
named images share goes once, with the last of them), never leaving a
volume snapshot or data image of ours that nothing refers to; the
verdict on each volume snapshot, backup, volume and data image. Pure:
Glance- and Cinder-shaped dicts in, :class:`deletion.Plan` out."""

import collections.abc
import dataclasses
import typing

from rcsnap_osc.core import archives
from rcsnap_osc.core import copies
from rcsnap_osc.core import deletion
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _


@dataclasses.dataclass(frozen=True)
class Inventory:
    """What a deletion is planned from: every image the caller can see
    (Glance dicts), the caller's volume snapshots by id and volumes
    (Cinder dicts, with ``snapshot_id``), and image id -> its Glance
    members, for shared images."""

    images: collections.abc.Sequence[dict]
    volume_snapshots: dict[str, dict] = dataclasses.field(
        default_factory=dict)
    volumes: collections.abc.Iterable[dict] = ()
    members: dict[str, list[dict]] = dataclasses.field(default_factory=dict)
    #: The caller's Cinder backups; None: not listed (an archived
    #: snapshot is then refused: its backups would be left behind).
    backups: collections.abc.Sequence[dict] | None = None


@dataclasses.dataclass
class _Scope:
    """What every named snapshot's volume snapshots are weighed against."""

    project_id: str
    inventory: Inventory
    deleted: set[str]
    keep_volume_snapshots: bool
    refs: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    made_from: dict[str, list[dict]] = dataclasses.field(
        default_factory=dict)
    seen: set[str] = dataclasses.field(default_factory=set)


def plan_delete(names: collections.abc.Iterable[str],
                inventory: Inventory, project_id: str, force: bool = False,
                keep_volume_snapshots: bool = False) -> list[deletion.Plan]:
    """Plan the deletion of the named instance snapshots (names or IDs as
    the caller gave them) from the :class:`Inventory`: a list of
    :class:`deletion.Plan`, one per distinct image named (or per name that
    matches none). The volume snapshots are unused with
    ``keep_volume_snapshots``."""
    targets: dict[str, tuple[str, dict, str | None]]
    plans: list[typing.Any]
    targets, plans = {}, []
    for name in names:
        image, error = deletion.resolve(name, inventory.images)
        if image is None:
            plans.append(deletion.Plan(name, (deletion.Item(
                name, deletion.IMAGE, None, deletion.FAIL, error),)))
        elif image['id'] not in targets:
            targets[image['id']] = (name, image, deletion.refusal(
                image, project_id, inventory.members.get(image['id']),
                force))
            plans.append(None)  # filled in below, in the order named
    scope = _Scope(project_id, inventory,
                   {i for i, (_, _, refused) in targets.items()
                    if not refused}, keep_volume_snapshots,
                   deletion.references(inventory.images))
    for volume in inventory.volumes:
        if volume.get('snapshot_id'):
            scope.made_from.setdefault(volume['snapshot_id'], []).append(
                volume)
    filled = iter(targets.values())
    for index, plan in enumerate(plans):
        if plan is None:
            plans[index] = _plan_one(scope, *next(filled))
    return plans


def _volume_snapshot_items(scope: _Scope, image: dict,
                           refused: str | None
                           ) -> tuple[list[deletion.Item], list[tuple]]:
    """The items of an image's volume snapshots not planned yet, and
    those its deletion would orphan: ``(items, blocked)``."""
    items, blocked = [], []
    volume_snapshots = scope.inventory.volume_snapshots
    for ref in snapshots.volume_refs(snapshots.mapping_of(image)):
        sid = ref.snapshot_id
        if sid in scope.seen or (archives.is_archived(image) and
                                 sid not in volume_snapshots):
            continue  # archived: its volume snapshots are gone
        scope.seen.add(sid)
        users = scope.refs.get(sid, [image['id']])
        others = [u for u in users if u not in scope.deleted]
        orphaned, reason = False, None
        if refused:
            action, reason = deletion.KEEP, _('image not deleted')
        elif scope.keep_volume_snapshots:
            action, reason = deletion.KEEP, '--keep-volume-snapshots'
        else:
            action, reason, orphaned = volume_snapshot_verdict(
                sid, scope.project_id, volume_snapshots, others,
                scope.made_from.get(sid))
        if orphaned:
            blocked.append((sid, reason, scope.made_from.get(sid) or ()))
        items.append(deletion.Item(
            sid, deletion.VOLUME_SNAPSHOT,
            (volume_snapshots.get(sid) or {}).get('name'), action, reason,
            tuple(u for u in users if u in scope.deleted)))
    return items, blocked


def backup_verdict(backup: dict | None, listed: dict[str, dict]
                   ) -> tuple[str, str | None, bool]:
    """``(action, reason, blocking)`` for a backup of a deleted image."""
    if backup is None:
        return deletion.KEEP, _('not found in this project'), False
    if backup.get('has_dependent_backups'):
        newer = sorted(b['id'] for b in listed.values() if b.get(
            'volume_id') == backup.get('volume_id') and b.get(
            'is_incremental') and (b.get('created_at') or '') > (
            backup.get('created_at') or ''))
        return deletion.KEEP, _(
            'incremental backup %s builds on it: Cinder deletes it once '
            'that one is gone') % (', '.join(newer) or _('of its volume')), \
            True
    if backup.get('status') not in deletion.DELETABLE:
        return deletion.KEEP, _('status is %s') % backup.get('status'), True
    return deletion.DELETE, None, False


def _backup_items(scope: _Scope, image: dict, refused: str | None
                  ) -> tuple[list[deletion.Item], list[str]]:
    """The items of an archived image's backups, and why deleting it
    would leave one behind (``(items, blockers)``)."""
    items, blockers = [], []
    listed = {b['id']: b for b in scope.inventory.backups or ()}
    for record in archives.records(image):
        reason: str | None
        if refused:
            action, reason, blocking = (deletion.KEEP,
                                        _('image not deleted'), False)
        elif scope.inventory.backups is None:
            action, reason, blocking = (deletion.KEEP, _(
                'archived: "openstack rc snapshot delete" deletes it with '
                'its backups'), True)
        else:
            action, reason, blocking = backup_verdict(
                listed.get(record.backup_id), listed)
        if blocking:
            blockers.append(_('backup %(id)s would be left behind: '
                              '%(why)s') % {'id': record.backup_id,
                                            'why': reason})
        items.append(deletion.Item(
            record.backup_id, deletion.BACKUP, record.device_name, action,
            reason, (image['id'],)))
    return items, blockers


def _source_verdict(scope: _Scope, image: dict, volume_id: str,
                    snapshot_items: list[deletion.Item]
                    ) -> tuple[str, str | None]:
    """``(action, reason)`` for a source volume ``unarchive`` recorded:
    deleted only when its metadata names this snapshot, it is free, and
    every volume snapshot of it goes with the snapshot."""
    volume = next((v for v in scope.inventory.volumes
                   if v.get('id') == volume_id), None)
    if volume is None:
        return deletion.KEEP, _('not found in this project')
    if (volume.get('metadata') or {}).get(
            archives.BACKUP_IMAGE_KEY) != image['id']:
        return deletion.KEEP, _('its metadata does not name this snapshot')
    if volume.get('status') not in deletion.DELETABLE:
        return deletion.KEEP, _('status is %s') % volume.get('status')
    going = {i.resource_id for i in snapshot_items
             if i.action == deletion.DELETE}
    staying = sorted(sid for sid, snap in
                     scope.inventory.volume_snapshots.items()
                     if snap.get('volume_id') == volume_id
                     and sid not in going)
    if staying:
        return deletion.KEEP, _('volume snapshot %s of it stays') % \
            ', '.join(staying)
    return deletion.DELETE, None


def _source_items(scope: _Scope, image: dict, refused: str | None,
                  snapshot_items: list[deletion.Item]
                  ) -> list[deletion.Item]:
    """The source volumes of an unarchived image (never blocking: a
    volume kept is listed, it refers to nothing that goes)."""
    items = []
    names = {v.get('id'): v.get('name') for v in scope.inventory.volumes}
    for volume_id in archives.source_volumes(image):
        action, reason = (deletion.KEEP, _('image not deleted')) if \
            refused else _source_verdict(scope, image, volume_id,
                                         snapshot_items)
        items.append(deletion.Item(volume_id, deletion.VOLUME,
                                   names.get(volume_id), action, reason,
                                   (image['id'],)))
    return items


def _plan_one(scope: _Scope, name: str, image: dict,
              refused: str | None) -> deletion.Plan:
    """The :class:`Plan` of one named image."""
    items, blocked = _volume_snapshot_items(scope, image, refused)
    items += _source_items(scope, image, refused, items)
    data_items, protected = data_image_items(
        image, scope.inventory.images, scope.project_id, refused)
    backup_items, kept_backups = _backup_items(scope, image, refused)
    items += data_items + backup_items
    protected += kept_backups
    why = None
    if blocked or (protected and not refused):
        # Never delete the image and leave a volume snapshot or data
        # image of ours that nothing refers to: the whole snapshot is
        # refused.
        refused = '; '.join(
            ([orphan_refusal(blocked)] if blocked else [])
            + protected)
        why = refused
        items = [
            item if item.action == deletion.KEEP else dataclasses.replace(
                item, action=deletion.KEEP, reason=_('image not deleted'))
            for item in items]
    image_item = deletion.Item(
        image['id'], deletion.IMAGE, image.get('name'),
        deletion.REFUSE if refused else deletion.DELETE, refused)
    return deletion.Plan(name, (image_item, *items), why)


def volume_snapshot_verdict(
        snapshot_id: str, project_id: str, volume_snapshots: dict[str, dict],
        others: collections.abc.Sequence[str],
        dependents: collections.abc.Sequence[dict] | None
) -> tuple[str, str | None, bool]:
    """``(action, reason, orphaned)`` for one volume snapshot of a deleted
    image, from the caller's ``volume_snapshots`` by id, the ``others``
    (ids of images not deleted in this call that refer to it) and its
    ``dependents`` (the volumes made from it). ``orphaned``: it is this
    project's, no other image uses it, and yet it must be kept (deleting
    the image would leave it behind, referred to by nothing)."""
    record = volume_snapshots.get(snapshot_id)
    if record is None:
        return deletion.KEEP, _('not found in this project'), False
    if record.get(deletion.PROJECT, project_id) != project_id:
        return deletion.KEEP, _('in project %s, not this one') % record.get(
            deletion.PROJECT), False
    if others:
        return deletion.KEEP, _('also used by image %s') % ', '.join(
            others), False
    if dependents:
        return deletion.KEEP, _('volume %s was created from it') % ', '.join(
            v['id'] for v in dependents), True
    if record.get('group_snapshot_id'):
        return deletion.KEEP, _('part of group snapshot %s') % record[
            'group_snapshot_id'], True
    status = record.get('status')
    if status == 'deleting':
        return deletion.KEEP, _('already being deleted'), False
    if status not in deletion.DELETABLE:
        return deletion.KEEP, _('status is %s') % (errors.undeletable(
            deletion.VOLUME_SNAPSHOT, snapshot_id, status) or status), True
    return deletion.DELETE, None, False


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
                     ) -> tuple[list[deletion.Item], list[str]]:
    """``(items, blockers)`` for the data images of a ``share --copy
    --volumes all`` copy being deleted: its own (:func:`copies.data_images`)
    go with it; a protected one blocks the copy (a blocker is a reason)."""
    if image.get('owner') != project_id or not copies.data_count(image):
        return [], []
    items, blockers = [], []
    for data in copies.data_images(image, images):
        action, reason = deletion.DELETE, None
        if data.get('protected'):
            blockers.append(_(
                'data image %(id)s is protected; run "openstack image set '
                '--unprotected %(id)s" first') % {'id': data['id']})
            action, reason = deletion.KEEP, _('protected')
        elif refused:
            action, reason = deletion.KEEP, _('image not deleted')
        items.append(deletion.Item(data['id'], deletion.DATA_IMAGE,
                                   data.get('name'), action, reason,
                                   (image['id'],)))
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
    elif any(state in (why or '') for _sid, why, _deps in blocked
             for state in errors.STUCK):
        unblock = _('have an operator reset it first')
    else:
        unblock = _('wait until Cinder can delete it')
    return _('%(causes)s; %(unblock)s, or use --keep-volume-snapshots to '
             'delete the image alone') % {'causes': '; '.join(causes),
                                          'unblock': unblock}
