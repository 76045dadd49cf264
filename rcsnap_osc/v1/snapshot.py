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

"""Instance snapshot commands: create, show, list.

Commands stay thin: parse arguments, call :mod:`rcsnap_osc.cloud` and
:mod:`rcsnap_osc.snapshots`, format columns. ``cloud`` pulls in the SDK, so
it is imported inside ``take_action``, never when ``openstack`` starts.
"""

import logging

from cliff import columns
from osc_lib.cli import format_columns
from osc_lib.cli import parseractions

from rcsnap_osc.i18n import _
from rcsnap_osc import snapshots
from rcsnap_osc.v1 import base

LOG = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 1800

SHOW_COLUMNS = (
    'id', 'name', 'status', 'type', 'size', 'size_bytes', 'image_size',
    'volume_snapshots', 'min_disk', 'min_ram', 'visibility', 'owner',
    'created_at', 'properties',
)


class VolumeSnapshotsColumn(columns.FormattableColumn):
    """Per-device volume snapshots: a line each in tables, a list in JSON."""

    def human_readable(self):
        return '\n'.join(
            '%s (boot index %s): %s, %s, %s' % (
                d.device_name or '-',
                '-' if d.boot_index is None else d.boot_index,
                d.snapshot_id,
                'size unknown' if d.size_gib is None else
                '%s GiB' % d.size_gib,
                d.status)
            for d in self._value)

    def machine_readable(self):
        return [d.as_dict() for d in self._value]


class PropertiesColumn(columns.FormattableColumn):
    """Image properties: ``key=value`` lines in tables, long values wrapped
    (the mapping Nova writes is hundreds of characters); a dict in JSON."""

    WIDTH = 72

    def human_readable(self):
        import textwrap

        lines = []
        for key, value in sorted(self._value.items()):
            lines.extend(textwrap.wrap(
                '%s=%s' % (key, value), self.WIDTH, subsequent_indent='  ',
                break_on_hyphens=False) or ['%s=' % key])
        return '\n'.join(lines)

    def machine_readable(self):
        return dict(self._value)


def show_data(summary):
    """The ``show`` row of a :class:`snapshots.Summary`."""
    image = summary.image
    return SHOW_COLUMNS, (
        image.get('id'),
        image.get('name'),
        image.get('status'),
        summary.type,
        summary.size,
        summary.size_bytes,
        image.get('size'),
        VolumeSnapshotsColumn(summary.devices),
        image.get('min_disk'),
        image.get('min_ram'),
        image.get('visibility'),
        image.get('owner'),
        image.get('created_at'),
        PropertiesColumn(snapshots.custom_properties(image)),
    )


def warn_missing(stderr, summary):
    """One warning line per volume snapshot Cinder did not return."""
    for device in summary.missing:
        stderr.write(_(
            'Warning: volume snapshot %(id)s (%(dev)s) of snapshot %(snap)s '
            'is missing: deleted, or not visible to this project.\n') % {
                'id': device.snapshot_id, 'dev': device.device_name or '-',
                'snap': summary.image.get('id')})


def add_wait_arguments(parser, what):
    """``--wait`` and ``--timeout``, the same on every command."""
    parser.add_argument(
        '--wait',
        action='store_true',
        help=_('Wait until %s; show progress on stderr') % what,
    )
    parser.add_argument(
        '--timeout',
        metavar='<seconds>',
        type=int,
        default=DEFAULT_TIMEOUT,
        help=_('With --wait, give up after this many seconds '
               '(default: %d)') % DEFAULT_TIMEOUT,
    )


class Progress:
    """Progress lines on stderr: on every change, else every ``every`` s."""

    def __init__(self, stderr, label, every=15):
        self.stderr = stderr
        self.label = label
        self.every = every
        self._last = (None, -every)

    def __call__(self, elapsed, pending):
        text = ', '.join(pending)
        if text != self._last[0] or elapsed - self._last[1] >= self.every:
            self.stderr.write('%s: %s (%d s)\n' % (self.label, text, elapsed))
            self.stderr.flush()
            self._last = (text, elapsed)


