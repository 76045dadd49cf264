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

"""``rc snapshot prune``: keep a server's newest snapshots (the newest N,
and the newest of each of the last days, ISO weeks, months), delete the
others through ``delete``'s plan."""

from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import archived
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common
from rcsnap_osc.v1 import deletion_rows
from rcsnap_osc.v1 import keep

HEADERS = ('Resource', 'Kind', 'Name', 'Result')

DESCRIPTION = _(
    "Keep the newest snapshots of a server, bin the others.\n\n"
    "The keep rules (--keep, --keep-daily, ...) say which stay; the "
    "others are binned.\n\n"
    "The user guide page \"Keep the last N, the dailies, weeklies and "
    "monthlies of a server: prune\" has the details.")


class PruneSnapshot(base.Lister):
    _description = DESCRIPTION

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--keep',
            metavar='<N>',
            type=common.whole_number(0),
            help=_('How many of the newest snapshots of the server to keep '
                   '(0 deletes them all, unless another rule keeps them)'),
        )
        keep.add_arguments(parser)
        parser.add_argument(
            '--server',
            metavar='<server>',
            required=True,
            help=_('Server whose snapshots to prune (name or ID; the ID '
                   'of a deleted server works too)'),
        )
        parser.add_argument(
            '--older-than',
            metavar='<duration>',
            help=_('Delete only snapshots older than this, e.g. 30d, 12h, '
                   '90m, 2w'),
        )
        common.add_plan_arguments(parser, _(
            'Show what would be deleted, archived and kept, and why'))
        common.add_wait_lock_argument(parser, _(
            'From before the snapshots are listed until they are deleted '
            '(not with --dry-run), the command'))
        common.add_wait_arguments(parser, deletion_rows.DELETE_WAIT)
        deletion_rows.add_bin_days_argument(parser)
        return parser

    def take_action(self, parsed_args):
        from osc_lib import exceptions

        from rcsnap_osc.core import retention
        from rcsnap_osc.retention import plan as retention_plan
        from rcsnap_osc.retention import run as retaining

        args = parsed_args
        rules = keep.rules(args)
        if rules is None:
            raise exceptions.CommandError(_(
                'Give at least one rule of what to keep: --keep, '
                '--keep-daily, --keep-weekly, --keep-monthly or '
                '--keep-within.'))
        older_than = (retention.parse_duration(args.older_than)
                      if args.older_than is not None else None)
        self.confirmation = common.Confirmation(self.app, args, _(
            'prune deletes snapshots: add --yes to confirm, or '
            '--dry-run to see the plan.'))
        request = retention_plan.Request(
            keep=rules, older_than=older_than, dry_run=args.dry_run,
            wait=args.timeout if args.wait else None,
            lock=retention_plan.lock_for(common.lock_seconds(args),
                                         args.timeout if args.wait else 0),
            preview=True, bin_days=args.bin_days,
            confirm=self.confirm if self.confirmation.needed else None)
        done = retaining.prune(
            self.conn, args.server, request, common.StderrReporter(
                self.app.stderr, made=lambda done: self.partial(
                    lambda: (HEADERS, rows(done.prunings[0], False)))))
        pruning = done.prunings[0]
        if args.dry_run or not done.has_work():
            return HEADERS, rows(pruning, True)
        deletion_rows.say_binned(common.say_to(self.app.stderr),
                                 pruning.outcomes)
        self.fail_after_output(deletion_rows.deletion_failure(
            pruning.plans, pruning.outcomes))
        if done.archiving.error is not None:
            raise done.archiving.error
        return HEADERS, rows(pruning, False)

    def confirm(self, planned):
        """Show the plan on stderr and ask once (a no is refused)."""
        pruning = planned.prunings[0]
        archives = len(planned.archiving.plans)
        self.confirmation.confirm(
            ['%s %s (%s): %s' % (row[1], row[0], row[2], row[3])
             for row in rows(pruning, True)],
            (_('Delete %(count)d and archive %(archives)d snapshots of '
               'server %(server)s? [y/N] ') if archives else _(
                'Delete %(count)d snapshots of server %(server)s? [y/N] '))
            % {'count': len(pruning.plans), 'archives': archives,
               'server': pruning.server_name or pruning.server_id})
        return True


def rows(pruning, dry_run):
    """The rows of a server's pruning: what is (or would be) binned or
    deleted, then what is kept and what became of its archive."""
    kept = deletion_rows.kept_rows(pruning.choice)
    return deletion_rows.delete_rows(
        pruning.outcomes, dry_run, True,
        deletion_rows.purged_ids(pruning)) + (
        archived.kept_rows(pruning.archiving, kept, dry_run))
