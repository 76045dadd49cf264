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

Each command parses its arguments, makes one call to :mod:`rcsnap_osc.cloud`
(or :mod:`rcsnap_osc.creating`, :mod:`rcsnap_osc.sharing`) and formats the
result. Those pull in the SDK, so they are imported inside ``take_action``,
never when ``openstack`` starts; errors are reported by
:mod:`rcsnap_osc.v1.base`.
"""

from cliff import columns
from osc_lib.cli import format_columns
from osc_lib.cli import parseractions

from rcsnap_osc.i18n import _
from rcsnap_osc import snapshots
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common

SHOW_COLUMNS = (
    'id', 'name', 'status', 'type', 'size_gib', 'image_size',
    'volume_snapshots', 'min_disk', 'min_ram', 'visibility', 'owner',
    'created_at', 'properties',
)


def show_data(summary):
    """The ``show`` row of a :class:`snapshots.Summary`."""
    image = summary.image
    return SHOW_COLUMNS, (
        image.get('id'),
        image.get('name'),
        image.get('status'),
        summary.type,
        common.SizeColumn(summary.size_gib),
        image.get('size'),
        common.VolumeSnapshotsColumn(summary.devices),
        image.get('min_disk'),
        image.get('min_ram'),
        image.get('visibility'),
        image.get('owner'),
        image.get('created_at'),
        common.PropertiesColumn(snapshots.custom_properties(image)),
    )


CREATE_DESCRIPTION = _("""Create an instance snapshot of a server

Before Nova is asked, it says on stderr which snapshot you are getting:
"file systems frozen by the guest agent" (the server is ACTIVE and the
image it booted from declares hw_qemu_guest_agent), "crash-consistent"
(it does not: Nova skips freezing and does not tell), or "server is
stopped: consistent". The verdict is recorded on the snapshot (property
rcsnap:consistency) and shown by "rc snapshot show". To snapshot several
servers at once, use "rc snapshot batch create".""")


def add_create_arguments(parser, wait_what):
    """The options ``create`` and ``batch create`` share."""
    parser.add_argument(
        '--property',
        metavar='<key=value>',
        action=parseractions.KeyValueAction,
        default={},
        help=_('Property to set on the snapshot image '
               '(repeat option to set multiple properties)'),
    )
    parser.add_argument(
        '--stop',
        action='store_true',
        help=_('Stop an ACTIVE server first (wait until SHUTOFF), take the '
               'snapshot, wait until it is usable, then start the server '
               'again, also after a failure, a timeout or Ctrl-C; says how '
               'long it was down. A stopped server stays stopped'),
    )
    parser.add_argument(
        '--require-quiesce',
        action='store_true',
        help=_('Refuse, before anything is made, unless the file systems '
               'will be frozen by the guest agent or the server is stopped '
               '(with --stop or already); a refusal of Nova to freeze them '
               'is reported as such'),
    )
    common.add_wait_arguments(parser, wait_what)


class CreateSnapshot(base.ShowOne):
    _description = CREATE_DESCRIPTION

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
        add_create_arguments(
            parser, _('the image is active and its volume snapshots are '
                      'available'))
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc import creating

        say = common.say_to(self.app.stderr)
        result = creating.create_snapshot(
            self.conn, parsed_args.server, parsed_args.name,
            parsed_args.property,
            wait=parsed_args.timeout if (
                parsed_args.wait or parsed_args.stop) else None,
            progress=lambda image_id: common.Progress(
                self.app.stderr, _('Snapshot %s') % image_id),
            stop=parsed_args.stop,
            require_quiesce=parsed_args.require_quiesce, say=say)
        if result.down is not None:
            say(_('Server %(server)s was down for %(secs)d s.') % {
                'server': result.server.name, 'secs': result.down})
        common.warn_missing(self.app.stderr, result.summary)
        return show_data(result.summary)


BATCH_DESCRIPTION = _("""Create instance snapshots of several servers at once

The snapshots are requested together and waited for together, and the
output is one row per server. A failure on one server does not stop the
others: its row says why, and the command exits 1. The verdict of each
server (see "rc snapshot create") is said on stderr first.

