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

"""What ``rc snapshot delete`` was asked to do. What a deletion may remove
is the one delete plan of :mod:`rcsnap_osc.core.deletion`, shared with
``prune`` and ``create --keep``; here are the rules of its arguments and
the line ``delete --orphans`` ends with."""

import dataclasses

from rcsnap_osc.core import deletion
from rcsnap_osc.core import orphans as core_orphans
from rcsnap_osc import errors
from rcsnap_osc.i18n import _


@dataclasses.dataclass(frozen=True)
class Request:
    """What ``delete`` was asked for: the snapshots named (or, with
    ``orphans``, the project's orphans, ``include_all`` of them, those
    older than ``min_age`` seconds; None: the default; with
    ``all_projects``, an admin's, those of ``project``), and ``wait``
    seconds for the volume snapshots to go (None: do not wait)."""

    names: tuple = ()
    force: bool = False
    keep_volume_snapshots: bool = False
    dry_run: bool = False
    wait: int | None = None
    include_all: bool = False
    min_age: int | None = None
    all_projects: bool = False
    project: str | None = None
    #: Skip the bin: delete for real.
    purge: bool = False
    #: Days in the bin (None: the cloud's ``bin_days``, else the default).
    bin_days: int | None = None
    #: The command that bins, as the bin's record says.
    by: str = 'delete'


def check(request, orphans):
    """Refuse what the arguments cannot mean together, before any request
    (``orphans``: --orphans was given instead of names). Each rule is one
    of ``delete``'s, with the exit code of a refusal (argparse has no
    group for "only with")."""
    if orphans and request.names:
        raise errors.Refused(_(
            'Give snapshot names or --orphans, not both.'))
    if not orphans and not request.names:
        raise errors.Refused(_(
            'Name the snapshots to delete, or give --orphans.'))
    if request.include_all and not orphans:
        raise errors.Refused(_('--all applies only with --orphans.'))
    if request.min_age is not None and not orphans:
        raise errors.Refused(_(
            '--min-age applies only with --orphans.'))
    if request.all_projects and not orphans:
        raise errors.Refused(_(
            '--all-projects applies only with --orphans.'))
    if request.all_projects != bool(request.project):
        raise errors.Refused(_(
            '--all-projects and --project go together: an admin '
            'deletes the orphans of one project at a time.'))
    if request.purge and request.bin_days:
        raise errors.Refused(_('--bin-days does not apply with --purge.'))
    if orphans and (request.force or request.keep_volume_snapshots):
        raise errors.Refused(_(
            '--force and --keep-volume-snapshots do not apply with '
            '--orphans.'))


def freed_line(request, found, outcomes):
    """The line ``delete --orphans`` ends with: the GiB its volume
    snapshots free (``found``, the orphans; ``outcomes``, what their
    deletion did), said as done only when it is known to be done."""
    # A source volume's volume snapshot is waited for, --wait or not.
    waited = request.wait is not None or all(
        o.state != 'deleting' for o in outcomes
        if o.item.kind == deletion.VOLUME_SNAPSHOT)
    state = (deletion.DELETE if request.dry_run else
             'deleted' if waited else 'deleting')
    gib, count = core_orphans.freed_gib(found, outcomes, (state, 'deleted'))
    return core_orphans.freed_message(gib, count, state)


def notes(orphans):
    """The lines that say which orphans, or volumes made from them, are
    in a state their owner cannot delete them in (``Orphan.notes``)."""
    return [note for orphan in orphans for note in orphan.notes]
