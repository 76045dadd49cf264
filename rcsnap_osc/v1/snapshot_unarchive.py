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

"""``rc snapshot unarchive``: archived snapshots made ordinary
volume-backed snapshots again (:mod:`rcsnap_osc.unarchive.run`)."""

from rcsnap_osc.core import snapshots
from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common
from rcsnap_osc.v1 import deletion_rows

HEADERS = ('Resource', 'Kind', 'Name', 'Result')

DESCRIPTION = _(
    "Make archived snapshots volume-backed snapshots again.\n\n"
    "A volume is made from each backup, then a volume snapshot of it.\n\n"
    "The user guide page \"Archive snapshots and free the quota\" has the "
    "details.")


def rows(results, dry_run):
    """The image, each disk's source volume and volume snapshot, and each
    backup of every unarchive."""
    table = []
    for result in results:
        unarchive = result.unarchive
        table.append((unarchive.image['id'], _('image'),
                      unarchive.image.get('name') or '',
                      _('would unarchive') if dry_run else _('unarchived')))
        for record in unarchive.disks:
            size = snapshots.format_gib(record.size_gib)
            values = {'backup': record.backup_id, 'size': size}
            table.append((
                result.volumes.get(record.snapshot_id, ''), _('volume'),
                record.device_name or '',
                _('would restore (backup %(backup)s, %(size)s)') % values
                if dry_run else
                _('available (backup %(backup)s, %(size)s)') % values))
            table.append((
                result.snapshots.get(record.snapshot_id, ''),
                _('volume snapshot'), record.device_name or '',
                _('would make') if dry_run else _('available')))
        table.extend(deletion_rows.delete_rows(result.outcomes, dry_run))
    return table


def failure(results):
    """The error the command ends with when a backup could not be
    deleted; None otherwise."""
    from osc_lib import exceptions

    failed = [o.item.resource_id for r in results for o in r.outcomes
              if o.failed]
    if not failed:
        return None
    return exceptions.CommandError(_(
        'Backup(s) %s could not be deleted; "openstack rc snapshot orphans" '
        'lists them.') % ', '.join(failed))


class UnarchiveSnapshot(base.Lister):
    _description = DESCRIPTION

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'snapshots',
            metavar='<snapshot>',
            nargs='+',
            help=_('Archived instance snapshot to unarchive (name or ID); '
                   'repeat to unarchive several'),
        )
        parser.add_argument(
            '--keep-backups',
            action='store_true',
            help=_('Keep every backup (recorded in the image, deleted with '
                   'the snapshot); by default those that can go are '
                   'deleted'),
        )
        common.add_plan_arguments(parser, _(
            'Show the volumes and volume snapshots that would be made and '
            'the backups that would be deleted'), yes=None)
        common.add_timeout_argument(
            parser, _('Give up waiting for the volumes and volume '
                      'snapshots after this many seconds (default: %d); '
                      'progress is shown on stderr'))
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.unarchive import plan
        from rcsnap_osc.unarchive import run

        request = plan.Request(
            names=tuple(parsed_args.snapshots),
            keep_backups=parsed_args.keep_backups,
            timeout=parsed_args.timeout, dry_run=parsed_args.dry_run)
        reporter = common.StderrReporter(
            self.app.stderr, made=lambda results: self.partial(
                lambda: (HEADERS, rows(results, False))))
        results = run.unarchive(self.conn, request, reporter)
        self.fail_after_output(failure(results))
        return HEADERS, rows(results, parsed_args.dry_run)
