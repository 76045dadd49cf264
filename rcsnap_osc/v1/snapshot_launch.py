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

"""``rc snapshot flavors`` and ``rc snapshot launch``.

Both decide with :func:`rcsnap_osc.launch.plan.check`, so a flavor that
``flavors`` marks as fitting is one ``launch`` accepts, and the reverse.
"""

from cliff import columns

from rcsnap_osc.core import snapshots
from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common

LAUNCH_COLUMNS = (
    'id', 'name', 'status', 'flavor', 'snapshot_id', 'snapshot_name',
    'type', 'root_volume_id', 'root_volume_size', 'volumes', 'ports',
    'kept_images',
)


class LaunchedVolumesColumn(columns.FormattableColumn):
    """The volumes a launch makes: a line each in tables, a list in JSON."""

    def human_readable(self):
        lines = []
        for v in self._value:
            lines.append(_(
                '%(id)s: %(role)s, %(size)s, from %(source)s; %(depends)s; '
                '%(dot)s') % {
                    'id': v['id'] or _('(not made yet)'),
                    'role': _('root') if v['boot_index'] == 0 else _('data'),
                    'size': snapshots.format_gib(v['size_gib']),
                    'source': v['made_from'],
                    'depends': _('depends on the snapshot')
                    if v['depends_on_snapshot'] else _('independent'),
                    'dot': _('deleted with the server')
                    if v['delete_on_termination']
                    else _('kept when the server is deleted')})
        return '\n'.join(lines)

    def machine_readable(self):
        return [dict(v) for v in self._value]


class LaunchedPortsColumn(columns.FormattableColumn):
    """The ports a launched server got: a line each in tables, a list in
    JSON."""

    def human_readable(self):
        return '\n'.join(_(
            '%(id)s: %(network)s, %(ips)s, %(status)s; security groups: '
            '%(groups)s') % {
                'id': p['id'], 'network': p['network'],
                'ips': ', '.join(p['fixed_ips']) or _('no address'),
                'status': p['status'],
                'groups': ', '.join(p['security_group_ids']) or _('none')}
            for p in self._value)

    def machine_readable(self):
        return [dict(p) for p in self._value]


def add_snapshot_arguments(parser, what):
    """The snapshot positional and ``--size``, the same on both commands."""
    common.add_snapshot_argument(parser, what)
    parser.add_argument(
        '--size',
        metavar='<GiB>',
        type=common.whole_number(1),
        help=_('Volume-backed snapshots only: size of the new root volume '
               'in GiB, instead of the size the snapshot records. Use it '
               'when the snapshot inherited a min_disk larger than its '
               'volume; it cannot be smaller than the root volume '
               'snapshot'),
    )


