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


"""What binning a snapshot writes, what recover puts back, and which
snapshots a command may bin, purge or must leave alone (a lock).

A binned image is hidden (``os_hidden``), protected, and deactivated so
that Nova refuses to boot it; its properties say when, by which command
and until when (:mod:`rcsnap_osc.core.holds`), and what it was before
(:data:`WAS_HIDDEN`, :data:`WAS_STATUS`) so that recover puts it back.
Its volume snapshots and backups carry the same record in their Cinder
metadata. Pure: Glance- and Cinder-shaped dicts in, plain values out.
"""

import dataclasses
import datetime

from rcsnap_osc.core import deletion
from rcsnap_osc.core import deletion_plan
from rcsnap_osc.core import holds
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

#: Days a binned snapshot stays before retention may purge it.
DEFAULT_DAYS = 7
#: The key of the plugin's ``rcsnap:`` clouds.yaml entry for it.
SETTING = 'bin_days'

#: What recover puts back: ``os_hidden`` and the status before the bin.
WAS_HIDDEN = 'rcsnap_bin_was_hidden'
WAS_STATUS = 'rcsnap_bin_was_status'
OWN_KEYS = (WAS_HIDDEN, WAS_STATUS)

#: An item's state once binned (a row's result).
BINNED = 'binned'


def record(now: datetime.datetime, by: str, days: int) -> dict:
    """The bin's record: binned at ``now`` by the command ``by``, for
    ``days`` days."""
    return {holds.BINNED_AT: holds.stamp(now), holds.BINNED_BY: by,
            holds.BIN_UNTIL: holds.stamp(now + datetime.timedelta(days=days))}


def image_attrs(image: dict, bin_record: dict) -> dict:
    """The one JSON patch's values that bin ``image``."""
    attrs = {'os_hidden': True, 'protected': True,
             WAS_HIDDEN: 'true' if image.get('os_hidden') else 'false',
             WAS_STATUS: image.get('status') or 'active'}
    attrs.update(holds.first_hold(image))
    attrs.update(bin_record)
    return attrs


def deactivates(image: dict) -> bool:
    """Whether binning deactivates it (only an active image can be)."""
    return image.get('status') == 'active'


def recover_changes(image: dict, now: datetime.datetime
                    ) -> tuple[dict, tuple]:
    """``(attrs, remove)``: the one JSON patch that takes ``image`` out
    of the bin, as it was (protected only if another hold or its owner
    says so)."""
    attrs = {'os_hidden': str(image.get(WAS_HIDDEN)).lower() == 'true',
             'protected': holds.protected_after(image, now, unbin=True)}
    gone: tuple[str, ...] = holds.BIN_KEYS + OWN_KEYS
    if not holds.holds_left(image, now, unbin=True):
        gone += (holds.WAS_PROTECTED,)
    return attrs, tuple(k for k in gone if k in image)


def reactivates(image: dict) -> bool:
    """Whether recover reactivates it: it was active before the bin."""
    return (image.get('status') == 'deactivated'
            and image.get(WAS_STATUS, 'active') == 'active')


def unmarked(metadata: dict | None) -> dict:
    """A volume snapshot's or backup's metadata without the bin's
    record."""
    return {k: v for k, v in (metadata or {}).items()
            if k not in holds.BIN_KEYS}


def is_marked(resource: dict) -> bool:
    """Whether a volume snapshot or backup carries the bin's record."""
    return bool((resource.get('metadata') or {}).get(holds.BINNED_AT))


def days_of(settings: dict) -> int:
    """The bin's days from the cloud's ``rcsnap:`` settings (a string
    once openstacksdk has read it); :data:`DEFAULT_DAYS` without."""
    value = settings.get(SETTING)
    if value is None:
        return DEFAULT_DAYS
    try:
        days = int(str(value).strip())
    except ValueError:
        days = 0
    if days < 1:
        raise errors.Refused(_(
            "The cloud's rcsnap: %(key)s setting must be a whole number of "
            "days, 1 or more, not '%(value)s'.") % {'key': SETTING,
                                                    'value': value})
    return days


