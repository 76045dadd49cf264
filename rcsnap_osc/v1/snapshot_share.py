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

The SDK calls live in :mod:`rcsnap_osc.sharing` and the decisions in
:mod:`rcsnap_osc.share_plan`; both are imported inside ``take_action``.
"""

from cliff import columns
from osc_lib.cli import format_columns

from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import snapshot

DISK_FORMATS = ('raw', 'qcow2')
DEFAULT_DISK_FORMAT = 'raw'


class MembersColumn(columns.FormattableColumn):
    """Image members: ``project: status`` lines in tables, a list in JSON."""

    def human_readable(self):
        return '\n'.join('%s: %s' % (m['member_id'], m['status'])
                         for m in self._value)

    def machine_readable(self):
        return [{'project_id': m['member_id'], 'status': m['status']}
                for m in self._value]


def members_data(image, members, visibility=None):
    """The columns every sharing command prints."""
    return (('id', 'name', 'visibility', 'members'),
            (image['id'], image.get('name'),
             visibility or image.get('visibility'), MembersColumn(members)))


def add_snapshot_argument(parser, what):
    parser.add_argument(
        'snapshot',
        metavar='<snapshot>',
        help=what,
    )


class ShareSnapshot(base.ShowOne):
    _description = _(
        "Share an instance snapshot with other projects.\n\n"
        "Makes the snapshot's image 'shared' (never public or community) "
        "and adds each project as a member; the other project then accepts "
        "it with 'openstack rc snapshot accept'. Sharing with a project "
        "that already is a member changes nothing.\n\n"
        "A volume-backed snapshot holds its data in this project's volume "
        "snapshots, which other projects cannot use: it is shared with "
        "--copy, which makes a standalone image of its root disk (through a "
        "temporary volume, deleted afterwards) and shares that. On any "
        "failure or interrupt the temporary volume and the partial image "
        "are deleted. Data volumes are not copied.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_snapshot_argument(parser, _('Snapshot to share (name or ID)'))
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
                   'launch. Needs volume and image quota in this project '
                   'for the root disk\'s size while it runs'),
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
            choices=DISK_FORMATS,
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
        parser.add_argument(
            '--timeout',
            metavar='<seconds>',
            type=int,
            default=snapshot.DEFAULT_TIMEOUT,
            help=_('With --copy, give up (and clean up) after this many '
                   'seconds (default: %d)') % snapshot.DEFAULT_TIMEOUT,
        )
        return parser

    def say(self, text):
        self.app.stderr.write(text + '\n')
        self.app.stderr.flush()

    def take_action(self, parsed_args):
        from osc_lib import exceptions

        from rcsnap_osc import cloud
        from rcsnap_osc import share_plan
        from rcsnap_osc import sharing

        args = parsed_args
        if not args.copy and (args.name or args.disk_format):
            raise exceptions.CommandError(
                _('--name and --disk-format apply only with --copy.'))
        if args.timeout <= 0:
            raise exceptions.CommandError(
                _('--timeout must be a positive number of seconds.'))

        @sharing.translate_errors
        def act():
            conn = self.app.client_manager.rcsnap
            project_id = conn.current_project_id
            image = cloud.find_snapshot(conn, args.snapshot)
            share_plan.check_owner(image, project_id)
            share_plan.check_shareable(image)
            copy = share_plan.needs_copy(image, args.copy)
            targets = share_plan.check_targets(
                project_id, sharing.resolve_projects(conn, args.project))
            if not copy:
                if args.copy:
                    self.say(_('Snapshot %s is image-backed: other projects '
                               'can launch it as it is, no copy made.')
                             % image['id'])
                members = cloud.snapshot_members(conn, image)
                plan = share_plan.plan_share(image, project_id, targets,
                                             members)
                return image, sharing.share(conn, image, plan, members), None

            for ref in share_plan.left_out(image):
                self.say(_('Not copied: data volume snapshot %(id)s '
                           '(%(dev)s); the copy holds the root disk only.')
                         % {'id': ref.snapshot_id,
                            'dev': ref.device_name or '-'})

            def share_copy(copy):
                plan = share_plan.plan_share(copy, project_id, targets, [])
                return sharing.share(conn, copy, plan, [])

            waiter = sharing.Waiter(
                args.timeout,
                lambda label: snapshot.Progress(self.app.stderr, label))
            copy, members = sharing.copy_snapshot(
                conn, image, share_plan.copy_name(image, args.name),
                args.disk_format or DEFAULT_DISK_FORMAT, waiter, self.say,
                then=share_copy)
            return copy, members, image

        shared, members, source = act()
        names, values = members_data(shared, members, 'shared')
        if source is not None:
            left = [ref.snapshot_id for ref in share_plan.left_out(source)]
            names += ('source_snapshot', 'not_copied')
            values += (source['id'], format_columns.ListColumn(left))
        return names, values


class AcceptSnapshot(base.ShowOne):
    _description = _(
        "Accept (or reject) a snapshot another project shared with this "
        "one.\n\n"
        "An accepted snapshot appears in this project's image and snapshot "
        "lists and can be launched; a rejected one is hidden again. The "
        "answer can be changed at any time.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_snapshot_argument(parser, _(
            'Snapshot shared with this project (name or ID; pending and '
            'rejected ones are found too)'))
        parser.add_argument(
            '--reject',
            action='store_true',
            help=_('Reject the snapshot instead of accepting it'),
        )
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc import share_plan
        from rcsnap_osc import sharing

        status = 'rejected' if parsed_args.reject else 'accepted'

        @sharing.translate_errors
        def act():
            conn = self.app.client_manager.rcsnap
            project_id = conn.current_project_id
            image = sharing.find_shared_snapshot(conn, parsed_args.snapshot)
            share_plan.check_member(image, project_id)
            return image, sharing.set_member_status(conn, image, project_id,
                                                    status)

        image, answer = act()
        return (('id', 'name', 'owner', 'member_status'),
                (image['id'], image.get('name'), image.get('owner'),
                 answer))


class UnshareSnapshot(base.ShowOne):
    _description = _(
        "Stop sharing an instance snapshot with other projects.\n\n"
        "Removes the projects from the snapshot's members; when none "
        "remains the image goes back to private. A copy made by 'share "
        "--copy' is unshared like any snapshot and is not deleted.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_snapshot_argument(parser, _('Snapshot to unshare (name or ID)'))
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
        from rcsnap_osc import cloud
        from rcsnap_osc import share_plan
        from rcsnap_osc import sharing

        @sharing.translate_errors
        def act():
            conn = self.app.client_manager.rcsnap
            project_id = conn.current_project_id
            image = cloud.find_snapshot(conn, parsed_args.snapshot)
            share_plan.check_owner(image, project_id)
            share_plan.check_shareable(image)
            targets = None
            if not parsed_args.all:
                targets = sharing.resolve_projects(conn, parsed_args.project)
            members = cloud.snapshot_members(conn, image)
            plan = share_plan.plan_unshare(image, project_id, members,
                                           targets)
            return image, plan, sharing.unshare(conn, image, plan, members)

        image, plan, members = act()
        for project in plan.not_members:
            self.app.stderr.write(_(
                'Project %(project)s was not a member of snapshot %(id)s.\n')
                % {'project': project, 'id': image['id']})
        return members_data(
            image, members, 'private' if plan.make_private else None)
