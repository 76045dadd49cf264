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

"""``schedule run``: snapshot the servers whose policy is due, then prune
each by its policy; the result written back to each server's metadata.

Exactly one snapshot per server per window, however many runs start:

- one server listing (with metadata) says which servers are due;
- each due server's window is claimed (:mod:`rcsnap_osc.cloud.claims`,
  key ``schedule:<server ID>:<window>``): of two runs, Glance lets one
  create the claim image and refuses the other (409), which leaves the
  server alone;
- under the claim, the server's metadata is read again: a run that
  claims after another one finished (and released) finds the window made;
  a snapshot of the window a run cut short left unrecorded is found by the
  window it records (:mod:`.window`), not made again;
- the snapshots are made together and retained as ``batch create
  --keep`` does (:func:`rcsnap_osc.retention.run.create_all_and_retain`,
  holding each server's retention claim), each image recording its window
  (:data:`plan.WINDOW_PROPERTY`);
- a policy's ``verify=`` verifies the snapshot made (:mod:`.verifying`);
- the result is written to the metadata (:data:`plan.LAST_KEY`) before
  the window claim is released (its image deleted: the ID stays refused).

For tests only, :data:`NOW_VARIABLE` (``2026-11-25T03:00:00Z``) is the
time the schedule commands take as now (:func:`now`), so that a week of
runs takes minutes. It may not be later than the real time, and it is not
in the user documentation: a run with it labels its snapshots with past
windows, which the retention then counts as made then.
"""

import dataclasses
import datetime
import os

from rcsnap_osc.alerts import run as alerting
from rcsnap_osc.cloud import claims
from rcsnap_osc.cloud import reads
from rcsnap_osc.create import run as creating
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.retention import run as retaining
from rcsnap_osc.schedule import checking
from rcsnap_osc.schedule import plan
from rcsnap_osc.schedule import verifying
from rcsnap_osc.schedule import window as windows

#: Seconds the snapshots (and the deletions of a pruning) are waited for
#: when no timeout is given.
DEFAULT_WAIT = creating.DEFAULT_WAIT

NOW_VARIABLE = 'RCSNAP_SCHEDULE_NOW'

NOT_DUE = 'not due'
MADE = 'made'
WOULD = 'would snapshot'
SKIPPED = 'skipped'
FAILED = 'failed'


@dataclasses.dataclass
class Row:
    """One server of a run: its policy (None with ``error``: unreadable),
    whether it is due, what the run did (``result``: :data:`NOT_DUE`,
    :data:`MADE`, :data:`WOULD`, :data:`SKIPPED`, :data:`FAILED`; ``why``),
    the snapshot made (``image``), the IDs deleted (``pruned``)."""

    server: object
    policy: object = None
    due: object = None
    result: str = NOT_DUE
    why: str = ''
    image: str = ''
    pruned: list = dataclasses.field(default_factory=list)
    claim: object = None
    checked: list = dataclasses.field(default_factory=list)  # verify=

    @property
    def failed(self):
        return self.result == FAILED


def now():
    """Now (naive UTC) for the commands: :data:`NOW_VARIABLE`, else now."""
    real = datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None, microsecond=0)
    text = os.environ.get(NOW_VARIABLE)
    if not text:
        return real
    try:
        when = datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%SZ')
    except ValueError:
        raise errors.Refused(_('%(var)s=%(text)s: give a UTC time as '
                               '2026-11-25T03:00:00Z.') % {
            'var': NOW_VARIABLE, 'text': text})
    if (when - real).total_seconds() > 60:
        raise errors.Refused(_('%(var)s=%(text)s is later than now.') % {
            'var': NOW_VARIABLE, 'text': text})
    return when


def policy_of(server):
    """``(Policy or None, error line or None)`` of a listed server."""
    return plan.policy_of(server.metadata)


def rows_of(servers, now, named=False):
    """The :class:`Row` of each server with a policy (``named``: of each,
    one without a policy skipped)."""
    rows = []
    for server in servers:
        policy, error = policy_of(server)
        if policy is None and error is None:
            if named:
                rows.append(Row(server, result=SKIPPED,
                                why=_('no schedule')))
            continue
        row = Row(server, policy)
        if error:
            row.result, row.why = FAILED, error
        else:
            row.due = plan.due(policy, (server.metadata or {}).get(
                plan.LAST_KEY), now)
        rows.append(row)
    return rows


def claim(conn, rows, ttl):
    """Take each due row's window claim, at once (one another run holds
    is skipped); under it, the metadata read again says if still due."""
    def take(row):
        try:
            row.claim = claims.take(
                conn, windows.window_claim(row.server, row.due.window), ttl,
                listed=False)
            fresh = conn.compute.fetch_server_metadata(row.server.id)
        except claims.Held as held:
            row.result = SKIPPED
            row.why = _('another run is taking this window (%s)') % (
                held.holder)
            return
        except Exception as exc:
            fail(row, exc)
            return
        row.due = plan.due(row.policy, (fresh.metadata or {}).get(
            plan.LAST_KEY), row.due.window)
        if not row.due.due:
            row.result, row.why = NOT_DUE, _('made by another run')

    if rows:
        conn.image.get_endpoint_data()  # discovery once, not per thread
        conn.compute.get_endpoint_data()
    reads.parallel([lambda r=r: take(r) for r in rows])


def fail(row, exc):
    error = errors.explain(exc)
    if error is None:
        raise exc
    row.result, row.why = FAILED, errors.one_line(str(error))