def lock_reason(image: dict, now: datetime.datetime) -> str | None:
    """``locked until <when>``, or None when no lock is in force."""
    until = holds.locked_until(image, now)
    if until is None:
        return None
    return _('locked until %s') % holds.stamp(until)


def held_back(plans: list, images: dict, now: datetime.datetime,
              action: str = deletion.REFUSE, binning: bool = True) -> list:
    """The plans, a locked snapshot's (and, when ``binning``, a binned
    one's) turned to ``action`` (refused by delete, kept by retention)
    with the reason, its volume snapshots and backups with it."""
    held = []
    for plan in plans:
        item = plan.image
        image = images.get(item.resource_id) if item else None
        why = None
        if image and binning and holds.is_binned(image):
            why = in_bin_reason(image)
        elif image and item.action == deletion.DELETE:
            why = lock_reason(image, now)
        held.append(hold(plan, action, why) if why else plan)
    return held


def hold(plan: deletion.Plan, action: str, why: str) -> deletion.Plan:
    """The plan with its image's deletion turned to ``action`` for
    ``why``, and what would go with it kept."""
    item = plan.image
    assert item is not None  # a plan held back always has its image
    items = tuple(dataclasses.replace(
        i, action=action if i is item else deletion.KEEP,
        reason=why if i is item else _('image %s kept') % item.resource_id)
        if i is item or i.action == deletion.DELETE else i
        for i in plan.items)
    return dataclasses.replace(plan, items=items)


def in_bin_reason(image: dict) -> str:
    """Why a binned snapshot is not binned again."""
    return _('in the bin until %s already; "openstack rc snapshot bin '
             'purge %s" deletes it') % (image.get(holds.BIN_UNTIL),
                                        image['id'])


def as_unbinned(image: dict, now: datetime.datetime) -> dict:
    """The image as the delete plan should judge it once the bin lets
    go: protected only if its owner or a lock wants it."""
    return dict(image, protected=holds.protected_after(image, now,
                                                       unbin=True))


def where_line(ids: list, until: str, snapshots: bool = True) -> str:
    """What every path that bins says: where, until when, and what frees
    the quota now (``snapshots``: instance snapshots, else orphaned
    volume snapshots)."""
    if not snapshots:
        return _('%(count)d volume snapshot(s) moved to the recycle bin '
                 'until %(until)s (their metadata says so); they still '
                 'count against the quota.') % {'count': len(ids),
                                                'until': until}
    return _('%(count)d snapshot(s) moved to the recycle bin until '
             '%(until)s; they still count against the quota. '
             '"openstack rc snapshot recover %(ids)s" brings them back, '
             '"openstack rc snapshot bin purge %(ids)s" frees the quota '
             'now.') % {'count': len(ids), 'until': until,
                        'ids': ' '.join(ids)}


def live_and_due(snapshots: list, now: datetime.datetime
                 ) -> tuple[list, list]:
    """``(live, due)``: the snapshots out of the bin (what retention
    counts), and the IDs of those in the bin past their date."""
    return ([i for i in snapshots if not holds.is_binned(i)],
            [i['id'] for i in snapshots if holds.purge_due(i, now)])


def plan_retention(inventory: deletion_plan.Inventory, gone: list, due: list,
                   project_id: str, found: dict, now: datetime.datetime
                   ) -> list:
    """The delete plans of a server's retention: those its rules let go
    (``gone``, binned), then those in the bin past their date (``due``,
    judged as once the bin lets go: purged); a locked one is kept with
    the reason."""
    unbinned = dataclasses.replace(inventory, images=[
        as_unbinned(i, now) if holds.is_binned(i) else i
        for i in inventory.images])
    return held_back(
        deletion_plan.plan_delete(gone, inventory, project_id) +
        deletion_plan.plan_delete(due, unbinned, project_id),
        found, now, deletion.KEEP, binning=False)
