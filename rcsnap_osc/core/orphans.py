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

"""Which volume snapshots are orphans: pure decisions, no cliff, no HTTP.

Deleting an instance snapshot's image (as ``openstack image delete`` or the
dashboard do) leaves its Cinder volume snapshots behind, counted against
the quota and referred to by nothing. Nova makes each one with
``create_snapshot_force(volume, name, description)``: the name ``snapshot
for <image name>``, the volume's own description, and no metadata. That
tells them apart from volume snapshots made by hand or by other tools.
``rc snapshot unarchive`` makes its own of a source volume it made from
a backup; both name the image in their metadata (``rcsnap_image_id``),
and the source volume goes with its volume snapshot.

Not every unreferenced volume snapshot is unwanted: backup tools keep a
volume snapshot as the base of their next incremental backup, Cinder
makes temporary ones of its own (``consumes_quota: false``, Cinder 3.65),
and a volume made from one keeps it. By default only those Nova made, and
nothing depends on, are orphans; ``include_all`` adds the others, each
with the reason it may still be wanted.
"""

import collections.abc
import dataclasses
import typing

from rcsnap_osc.core import archives
from rcsnap_osc.core import deletion
from rcsnap_osc.core import deletion_plan
from rcsnap_osc.core import holds
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

if typing.TYPE_CHECKING:
    import datetime

#: How Nova names the volume snapshots of an instance snapshot.
NOVA_NAME_PREFIX = 'snapshot for '

#: Seconds a volume snapshot must have existed before it is reclaimed.
MIN_AGE = 300


@dataclasses.dataclass(frozen=True)
class Orphan:
    """A volume snapshot no visible image refers to."""

    snapshot: dict
    #: Volumes created from it: while they exist Cinder keeps it.
    dependents: tuple = ()
    #: Cinder backups made from it.
    backups: tuple = ()
    #: Whether Nova made it for an instance snapshot.
    by_nova: bool = True
    #: A line for it, and for each volume made from it, in a state its
    #: owner cannot delete it in (:func:`stuck_notes`).
    notes: tuple = ()
    #: The source volume ``unarchive`` made it of (Cinder's dict), and the
    #: IDs of the other volume snapshots of that volume.
    source: dict | None = None
    siblings: tuple = ()

    @property
    def id(self) -> str:
        return self.snapshot['id']

    @property
    def size_gib(self) -> int | None:
        return self.snapshot.get('size')

    @property
    def project(self) -> str | None:
        return self.snapshot.get(deletion.PROJECT)

    @property
    def temporary(self) -> bool:
        """Cinder's own (it consumes no quota)."""
        return self.snapshot.get('consumes_quota') is False

    @property
    def reasons(self) -> list[str]:
        """Why it may still be wanted (none for a plain orphan)."""
        found = []
        if not self.by_nova:
            found.append(_('not made by Nova for an instance snapshot (by '
                           'hand, or by another tool)'))
        found += self.kept_by_cinder
        if self.dependents:
            found.append(_('volume %s was made from it')
                         % ', '.join(self.dependents))
        return found

    @property
    def kept_by_cinder(self) -> list[str]:
        """Why ``delete --orphans --all`` keeps it: Cinder or a backup
        tool still uses it."""
        found = []
        if self.temporary:
            found.append(_("Cinder's own (consumes_quota: false): an "
                           "operation of Cinder's may still use it"))
        if self.backups:
            found.append(_('backup %s was made from it: a backup tool may '
                           'keep it as the base of its next incremental')
                         % ', '.join(self.backups))
        return found

    @property
    def plain(self) -> bool:
        """An orphan of Nova's that nothing may still want."""
        return not self.reasons


def made_by_nova(volume_snapshot: dict, volume: dict | None = None) -> bool:
    """Whether Nova made it for an instance snapshot: named ``snapshot for
    <image name>``, no metadata, and (when its volume is known) the
    volume's description, as Nova gives them."""
    if not (volume_snapshot.get('name') or '').startswith(NOVA_NAME_PREFIX):
        return False
    if volume_snapshot.get('metadata'):
        return False
    return volume is None or (volume_snapshot.get('description') or '') == (
        volume.get('description') or '')


