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

"""``rc snapshot restore``: put a server back to a snapshot."""

from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common

HEADERS = ('Resource', 'Old', 'New', 'Note')
KEYS = ('resource', 'old', 'new', 'note')


class RestoreSnapshot(base.Lister):
    _description = _(
        "Put a server back to an instance snapshot, keeping who it is.\n\n"
        "An image-backed server is rebuilt; a volume-backed one is "
        "replaced by a new server with its name and settings.\n\n"
        "The user guide page \"Go back to a snapshot\" has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        common.add_snapshot_argument(
            parser, _('Instance snapshot to go back to (name or ID)'))
        parser.add_argument(
            '--server',
            metavar='<server>',
            help=_('Server to restore (name or ID; default: the server the '
                   'snapshot was taken of)'),
        )
        parser.add_argument(
            '--data-volumes',
            metavar='<snapshot|current>',
            choices=('snapshot', 'current'),
            default='snapshot',
            help=_('Volume-backed servers: "snapshot" (default) gives the '
                   'new server new data volumes from the snapshot\'s volume '
                   'snapshots (the server as it was; the current ones stay '
                   'on the old server); "current" moves the current data '
                   'volumes to it (go back on the system disk, keep the '
                   'data)'),
        )
        parser.add_argument(
            '--delete-old',
            action='store_true',
            help=_('Volume-backed servers: once the new server is ACTIVE '
                   'with its addresses, delete the old server, and its old '
                   'root volume unless a volume snapshot depends on it '
                   '(default: keep both, stopped)'),
        )
        common.add_plan_arguments(parser, _(
            'Show the plan, old -> new for every resource'))
        common.add_wait_arguments(parser, _(
            'the rebuild of an image-backed server is done (a replacement '
            'always waits for the new server)'))
        return parser

    def take_action(self, parsed_args):
        from osc_lib import exceptions

        from rcsnap_osc.restore import plan
        from rcsnap_osc.restore import run as restoring

        args = parsed_args
        confirmation = common.Confirmation(self.app, args, _(
            'restore replaces or rebuilds a server: add --yes to '
            'confirm, or --dry-run to see the plan.'))
        request = plan.Request(
            snapshot=args.snapshot, server=args.server,
            data_volumes=args.data_volumes, delete_old=args.delete_old,
            dry_run=args.dry_run,
            wait=args.timeout if args.wait else None, timeout=args.timeout)
        restore, attrs = restoring.prepare(self.conn, request)
        planned = restoring.planned_rows(restore)
        if args.dry_run:
            return HEADERS, self.table(planned)
        confirmation.confirm(
            ['%s: %s -> %s (%s)' % (row['resource'], row['old'],
                                    row['new'], row['note'])
             for row in planned],
            _('Restore server %(server)s from snapshot %(snap)s? '
              '[y/N] ') % {'server': restore.server['name'],
                           'snap': restore.found.summary.image['id']})
        done, failure = restoring.execute(
            self.conn, restore, attrs, request,
            common.StderrReporter(self.app.stderr))
        if failure:
            self.fail_after_output(exceptions.CommandError(failure))
        return HEADERS, self.table(done)

    @staticmethod
    def table(rows):
        return [tuple(row[k] for k in KEYS) for row in rows]
