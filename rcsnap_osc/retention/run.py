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

"""One retention engine: hold the servers' retention claim, plan what to
keep, delete and archive from one set of listings, delete, archive what
is kept, release (:func:`retain`). ``prune`` is one server's retention
(:func:`prune`); ``create --keep``, ``batch create --keep`` and
``schedule run`` make the snapshots under the claim first, then retain
(:func:`create_and_retain`, :func:`batch_create`,
:func:`create_all_and_retain`).

The snapshots are chosen by :mod:`rcsnap_osc.core.retention` and binned
through ``delete``'s plan (:mod:`rcsnap_osc.cloud.binning`), so that
nothing is orphaned; the kept volume-backed ones older than their
``archive_after`` are archived (:func:`plan_archiving`). One retention at
a time per server (:func:`holding`): the claim
(:mod:`rcsnap_osc.cloud.claims`) is held for the whole run, and the
deletions are planned only once it is held, so that a run beside another
sees what the other left, never a listing the other is changing.
"""

import contextlib
import dataclasses
import datetime

from openstack import exceptions as sdk_exc
from oslo_utils import uuidutils

from rcsnap_osc.archive import run as archive_run
from rcsnap_osc.cloud import binning as bin_writes
from rcsnap_osc.cloud import claims
from rcsnap_osc.cloud import find
from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import removal
from rcsnap_osc.cloud import report
from rcsnap_osc.core import archives
from rcsnap_osc.core import binning
from rcsnap_osc.core import deletion_plan
from rcsnap_osc.core import origin
from rcsnap_osc.core import retention as rules
from rcsnap_osc.create import run as creating
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.lock import run as locking
from rcsnap_osc.retention import plan


def retention_claim(server_id, server_name=None):
    """The claim of a server's retention: one key per server ID."""
    return claims.Claim('retention:%s' % server_id,
                        'rcsnap-lock-%s' % server_id,
                        _('the retention of server %s') % (
                            server_name or server_id))


def claim_ttl(waits):
    """How long the retention claim of a run whose own waits last
    ``waits`` seconds lasts at most."""
    return plan.lock_for(None, waits).ttl


@contextlib.contextmanager
def holding(conn, servers, lock, reporter):
    """Hold the retention claim of each of ``servers``, ``[(ID, name)]``,
    while the block runs, released after it whatever happens (a failure,
    Ctrl-C). Taken in the order of the IDs, so that two runs of
    overlapping servers that wait never wait for each other. Yields
    ``{server ID: claims.Held}``, the servers another run holds (after
    ``lock.wait`` seconds); with ``lock`` None, holds nothing."""
    mine, refused = [], {}
    try:
        for server_id, name in sorted(servers) if lock else ():
            try:
                mine.append(claims.hold(
                    conn, retention_claim(server_id, name), lock.ttl,
                    lock.wait, reporter))
            except claims.Held as held:
                refused[server_id] = held
        yield refused
    finally:
        for held in mine:
            warning = claims.release(conn, held)
            if warning:
                reporter.say(warning)


def find_server_id(conn, name_or_id):
    """``(id, name, lineage)`` of a server by name or ID
    (:func:`origin.lineage`); the ID of a deleted server is taken as it is
    (its name is then None, its lineage itself)."""
    if uuidutils.is_uuid_like(name_or_id):
        try:
            server = conn.compute.get_server(name_or_id)
        except sdk_exc.NotFoundException:
            return name_or_id, None, (name_or_id,)
    else:
        server = find.find_server(conn, name_or_id)
    return server.id, server.name, origin.lineage(server)