def snapshot(conn, rows, request, reporter):
    """Snapshot the rows still due, grouped by ``stop``, ``quiesce`` and
    window (a few groups, each one batch), pruned by their policies: what
    they let go is binned for their ``bin=`` days (else the
    :class:`RunRequest`'s ``bin_days``), from the run's ``now``."""
    wait = request.wait
    groups = {}
    for row in rows:
        if row.result == NOT_DUE and row.due.due and row.claim:
            key = (row.policy.stop, row.policy.quiesce,
                   plan.stamp(row.due.window))
            groups.setdefault(key, []).append(row)
    for (stop, quiesce, window), group in sorted(groups.items()):
        by_id = {r.server.id: r for r in group}
        try:
            results = creating.plan_snapshots_of(
                conn, [r.server for r in group], None, stop, quiesce)
            for result in results:
                result.name = '%s-%s' % (result.server.name, window)
            request = creating.Request(
                properties={plan.WINDOW_PROPERTY: window}, wait=wait,
                stop=stop, require_quiesce=quiesce,
                keep={r.server.id: r.policy.rules for r in group},
                lock={r.server.id: r.policy.lock for r in group},
                bin_days={r.server.id: r.policy.bin_days or request.bin_days
                          for r in group},
                binned_by='schedule run', now=request.now)
            retaining.create_all_and_retain(conn, results, request,
                                            reporter)
        except Exception as exc:
            for row in group:
                fail(row, exc)
            continue
        for result in results:
            outcome(by_id[result.server.id], result)


def outcome(row, result):
    """What a server's :class:`creating.Result` says of its row."""
    if result.summary is not None:
        row.image = result.summary.image['id']
    if result.summary is None or result.error:
        row.result = FAILED
        row.why = result.error or _('not made')
        return
    row.result = MADE
    if result.pruned:
        outcomes = result.pruned.outcomes
        row.pruned = [o.item.resource_id for o in outcomes
                      if o.item.kind == 'image'
                      and o.state in ('deleted', 'binned')]
        failed = [o for o in outcomes if o.failed]
        archiving = result.pruned.archiving
        if failed:
            row.result = FAILED
            row.why = _('made; %(n)d older snapshots could not be '
                        'deleted: %(why)s') % {
                'n': len(failed), 'why': failed[0].reason}
        elif archiving is not None and archiving.error is not None:
            row.result = FAILED
            row.why = _('made; the older ones were not archived: %s') % (
                errors.one_line(str(archiving.error)))


def record(conn, rows, now):
    """Each attempted row's result in its server's metadata (in
    parallel); a row whose write fails is failed."""
    attempted = [r for r in rows if r.claim is not None and
                 r.result in (MADE, FAILED)]

    def write(row):
        last = plan.parse_last((row.server.metadata or {}).get(
            plan.LAST_KEY))
        made = (plan.stamp(row.due.window) if row.result == MADE
                else last.get('made'))
        value = plan.LastRun(
            'ok' if row.result == MADE else 'failed', row.due.window, now,
            made, row.image or None,
            len(row.pruned) if row.result == MADE else None,
            row.why if row.result == FAILED else None,
            checking.record_items(row.checked, last)).value()
        try:
            conn.compute.set_server_metadata(row.server.id,
                                             **{plan.LAST_KEY: value})
        except Exception as exc:
            fail(row, exc)

    if attempted:
        conn.compute.get_endpoint_data()
        reads.parallel([lambda r=r: write(r) for r in attempted])


@dataclasses.dataclass(frozen=True)
class RunRequest:
    """What ``schedule run`` was asked: the ``servers`` (none: all with
    a policy), ``dry_run``, ``wait`` seconds for each snapshot and
    pruning (None: no wait), ``now`` (naive UTC; None: :func:`now`),
    ``notify``: alerts, the ``verifier`` of ``verify=``
    (:func:`.verifying.verify_made`), ``bin_days`` of the policies
    without ``bin=`` (None: the cloud's)."""

    servers: tuple
    dry_run: bool
    wait: int | None
    now: object = None
    notify: object = None
    verifier: object = None
    bin_days: int | None = None


def run(conn, request, reporter):
    """The :class:`Row` of each server, after doing what is due."""
    if request.now is None:
        request = dataclasses.replace(request, now=now())
    servers = (creating.choose_servers(conn, list(request.servers))
               if request.servers else list(conn.compute.servers()))
    rows = rows_of(servers, request.now, named=bool(request.servers))
    due = [r for r in rows if r.due is not None and r.due.due]
    if request.dry_run:
        for row in due:
            row.result = WOULD
        return rows
    try:  # a window claim lasts as a retention claim does, at most
        claim(conn, due, retaining.claim_ttl(request.wait))
        windows.already_made(conn, due, MADE)
        snapshot(conn, due, request, reporter)
        verifying.verify_made(conn, due, request, reporter)
        record(conn, due, request.now)
    finally:
        windows.release(conn, due, reporter)
    if request.notify:
        alerting.send(conn, request.notify, rows, request.now, reporter)
    return rows


def show(conn, name_or_id):
    """A server's :class:`.policies.State` at :func:`now`."""
    from rcsnap_osc.schedule import policies
    return policies.show(conn, name_or_id, now())


def list_states(conn):
    """Each scheduled server's :class:`.policies.State` at :func:`now`."""
    from rcsnap_osc.schedule import policies
    return policies.list_states(conn, now())


def set_policy(conn, name_or_id, policy, force):
    """:func:`.policies.set_policy` at :func:`now`: the new State."""
    from rcsnap_osc.schedule import policies
    return policies.set_policy(conn, name_or_id, policy, force, now())


def unset(conn, name_or_id):
    """:func:`.policies.unset`: the server, its policy removed."""
    from rcsnap_osc.schedule import policies
    return policies.unset(conn, name_or_id)


def install(connect, **asked):
    """The :class:`.install.Installed` timer of ``schedule install``."""
    from rcsnap_osc.schedule import install as installing
    return installing.install(connect, installing.Request(**asked))
