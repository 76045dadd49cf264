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

Both decide with :func:`rcsnap_osc.flavor_fit.check`, so a flavor that
``flavors`` marks as fitting is one ``launch`` accepts, and the reverse.
"""

from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import snapshot as snapshot_cmd

LAUNCH_COLUMNS = (
    'id', 'name', 'status', 'flavor', 'snapshot_id', 'snapshot_name',
    'type', 'root_volume_id', 'root_volume_size',
)


def _label(summary):
    return '%s (%s)' % (summary.image.get('name'), summary.image['id'])


def add_snapshot_arguments(parser, what):
    """The snapshot positional and ``--size``, the same on both commands."""
    parser.add_argument(
        'snapshot',
        metavar='<snapshot>',
        help=what,
    )
    parser.add_argument(
        '--size',
        metavar='<GiB>',
        type=int,
        help=_('Volume-backed snapshots only: size of the new root volume '
               'in GiB, instead of the size the snapshot records. Use it '
               'when the snapshot inherited a min_disk larger than its '
               'volume; it cannot be smaller than the root volume '
               'snapshot'),
    )


def need_for(summary, size):
    """The snapshot's Need at ``--size``; a bad ``--size`` is refused."""
    from osc_lib import exceptions

    from rcsnap_osc import flavor_fit

    need = flavor_fit.need_of(summary, size)
    problem = flavor_fit.size_error(need, size)
    if problem:
        raise exceptions.CommandError(problem)
    return need


class ListSnapshotFlavor(base.Lister):
    _description = _(
        "List the flavors that can launch an instance snapshot, smallest "
        "first.\n\nA volume-backed snapshot needs RAM >= its min_ram and a "
        "root volume >= its min_disk (the flavor's disk is not used); an "
        "image-backed one needs RAM >= min_ram and a flavor disk >= both "
        "min_disk and the image's size")

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
        from rcsnap_osc import cloud
        from rcsnap_osc import flavor_fit
        from rcsnap_osc import servers

        @cloud.translate_errors
        def act():
            conn = self.app.client_manager.rcsnap
            image = cloud.find_snapshot(conn, parsed_args.snapshot)
            summary = cloud.summarize(conn, image)
            need = need_for(summary, parsed_args.size)
            return summary, flavor_fit.verdicts(servers.list_flavors(conn),
                                                need)

        summary, verdicts = act()
        snapshot_cmd.warn_missing(self.app.stderr, summary)
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
        "Launch a server from an instance snapshot.\n\nChecks first that the "
        "snapshot is ready and the flavor fits (the rule of rc snapshot "
        "flavors): when it does not, nothing is created")

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
        snapshot_cmd.add_wait_arguments(parser, _('the server is ACTIVE'))
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
        from rcsnap_osc import cloud

        @cloud.translate_errors
        def act():
            return self._launch(self.app.client_manager.rcsnap, parsed_args)

        return act()

    def _preflight(self, conn, parsed_args):
        """Everything that can be refused before the POST: returns the
        attributes of the request and what the output needs."""
        from rcsnap_osc import servers

        summary = servers.ready_summary(conn, parsed_args.snapshot)
        need = need_for(summary, parsed_args.size)
        flavors = servers.list_flavors(conn)
        if parsed_args.flavor:
            flavor = servers.find_flavor(flavors, parsed_args.flavor)
            servers.fit_or_refuse(flavors, flavor, need, _label(summary))
        else:
            flavor = servers.smallest_fit(flavors, need, _label(summary))
        if parsed_args.no_network:
            networks = servers.NONE
        elif parsed_args.network:
            networks = servers.find_networks(conn, parsed_args.network)
        else:
            networks = (servers.AUTO if servers.has_networking(conn)
                        else servers.NONE)
        groups = servers.find_security_groups(conn,
                                              parsed_args.security_group)
        servers.check_keypair(conn, parsed_args.key_name)
        if not parsed_args.flavor:  # said once nothing else can refuse
            self.app.stderr.write(_(
                'Using flavor %(name)s (%(id)s), the smallest that fits.\n')
                % {'name': flavor['name'], 'id': flavor['id']})
        attrs = servers.server_attrs(
            summary, flavor, parsed_args.name or summary.image.get('name'),
            networks, size=parsed_args.size, key_name=parsed_args.key_name,
            security_groups=groups,
            availability_zone=parsed_args.availability_zone,
            volume_types=(parsed_args.size is not None
                          and servers.supports(conn, '2.67')))
        return summary, need, flavor, attrs

    def _launch(self, conn, parsed_args):
        from osc_lib import exceptions

        from rcsnap_osc import servers

        summary, need, flavor, attrs = self._preflight(conn, parsed_args)
        server = servers.create_server(conn, attrs)
        volume = None
        if parsed_args.wait:
            try:
                server = servers.wait_for_server(
                    conn, server.id, parsed_args.timeout,
                    progress=snapshot_cmd.Progress(
                        self.app.stderr, _('Server %s') % server.id))
            except servers.LaunchFailed as failed:
                raise exceptions.CommandError(
                    self._failure(conn, failed, summary, parsed_args))
            except KeyboardInterrupt:
                # Nova goes on building: say what is there, and how to
                # remove it, rather than leave it unsaid.
                self.app.stderr.write(_(
                    'Interrupted: server %(id)s is still being built; '
                    '`openstack server delete %(id)s` removes it.\n') % {
                        'id': server.id})
                raise
            volume = servers.root_volume(conn, server, need)
        return LAUNCH_COLUMNS, (
            server.id, attrs['name'], server.status or 'BUILD',
            flavor['name'], summary.image['id'], summary.image.get('name'),
            summary.type, volume and volume['id'],
            volume and volume.get('size'))

    def _failure(self, conn, failed, summary, parsed_args):
        """The one line a failed launch ends with, after the cleanup."""
        from keystoneauth1 import exceptions as ksa_exc
        from openstack import exceptions as sdk_exc

        from rcsnap_osc import cloud
        from rcsnap_osc import servers

        server = failed.server
        text = _('Server %(id)s went to ERROR: %(fault)s') % {
            'id': server.id, 'fault': failed.fault}
        if parsed_args.keep_failed:
            return text + _('; kept it (--keep-failed).')
        try:
            deleted, left = servers.remove_failed(conn, server, summary)
        except (sdk_exc.SDKException, ksa_exc.ClientException) as exc:
            return text + _('; cleaning up failed: %s') % cloud.describe(exc)
        text += _('; deleted the server')
        if deleted:
            text += _(' and volume(s) %s') % ', '.join(deleted)
        if left:
            text += _('; could not delete %s') % ', '.join(left)
        return text + '.'
