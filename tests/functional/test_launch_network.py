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

"""``rc snapshot launch`` onto the project's networks, against a real
Neutron: ``--network`` (once and twice), ``--security-group``, Nova's
automatic choice, ``--no-network``, and unknown names refused in one line
with nothing created. The launch output lists the ports the server got,
and Neutron agrees.

Skipped on a cloud where the project has no network of its own (the
local cloud started with ``LOCALCLOUD_NEUTRON=stand-in``, whose stand-in
lists none).
"""

import json

from tests.functional import base
from tests.functional import test_launch


class NetworkTest(test_launch.LaunchTest):

    def setUp(self):
        super().setUp()
        conn = base.connection()
        if not conn.config.get_endpoint_from_catalog('network'):
            self.skipTest('the cloud has no Networking service')
        self.networks = list(conn.network.networks(
            project_id=conn.current_project_id))
        if not self.networks:
            self.skipTest('project %s has no network of its own (a '
                          'Networking stand-in, e.g. the local cloud with '
                          'LOCALCLOUD_NEUTRON=stand-in?): launching onto '
                          'networks is not tested' % base.CLOUD)
        names = [n.name for n in self.networks]
        self.network = base.NETWORK or names[0]
        if self.network not in names:
            self.skipTest('RCSNAP_NETWORK %s is not a network of project %s'
                          % (self.network, base.CLOUD))

    def network_args(self):
        return []  # each test says which

    def ports_of(self, server_id):
        """Neutron's ports of a server, by ID."""
        return {p.id: p for p in base.connection().network.ports(
            device_id=server_id)}

    def assertPorts(self, launched, networks):
        """The launch output lists one ACTIVE port on each of
        ``networks`` (names, in order), as Neutron has them."""
        ports = launched['ports']
        self.assertEqual(networks, [p['network'] for p in ports])
        neutron = self.ports_of(launched['id'])
        self.assertEqual(sorted(neutron), sorted(p['id'] for p in ports))
        for port in ports:
            real = neutron[port['id']]
            self.assertEqual('ACTIVE', port['status'])
            self.assertEqual(real.network_id, port['network_id'])
            self.assertEqual([ip['ip_address'] for ip in real.fixed_ips],
                             port['fixed_ips'])
            self.assertEqual(sorted(real.security_group_ids),
                             port['security_group_ids'])
        return ports

    def security_group(self):
        """A security group of the test, removed at cleanup."""
        net = base.connection().network
        group = net.create_security_group(name='%s-sg' % self.prefix)
        self.addCleanup(net.delete_security_group, group.id,
                        ignore_missing=True)
        return group

    def default_group(self):
        conn = base.connection()
        return conn.network.find_security_group(
            'default', project_id=conn.current_project_id,
            ignore_missing=False).id


class TestLaunchOntoNetworks(NetworkTest):

    def test_network_security_group_auto_and_none(self):
        """Four launches side by side: ``--network NAME``; the same with
        ``--security-group``; neither (Nova's automatic choice: the
        project's only network); ``--no-network``."""
        snap = self.snapshot_image()
        group = self.security_group()
        variants = [
            ('--network', self.network),
            ('--network', self.network, '--security-group', group.name),
            ('--no-network',),
        ]
        auto = len(self.networks) == 1
        if auto:
            variants.append(())
        procs = self.launch_each(snap, variants)
        launched = []
        for proc in procs:
            self.assertEqual(0, proc.returncode, proc.stderr)
            launched.append(json.loads(proc.stdout))
            self.assertEqual('ACTIVE', launched[-1]['status'])
        default = self.default_group()
        by_name = self.assertPorts(launched[0], [self.network])
        self.assertEqual([default], by_name[0]['security_group_ids'])
        grouped = self.assertPorts(launched[1], [self.network])
        self.assertEqual([group.id], grouped[0]['security_group_ids'])
        self.assertEqual([], launched[2]['ports'])
        self.assertEqual({}, self.ports_of(launched[2]['id']))
        self.assertEqual({}, base.connection().compute.get_server(
            launched[2]['id']).addresses)
        if not auto:
            self.skipTest('project %s has %d networks: Nova\'s automatic '
                          'choice is not tested' % (base.CLOUD,
                                                    len(self.networks)))
        chosen = self.assertPorts(launched[3], [self.networks[0].name])
        self.assertEqual([default], chosen[0]['security_group_ids'])

    def test_table_lists_the_ports(self):
        snap = self.snapshot_image()
        name = '%s-table' % self.prefix
        self.addCleanup(self.delete_launched, [name])
        proc = base.run('rc', 'snapshot', 'launch', snap['id'], '--name',
                        name, '--network', self.network, '--wait',
                        '--timeout', str(base.TIMEOUT), '-c', 'id', '-c',
                        'ports', parse=False)
        server = self.servers_named(name)[0]
        port = list(self.ports_of(server.id).values())[0]
        self.assertIn('%s: %s, %s, ACTIVE; security groups: %s' % (
            port.id, self.network, port.fixed_ips[0]['ip_address'],
            self.default_group()), proc.stdout)


class TestLaunchNetworkErrors(NetworkTest):

    def test_unknown_network_and_security_group(self):
        """One line each, and no server: both are refused before Nova is
        asked."""
        snap = self.snapshot_image()
        name = '%s-bad' % self.prefix
        self.addCleanup(self.delete_launched, [name])
        self.assertFailsCleanly(
            "No network with a name or ID of '%s-net' exists." % self.prefix,
            'rc', 'snapshot', 'launch', snap['id'], '--name', name,
            '--network', '%s-net' % self.prefix)
        self.assertFailsCleanly(
            "No security group with a name or ID of '%s-sg' exists."
            % self.prefix, 'rc', 'snapshot', 'launch', snap['id'],
            '--name', name, '--network', self.network,
            '--security-group', '%s-sg' % self.prefix)
        self.assertEqual([], self.servers_named(name))


class TestLaunchTwoNetworks(NetworkTest):
    """Adds a network to the project for a moment (Nova's automatic
    choice would find two): runs alone (tests/functional/alone.txt)."""

    def test_two_networks_a_port_on_each(self):
        snap = self.snapshot_image()
        net = base.connection().network
        second = net.create_network(name='%s-net2' % self.prefix)
        self.addCleanup(net.delete_network, second.id, ignore_missing=True)
        subnet = net.create_subnet(
            name='%s-subnet2' % self.prefix, network_id=second.id,
            ip_version=4, cidr='192.0.2.0/24', is_dhcp_enabled=False)
        self.addCleanup(net.delete_subnet, subnet.id, ignore_missing=True)
        proc = self.launch(snap, '--network', self.network, '--network',
                           second.name)
        self.assertEqual(0, proc.returncode, proc.stderr)
        launched = json.loads(proc.stdout)
        self.assertPorts(launched, [self.network, second.name])
