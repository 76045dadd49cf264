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

HEADERS = ('Resource', 'Kind', 'Name', 'Result')

DESCRIPTION = _("""Move snapshots into Cinder backups and free their quota.

Cinder charges every volume snapshot the size of its volume against the
project's gigabytes quota, and counts it against the snapshots quota; it
also lives on the same storage as the volume. For each volume snapshot of
a volume-backed instance snapshot, this command makes a Cinder backup
(incremental when a backup of the same volume exists, unless --full),
waits until every backup is available, records in the image's properties
each disk's backup, size, device, boot index and volume type (the image
stays as the catalogue entry: "openstack rc snapshot show" says
"volume-backed, archived"), then deletes the volume snapshots with the
rules of "openstack rc snapshot delete". Backups count against the
backups and backup_gigabytes quotas instead.

Before anything is made, it refuses image-backed snapshots (their data is
in Glance, not in the volume quota), snapshots whose volume snapshots a
volume was created from or another image uses, and backups that do not fit
in the quota. Where the cloud runs no backup service it says so. If a
backup fails, or the command is interrupted, the backups it made are
deleted and the volume snapshots are left as they were.""")


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
        self.fail_after_output(common.deletion_failure(
            [r.archive.deletion for r in results], outcomes,
            parsed_args.dry_run, _('snapshots')))
        return HEADERS, archived.rows(results, parsed_args.dry_run)
