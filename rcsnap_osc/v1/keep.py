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

"""The keep rules ``prune``, ``create``, ``batch create`` and ``schedule
set`` share: ``--keep-daily``, ``--keep-weekly``, ``--keep-monthly``,
``--keep-within`` beside ``--keep``, and ``--archive-older-than``, as
:class:`rcsnap_osc.core.retention.Rules`."""

from osc_lib.cli import format_columns

from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import archived
from rcsnap_osc.v1 import common
from rcsnap_osc.v1 import deletion_rows


def add_arguments(parser, when=''):
    """``--keep-daily``, ``--keep-weekly``, ``--keep-monthly`` and
    ``--keep-within``, the calendar rules of
    :class:`rcsnap_osc.core.retention.Rules`, and
    ``--archive-older-than``; ``when`` opening their help."""
    def opened(text):
        return when + text[:1].lower() + text[1:] if when else text

    for option, what in (('--keep-daily', _('UTC days')),
                         ('--keep-weekly', _('ISO weeks')),
                         ('--keep-monthly', _('calendar months'))):
        parser.add_argument(
            option,
            metavar='<N>',
            type=common.whole_number(1, _('leave the option out')),
            help=opened(_('Keep the newest snapshot of each of the last N '
                          '%s that have snapshots, counting back from the '
                          'newest snapshot') % what),
        )
    parser.add_argument(
        '--keep-within',
        metavar='<duration>',
        help=opened(_('Keep every snapshot made at most this long before '
                      'the newest one, e.g. 2w, 30d, 12h')),
    )
    parser.add_argument(
        '--archive-older-than',
        metavar='<duration>',
        help=opened(_('Archive ("openstack rc snapshot archive") the '
                      'volume-backed snapshots the rules keep that are '
                      'older than this, e.g. 2w, once the others are '
                      'deleted: their volume snapshots move into Cinder '
                      'backups and leave the volume quota; they still count '
                      'toward the rules. One that cannot be archived is '
                      'kept as it is, with the reason')),
    )


def rules(args):
    """The :class:`rcsnap_osc.core.retention.Rules` of ``--keep`` and the
    calendar rules, None when none is given; a bad ``--keep-within`` is
    refused."""
    from rcsnap_osc.core import retention

    from osc_lib import exceptions

    within, archive = args.keep_within, args.archive_older_than
    rules = retention.Rules(
        last=args.keep, daily=args.keep_daily, weekly=args.keep_weekly,
        monthly=args.keep_monthly,
        within=None if within is None else retention.parse_duration(within),
        within_text=None if within is None else within.strip(),
        archive_after=None if archive is None else
        retention.parse_duration(archive),
        archive_text=None if archive is None else archive.strip())
    if archive is not None and not rules.given():
        raise exceptions.CommandError(_(
            '--archive-older-than archives what the keep rules keep: add '
            '--keep, --keep-daily, --keep-weekly, --keep-monthly or '
            '--keep-within.'))
    return rules if rules.given() else None


def say_pruned(say, result):
    """The stderr lines of what a snapshot's pruning deleted, kept and
    archived."""
    pruning = result.pruned
    kept = archived.kept_rows(
        pruning.archiving, deletion_rows.kept_rows(pruning.choice), False)
    deletion_rows.say_pruned(say, pruning, pruning.outcomes, kept)


def pruned_columns(result, keep):
    """The ``pruned`` (and with ``--archive-older-than``, ``archived``)
    values of a snapshot's pruning."""
    pruning = result.pruned
    values = (format_columns.ListColumn(
        deletion_rows.pruned_ids(pruning.outcomes) if pruning else []),)
    if keep.archive_after is not None:
        values += (format_columns.ListColumn(
            archived.archived_ids(pruning) if pruning else []),)
    return values


def pruned_names(keep):
    return ('pruned',) + (('archived',) if keep.archive_after is not None
                          else ())


def archive_error(results):
    """Why the archive of what the snapshots' prunings keep failed (it
    is one for all of them), or None."""
    for result in results:
        archiving = result.pruned.archiving if result.pruned else None
        if archiving is not None and archiving.error is not None:
            return archiving.error
    return None
