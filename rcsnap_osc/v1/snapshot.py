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
:mod:`rcsnap_osc.show.run` (or :mod:`rcsnap_osc.share.run`) and formats
the result. Those pull in the SDK, so they are imported inside
``take_action``, never when ``openstack`` starts; errors are reported by
:mod:`rcsnap_osc.v1.base`. ``create`` and ``batch create`` are in
:mod:`rcsnap_osc.v1.snapshot_create`.
"""

from osc_lib.cli import format_columns

from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import archived
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common


class ShowSnapshot(base.ShowOne):
    _description = _("""Show an instance snapshot and its real size

The server field is the ID of the server the snapshot was made of: the
one "rc snapshot create" recorded (property rcsnap:server_id), Nova's
instance_uuid for an image-backed snapshot, else the server the volume of
its root volume snapshot is attached to (one request more); empty when
none of these says.""")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        common.add_snapshot_argument(
            parser, _('Instance snapshot to show (name or ID)'))
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.core import archives
        from rcsnap_osc.create import plan as create_plan
        from rcsnap_osc.show import run as showing

        summary, members, server = showing.show_snapshot(
            self.conn, parsed_args.snapshot)
        summary = archives.as_archived(summary)
        common.warn_missing(self.app.stderr, summary)
        names, values = common.show_data(summary)
        # recorded by create; "unknown" for snapshots made elsewhere
        names += ('consistency', 'server')
        values += (create_plan.recorded(summary.image), server)
        more = archived.show_backups(self.conn, summary)
        names, values = names + more[0], values + more[1]
        if members is not None:  # only the owner sees the members
            names += ('members',)
            values += (common.MembersColumn(members),)
        return names, values


class ListSnapshot(base.Lister):
    _description = _("List instance snapshots with their real sizes")

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
        parser.add_argument(
            '--name',
            metavar='<name>',
            help=_('Only snapshots with this exact name'),
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
        from rcsnap_osc.cloud import reads
        from rcsnap_osc.core import archives
        from rcsnap_osc.core import origin
        from rcsnap_osc.share import run as sharing
        from rcsnap_osc.show import run as showing

        shared = parsed_args.scope == 'shared'
        if shared:  # with this project's answer to each
            found = sharing.list_shared_snapshots(self.conn,
                                                  name=parsed_args.name)
        elif parsed_args.long:  # with the server each came from
            found = showing.list_snapshots(self.conn, parsed_args.scope,
                                           name=parsed_args.name)
        else:
            found = [(s, None) for s in reads.list_snapshots(
                self.conn, parsed_args.scope, name=parsed_args.name)]
        headers = ['ID', 'Name', 'Status', 'Type', 'Size GiB']
        if parsed_args.long:
            headers += ['Image Size', 'Volume Snapshots', 'Min Disk',
                        'Min RAM', 'Visibility', 'Owner', 'Created At',
                        'Server']
        if shared:
            headers.append('Member Status')
        rows = []
        for summary, extra in found:
            summary = archives.as_archived(summary)
            image = summary.image
            row = [image.get('id'), image.get('name'), image.get('status'),
                   summary.type, common.SizeColumn(summary.size_gib)]
            if parsed_args.long:
                row += [image.get('size'),
                        format_columns.ListColumn(
                            [d.snapshot_id for d in summary.devices]),
                        image.get('min_disk'), image.get('min_ram'),
                        image.get('visibility'), image.get('owner'),
                        image.get('created_at'),
                        origin.recorded_server(image) if shared
                        else extra]
            if shared:
                row.append(extra)
            rows.append(row)
        return headers, rows