class CreateSnapshot(base.ShowOne):
    _description = _("Create an instance snapshot of a server")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'server',
            metavar='<server>',
            help=_('Server to snapshot (name or ID)'),
        )
        parser.add_argument(
            '--name',
            metavar='<name>',
            help=_('Name of the snapshot (default: the server name)'),
        )
        parser.add_argument(
            '--property',
            metavar='<key=value>',
            action=parseractions.KeyValueAction,
            default={},
            help=_('Property to set on the snapshot image '
                   '(repeat option to set multiple properties)'),
        )
        add_wait_arguments(
            parser, _('the image is active and its volume snapshots are '
                      'available'))
        return parser

    def take_action(self, parsed_args):
        from openstack import exceptions as sdk_exc
        from osc_lib import exceptions

        from rcsnap_osc import cloud

        @cloud.translate_errors
        def act():
            conn = self.app.client_manager.rcsnap
            server = cloud.find_server(conn, parsed_args.server)
            name = parsed_args.name or server.name
            try:
                image_id = cloud.create_server_snapshot(
                    conn, server, name, parsed_args.property)
            except sdk_exc.ConflictException as exc:
                raise exceptions.CommandError(
                    _('Cannot snapshot server %(server)s now: %(why)s') % {
                        'server': parsed_args.server,
                        'why': cloud.describe_detail(exc)})
            if parsed_args.wait:
                image = cloud.wait_for_snapshot(
                    conn, image_id, parsed_args.timeout,
                    progress=Progress(self.app.stderr,
                                      _('Snapshot %s') % image_id))
            else:
                image = cloud.image_record(conn.image.get_image(image_id))
            return cloud.summarize(conn, image)

        summary = act()
        warn_missing(self.app.stderr, summary)
        return show_data(summary)


class ShowSnapshot(base.ShowOne):
    _description = _("Show an instance snapshot and its real size")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'snapshot',
            metavar='<snapshot>',
            help=_('Instance snapshot to show (name or ID)'),
        )
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc import cloud

        @cloud.translate_errors
        def act():
            conn = self.app.client_manager.rcsnap
            image = cloud.find_snapshot(conn, parsed_args.snapshot)
            return (cloud.summarize(conn, image),
                    cloud.snapshot_members(conn, image))

        summary, members = act()
        warn_missing(self.app.stderr, summary)
        names, values = show_data(summary)
        if members is not None:  # only the owner sees the members
            from rcsnap_osc.v1 import snapshot_share
            names += ('members',)
            values += (snapshot_share.MembersColumn(members),)
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
            help=_('List additional fields in output'),
        )
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc import cloud

        shared = parsed_args.scope == 'shared'

        @cloud.translate_errors
        def act():
            conn = self.app.client_manager.rcsnap
            if shared:
                return cloud.list_shared_snapshots(conn,
                                                   name=parsed_args.name)
            return [(s, None) for s in cloud.list_snapshots(
                conn, parsed_args.scope, name=parsed_args.name)]

        found = act()
        summaries = [summary for summary, _status in found]
        headers = ['ID', 'Name', 'Status', 'Type', 'Size']
        if parsed_args.long:
            headers += ['Size Bytes', 'Image Size', 'Volume Snapshots',
                        'Min Disk', 'Min RAM', 'Visibility', 'Owner',
                        'Created At']
        rows = []
        for summary in summaries:
            image = summary.image
            row = [image.get('id'), image.get('name'), image.get('status'),
                   summary.type, summary.size]
            if parsed_args.long:
                row += [summary.size_bytes, image.get('size'),
                        format_columns.ListColumn(
                            [d.snapshot_id for d in summary.devices]),
                        image.get('min_disk'), image.get('min_ram'),
                        image.get('visibility'), image.get('owner'),
                        image.get('created_at')]
            rows.append(row)
        if shared:  # this project's answer to each shared snapshot
            headers.append('Member Status')
            for row, (_summary, status) in zip(rows, found):
                row.append(status)
        return headers, rows
