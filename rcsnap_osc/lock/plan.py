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

"""What ``lock`` and ``unlock`` do to a snapshot's image: pure decisions.

A lock is Glance's ``protected`` flag and the lock properties of
:mod:`rcsnap_osc.core.holds`, written in one image PATCH. A lock only
ever moves its date later; ``unlock`` before the date needs ``force``.
Pure: Glance-shaped dicts in, plain values out.
"""

import dataclasses
import datetime
import re

from rcsnap_osc.core import holds
from rcsnap_osc.core import retention
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

#: Days a lock lasts when no ``--until`` is given.
DEFAULT_DAYS = 30

_DATE = re.compile(r'^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?Z?)?$')


def now() -> datetime.datetime:
    """The present as naive UTC, to the second."""
    return datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None, microsecond=0)


def parse_until(text: str, at: datetime.datetime) -> datetime.datetime:
    """The end of a lock: a duration from ``at`` (``30d``, ``12h``, ``2w``)
    or a UTC date (``2027-01-31``, ``2027-01-31T12:00Z``); Refused when
    unreadable or not after ``at``."""
    text = (text or '').strip()
    if _DATE.match(text):
        when = holds.parse_stamp(text.replace(' ', 'T'))
        if when is None:
            raise errors.Refused(_("Invalid date '%s'.") % text)
    else:
        try:
            when = at + datetime.timedelta(
                seconds=retention.parse_duration(text))
        except errors.Refused:
            raise errors.Refused(_(
                "'%s' is neither a date (YYYY-MM-DD or YYYY-MM-DDTHH:MMZ, "
                "UTC) nor a duration (e.g. 30d, 12h, 2w).") % text)
    if when <= at:
        raise errors.Refused(_("'%(text)s' is not in the future (now: "
                               "%(now)s).") % {
            'text': text, 'now': holds.stamp(at)})
    return when


def default_until(at: datetime.datetime) -> datetime.datetime:
    return at + datetime.timedelta(days=DEFAULT_DAYS)


@dataclasses.dataclass(frozen=True)
class Request:
    """``lock`` (``until`` set) or ``unlock`` (``force``: before the
    date too) of the snapshots named (names or IDs)."""

    snapshots: tuple
    until: datetime.datetime | None = None
    force: bool = False


@dataclasses.dataclass(frozen=True)
class Change:
    """The one PATCH of an image: ``attrs`` to set, properties to
    ``remove``; no PATCH when both are empty (``note`` says why)."""

    image: dict
    attrs: dict
    remove: tuple = ()
    note: str | None = None


def label(image: dict) -> str:
    return '%s (%s)' % (image.get('name') or '-', image['id'])


def lock(image: dict, until: datetime.datetime, at: datetime.datetime,
         by: str) -> Change:
    """Lock until ``until``; a lock in force until later stays as it is
    (a lock never moves earlier: unlock --force, then lock)."""
    current = holds.locked_until(image, at)
    if current is not None and current >= until:
        return Change(image, {}, note=_(
            'Snapshot %(snap)s stays locked until %(until)s (later than '
            'asked).') % {'snap': label(image),
                          'until': holds.stamp(current)})
    attrs = dict(holds.first_hold(image))
    attrs.update({'protected': True, holds.LOCKED_UNTIL: holds.stamp(until),
                  holds.LOCKED_AT: holds.stamp(at), holds.LOCKED_BY: by})
    return Change(image, attrs)


def unlock(image: dict, at: datetime.datetime, force: bool) -> Change:
    """Let the lock go: Refused when there is none, or, without
    ``force``, while it is in force (saying who locked it, when)."""
    if not image.get(holds.LOCKED_UNTIL):
        raise errors.Refused(_('Snapshot %s is not locked.') % label(image))
    if holds.is_locked(image, at) and not force:
        raise errors.Refused(_(
            'Snapshot %(snap)s is locked until %(until)s (by %(by)s on '
            '%(at)s): use --force to unlock it before that date.') % {
                'snap': label(image), 'until': image[holds.LOCKED_UNTIL],
                'by': image.get(holds.LOCKED_BY) or '?',
                'at': image.get(holds.LOCKED_AT) or '?'})
    remove = [k for k in holds.LOCK_KEYS if k in image]
    if (holds.WAS_PROTECTED in image
            and not holds.holds_left(image, at, unlock=True)):
        remove.append(holds.WAS_PROTECTED)
    return Change(image, {'protected': holds.protected_after(
        image, at, unlock=True)}, tuple(remove))


def after(change: Change) -> dict:
    """The image as the PATCH leaves it (what the output shows)."""
    image = {k: v for k, v in change.image.items()
             if k not in change.remove}
    image.update(change.attrs)
    return image