def unarchive_source(volume_snapshot: dict, volume: dict | None
                     ) -> dict | None:
    """The source volume ``unarchive`` made this volume snapshot of: both
    name the same image in their metadata; None for any other."""
    image_id = (volume_snapshot.get('metadata') or {}).get(
        archives.BACKUP_IMAGE_KEY)
    if not image_id or volume is None or (volume.get('metadata') or {}).get(
            archives.BACKUP_IMAGE_KEY) != image_id:
        return None
    return volume


def dependent_volumes(volumes: collections.abc.Iterable[dict]
                      ) -> dict[str, list[dict]]:
    """Volume snapshot id -> the volumes created from it."""
    found: dict[str, list[dict]] = {}
    for volume in volumes:
        if volume.get('snapshot_id'):
            found.setdefault(volume['snapshot_id'], []).append(volume)
    return found


def stuck_notes(snapshot: dict, dependents: collections.abc.Iterable[dict]
                ) -> tuple[str, ...]:
    """A line for the volume snapshot and for each volume made from it
    that is in a state its owner cannot delete it in: the state, and who
    can change it (:func:`errors.undeletable`)."""
    notes = []
    stuck = errors.undeletable(deletion.VOLUME_SNAPSHOT, snapshot['id'],
                               snapshot.get('status'))
    if stuck:
        notes.append(_('Volume snapshot %(id)s is %(stuck)s.') % {
            'id': snapshot['id'], 'stuck': stuck})
    for volume in dependents:
        stuck = errors.undeletable('volume', volume['id'],
                                   volume.get('status'))
        if stuck:
            notes.append(_('Volume %(id)s, made from volume snapshot '
                           '%(snap)s, is %(stuck)s.') % {
                               'id': volume['id'], 'snap': snapshot['id'],
                               'stuck': stuck})
    return tuple(notes)


def in_bin(resource: dict) -> bool:
    """A volume snapshot or backup the bin holds (its metadata says so):
    never an orphan, whatever refers to it."""
    return bool((resource.get('metadata') or {}).get(holds.BINNED_AT))


def find_orphans(images: collections.abc.Iterable[dict],
                 volume_snapshots: collections.abc.Iterable[dict],
                 volumes: collections.abc.Iterable[dict],
                 project_id: str | None,
                 include_all: bool = False,
                 backups: collections.abc.Iterable[dict] = ()
                 ) -> list[Orphan]:
    """The project's volume snapshots that no image refers to.

    :param images: every image the project can see (hidden ones too).
    :param volume_snapshots: the project's volume snapshots (Cinder dicts);
        those of every project when ``project_id`` is None.
    :param volumes: the project's volumes (with ``snapshot_id``).
    :param include_all: also those that may still be wanted
        (:attr:`Orphan.reasons`).
    :param backups: the project's Cinder backups (with ``snapshot_id``).
    :returns: :class:`Orphan` objects, oldest first.
    """
    referred = deletion.references(images)
    volumes = list(volumes)
    made_from = dependent_volumes(volumes)
    backed_up = dependent_volumes(backups)
    by_id = {v['id']: v for v in volumes}
    volume_snapshots = list(volume_snapshots)
    of_volume = dependent_volumes(
        dict(s, snapshot_id=s.get('volume_id')) for s in volume_snapshots)
    found = []
    for snap in volume_snapshots:
        if snap['id'] in referred or in_bin(snap):
            continue
        if project_id is not None and snap.get(
                deletion.PROJECT, project_id) != project_id:
            continue
        made = made_from.get(snap['id'], ())
        volume = by_id.get(snap.get('volume_id'))
        source = unarchive_source(snap, volume)
        orphan = Orphan(snap, tuple(v['id'] for v in made),
                        tuple(b['id'] for b in backed_up.get(snap['id'], ())),
                        bool(source) or made_by_nova(snap, volume),
                        stuck_notes(snap, made), source, tuple(
                            s['id'] for s in of_volume.get(
                                snap.get('volume_id') or '', ())
                            if s['id'] != snap['id']))
        if include_all or orphan.plain:
            found.append(orphan)
    return sorted(found, key=lambda o: (o.snapshot.get('created_at') or '',
                                        o.id))


