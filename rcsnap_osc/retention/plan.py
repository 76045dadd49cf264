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

"""What a retention is asked and what it gives: one server's snapshots
chosen by :mod:`rcsnap_osc.core.retention`, the delete plans of those that
go (:mod:`rcsnap_osc.core.deletion_plan`), and the archives of the old
ones kept; pure, for :mod:`rcsnap_osc.retention.run`."""

import dataclasses
import typing

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


@dataclasses.dataclass(frozen=True)
class Request:
    """What a retention is asked: the ``servers``, ``((ID, name), ...)``,
    whose snapshots ``keep`` keeps (a number, :class:`Rules`, or a dict of
    them by server ID), deleting only those older than ``older_than``
    seconds (None: any); the snapshots ``newest`` names (just made) count
    as the newest of their server. ``dry_run`` plans only. ``wait``:
    seconds for the volume snapshots deleted or archived to go (None: do
    not wait). ``lock``: how the servers' retention is held (None: not).
    ``preview``: the archives are planned before anything is deleted (to
    be shown), else after the deletions. ``confirm(retention)``, when
    given, is asked once everything is planned, before anything is done:
    False refuses. ``label`` names the deletions' progress. ``lineage``:
    {server ID: the IDs of the servers it replaced}, whose snapshots
    count as its own (``rcsnap_osc.core.origin.lineage``)."""

    servers: tuple = ()
    keep: object = None
    older_than: int | None = None
    newest: tuple = ()
    dry_run: bool = False
    wait: int | None = None
    lock: Lock | None = None
    preview: bool = False
    confirm: typing.Callable | None = None
    label: str = _('Deleting')
    lineage: dict = dataclasses.field(default_factory=dict)
    #: Days in the recycle bin (None: the cloud's ``bin_days``, else 7;
    #: a dict: by server ID), the command the bin's record names, and
    #: the time the run takes as now (None: now).
    bin_days: object = None
    by: str = 'prune'
    now: object = None


@dataclasses.dataclass
class Archiving:
    """The archives of a retention: the plans, why the others are not
    archived ({image ID: why}), whether a backup service is up, what the
    archives would give (``previews``, nothing made) and the results once
    made (``rcsnap_osc.archive.run.Result``)."""

    plans: list = dataclasses.field(default_factory=list)
    refused: dict = dataclasses.field(default_factory=dict)
    service: object = None
    previews: list = dataclasses.field(default_factory=list)
    results: list | None = None
    #: Why the archive failed (:class:`errors.Refused`), rolled back.
    error: Exception | None = None


@dataclasses.dataclass
class Pruning:
    """A server's snapshots: the delete plans of those that go and what
    became of their items (``outcomes``, as planned until deleted), those
    kept with the reason (``choice``), and the :class:`Archiving` of the
    run once planned."""

    server_id: str
    server_name: str | None
    choice: typing.Any
    plans: list
    #: Seconds after which the kept ones are archived (None: never).
    archive_after: int | None = None
    outcomes: list = dataclasses.field(default_factory=list)
    archiving: Archiving | None = None
    #: The IDs of the binned snapshots past their date (purged for real).
    due: tuple = ()


@dataclasses.dataclass
class Retention:
    """What a retention did: the :class:`Pruning` of each server, in the
    order of the request, and the one :class:`Archiving` of them all."""

    prunings: list = dataclasses.field(default_factory=list)
    archiving: Archiving | None = None
    #: What was read, by ID (the images, volume snapshots and backups).
    found: dict = dataclasses.field(default_factory=dict)

    @property
    def plans(self):
        return [p for pruning in self.prunings for p in pruning.plans]

    def has_work(self):
        """Whether anything is to be deleted or archived."""
        return bool(self.plans or (self.archiving and self.archiving.plans))
