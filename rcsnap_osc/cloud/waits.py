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

"""Waiting for what the cloud is still making: the one clock every poll
of the package reads and sleeps through, the deadline of one wait, and the
polls of one thing or of several IDs until they are done.

Each poll loop keeps its own states and messages; the time it has, its
interval, its cadence (:func:`ticks`, :func:`polls`), its clock and what
its polls were answered come from here (:meth:`Deadline.poll`): a poll
the service answers with a server error, after the read retries, is no
answer, and the wait goes on; a wait whose last polls got only server
errors ends saying so, never that the thing was too slow. Tests run
long waits at once by swapping :data:`CLOCK` for a clock that moves only
when a wait sleeps.
"""

import dataclasses
import time

from openstack import exceptions as sdk_exc

from rcsnap_osc import errors
from rcsnap_osc.i18n import _


#: Seconds between two polls, unless a wait says otherwise.
INTERVAL = 2.0

#: Seconds between two polls of a short transition a server is down for
#: (a restore: stopped, detached, built): the downtime it reports is
#: measured to this.
BRIEF_INTERVAL = 1.0


class Clock:
    """The time the waits read (``now``) and sleep through (``sleep``)."""

    def now(self):
        return time.monotonic()

    def sleep(self, seconds):
        time.sleep(seconds)


#: The clock of every wait in the package.
CLOCK = Clock()

#: The services the waits poll, as their sentences name them.
CINDER = 'Cinder'
GLANCE = 'Glance'
NOVA = 'Nova'

#: What :meth:`Deadline.poll` returns for a poll answered with a server
#: error: the state of the thing polled is unknown.
UNKNOWN = object()


def is_server_error(exc):
    """Whether ``exc`` is a service's 5xx answer (its state unknown)."""
    return (isinstance(exc, sdk_exc.HttpException)
            and (exc.status_code or 0) >= 500)


@dataclasses.dataclass(frozen=True)
class Subject:
    """What a wait polls: the ``service`` that answers for it
    (:data:`CINDER`...) and its ``label`` ("Volume <ID>")."""

    service: str
    label: str

    def __str__(self):
        return self.label

    @property
    def lower(self):
        """The label inside a sentence."""
        return self.label[:1].lower() + self.label[1:]


def cinder(label):
    return Subject(CINDER, label)


def glance(label):
    return Subject(GLANCE, label)


@dataclasses.dataclass
class Erred:
    """A run of polls of one service answered with server errors: since
    when (seconds into the wait), with which codes, and whether the
    service had answered a poll of this wait before."""

    service: str
    since: float
    answered_before: bool
    codes: list = dataclasses.field(default_factory=list)

    def note(self):
        """The progress text of a poll left unanswered."""
        return _('unknown (%(service)s answered %(codes)s)') % {
            'service': self.service, 'codes': self.code_text()}

    def code_text(self):
        return ', '.join(str(c) for c in sorted(set(self.codes)))


class Deadline:
    """The time one wait has: ``timeout`` seconds from now, polled every
    ``interval`` seconds. ``sleep`` replaces the clock's sleep for a wait
    that another thread may interrupt."""

    def __init__(self, timeout, interval=INTERVAL, sleep=None):
        self.timeout = timeout
        self.interval = interval
        self._sleep = sleep
        self.start = CLOCK.now()
        #: The services whose last polls got server errors: {name: Erred}.
        self.erred = {}
        self._answered = set()

    @property
    def elapsed(self):
        return CLOCK.now() - self.start

    @property
    def passed(self):
        return self.elapsed >= self.timeout

    @property
    def left(self):
        return max(0, self.timeout - self.elapsed)

    def pause(self):
        (self._sleep or CLOCK.sleep)(self.interval)

    def poll(self, service, fetch):
        """``fetch()``, or :data:`UNKNOWN` when ``service`` answered it
        with a server error (5xx, after the read retries): recorded, so
        that the wait goes on and, if it ends so, says so."""
        started = self.elapsed
        try:
            found = fetch()
        except sdk_exc.HttpException as exc:
            if not is_server_error(exc):
                raise
            erred = self.erred.setdefault(service, Erred(
                service, started, service in self._answered))
            erred.codes.append(exc.status_code)
            return UNKNOWN
        self.erred.pop(service, None)
        self._answered.add(service)
        return found

    def note(self, service):
        """The progress text of an unanswered poll of ``service``."""
        return self.erred[service].note()

    def unanswered(self, what):
        """When the last polls got only server errors, the sentence that
        says so and that the state of ``what`` is unknown; else None."""
        if not self.erred:
            return None
        erred = next(iter(self.erred.values()))
        if erred.answered_before:
            text = _('%(service)s answered %(codes)s to every poll of the '
                     'last %(secs)d s; the state of %(what)s is unknown')
            secs = self.elapsed - erred.since
        else:
            text = _('%(service)s answered %(codes)s to every poll for '
                     '%(secs)d s; the state of %(what)s is unknown')
            secs = max(self.timeout, self.elapsed)
        return text % {'service': erred.service, 'codes': erred.code_text(),
                       'secs': secs, 'what': what}

    def expired(self, what, timed_out):
        """The Refused a wait whose deadline passed ends with: the
        server errors and the state of ``what`` unknown
        (:meth:`unanswered`), else ``timed_out``, the timeout's line."""
        unanswered = self.unanswered(what)
        return errors.Refused(unanswered + '.' if unanswered else timed_out)


