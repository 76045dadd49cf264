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

"""``rc snapshot delete``: an instance snapshot and the volume snapshots it
owns, planned first (:mod:`rcsnap_osc.core.deletion`), then deleted
(:mod:`rcsnap_osc.delete.run`)."""

from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common
from rcsnap_osc.v1 import deletion_rows

HEADERS = ('Resource', 'Kind', 'Name', 'Result')

#: Seconds an orphan must have existed before --orphans deletes it (the
#: same as :data:`rcsnap_osc.core.orphans.MIN_AGE`, which is not imported when
#: the openstack command starts).
MIN_AGE = 300

DESCRIPTION = _(
    "Move instance snapshots to the recycle bin, or delete them with "
    "--purge.\n\n"
    "The plan never leaves a volume snapshot behind; a binned snapshot "
    "holds its quota until \"rc snapshot bin purge\".\n\n"
    "The user guide page \"Delete a snapshot, and what it frees\" has the "
    "details.")


def request(args):
    """The :class:`rcsnap_osc.delete.plan.Request` of the arguments."""
    from rcsnap_osc.delete import plan

    return plan.Request(
        names=tuple(args.snapshots or ()), force=args.force,
        keep_volume_snapshots=args.keep_volume_snapshots,
        dry_run=args.dry_run, wait=args.timeout if args.wait else None,
        include_all=args.all, min_age=args.min_age,
        all_projects=args.all_projects, project=args.project,
        purge=args.purge, bin_days=args.bin_days)


class DeleteSnapshot(base.Lister):
    _description = DESCRIPTION

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'snapshots',
            metavar='<snapshot>',
            nargs='*',
            help=_('Instance snapshot to delete (name or ID); repeat to '
                   'delete several'),
        )
        parser.add_argument(
            '--orphans',
            action='store_true',
            help=_('Instead of named snapshots, delete the orphaned volume '
                   'snapshots "openstack rc snapshot orphans" lists'),
        )
        parser.add_argument(
            '--all',
            action='store_true',
            help=_('With --orphans, also the volume snapshots Nova did '
                   'not make (by hand or by another tool) that no image '
                   "refers to; Cinder's own (consumes_quota: false) and "
                   'those a backup or a volume was made from are still '
                   'kept, with the reason'),
        )
        parser.add_argument(
            '--min-age',
            metavar='<seconds>',
            type=common.whole_number(0),
            default=None,
            help=_('With --orphans, keep those made less than this many '
                   'seconds ago (default: %d): Nova makes the volume '
                   'snapshots of an instance snapshot before its image, '
                   'so a young one may belong to a snapshot being made '
                   'now') % MIN_AGE,
        )
        parser.add_argument(
            '--all-projects',
            action='store_true',
            help=_('With --orphans and --project, as an admin: delete the '
                   'orphans of that project (needs the admin role)'),
        )
        parser.add_argument(
            '--project',
            metavar='<project>',
            help=_('With --orphans --all-projects: the project (name or ID) '
                   'whose orphans to delete'),
        )
        parser.add_argument(
            '--keep-volume-snapshots',
            action='store_true',
            help=_('Delete the images only; keep every volume snapshot'),
        )
        parser.add_argument(
            '--purge',
            action='store_true',
            help=_('Skip the recycle bin: delete for real, at once (asks '
                   'first unless --yes)'),
        )
        deletion_rows.add_bin_days_argument(parser)
        common.add_plan_arguments(parser, _(
            'Show what would be binned (deleted with --purge) and kept, '
            'and why'), yes=_('With --purge, do not ask (needed when not '
                              'on a terminal)'))
        parser.add_argument(
            '--force',
            action='store_true',
            help=_('Also delete public and community snapshots, and '
                   'snapshots shared with projects that accepted them. '
                   'Protected snapshots, snapshots of other projects and '
                   'volume snapshots something else still uses are never '
                   'deleted'),
        )
        common.add_wait_arguments(parser, deletion_rows.DELETE_WAIT)
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.delete import plan
        from rcsnap_osc.delete import run as deleting

        wanted = request(parsed_args)
        plan.check(wanted, parsed_args.orphans)
        common.Confirmation(self.app, parsed_args, _(
            'delete --purge deletes for good: add --yes to confirm, or '
            '--dry-run to see the plan.'), needed=wanted.purge).confirm(
            [], _('Delete these for good, skipping the recycle bin? '
                  '[y/N] '))
        if parsed_args.orphans:
            return self.delete_orphans(wanted)
        plans, outcomes = deleting.delete_snapshots(
            self.conn, wanted, self.reporter())
        deletion_rows.say_binned(common.say_to(self.app.stderr), outcomes)
        self.fail_after_output(deletion_rows.deletion_failure(
            plans, outcomes, wanted.dry_run))
        return HEADERS, deletion_rows.delete_rows(
            outcomes, wanted.dry_run, not wanted.purge)

    def reporter(self):
        """Progress on stderr; what was deleted is printed even if the
        wait fails."""
        return common.StderrReporter(
            self.app.stderr, made=lambda outcomes: self.partial(
                lambda: (HEADERS, deletion_rows.delete_rows(outcomes))))

    def delete_orphans(self, wanted):
        from rcsnap_osc.delete import plan
        from rcsnap_osc.delete import run as deleting

        orphans, plans, outcomes = deleting.delete_orphans(
            self.conn, wanted, self.reporter())
        say = common.say_to(self.app.stderr)
        for line in plan.notes(orphans):
            say(line)
        if wanted.purge:
            say(plan.freed_line(wanted, orphans, outcomes))
        else:
            deletion_rows.say_binned(say, outcomes)
        claims = any(o.item.kind == 'claim' for o in outcomes)
        self.fail_after_output(deletion_rows.deletion_failure(
            plans, outcomes, wanted.dry_run,
            _('orphans') if claims else _('volume snapshots')))
        return HEADERS, deletion_rows.delete_rows(
            outcomes, wanted.dry_run, not wanted.purge)
