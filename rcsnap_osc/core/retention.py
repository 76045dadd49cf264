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

"""Which of a server's snapshots to keep: the newest N, the newest of
each of the last days, ISO weeks and months (:class:`Rules`), those
younger than a duration, and those that must stay (protected, accepted by
another project). Which server a snapshot came from is
:mod:`rcsnap_osc.core.origin`'s.

Pure functions over Glance- and Cinder-shaped dicts: no cliff, no HTTP.
"""

import collections.abc
import dataclasses
import datetime
import re

from rcsnap_osc.core import deletion
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

#: Units of ``--older-than``: seconds each.
_UNITS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}
_DURATION = re.compile(r'^\s*(\d+)\s*([smhdw])\s*$')


def parse_duration(text: str | None) -> int:
    """``30d``, ``12h``, ``90m``, ``2w`` or ``45s`` in seconds; Refused
    otherwise."""
    match = _DURATION.match(text or '')
    if not match:
        raise errors.Refused(_(
            "Invalid duration '%s': give a number and a unit, s, m, h, d "
            "or w (e.g. 30d).") % text)
    return int(match.group(1)) * _UNITS[match.group(2)]


def newest_first(ordered: collections.abc.Sequence[dict],
                 ids: collections.abc.Iterable[str]) -> list[dict]:
    """``ordered`` with the snapshots ``ids`` names moved to the front:
    a snapshot just made is the newest, even when another one was made
    in the same second (creation times have seconds only)."""
    ids = set(ids)
    return ([i for i in ordered if i['id'] in ids] +
            [i for i in ordered if i['id'] not in ids])


@dataclasses.dataclass(frozen=True)
class Rules:
    """What to keep of a server's snapshots, as restic's ``forget`` and
    borg's ``prune`` define it, over the snapshots newest first, every
    rule on its own and a snapshot kept when one rule keeps it:

    * ``last``: the newest N;
    * ``daily``, ``weekly``, ``monthly``: the newest snapshot of each of
      the last D UTC days, W ISO weeks (Monday to Sunday, numbered as ISO
      8601 does: 2026-W53 ends on 2027-01-03), M calendar months *that
      have snapshots*, counting back from the newest snapshot: a day, week
      or month without one is skipped, not counted;
    * ``within`` (seconds; ``within_text`` as given): every snapshot made
      at most that long before the newest snapshot (not before now: a
      server whose snapshots stopped keeps them).

    Every snapshot of the server counts, protected or shared ones too (as
    ``last`` always counted them): one the rules do not keep is kept all
    the same if it cannot be deleted, with that reason.
    """

    last: int | None = None
    daily: int | None = None
    weekly: int | None = None
    monthly: int | None = None
    within: int | None = None
    within_text: str | None = None
    #: Not a rule of what to keep: seconds after which the volume-backed
    #: snapshots the rules keep are archived (``--archive-older-than``;
    #: ``archive_text`` as given).
    archive_after: int | None = None
    archive_text: str | None = None

    def given(self) -> bool:
        """Whether any rule is set."""
        return any(v is not None for v in (
            self.last, self.daily, self.weekly, self.monthly, self.within))

    def calendar(self) -> bool:
        """Whether a rule weighs creation times."""
        return any(v is not None for v in (
            self.daily, self.weekly, self.monthly, self.within))


#: The window a scheduled snapshot was made for (``20261202T0300Z``):
#: the time it stands for, as :mod:`rcsnap_osc.schedule.plan` writes it.
WINDOW_PROPERTY = 'rcsnap:schedule_window'


def created(image: dict) -> datetime.datetime | None:
    """When ``image`` was made, a naive UTC datetime: the window a
    schedule made it for (:data:`WINDOW_PROPERTY`), else Glance's
    ``created_at``; None when unknown."""
    try:
        return datetime.datetime.strptime(
            image.get(WINDOW_PROPERTY) or '', '%Y%m%dT%H%MZ')
    except ValueError:
        pass
    text = image.get('created_at')
    if not text:
        return None
    try:
        made = datetime.datetime.fromisoformat(
            text[:-1] + '+00:00' if text.endswith('Z') else text)
    except ValueError:
        return None
    if made.tzinfo is not None:
        made = made.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return made


def day_of(when: datetime.datetime) -> str:
    """``2026-11-30``: the UTC day bucket."""
    return when.strftime('%Y-%m-%d')


