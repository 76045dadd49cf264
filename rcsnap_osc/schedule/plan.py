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

"""Snapshot schedules: a policy in the server's Nova metadata, its
windows (UTC), whether it is due, what it holds at steady state.

The policy is the value of :data:`POLICY_KEY`, at most 255 characters
(Nova's limit), ``;``-separated ``name=value`` items::

    every=1d;at=03:00;daily=7;weekly=4;monthly=12;within=2w;archive=1w;lock=30d;bin=14d;stop

``every`` (``<N>h``, ``<N>d`` or ``<N>w``) is required, and one rule of
what to keep: ``keep=N``, or any of ``daily``, ``weekly``, ``monthly``,
``within`` (a duration, as ``--keep-within``). ``archive`` (a duration)
is ``--archive-older-than``; ``at`` (``HH:MM``, UTC) shifts the windows;
``stop`` and ``quiesce`` are ``--stop`` and ``--require-quiesce``;
``bin`` (whole days, ``<N>d`` or ``<N>w``) is ``--bin-days`` of what the
pruning lets go.

A window is ``[start, start + every)``: starts are ``at`` plus whole
multiples of ``every`` counted from Monday 1970-01-05 00:00 UTC (so
``1w`` windows start on Mondays, ``1d`` ones at midnight plus ``at``).
A server is due when no run made its snapshot of the current window.
What the last run did is the value of :data:`LAST_KEY`, written by
``schedule run``::

    result=ok;window=20261202T0300Z;at=20261202T030411Z;made=20261202T0300Z;image=<ID>;pruned=2

Pure: no cliff, no HTTP.
"""

import dataclasses
import datetime
import re

from rcsnap_osc.core import retention
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.schedule import checking

POLICY_KEY = 'rcsnap:schedule'
LAST_KEY = 'rcsnap:schedule_last'
#: The image property that records the window a snapshot was made for.
WINDOW_PROPERTY = retention.WINDOW_PROPERTY

#: Nova's limit on a metadata value.
MAX_VALUE = 255

ANCHOR = datetime.datetime(1970, 1, 5)  # a Monday, 00:00 UTC
_EVERY = re.compile(r'^([1-9]\d{0,3})([hdw])$')
_UNIT = {'h': 3600, 'd': 86400, 'w': 604800}
_AT = re.compile(r'^([01]\d|2[0-3]):([0-5]\d)$')
_STAMP = '%Y%m%dT%H%MZ'
_STAMP_SECONDS = '%Y%m%dT%H%M%SZ'
_FLAGS, _COUNTS = ('stop', 'quiesce'), ('keep', 'daily', 'weekly', 'monthly')
_ORDER = (('every', 'at') + _COUNTS + ('within', 'archive', 'verify', 'lock',
                                       'bin') + _FLAGS)


class BadPolicy(errors.Refused):
    """A policy that cannot be read or written (one line)."""


@dataclasses.dataclass(frozen=True)
class Policy:
    """A server's schedule: a snapshot every ``every`` seconds (its text
    ``every_text``), windows shifted by ``at`` (``HH:MM``) and what to
    keep (:class:`retention.Rules`)."""

    every: int
    every_text: str
    rules: retention.Rules
    at: str | None = None
    stop: bool = False
    quiesce: bool = False
    verify: str | None = None
    lock: str | None = None  # a duration: each snapshot made is locked
    bin: str | None = None  # whole days in the bin of what is pruned

    @property
    def bin_days(self):  # None: the cloud's
        return self.bin and parse_bin(self.bin)

    def value(self):
        """The metadata value (:data:`MAX_VALUE` characters at most)."""
        items = ['every=' + self.every_text]
        if self.at:
            items.append('at=' + self.at)
        for name, count in zip(_COUNTS, (
                self.rules.last, self.rules.daily, self.rules.weekly,
                self.rules.monthly)):
            if count is not None:
                items.append('%s=%d' % (name, count))
        items += ['%s=%s' % (name, text) for name, text in (
            ('within', self.rules.within_text),
            ('archive', self.rules.archive_text),
            ('verify', self.verify), ('lock', self.lock),
            ('bin', self.bin)) if text]
        items += [f for f, on in zip(_FLAGS, (self.stop, self.quiesce))
                  if on]
        text = ';'.join(items)
        if len(text) > MAX_VALUE:
            raise BadPolicy(_('The policy %(text)s is %(n)d characters: a '
                              'Nova metadata value holds %(max)d.') % {
                'text': text, 'n': len(text), 'max': MAX_VALUE})
        return text

    def keeps(self):  # the rules: ``daily=7, weekly=4, archive=1w``
        return ', '.join(i for i in self.value().split(';') if i.split(
            '=')[0] in _COUNTS + ('within', 'archive'))


