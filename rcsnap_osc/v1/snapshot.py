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

"""Instance snapshot commands: show, list.

Each command parses its arguments, makes one call to
:mod:`rcsnap_osc.show.run` and formats the result with the snapshot's
column map (:data:`rcsnap_osc.v1.columns.SNAPSHOT`). That module pulls in
the SDK, so it is imported inside ``take_action``, never when
``openstack`` starts; errors are reported by :mod:`rcsnap_osc.v1.base`.
``create`` and ``batch create`` are in :mod:`rcsnap_osc.v1.snapshot_create`.
"""

from osc_lib.cli import parseractions

from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import columns
from rcsnap_osc.v1 import common


class ShowSnapshot(base.ShowOne):
    _description = _(
        "Show an instance snapshot and its real size.\n\n"
        "The size counts its volume snapshots, which the image itself "
        "does not.\n\n"
        "The user guide page \"Show a snapshot's real size\" has the "
        "details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        common.add_snapshot_argument(
            parser, _('Instance snapshot to show (name or ID)'))
        parser.add_argument(
            '--bin',
            action='store_true',
            help=_('Look for the name in the recycle bin too (by ID, a '
                   'snapshot in the bin is always shown, with its '
                   'binned_at, binned_by and purge_after fields)'),
        )
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.show import run as showing

        shown = showing.show_snapshot(self.conn, parsed_args.snapshot,
                                      binned=parsed_args.bin)
        common.warn_missing(self.app.stderr, shown.summary)
        return columns.show(columns.SNAPSHOT, columns.SHOW, shown)


class ListSnapshot(base.Lister):
    _description = _(
        "List instance snapshots with their real sizes.\n\n"
        "Plain images and snapshots in the recycle bin are left out "
        "(--bin lists only those).\n\n"
        "The user guide page \"List instance snapshots\" has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument(
            '--mine',
            dest='scope',
            action='store_const',
            const='mine',
            help=_('Only snapshots owned by the current project'),
        )
        scope.add_argument(
            '--shared',
            dest='scope',
            action='store_const',
            const='shared',
            help=_('Only snapshots other projects shared with this one, '
                   'whatever their member status, shown in a Member Status '
                   'column (pending, accepted or rejected)'),
        )
        scope.add_argument(
            '--all',
            dest='scope',
            action='store_const',
            const='all',
            help=_('Every snapshot this project can see, public and '
                   'community ones included'),
        )
        scope.add_argument(
            '--bin',
            dest='scope',
            action='store_const',
            const='bin',
            help=_('Only this project\'s snapshots in the recycle bin, '
                   'with the dates they were binned and may be purged '
                   '(without it, binned snapshots are left out; see also '
                   '"rc snapshot bin list")'),
        )
        parser.add_argument(
            '--name',
            metavar='<name>',
            help=_('Only snapshots with this exact name'),
        )
        parser.add_argument(
            '--property',
            metavar='<key=value>',
            action=parseractions.KeyValueAction,
            default={},
            help=_('Only snapshots with this image property (repeat option '
                   'to filter on multiple properties)'),
        )
        parser.add_argument(
            '--limit',
            metavar='<num-snapshots>',
            type=common.whole_number(1),
            help=_('Maximum number of snapshots to list'),
        )
        parser.add_argument(
            '--marker',
            metavar='<snapshot-id>',
            help=_('The last snapshot ID of the previous page: list the '
                   'snapshots after it'),
        )
        parser.add_argument(
            '--long',
            action='store_true',
            default=False,
            help=_('List additional fields in output, among them Server: '
                   'the ID of the server each snapshot was made of (recorded '
                   'by "rc snapshot create", Nova\'s instance_uuid, or the '
                   'server its root volume is attached to; empty when '
                   'unknown)'),
        )
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.show import run as showing

        args = parsed_args
        filters = dict(args.property)
        if args.marker:
            filters['marker'] = args.marker
        listed = showing.list_snapshots(self.conn, args.scope,
                                        name=args.name, servers=args.long,
                                        filters=filters, limit=args.limit)
        wanted = {columns.LIST}
        if parsed_args.long:
            wanted.add(columns.LONG)
        if parsed_args.scope == 'shared':
            wanted.add(columns.SHARED)
        if parsed_args.scope == 'bin':
            wanted.add(columns.BIN)
        return columns.listing(columns.SNAPSHOT, wanted, listed)