def plan_prunings(conn, request, found):
    """The :class:`plan.Pruning` of each of the :class:`plan.Request`'s
    servers, from one set of listings (and the member lists of the shared
    candidates, at once). The snapshots ``newest`` names (just made) are
    the newest of their server, whatever their creation times say; the
    snapshots of the servers a server replaced (``lineage``) are its own;
    binned ones count as gone (:func:`binning.plan_retention`). ``found``
    (a dict) gets what was read."""
    servers, keep, newest = request.servers, request.keep, request.newest
    older_than, lineage = request.older_than, request.lineage
    rules_of = keep.get if isinstance(keep, dict) else lambda _sid: keep
    project_id = conn.current_project_id
    now = request.now or datetime.datetime.now(
        datetime.timezone.utc).replace(tzinfo=None)
    images, volume_snapshots, volumes = reads.listings(conn)
    found.update((i['id'], i) for i in images)
    found.update(volume_snapshots or {})
    ordered, due = {}, {}
    for sid, _name in servers:
        live, due[sid] = binning.live_and_due(origin.snapshots_of(
            sid, images, project_id, volume_snapshots, volumes,
            (lineage or {}).get(sid, ())), now)
        ordered[sid] = rules.newest_first(live, newest)
    shared = [i for sid, _name in servers
              for i in rules.candidates_needing_members(
                  ordered[sid], rules_of(sid), project_id)]
    members = dict(zip(shared, reads.parallel(
        [lambda i=i: reads.list_members(conn, i) for i in shared])))
    choices = [(server_id, server_name, rules.choose(
        ordered[server_id], rules_of(server_id), project_id, members,
        older_than, now)) for server_id, server_name in servers]
    # An archived snapshot goes with its backups, by delete's rules: the
    # backups are listed once, and only where one of them is to go.
    backups = reads.list_backups(conn) if any(
        archives.records(found[i]) for _sid, _name, choice in choices
        for i in [j['id'] for j in choice.delete] + due[_sid]) else None
    found.update((b['id'], b) for b in backups or ())
    inventory = deletion_plan.Inventory(images, volume_snapshots or {},
                                        volumes, members or {}, backups)
    return [plan.Pruning(sid, name, choice, binning.plan_retention(
        inventory, [i['id'] for i in choice.delete], due[sid], project_id,
        found, now), getattr(rules_of(sid), 'archive_after', None),
        due=tuple(due[sid])) for sid, name, choice in choices]


def prune(conn, server, request, reporter):
    """``prune``: :func:`retain` one server (name or ID; the ID of a
    deleted server works too)."""
    server_id, name, ids = find_server_id(conn, server)
    return retain(conn, dataclasses.replace(
        request, servers=((server_id, name),),
        lineage={server_id: ids}), reporter)


def retain(conn, request, reporter):
    """The :class:`plan.Retention` of the :class:`plan.Request`'s
    servers, their retention held meanwhile (not with ``dry_run``): a
    server another run holds is refused (:class:`claims.Held`)."""
    lock = None if request.dry_run else request.lock
    with holding(conn, request.servers, lock, reporter) as refused:
        for server_id, _name in request.servers:
            if server_id in refused:
                raise refused[server_id]
        return retain_held(conn, request, reporter)


def retain_held(conn, request, reporter):
    """:func:`retain` once the claims are held: plan, ask
    (``request.confirm``), delete, then archive what is kept.
    ``reporter.made(retention)`` once something is deleted; an archive
    that fails is recorded on the :class:`plan.Archiving` (the deletions
    stand)."""
    retention = plan.Retention()
    retention.prunings = plan_prunings(conn, request, retention.found)
    for pruning in retention.prunings:
        pruning.outcomes = removal.planned(pruning.plans)
    if request.preview or request.dry_run:
        plan_archiving(conn, retention)
    if request.dry_run or (request.preview and not retention.has_work()):
        return retention
    if request.confirm is not None and not request.confirm(retention):
        raise errors.Refused(_('Nothing was done.'))

    def deleted(outcomes):
        for pruning in retention.prunings:
            count = sum(len(p.items) for p in pruning.plans)
            pruning.outcomes, outcomes = outcomes[:count], outcomes[count:]
        reporter.made(retention)

    if isinstance(request.bin_days, dict):  # the days of each plan
        request = dataclasses.replace(request, bin_days=tuple(
            request.bin_days.get(p.server_id) for p in retention.prunings
            for _plan in p.plans))
    bin_writes.bin_or_purge(conn, retention.plans, retention.found, request,
                            reporter.progress(request.label), deleted)
    if retention.archiving is None:
        plan_archiving(conn, retention)
    archive_kept(conn, retention.archiving, request.wait, reporter)
    return retention


# -- create, then retain ------------------------------------------------------

def create_and_retain(conn, server, request, reporter):
    """``create``: snapshot a server (name or ID,
    :func:`creating.plan_snapshot`, :func:`creating.make_snapshot`); with
    ``request.keep``, under the server's retention claim, then retain its
    snapshots, the new one counted newest (:func:`retain_made`). The
    :class:`creating.Result`."""
    result = creating.plan_snapshot(conn, server, request, reporter)
    server_ids = [(result.server.id, result.server.name)]
    with holding(conn, server_ids, lock_of(request), reporter) as refused:
        if refused:
            raise refused[result.server.id]
        creating.make_snapshot(conn, result, request, reporter)
        retain_made(conn, [result], request, reporter)
    return result