This is a command of its own because "rc snapshot create" prints the
fields of one snapshot, which scripts read, and a cliff command prints
either the fields of one thing or rows, with different formats and
options.""")

BATCH_HEADERS = ('Server', 'Snapshot ID', 'Name', 'Type', 'Size GiB',
                 'Status', 'Consistency')


class DurationColumn(columns.FormattableColumn):
    """Seconds: ``14 s`` in tables, the number in machine formats."""

    def human_readable(self):
        return '' if self._value is None else '%d s' % self._value

    def machine_readable(self):
        return None if self._value is None else round(self._value)


def batch_row(result, dry_run=False, stop=False):
    summary = result.summary
    if dry_run:
        status = (_('would be refused (%s)') % result.error if result.error
                  else _('would snapshot'))
    elif summary is None:
        status = _('failed (%s)') % (result.error or _('not made'))
    else:
        status = summary.image.get('status')
    row = (result.server.name, summary.image.get('id') if summary else '',
           result.name, summary.type if summary else '',
           common.SizeColumn(summary.size_gib) if summary else '', status,
           result.verdict.consistency)
    return row + (DurationColumn(result.down),) if stop else row


class CreateSnapshotBatch(base.Lister):
    _description = BATCH_DESCRIPTION

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'servers',
            metavar='<server>',
            nargs='*',
            help=_('Server to snapshot (name or ID); repeat to snapshot '
                   'several'),
        )
        parser.add_argument(
            '--all',
            action='store_true',
            help=_('Snapshot every server of the project; asks first on a '
                   'terminal, needs --yes otherwise'),
        )
        parser.add_argument(
            '--yes',
            action='store_true',
            help=_('With --all, do not ask'),
        )
        parser.add_argument(
            '--name',
            metavar='<template>',
            help=_('Name of each snapshot, where {server} is the server '
                   'name, {id} its ID and {date} the UTC time, e.g. '
                   '20261201T101530Z (default: {server}-{date}, and '
                   '{server}-{id}-{date} for servers of the same name)'),
        )
        parser.add_argument(
            '--dry-run',
            action='store_true',
            help=_('List the servers, the names their snapshots would get '
                   'and their verdicts; make no change (only read requests '
                   'are sent)'),
        )
        add_create_arguments(
            parser, _('the images are active and their volume snapshots '
                      'are available'))
        return parser

    def take_action(self, parsed_args):
        from osc_lib import exceptions

        from rcsnap_osc import creating

        args = parsed_args
        if bool(args.servers) == bool(args.all):
            raise exceptions.CommandError(_(
                'Name the servers to snapshot, or give --all for every '
                'server of the project.'))
        ask = args.all and not (args.yes or args.dry_run)
        if ask and not self.app.stdin.isatty():
            raise exceptions.CommandError(_(
                '--all snapshots every server of the project: add --yes to '
                'confirm.'))
        results = creating.plan_snapshots(
            self.conn, args.servers, args.name, stop=args.stop,
            require_quiesce=args.require_quiesce)
        say = common.say_to(self.app.stderr)
        for result in results:
            say(_('Server %(server)s: %(verdict)s.') % {
                'server': result.server.name,
                'verdict': result.verdict.text})
        headers = BATCH_HEADERS + ((_('Down'),) if args.stop else ())
        if args.dry_run:
            return headers, [batch_row(r, True, args.stop) for r in results]
        if ask and not self.confirm(results):
            raise exceptions.CommandError(_('Nothing was done.'))
        creating.create_snapshots(
            self.conn, results, args.property,
            wait=args.timeout if args.wait or args.stop else None,
            progress=lambda image_id: common.Progress(
                self.app.stderr, _('Snapshot %s') % image_id),
            stop=args.stop, say=say)
        failed = [r.server.name for r in results if r.summary is None]
        if failed:
            self.fail_after_output(exceptions.CommandError(_(
                '%(failed)d of %(total)d servers were not snapshotted: '
                '%(names)s') % {'failed': len(failed),
                                'total': len(results),
                                'names': ', '.join(failed)}))
        return headers, [batch_row(r, stop=args.stop) for r in results]

    def confirm(self, results):
        self.app.stderr.write(_(
            'Snapshot all %(count)d servers of the project (%(names)s)? '
            '[y/N] ') % {'count': len(results), 'names': ', '.join(
                r.server.name for r in results)})
        self.app.stderr.flush()
        answer = self.app.stdin.readline().strip().lower()
        return answer in ('y', 'yes')


class ShowSnapshot(base.ShowOne):
    _description = _("Show an instance snapshot and its real size")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        common.add_snapshot_argument(
            parser, _('Instance snapshot to show (name or ID)'))
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc import create_plan
        from rcsnap_osc import lookup

        summary, members = lookup.show_snapshot(self.conn,
                                                parsed_args.snapshot)
        common.warn_missing(self.app.stderr, summary)
        names, values = show_data(summary)
        # recorded by create; "unknown" for snapshots made elsewhere
        names += ('consistency',)
        values += (create_plan.recorded(summary.image),)
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
            help=_('List additional fields in output'),
        )
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc import cloud
        from rcsnap_osc import sharing

        shared = parsed_args.scope == 'shared'
        if shared:  # with this project's answer to each
            found = sharing.list_shared_snapshots(self.conn,
                                                  name=parsed_args.name)
        else:
            found = [(s, None) for s in cloud.list_snapshots(
                self.conn, parsed_args.scope, name=parsed_args.name)]
        headers = ['ID', 'Name', 'Status', 'Type', 'Size GiB']
        if parsed_args.long:
            headers += ['Image Size', 'Volume Snapshots', 'Min Disk',
                        'Min RAM', 'Visibility', 'Owner', 'Created At']
        if shared:
            headers.append('Member Status')
        rows = []
        for summary, status in found:
            image = summary.image
            row = [image.get('id'), image.get('name'), image.get('status'),
                   summary.type, common.SizeColumn(summary.size_gib)]
            if parsed_args.long:
                row += [image.get('size'),
                        format_columns.ListColumn(
                            [d.snapshot_id for d in summary.devices]),
                        image.get('min_disk'), image.get('min_ram'),
                        image.get('visibility'), image.get('owner'),
                        image.get('created_at')]
            if shared:
                row.append(status)
            rows.append(row)
        return headers, rows
