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

"""Sharing instance snapshots between projects: share, accept, unshare.

Each command makes one call to :mod:`rcsnap_osc.share.run` (the decisions
are in :mod:`rcsnap_osc.share.plan`), imported inside ``take_action``.
"""

from osc_lib.cli import format_columns

from rcsnap_osc import constants
from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common

DEFAULT_DISK_FORMAT = 'raw'


def members_data(image, members, visibility=None):
    """The columns every sharing command prints."""
    return (('id', 'name', 'visibility', 'members'),
            (image['id'], image.get('name'),
             visibility or image.get('visibility'),
             common.MembersColumn(members)))


def with_data_images(names, values, data):
    """A copy's data images as one more column, when it has some."""
    if not data:
        return names, values
    return (names + ('data_images',),
            values + (format_columns.ListColumn([i['id'] for i in data]),))


class ShareSnapshot(base.ShowOne):
    _description = _(
        "Share an instance snapshot with other projects.\n\n"
        "A volume-backed snapshot is shared with --copy: a standalone "
        "copy the other project can launch.\n\n"
        "The user guide page \"Share a snapshot\" has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        common.add_snapshot_argument(parser,
                                     _('Snapshot to share (name or ID)'))
        parser.add_argument(
            '--project',
            metavar='<project>',
            action='append',
            required=True,
            help=_('Project to share with, by ID or name (names need a '
                   'Keystone listing, which many clouds allow only to '
                   'administrators: use the ID then). Repeat option to '
                   'share with several projects'),
        )
        parser.add_argument(
            '--copy',
            action='store_true',
            help=_('Share a standalone copy of a volume-backed snapshot: '
                   'an image of its root disk that other projects can '
                   'launch (with --volumes all, and an image of each data '
                   'volume). Needs volume and image quota in this project '
                   'for the disks\' size while it runs'),
        )
        parser.add_argument(
            '--new-copy',
            action='store_true',
            help=_('With --copy, always make a new copy; by default an '
                   'active copy this project made earlier of the same, '
                   'unchanged snapshot is shared again instead'),
        )
        parser.add_argument(
            '--volumes',
            metavar='<which>',
            choices=constants.VOLUMES,
            help=_('With --copy, what is copied: root (the root disk, the '
                   'default) or all (the root disk and one image of each '
                   'data volume, named after the copy and its device, '
                   'e.g. NAME-vdb)'),
        )
        parser.add_argument(
            '--name',
            metavar='<name>',
            help=_('With --copy, name of the copy (default: the '
                   'snapshot\'s name followed by "-copy")'),
        )
        parser.add_argument(
            '--disk-format',
            metavar='<disk-format>',
            choices=constants.DISK_FORMATS,
            help=_('With --copy, disk format of the copy: raw or qcow2 '
                   '(default: %s)') % DEFAULT_DISK_FORMAT,
        )
        parser.add_argument(
            '--wait',
            action='store_true',
            help=_('Wait until the copy is active (--copy always waits: '
                   'the temporary volume is deleted and the copy shared '
                   'before the command returns); progress goes to stderr'),
        )
        common.add_timeout_argument(
            parser, _('With --copy, give up (and clean up) after this many '
                      'seconds (default: %d)'))
        return parser

    def take_action(self, parsed_args):
        from osc_lib import exceptions

        from rcsnap_osc.share import plan
        from rcsnap_osc.share import run as sharing

        args = parsed_args
        if not args.copy and (args.name or args.disk_format or
                              args.new_copy or args.volumes):
            raise exceptions.CommandError(_(
                '--name, --disk-format, --new-copy and --volumes apply only '
                'with --copy.'))
        common.check_timeout(args.timeout)
        shared, members, source, data = sharing.share_snapshot(
            self.conn, args.snapshot, plan.Request(
                projects=tuple(args.project or ()), copy=args.copy,
                name=args.name,
                disk_format=args.disk_format or DEFAULT_DISK_FORMAT,
                timeout=args.timeout, new_copy=args.new_copy,
                volumes=args.volumes or 'root'),
            common.StderrReporter(self.app.stderr))
        names, values = members_data(shared, members, 'shared')
        if source is not None:
            from rcsnap_osc.core import copies

            copied = {i.get(copies.DATA_SOURCE_PROPERTY) for i in data}
            left = [ref.snapshot_id for ref in copies.left_out(source)
                    if ref.snapshot_id not in copied]
            names += ('source_snapshot', 'not_copied', 'data_images')
            values += (source['id'], format_columns.ListColumn(left),
                       format_columns.ListColumn([i['id'] for i in data]))
            return names, values
        return with_data_images(names, values, data)


class AcceptSnapshot(base.ShowOne):
    _description = _(
        "Accept (or reject) a snapshot another project shared with this "
        "one.\n\n"
        "The user guide page \"Share a snapshot\" has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        common.add_snapshot_argument(parser, _(
            'Snapshot shared with this project (name or ID; pending and '
            'rejected ones are found too)'))
        parser.add_argument(
            '--reject',
            action='store_true',
            help=_('Reject the snapshot instead of accepting it'),
        )
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.share import run as sharing

        image, answer, data = sharing.accept_snapshot(
            self.conn, parsed_args.snapshot,
            'rejected' if parsed_args.reject else 'accepted')
        names, values = (('id', 'name', 'owner', 'member_status'),
                         (image['id'], image.get('name'), image.get('owner'),
                          answer))
        return with_data_images(names, values, data)


class UnshareSnapshot(base.ShowOne):
    _description = _(
        "Stop sharing an instance snapshot with other projects.\n\n"
        "The user guide page \"Share a snapshot\" has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        common.add_snapshot_argument(
            parser, _('Snapshot to unshare (name or ID)'))
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument(
            '--project',
            metavar='<project>',
            action='append',
            help=_('Project to remove, by ID or name (repeat option to '
                   'remove several projects)'),
        )
        who.add_argument(
            '--all',
            action='store_true',
            help=_('Remove every project the snapshot is shared with'),
        )
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.share import run as sharing

        image, unsharing, members, data = sharing.unshare_snapshot(
            self.conn, parsed_args.snapshot,
            None if parsed_args.all else parsed_args.project)
        for project in unsharing.not_members:
            self.app.stderr.write(_(
                'Project %(project)s was not a member of snapshot %(id)s.\n')
                % {'project': project, 'id': image['id']})
        visibility = 'private' if unsharing.make_private else None
        return with_data_images(*members_data(image, members, visibility),
                                data)
