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


"""``rc snapshot recover`` and ``rc snapshot bin purge``: out of the
recycle bin, back as it was or deleted for real
(:mod:`rcsnap_osc.recycle.run`)."""

from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common
from rcsnap_osc.v1 import deletion_rows

RECOVER_HEADERS = ('ID', 'Name', 'Result')
PURGE_HEADERS = ('Resource', 'Kind', 'Name', 'Result')


class RecoverSnapshot(base.Lister):
    _description = _(
        "Take instance snapshots out of the recycle bin.\n\n"
        "Each is back as it was: visible, bootable, shared as "
        "before.\n\n"
        "The user guide page \"The recycle bin\" has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'snapshots',
            metavar='<snapshot>',
            nargs='+',
            help=_('Binned instance snapshot to recover (name or ID); '
                   'repeat to recover several'),
        )
        common.add_plan_arguments(parser, _(
            'Show what would be recovered'), yes=None)
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.recycle import plan
        from rcsnap_osc.recycle import run

        done = run.recover(self.conn, plan.Request(
            names=tuple(parsed_args.snapshots),
            dry_run=parsed_args.dry_run),
            common.StderrReporter(self.app.stderr))
        failed = [r for r in done if r.failures]
        if failed:
            from osc_lib import exceptions

            self.fail_after_output(exceptions.CommandError(_(
                'Not all of it came back: %s') % '; '.join(
                    '; '.join(r.failures) for r in failed)))
        result = (_('would recover') if parsed_args.dry_run
                  else _('recovered'))
        return RECOVER_HEADERS, [
            (r.image['id'], r.image.get('name') or '',
             _('failed (%s)') % '; '.join(r.failures) if r.failures
             else result) for r in done]


class PurgeBin(base.Lister):
    _description = _(
        "Delete snapshots in the recycle bin for good.\n\n"
        "The named ones, or all those binned longer than --older-than; "
        "locked ones are refused.\n\n"
        "The user guide page \"The recycle bin\" has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'snapshots',
            metavar='<snapshot>',
            nargs='*',
            help=_('Binned instance snapshot to delete (name or ID); '
                   'repeat to delete several (default: the whole bin)'),
        )
        parser.add_argument(
            '--older-than',
            metavar='<duration>',
            help=_('Only those binned at least this long ago: a number and '
                   'a unit, s, m, h, d or w (e.g. 3d; 0s: all)'),
        )
        common.add_plan_arguments(parser, _(
            'Show what would be deleted and kept, and why'))
        common.add_wait_arguments(parser, deletion_rows.DELETE_WAIT)
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.core import retention
        from rcsnap_osc.recycle import plan
        from rcsnap_osc.recycle import run

        older_than = (retention.parse_duration(parsed_args.older_than)
                      if parsed_args.older_than is not None else None)
        confirmation = common.Confirmation(self.app, parsed_args, _(
            'bin purge deletes for good: add --yes to confirm, or '
            '--dry-run to see the plan.'))
        confirmation.confirm([], _('Delete the snapshots of the recycle '
                                   'bin for good? [y/N] '))
        reporter = common.StderrReporter(
            self.app.stderr, made=lambda outcomes: self.partial(
                lambda: (PURGE_HEADERS, deletion_rows.delete_rows(outcomes))))
        plans, outcomes = run.purge(self.conn, plan.Request(
            names=tuple(parsed_args.snapshots), older_than=older_than,
            dry_run=parsed_args.dry_run,
            wait=parsed_args.timeout if parsed_args.wait else None),
            reporter)
        if not plans:
            reporter.say(_('Nothing in the recycle bin to purge.'))
        self.fail_after_output(deletion_rows.deletion_failure(
            plans, outcomes, parsed_args.dry_run))
        return PURGE_HEADERS, deletion_rows.delete_rows(
            outcomes, parsed_args.dry_run)
