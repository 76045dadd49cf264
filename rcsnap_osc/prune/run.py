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

"""Prune a server's older snapshots: chosen by
:mod:`rcsnap_osc.core.retention`,
deleted through ``delete``'s plan (:func:`deletion_plan.plan_delete`, then
:mod:`rcsnap_osc.delete.run`), so that nothing is orphaned; then, with
``--archive-older-than`` (a schedule policy's ``archive``), the
volume-backed ones the rules keep that are older archived, as ``rc
snapshot archive`` archives them, all planned from one set of archive
listings, each on its own (:func:`archive_run.plan_each`): one that
cannot be archived keeps its row with the reason.

One retention at a time per server (:func:`holding`): ``prune``,
``create --keep`` and ``batch create --keep`` hold the server's retention
claim (:mod:`rcsnap_osc.cloud.claims`) for the whole run and plan their
deletions only once it is held, so that a run started beside another sees
what the other left, never a listing the other is changing.
"""

import contextlib
import dataclasses
import datetime
import typing

from openstack import exceptions as sdk_exc
from oslo_utils import uuidutils

from rcsnap_osc.archive import run as archive_run
from rcsnap_osc.cloud import claims
from rcsnap_osc.cloud import find
from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import report
from rcsnap_osc.core import archives
from rcsnap_osc.core import deletion_plan
from rcsnap_osc.core import origin
from rcsnap_osc.core import retention
from rcsnap_osc.delete import run as deleting
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

#: Seconds a claim outlives the waits of its run, at least: a run that
#: died (killed, host lost) holds the retention of its servers that long.
CLAIM_MARGIN = 3600


@dataclasses.dataclass(frozen=True)
class Lock:
    """How a run holds the retention of its servers: ``wait`` seconds for
    a run that holds one (None: do not wait), the claim lasting at most
    ``ttl`` seconds."""

    wait: int | None = None
    ttl: int = CLAIM_MARGIN


def lock_for(wait_lock, waits):
    """The :class:`Lock` of a run whose own waits last ``waits`` seconds
    at most: its claim lasts four times that (a stop, a snapshot, a start,
    the deletions) and :data:`CLAIM_MARGIN` more."""
    return Lock(wait_lock, CLAIM_MARGIN + 4 * (waits or 0))


def retention_claim(server_id, server_name=None):
    """The claim of a server's retention: one key per server ID."""
    return claims.Claim('retention:%s' % server_id,
                        'rcsnap-lock-%s' % server_id,
                        _('the retention of server %s') % (
                            server_name or server_id))


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


@dataclasses.dataclass
class Pruning:
    """A server's snapshots: the delete plans of those that go, and those
    kept with the reason."""

    server_id: str
    server_name: str | None
    choice: retention.Choice
    plans: list
    #: Seconds after which the kept ones are archived (None: never), and
    #: the :class:`Archiving` of the run, once planned.
    archive_after: int | None = None
    archiving: typing.Any = None


def find_server_id(conn, name_or_id):
    """``(id, name)`` of a server by name or ID; the ID of a deleted
    server is taken as it is (its name is then None)."""
    if uuidutils.is_uuid_like(name_or_id):
        try:
            found = conn.compute.get_server(name_or_id)
            return found.id, found.name
        except sdk_exc.NotFoundException:
            return name_or_id, None
    found = find.find_server(conn, name_or_id)
    return found.id, found.name


def plan(conn, server, keep, older_than=None, found=None):
    """The :class:`Pruning` of a server (name or ID; with ``found``, its
    ``(ID, name)``, it is not looked up); ``keep`` a number (the newest
    N) or :class:`retention.Rules`."""
    server_id, server_name = found or find_server_id(conn, server)
    return plan_servers(conn, [(server_id, server_name)], keep,
                        older_than)[0]


