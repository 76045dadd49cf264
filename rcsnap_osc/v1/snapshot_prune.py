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
from rcsnap_osc.v1 import keep

HEADERS = ('Resource', 'Kind', 'Name', 'Result')

DESCRIPTION = _("""Keep the newest snapshots of a server, delete the others.

The server's instance snapshots owned by this project, of both kinds, are
ordered newest first. A snapshot is kept when one of the rules given
keeps it (at least one is needed), and its row names every rule that does:
the newest N (--keep), the newest snapshot of each of the last D UTC days
(--keep-daily), W ISO weeks (--keep-weekly), M calendar months
(--keep-monthly), and all made at most a duration before the newest one
(--keep-within). As restic's "forget" counts them, the days, weeks and
months are those that have snapshots, counting back from the newest
snapshot, not from now: a day without a snapshot is skipped, not counted.
The others go to the recycle bin, and with --older-than only those older
than that. They are binned as "openstack rc snapshot delete" bins them,
with its plan: never leaving a volume snapshot behind, for --bin-days
days; binned snapshots count as gone, and those past their date in the
bin are deleted for real in the same run. A locked snapshot is kept,
with a row saying until when. Protected snapshots and
snapshots shared with a project that accepted them are kept, with the
reason, and still count toward the rules.

With --archive-older-than, the volume-backed snapshots the rules keep that
are older than that are archived after the deletions, as "openstack rc
snapshot archive" archives them: their volume snapshots move into Cinder
backups (incremental where a backup of the same volume exists) and leave
the volume quota. They still count toward the rules. One that archive
refuses, or backups that do not fit in the backup quota, leave the
snapshots as they are, the row saying why. Archived snapshots past the
rules are deleted with their backups.

The server may be given by name or ID, and by the ID of a deleted server:
the snapshots "openstack rc snapshot create" made record it. Volume-backed
snapshots made otherwise are found through the volume their root volume
snapshot was taken of, while it is attached to the server.

Without --yes or --dry-run it asks once on a terminal, showing the plan;
not on a terminal it needs --yes.

One retention at a time per server: "prune", "create --keep" and "batch
create --keep" of the same server hold its retention for the run, and
list its snapshots only once they hold it. A run that finds it held
exits 1 naming the holder (host, pid, since, until), or with --wait-lock
waits for it.""")


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
        common.add_wait_arguments(parser, common.DELETE_WAIT)
        common.add_bin_days_argument(parser)
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
            lock=retention_plan.lock_for(args.wait_lock,
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
        common.say_binned(common.say_to(self.app.stderr), pruning.outcomes)
        self.fail_after_output(common.deletion_failure(pruning.plans,
                                                       pruning.outcomes))
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
    return common.delete_rows(pruning.outcomes, dry_run,
                              True) + archived.kept_rows(
        pruning.archiving, common.kept_rows(pruning.choice), dry_run)