def ticks(deadline):
    """Once now, then once every interval of the :class:`Deadline`, for
    as long as the loop over it goes on: the loop ends it (done, refused,
    or the deadline passed, which it says in its own words). The
    cadence of every poll and retry of the package."""
    while True:
        yield
        deadline.pause()


def polls(deadline, service, fetch):
    """Each answer of ``fetch()`` at :func:`ticks`, :data:`UNKNOWN` for
    one ``service`` answered with a server error
    (:meth:`Deadline.poll`)."""
    for _tick in ticks(deadline):
        yield deadline.poll(service, fetch)


def until(deadline, subject, fetch, done, failed=(), report=None):
    """Poll ``fetch()`` (a resource, None when gone) until ``done(it)``:
    the resource. A status in ``failed``, or the :class:`Deadline`
    passing, is refused in one line that names the :class:`Subject`;
    ``report(elapsed, [status])`` after each poll that goes on. Polls the
    service answers with server errors are named as such
    (:meth:`Deadline.poll`)."""
    status = None
    for found in polls(deadline, subject.service, fetch):
        if found is UNKNOWN:
            note = deadline.note(subject.service)
        else:
            if done(found):
                return found
            status = note = _status(found)
            if status in failed:
                raise errors.Refused(
                    _('%(what)s is %(status)s.') % {'what': subject,
                                                    'status': status})
        if report:
            report(deadline.elapsed, [note])
        if deadline.passed:
            raise deadline.expired(subject.lower, _(
                'Timed out after %(secs)d s waiting for %(what)s '
                '(%(status)s).') % {'secs': deadline.timeout,
                                    'what': subject, 'status': status})


def _status(found):
    return 'deleted' if found is None else found.status


def until_status(deadline, subject, fetch, wanted, failed=(), report=None):
    """:func:`until` its status is in ``wanted`` ('deleted': gone)."""
    return until(deadline, subject, fetch,
                 lambda found: _status(found) in wanted, failed, report)


def until_each(deadline, service, fetch, check, ids, label='%s',
               report=None):
    """Poll several things of one ``service`` at once until each is done:
    ``fetch(pending IDs)`` gives {ID: record} (a gone one absent), and
    ``check(ID, record)`` says None when that one is done, else its status
    (it may refuse). ``report(elapsed, notes)`` after each poll that
    leaves some pending, each note ``label % ID`` and its status (the
    answer's server error when the poll got one).

    Returns {ID: status} of what was still pending when the
    :class:`Deadline` passed; ``{}`` when everything is done. The caller
    says what a timeout means (:meth:`Deadline.unanswered` says when the
    last polls got only server errors).
    """
    pending = dict.fromkeys(ids)
    if not pending:
        return pending
    for states in polls(deadline, service, lambda: fetch(list(pending))):
        for ident in list(pending):
            status = (deadline.note(service) if states is UNKNOWN
                      else check(ident, states.get(ident)))
            if status is None:
                del pending[ident]
            else:
                pending[ident] = status
        if not pending or deadline.passed:
            break
        if report:
            report(deadline.elapsed, ['%s %s' % (label % ident, status)
                                      for ident, status in pending.items()])
    return pending
