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
volume snapshot or data image of ours that nothing refers to. The verdict
on each thing is :mod:`rcsnap_osc.core.deletion`'s.

Pure: Glance- and Cinder-shaped dicts in, :class:`deletion.Plan` out.
"""

import collections.abc
import dataclasses
import typing

from rcsnap_osc.core import archives
from rcsnap_osc.core import deletion
from rcsnap_osc.core import snapshots
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
        orphaned = False
        if refused:
            action, reason = deletion.KEEP, _('image not deleted')
        elif scope.keep_volume_snapshots:
            action, reason = deletion.KEEP, '--keep-volume-snapshots'
        else:
            action, reason, orphaned = deletion.volume_snapshot_verdict(
                sid, scope.project_id, volume_snapshots, others,
                scope.made_from.get(sid))
        if orphaned:
            blocked.append((sid, reason, scope.made_from.get(sid) or ()))
        items.append(deletion.Item(
            sid, deletion.VOLUME_SNAPSHOT,
            (volume_snapshots.get(sid) or {}).get('name'), action, reason,
            tuple(u for u in users if u in scope.deleted)))
    return items, blocked


def backup_verdict(found: dict | None, listed: dict[str, dict]
                   ) -> tuple[str, str | None, bool]:
    """``(action, reason, blocking)`` for a backup of a deleted image."""
    if found is None:
        return deletion.KEEP, _('not found in this project'), False
    if found.get('has_dependent_backups'):
        newer = sorted(b['id'] for b in listed.values() if b.get(
            'volume_id') == found.get('volume_id') and b.get(
            'is_incremental') and (b.get('created_at') or '') > (
            found.get('created_at') or ''))
        return deletion.KEEP, _(
            'incremental backup %s builds on it: Cinder deletes it once '
            'that one is gone') % (', '.join(newer) or _('of its volume')), \
            True
    if found.get('status') not in deletion.DELETABLE:
        return deletion.KEEP, _('status is %s') % found.get('status'), True
    return deletion.DELETE, None, False


def _backup_items(scope: _Scope, image: dict, refused: str | None
                  ) -> tuple[list[deletion.Item], list[str]]:
    """The items of an archived image's backups, and why deleting it
    would leave one behind (``(items, blockers)``)."""
    items, blockers = [], []
    listed = {b['id']: b for b in scope.inventory.backups or ()}
    for record in archives.records(image):
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
    staying = sorted(sid for sid, found in
                     scope.inventory.volume_snapshots.items()
                     if found.get('volume_id') == volume_id
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
    data_items, protected = deletion.data_image_items(
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
            ([deletion.orphan_refusal(blocked)] if blocked else [])
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