def parse_every(text):
    """``6h``, ``1d``, ``1w`` in seconds; BadPolicy otherwise."""
    found = _EVERY.match((text or '').strip())
    if not found:
        raise BadPolicy(_("Invalid interval '%s': give a number and h, d "
                          "or w (e.g. 6h, 1d, 1w).") % text)
    return int(found.group(1)) * _UNIT[found.group(2)]


def parse_at(text):  # HH:MM (UTC)
    if not _AT.match((text or '').strip()):
        raise BadPolicy(_("Invalid time '%s': give HH:MM in UTC (e.g. "
                          "03:30).") % text)
    return text.strip()


def parse_bin(text):
    """``bin=``'s days: whole days, one at least; BadPolicy otherwise."""
    seconds = retention.parse_duration(text.strip())
    if seconds < 86400 or seconds % 86400:
        raise BadPolicy(_("Invalid bin '%s': give whole days, one at least "
                          "(e.g. 14d, 2w).") % text)
    return seconds // 86400


@dataclasses.dataclass(frozen=True)
class Handling:
    """How a policy makes and holds each snapshot: ``stop`` and
    ``quiesce`` for the snapshot, the texts of ``verify`` (``1w:boot``),
    ``lock`` (``30d``) and ``bin`` (``14d``); None: not asked."""

    stop: bool = False
    quiesce: bool = False
    verify: str | None = None
    lock: str | None = None
    bin: str | None = None


def make(every, rules, at=None, handling=Handling()):
    """The :class:`Policy` of ``schedule set``'s options (texts)."""
    stop, quiesce, verify, lock, bin = dataclasses.astuple(handling)
    verify is None or checking.parse(verify)  # verify=1w[:data|:boot]
    bin is None or parse_bin(bin)  # bin=14d
    if rules is None or not rules.given():
        raise BadPolicy(_('Give what to keep: --keep, or --keep-daily, '
                          '--keep-weekly, --keep-monthly, --keep-within.'))
    if rules.last is not None and rules.calendar():
        raise BadPolicy(_('--keep is not combined with the calendar rules: '
                          'give --keep alone, or --keep-daily, '
                          '--keep-weekly, --keep-monthly, --keep-within.'))
    if rules.last == 0:
        raise BadPolicy(_('--keep 0 would delete each snapshot the schedule '
                          'makes: keep at least 1.'))
    policy = Policy(parse_every(every), every.strip(), rules, parse_at(at)
                    if at is not None else None, stop, quiesce, verify,
                    lock and (retention.parse_duration(lock) and lock.strip()),
                    bin and bin.strip())
    policy.value()
    return policy


def parse(value):
    """A metadata value's :class:`Policy`; else BadPolicy, naming the item."""
    def bad(why):
        return BadPolicy(_("Bad %(key)s value '%(value)s': %(why)s") % {
            'key': POLICY_KEY, 'value': value, 'why': why})

    if not isinstance(value, str) or len(value) > MAX_VALUE:
        raise bad(_('not a text of at most %d characters.') % MAX_VALUE)
    items = {}
    for item in (i.strip() for i in value.split(';')):
        if not item:
            continue
        name, sep, text = (p.strip() for p in item.partition('='))
        if name not in _ORDER:
            raise bad(_("unknown item '%(item)s' (known: %(known)s).") % {
                'item': name, 'known': ', '.join(_ORDER)})
        if name in items:
            raise bad(_("'%s' is given twice.") % name)
        if (name in _FLAGS) == bool(sep):
            raise bad(_("'%s' takes no value.") % name if sep else
                      _("'%s' needs a value (%s=...).") % (name, name))
        items[name] = text if sep else True
    if 'every' not in items:
        raise bad(_("no 'every' (e.g. every=1d)."))
    counts = {}
    for name in _COUNTS:
        if name in items:
            if not re.match(r'^\d{1,5}$', items[name]):
                raise bad(_("'%s' is not a whole number.") % name)
            counts[name] = int(items[name])
    try:
        within, archive = items.get('within'), items.get('archive')
        rules = retention.Rules(
            last=counts.get('keep'), daily=counts.get('daily') or None,
            weekly=counts.get('weekly') or None,
            monthly=counts.get('monthly') or None,
            within=None if within is None else
            retention.parse_duration(within), within_text=within,
            archive_after=None if archive is None else
            retention.parse_duration(archive), archive_text=archive)
        return make(items['every'], rules, items.get('at'), Handling(
            'stop' in items, 'quiesce' in items, items.get('verify'),
            items.get('lock'), items.get('bin')))
    except errors.Refused as exc:
        raise bad(str(exc))