def plan_servers(conn, servers, keep, older_than=None, newest=()):
    """The :class:`Pruning` of each of ``servers``, ``[(ID, name)]``,
    from one set of listings (and the member lists of the shared
    candidates, at once). The snapshots ``newest`` names (just made) are
    the newest of their server, whatever their creation times say.
    ``keep`` may be a dict: the rules of each server ID."""
    rules_of = keep.get if isinstance(keep, dict) else lambda _sid: keep
    project_id = conn.current_project_id
    images, volume_snapshots, volumes = reads.listings(conn)
    ordered = {sid: retention.newest_first(origin.snapshots_of(
        sid, images, project_id, volume_snapshots, volumes), newest)
        for sid, _name in servers}
    shared = [i for sid, _name in servers
              for i in retention.candidates_needing_members(
                  ordered[sid], rules_of(sid), project_id)]
    members = dict(zip(shared, reads.parallel(
        [lambda i=i: reads.list_members(conn, i) for i in shared])))
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    choices = [(server_id, server_name, retention.choose(
        ordered[server_id], rules_of(server_id), project_id, members,
        older_than, now)) for server_id, server_name in servers]
    # An archived snapshot goes with its backups, by delete's rules: the
    # backups are listed once, and only where one of them is to go.
    backups = reads.list_backups(conn) if any(
        archives.records(i) for _sid, _name, choice in choices
        for i in choice.delete) else None
    inventory = deletion_plan.Inventory(images, volume_snapshots or {},
                                        volumes, members or {}, backups)
    return [Pruning(server_id, server_name, choice,
                    deletion_plan.plan_delete(
                        [i['id'] for i in choice.delete], inventory,
                        project_id),
                    getattr(rules_of(server_id), 'archive_after', None))
            for server_id, server_name, choice in choices]


def plan_archiving(conn, prunings):
    """What the prunings archive of what they keep (one
    :class:`Archiving` for all), set on each."""
    found = _plan_kept(conn, [
        ([image for image, _why in p.choice.kept], p.archive_after)
        for p in prunings])
    for pruning in prunings:
        pruning.archiving = found
    return found


def carry_out(conn, pruning, dry_run, wait=None, progress=None, done=None):
    """Delete what the plans say (nothing with ``dry_run``): the
    outcomes, as ``delete`` reports them."""
    return deleting.carry_out(conn, pruning.plans, dry_run, wait,
                              progress, done)[1]


def prune_made(conn, made, keep, wait, progress=None):
    """``create --keep``: once the snapshots ``made``, ``[(server ID,
    server name, new image ID)]``, are usable, prune each server's older
    ones as ``prune --keep`` does, the new one counted among the newest;
    deleted together, and waited for up to ``wait`` seconds. Returns
    ``[(Pruning, outcomes)]`` in the order of ``made``."""
    if not made:
        return []
    prunings = plan_servers(conn, [(sid, name) for sid, name, _ in made],
                            keep, newest=[i for _s, _n, i in made])
    outcomes = deleting.carry_out(
        conn, [p for found in prunings for p in found.plans], False, wait,
        progress, None)[1]
    result = []
    for found in prunings:
        count = sum(len(p.items) for p in found.plans)
        result.append((found, outcomes[:count]))
        outcomes = outcomes[count:]
    return result


def archive_kept(conn, prunings, wait, reporter):
    """Once the prunings' deletions are done, archive what their rules
    archive of what they keep (as :func:`plan_archiving` planned it, or
    planned now), waiting ``wait`` seconds for the volume snapshots to go
    (None: not)."""
    planned = prunings[0].archiving if prunings else None
    _archive(conn, planned or plan_archiving(conn, prunings), wait,
             reporter)


# -- archiving what the rules keep --------------------------------------------

@dataclasses.dataclass
class Archiving:
    """The archives of a retention: the plans, why the others are not
    archived ({image ID: why}), whether a backup service is up, and the
    results once made (:class:`archive_run.Result`)."""

    plans: list = dataclasses.field(default_factory=list)
    refused: dict = dataclasses.field(default_factory=dict)
    service: object = None
    results: list | None = None
    #: Why the archive failed (:class:`errors.Refused`), rolled back.
    error: Exception | None = None


def _plan_kept(conn, kept, now=None):
    """The :class:`Archiving` of ``kept``, ``[(images a retention keeps,
    seconds after which they are archived or None)]``: nothing is read
    when none is due."""
    now = now or datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None)
    due = [image for images, seconds in kept if seconds is not None
           for image in archives.due(images, seconds, now)]
    if not due:
        return Archiving()
    return Archiving(*archive_run.plan_each(conn, [i['id'] for i in due]))


def _archive(conn, archiving, wait, reporter):
    """Archive what ``archiving`` plans (nothing without plans), waiting
    ``wait`` seconds for the volume snapshots to go (None: not);
    ``archiving.results`` says what was made, ``archiving.error`` why it
    failed (the deletions stand: the error is not raised)."""
    if not archiving.plans:
        return
    try:
        archiving.results = archive_run.carry_out_kept(
            conn, archiving.plans, archiving.service, wait,
            _Recording(archiving, reporter))
    except errors.Refused as exc:
        archiving.error = exc


class _Recording(report.Reporter):
    """The reporter of an archive, recording its results once made."""

    def __init__(self, archiving, reporter):
        self.archiving = archiving
        self.reporter = reporter

    def say(self, text):
        self.reporter.say(text)

    def progress(self, label):
        return self.reporter.progress(label)

    def made(self, results):
        self.archiving.results = results