def batch_create(conn, names, template, request, reporter):
    """``batch create``: plan the snapshots of the servers named (every
    server of the project without names; ``template`` names them), say
    each verdict, then, unless ``dry_run`` and once ``confirm`` agrees,
    create and retain them (:func:`create_all_and_retain`): the results.
    """
    results = creating.plan_snapshots(conn, names, template, request.stop,
                                      request.require_quiesce)
    for result in results:
        creating.say_verdict(result, reporter)
    if request.dry_run:
        return results
    if request.confirm is not None and not request.confirm(results):
        raise errors.Refused(_('Nothing was done.'))
    return create_all_and_retain(conn, results, request, reporter)


def create_all_and_retain(conn, results, request, reporter):
    """``batch create`` and ``schedule run``: snapshot the servers of
    the planned ``results`` (:func:`creating.create_snapshots`); with
    ``request.keep``, a server whose retention another run holds is not
    snapshotted, and each server whose snapshot was made is retained
    once all are done (:func:`retain_made`)."""
    todo = [r for r in results if r.error is None]
    with holding(conn, [(r.server.id, r.server.name) for r in todo],
                 lock_of(request), reporter) as refused:
        for result in todo:
            result.error = refused.get(result.server.id) and str(
                refused[result.server.id])
        creating.create_snapshots(conn, results, request, reporter)
        if request.lock:
            locking.lock_made(conn, results, request.lock, reporter)
        retain_made(conn, results, request, reporter)
    return results


def lock_of(request):
    """With ``keep``, how a create run holds its servers' retention:
    from before their snapshots are made until the retention is done, so
    that another run neither prunes a snapshot being made nor plans from
    a listing this one changes; else None."""
    return None if request.keep is None else plan.lock_for(
        request.wait_lock, creating.DEFAULT_WAIT if request.wait is None
        else request.wait)


def retain_made(conn, results, request, reporter):
    """Once their new snapshots are usable, retain (:func:`retain_held`)
    each server whose snapshot was made, the new one counted among the
    newest; nothing of a server whose snapshot failed. Each result's
    ``pruned`` is its server's :class:`plan.Pruning`.
    ``reporter.made(results)`` comes first: the snapshots are there,
    whatever the retention does."""
    made = [r for r in results if r.summary is not None and r.error is None]
    if request.keep is None or not made:
        return
    reporter.made(results)
    retention = retain_held(conn, plan.Request(
        servers=tuple((r.server.id, r.server.name) for r in made),
        keep=request.keep,
        newest=tuple(r.summary.image['id'] for r in made),
        lineage={r.server.id: origin.lineage(r.server) for r in made},
        wait=creating.DEFAULT_WAIT if request.wait is None
        else request.wait, label=_('Pruning'), bin_days=request.bin_days,
        by=request.binned_by, now=request.now), report.Forwarding(reporter))
    for result, pruning in zip(made, retention.prunings):
        result.pruned = pruning


# -- archiving what the rules keep --------------------------------------------

def plan_archiving(conn, retention, now=None):
    """The :class:`plan.Archiving` of what the retention's prunings keep
    (one for all), set on the retention and each pruning: nothing is read
    when none is due."""
    now = now or datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None)
    due = [image for pruning in retention.prunings
           if pruning.archive_after is not None
           for image in archives.due(
               [image for image, _why in pruning.choice.kept],
               pruning.archive_after, now)]
    archiving = plan.Archiving()
    if due:
        archiving = plan.Archiving(*archive_run.plan_each(
            conn, [i['id'] for i in due]))
        archiving.previews = archive_run.planned(archiving.plans)
    retention.archiving = archiving
    for pruning in retention.prunings:
        pruning.archiving = archiving
    return archiving


def archive_kept(conn, archiving, wait, reporter):
    """Archive what ``archiving`` plans (nothing without plans), waiting
    ``wait`` seconds for the volume snapshots to go (None: not);
    ``archiving.results`` says what was made, ``archiving.error`` why it
    failed (the deletions stand: the error is not raised)."""
    if not archiving.plans:
        return
    try:
        archiving.results = archive_run.archive_kept(
            conn, archiving.plans, archiving.service, wait,
            _Recording(archiving, reporter))
    except errors.Refused as exc:
        archiving.error = exc


class _Recording(report.Forwarding):
    """The reporter of an archive, recording its results once made."""

    def __init__(self, archiving, reporter):
        super().__init__(reporter)
        self.archiving = archiving

    def made(self, results):
        self.archiving.results = results