def policy_of(metadata):
    """``(Policy or None, error line or None)`` of a server's metadata:
    (None, None) without a policy."""
    value = (metadata or {}).get(POLICY_KEY)
    if value is None:
        return None, None
    try:
        return parse(value), None
    except BadPolicy as exc:
        return None, str(exc)


# -- windows ------------------------------------------------------------------

def offset(policy):
    """Seconds the windows are shifted by ``at``, within one period."""
    hours, minutes = (policy.at or '0:0').split(':')
    return (int(hours) * 3600 + int(minutes) * 60) % policy.every


def window(policy, now):
    """The start of the window ``now`` (naive UTC) is in."""
    since = (now - ANCHOR).total_seconds() - offset(policy)
    count = since // policy.every
    return ANCHOR + datetime.timedelta(
        seconds=count * policy.every + offset(policy))


def stamp(when, seconds=False):
    return when.strftime(_STAMP_SECONDS if seconds else _STAMP)


def parse_stamp(text):
    """A :func:`stamp` as a naive UTC datetime (None: unreadable)."""
    for form in (_STAMP, _STAMP_SECONDS):
        try:
            return datetime.datetime.strptime(text or '', form)
        except ValueError:
            pass
    return None


# -- the last run -------------------------------------------------------------

def parse_last(value):
    """The items of a :data:`LAST_KEY` value (those present): ``{'result',
    'window', 'at', 'made', 'image', 'pruned', 'error'}``."""
    found = {}
    for item in (value or '').split(';'):
        name, sep, text = item.partition('=')
        if sep and name.strip() and name.strip() not in found:
            found[name.strip()] = text.strip()
    if 'error' in found:  # the error line is last and may hold ';'
        found['error'] = value.split('error=', 1)[1]
    return found


@dataclasses.dataclass(frozen=True)
class LastRun:
    """A run's record on the server (:data:`LAST_KEY`): its ``result``,
    the window it ran for, when (``at``), the window of the snapshot the
    server has (``made``), its ``image``, how many were ``pruned``, the
    ``error`` line and ``extra`` items."""

    result: str
    window_start: datetime.datetime
    at: datetime.datetime
    made: str | None
    image: str | None = None
    pruned: int | None = None
    error: str | None = None
    extra: tuple = ()

    def value(self):
        """The metadata value, the error line last, cut to fit in
        :data:`MAX_VALUE` characters."""
        items = ['result=' + self.result,
                 'window=' + stamp(self.window_start),
                 'at=' + stamp(self.at, True)]
        items += [name + '=' + text for name, text in (
            ('made', self.made), ('image', self.image)) if text]
        if self.pruned is not None:
            items.append('pruned=%d' % self.pruned)
        text = ';'.join(items + list(self.extra))
        if self.error:
            text += ';error=' + ' '.join(self.error.split())
            if len(text) > MAX_VALUE:
                text = text[:MAX_VALUE - 3] + '...'
        return text


@dataclasses.dataclass(frozen=True)
class Due:
    """Whether a server's policy is due ``now``: the current ``window``,
    the window of its last snapshot (``made``, None: none), and the next
    time it is due (``now`` when it is)."""

    due: bool
    window: datetime.datetime
    made: datetime.datetime | None
    next_due: datetime.datetime


def due(policy, last, now):
    """The :class:`Due` of a policy whose last run wrote ``last``."""
    current = window(policy, now)
    made = parse_stamp(parse_last(last).get('made'))
    if made is not None and made >= current:
        return Due(False, current, made, current + datetime.timedelta(
            seconds=policy.every))
    return Due(True, current, made, now)