def week_of(when: datetime.datetime) -> str:
    """``2026-W48``: the ISO week bucket (its ISO year, not the calendar
    year: 2027-01-01 is in 2026-W53)."""
    year, week, _day = when.isocalendar()
    return '%04d-W%02d' % (year, week)


def month_of(when: datetime.datetime) -> str:
    """``2026-11``: the calendar month bucket."""
    return when.strftime('%Y-%m')


def reasons(ordered: collections.abc.Sequence[dict],
            rules: Rules) -> dict[str, list[str]]:
    """``{image ID: [reason, ...]}`` of the snapshots (newest first) the
    rules keep, each with every rule that keeps it (``one of the newest
    3``, ``within 2w``, ``daily 2026-11-30``, ``weekly 2026-W48``,
    ``monthly 2026-11``). A snapshot without a creation time is kept by
    the calendar rules (``creation time unknown``) and fills no bucket."""
    reasons: dict[str, list[str]] = {}
    times = {i['id']: created(i) for i in ordered} if rules.calendar() \
        else {}
    known = [t for t in times.values() if t is not None]
    newest = max(known) if known else None
    buckets = [(count, label, key) for count, label, key in (
        (rules.daily, _('daily %s'), day_of),
        (rules.weekly, _('weekly %s'), week_of),
        (rules.monthly, _('monthly %s'), month_of)) if count]
    left = [count for count, _label, _key in buckets]
    last: list[str | None] = [None] * len(buckets)
    for index, image in enumerate(ordered):
        why = reasons.setdefault(image['id'], [])
        if rules.last is not None and index < rules.last:
            why.append(_('one of the newest %d') % rules.last)
        when = times.get(image['id'])
        if rules.calendar() and when is None:
            why.append(_('creation time unknown'))
            continue
        if when is None:  # no calendar rule: no time read, no bucket
            continue
        if (rules.within is not None and newest is not None and
                (newest - when).total_seconds() <= rules.within):
            why.append(_('within %s') % (rules.within_text or
                                         '%ds' % rules.within))
        for n, (_count, label, key) in enumerate(buckets):
            bucket = key(when)
            if left[n] and bucket != last[n]:
                why.append(label % bucket)
                left[n] -= 1
                last[n] = bucket
    return {k: v for k, v in reasons.items() if v}


@dataclasses.dataclass(frozen=True)
class Choice:
    """The snapshots of one server: those to delete, and those kept with
    the reason."""

    delete: tuple
    kept: tuple  # (image, reason)


def as_rules(keep: 'int | Rules') -> Rules:
    """``keep`` as :class:`Rules`: a number is the newest N."""
    if isinstance(keep, Rules):
        return keep
    return Rules(last=keep)


def choose(ordered: collections.abc.Sequence[dict], keep: 'int | Rules',
           project_id: str, members: dict[str, list[dict]] | None = None,
           older_than: int | float | None = None,
           now: datetime.datetime | None = None) -> Choice:
    """Which of a server's snapshots (newest first) to prune.

    Those ``keep`` keeps stay (a number: the newest N; :class:`Rules`:
    the newest N, the calendar buckets, those within a duration) with
    every rule that keeps them; the others go, and with ``older_than``
    (seconds) only those older than that. A snapshot ``delete`` would
    refuse (protected, shared with a project that accepted it) is kept
    with the reason: it still counts toward the rules.
    """
    rules = as_rules(keep)
    if rules.last is not None and rules.last < 0:
        raise errors.Refused(_('--keep cannot be negative.'))
    members = members or {}
    kept_by = reasons(ordered, rules)
    delete, kept = [], []
    for image in ordered:
        if image['id'] in kept_by:
            kept.append((image, ', '.join(kept_by[image['id']])))
            continue
        if older_than is not None:
            age = snapshots.age_seconds(image, now)  # type: ignore[arg-type]
            if age is None or age < older_than:
                kept.append((image, _('not older than --older-than')))
                continue
        refused = deletion.refusal(image, project_id,
                                   members.get(image['id']))
        if refused:
            kept.append((image, refused))
        else:
            delete.append(image)
    return Choice(tuple(delete), tuple(kept))


def candidates_needing_members(ordered: collections.abc.Sequence[dict],
                               keep: 'int | Rules',
                               project_id: str) -> list[str]:
    """The snapshots ``keep`` does not keep whose member list decides
    whether they may go (shared ones)."""
    kept_by = reasons(ordered, as_rules(keep))
    return [i['id'] for i in ordered if i['id'] not in kept_by and
            deletion.needs_members(i, project_id)]