def plan_reclaim(found: collections.abc.Iterable[Orphan], project_id: str,
                 now: 'datetime.datetime',
                 min_age: int | float = MIN_AGE) -> list[deletion.Plan]:
    """A :class:`deletion.Plan` per orphan, with ``delete``'s rules:
    only this project's, nothing with dependent volumes, nothing in a
    group snapshot, deletable statuses only (kept, with the reason).

    Nova makes the volume snapshots of an instance snapshot before its
    image: one younger than ``min_age`` seconds may belong to a snapshot
    being made right now, and is kept. ``now`` is a naive UTC datetime.
    """
    plans = []
    for orphan in found:
        action, reason, _blocked = deletion_plan.volume_snapshot_verdict(
            orphan.id, project_id, {orphan.id: orphan.snapshot}, (),
            [{'id': v} for v in orphan.dependents])
        age = snapshots.age_seconds(orphan.snapshot, now)
        if action == deletion.DELETE and orphan.kept_by_cinder:
            action, reason = deletion.KEEP, '; '.join(orphan.kept_by_cinder)
        elif action == deletion.DELETE and (age is None or age < min_age):
            action, reason = deletion.KEEP, _(
                'made %d s ago: an instance snapshot being created may '
                'still refer to it (see --min-age)') % max(age or 0, 0)
        plans.append(deletion.Plan(orphan.id, (deletion.Item(
            orphan.id, deletion.VOLUME_SNAPSHOT,
            orphan.snapshot.get('name'), action, reason),
        ) + _source_items(orphan, action)))
    return plans


def _source_items(orphan: Orphan, action: str) -> tuple:
    """The item of an orphan's source volume (``unarchive``): deleted
    after it when it goes, nothing else is made of the volume, and Cinder
    would accept it."""
    volume = orphan.source
    if volume is None:
        return ()
    if action != deletion.DELETE:
        verdict, why = deletion.KEEP, _('volume snapshot %s not deleted') % (
            orphan.id)
    elif orphan.siblings:
        verdict, why = deletion.KEEP, _('volume snapshot %s of it stays') % (
            ', '.join(orphan.siblings))
    elif volume.get('status') not in deletion.DELETABLE:
        verdict, why = deletion.KEEP, _('status is %s') % volume.get('status')
    else:
        verdict, why = deletion.DELETE, None
    return (deletion.Item(volume['id'], deletion.VOLUME, volume.get('name'),
                          verdict, why),)


def freed_gib(found: collections.abc.Iterable[Orphan],
              outcomes: collections.abc.Iterable[typing.Any],
              states: collections.abc.Container[str]) -> tuple[int, int]:
    """GiB of the orphans whose outcome is in ``states``, and how many."""
    sizes = {o.id: o.size_gib or 0 for o in found}
    done = [o.item.resource_id for o in outcomes if o.state in states
            and o.item.kind == deletion.VOLUME_SNAPSHOT]
    return sum(sizes.get(i, 0) for i in done), len(done)


def freed_message(gib: int | float, count: int, state: str) -> str:
    """The line ``delete --orphans`` ends with."""
    text = {
        deletion.DELETE: _('Would free %(gib)s GiB (%(count)d volume '
                           'snapshots).'),
        'deleting': _('Freeing %(gib)s GiB (%(count)d volume snapshots '
                      'being deleted; --wait confirms it).'),
        'deleted': _('Freed %(gib)s GiB (%(count)d volume snapshots).'),
    }[state]
    return text % {'gib': gib, 'count': count}