class ListSnapshotFlavor(base.Lister):
    _description = _(
        "List the flavors that can launch an instance snapshot, smallest "
        "first.\n\n"
        "Nova's own rule decides which fit.\n\n"
        "The user guide page \"Launch from a snapshot\" has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_snapshot_arguments(parser, _('Instance snapshot (name or ID)'))
        parser.add_argument(
            '--all',
            action='store_true',
            default=False,
            help=_('Show every flavor, with why it does not fit (default: '
                   'only the flavors that fit, and a count of the others '
                   'on stderr)'),
        )
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.launch import run as launching

        summary, verdicts = launching.flavor_verdicts(
            self.conn, parsed_args.snapshot, parsed_args.size)
        common.warn_missing(self.app.stderr, summary)
        shown = verdicts if parsed_args.all else [
            v for v in verdicts if v.fits]
        hidden = len(verdicts) - len(shown)
        if hidden:
            self.app.stderr.write(_(
                '%d flavor(s) that do not fit are hidden; --all shows '
                'them.\n') % hidden)
        headers = ('ID', 'Name', 'vCPUs', 'RAM', 'Disk', 'Fits', 'Why')
        rows = [(v.flavor.get('id'), v.flavor.get('name'),
                 v.flavor.get('vcpus'), v.flavor.get('ram'),
                 v.flavor.get('disk'), _('yes') if v.fits else _('no'),
                 v.why) for v in shown]
        return headers, rows


class LaunchSnapshot(base.ShowOne):
    _description = _(
        "Launch a server from an instance snapshot.\n\n"
        "It checks first that the snapshot is ready and the flavor fits: "
        "when not, nothing is created.\n\n"
        "The user guide page \"Launch from a snapshot\" has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_snapshot_arguments(parser,
                               _('Instance snapshot to launch (name or ID)'))
        parser.add_argument(
            '--flavor',
            metavar='<flavor>',
            help=_('Flavor (name or ID; default: the smallest flavor that '
                   'fits, by RAM, then vCPUs, then disk)'),
        )
        parser.add_argument(
            '--name',
            metavar='<name>',
            help=_('Name of the new server (default: the snapshot name)'),
        )
        nets = parser.add_mutually_exclusive_group()
        nets.add_argument(
            '--network',
            metavar='<network>',
            action='append',
            default=[],
            help=_('Attach a port on this network (name or ID; repeat '
                   'option to attach several). Without --network or '
                   '--no-network, Nova allocates a network automatically '
                   '("auto": the project\'s only network, or one made for '
                   'it), or, on a cloud without a Networking service, the '
                   'server gets none'),
        )
        nets.add_argument(
            '--no-network',
            action='store_true',
            default=False,
            help=_('Launch the server without any network ("none")'),
        )
        parser.add_argument(
            '--key-name',
            metavar='<key-name>',
            help=_('Key pair to inject into the server'),
        )
        parser.add_argument(
            '--security-group',
            metavar='<security-group>',
            action='append',
            default=[],
            help=_('Security group (name or ID) for the server\'s ports '
                   '(repeat option to set several; default: the '
                   'project\'s "default" group)'),
        )
        parser.add_argument(
            '--availability-zone',
            metavar='<zone>',
            help=_('Availability zone to launch the server in'),
        )
        parser.add_argument(
            '--delete-on-termination',
            action='store_true',
            default=False,
            help=_('Volume-backed snapshots (and --with-data-volumes): '
                   'delete the volumes made for the server when the server '
                   'is deleted (default: what the snapshot records, usually '
                   'keep them)'),
        )
        parser.add_argument(
            '--independent',
            action='store_true',
            default=False,
            help=_('Volume-backed snapshots: make the server\'s volumes from '
                   'temporary images of the volume snapshots (through '
                   'temporary volumes), so that they do not depend on the '
                   'snapshot and the snapshot can be deleted while the '
                   'server lives. Waits until the server is ACTIVE (see '
                   '--timeout), then deletes the temporary images; one the '
                   'cloud still uses for the new volumes is kept, hidden, '
                   'and named. While it runs it needs volume quota for a '
                   'temporary copy of each volume'),
        )
        parser.add_argument(
            '--with-data-volumes',
            action='store_true',
            default=False,
            help=_('A copy shared with "rc snapshot share --copy --volumes '
                   'all": also make a volume of each of its data images and '
                   'attach it to the server (accept the copy first: its '
                   'data images are accepted with it). The volumes are kept '
                   'when the server is deleted, unless '
                   '--delete-on-termination'),
        )
        common.add_wait_arguments(parser, _('the server is ACTIVE'))
        parser.add_argument(
            '--keep-failed',
            action='store_true',
            default=False,
            help=_('With --wait: keep a server that went to ERROR, and the '
                   'volumes made for it, to investigate (default: delete '
                   'them, so nothing is left behind)'),
        )
        return parser

    def take_action(self, parsed_args):
        from osc_lib.cli import format_columns

        from rcsnap_osc.launch import plan
        from rcsnap_osc.launch import run as launching

        args = parsed_args
        launched = launching.launch(
            self.conn, args.snapshot, plan.Request(
                flavor=args.flavor, name=args.name,
                networks=tuple(args.network or ()),
                no_network=args.no_network, key_name=args.key_name,
                security_groups=tuple(args.security_group or ()),
                availability_zone=args.availability_zone, size=args.size,
                delete_on_termination=args.delete_on_termination,
                independent=args.independent,
                with_data_volumes=args.with_data_volumes,
                wait=args.timeout if args.wait or args.independent else None,
                keep_failed=args.keep_failed),
            common.StderrReporter(self.app.stderr))
        launched['volumes'] = LaunchedVolumesColumn(launched['volumes'])
        launched['ports'] = LaunchedPortsColumn(launched['ports'])
        launched['kept_images'] = format_columns.ListColumn(
            launched['kept_images'])
        return LAUNCH_COLUMNS, tuple(launched[c] for c in LAUNCH_COLUMNS)
