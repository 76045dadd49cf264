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

"""``rc snapshot archive``: the volume snapshots of volume-backed instance
snapshots moved into Cinder backups (:mod:`rcsnap_osc.archive.run`)."""

from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import archived
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common
from rcsnap_osc.v1 import deletion_rows

HEADERS = ('Resource', 'Kind', 'Name', 'Result')

DESCRIPTION = _(
    "Move snapshots into Cinder backups and free their quota.\n\n"
    "Each volume snapshot becomes a Cinder backup; \"rc snapshot "
    "unarchive\" makes the snapshot usable again.\n\n"
    "The user guide page \"Archive snapshots and free the quota\" has the "
    "details.")


class ArchiveSnapshot(base.Lister):
    _description = DESCRIPTION

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'snapshots',
            metavar='<snapshot>',
            nargs='+',
            help=_('Instance snapshot to archive (name or ID); repeat to '
                   'archive several'),
        )
        parser.add_argument(
            '--full',
            action='store_true',
            help=_('Make full backups, even where a backup of the same '
                   'volume exists to build an incremental one on'),
        )
        common.add_plan_arguments(parser, _(
            'Show the backups that would be made and the volume snapshots '
            'that would be deleted'), yes=None)
        parser.add_argument(
            '--wait',
            action='store_true',
            help=_('Also wait until the volume snapshots are gone, and '
                   'report those Cinder failed to delete (the backups are '
                   'always waited for); show progress on stderr'),
        )
        common.add_timeout_argument(
            parser, _('Give up waiting for the backups (and, with --wait, '
                      'for the volume snapshots) after this many seconds '
                      '(default: %d)'))
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.archive import plan
        from rcsnap_osc.archive import run

        request = plan.Request(
            names=tuple(parsed_args.snapshots), full=parsed_args.full,
            wait=parsed_args.timeout if parsed_args.wait else None,
            timeout=parsed_args.timeout, dry_run=parsed_args.dry_run)
        reporter = common.StderrReporter(
            self.app.stderr, made=lambda results: self.partial(
                lambda: (HEADERS, archived.rows(results, False))))
        results = run.archive(self.conn, request, reporter)
        outcomes = [o for r in results for o in r.outcomes]
        self.fail_after_output(deletion_rows.deletion_failure(
            [r.archive.deletion for r in results], outcomes,
            parsed_args.dry_run, _('snapshots')))
        return HEADERS, archived.rows(results, parsed_args.dry_run)
