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

"""The launch output's ports, as plain functions."""

import testtools

from rcsnap_osc.core import ports as launch_ports
from tests.unit import fakes

A, B, C = 'fa:16:3e:00:00:0a', 'fa:16:3e:00:00:0b', 'fa:16:3e:00:00:0c'


class TestPortRows(testtools.TestCase):

    def rows(self, ports, addresses):
        return [(r['id'], r['network']) for r in
                launch_ports.port_rows(ports, addresses)]

    def test_server_interface_order_and_names(self):
        addresses = {'net-b': [fakes.address('10.0.1.5', B)],
                     'net-a': [fakes.address('10.0.0.5', A),
                               fakes.address('10.0.0.6', C)]}
        ports = [fakes.port('pa', 'id-a', mac=A),
                 fakes.port('pc', 'id-a', mac=C),
                 fakes.port('pb', 'id-b', mac=B)]
        self.assertEqual([('pb', 'net-b'), ('pa', 'net-a'),
                          ('pc', 'net-a')], self.rows(ports, addresses))

    def test_port_the_addresses_do_not_show_is_last_by_network_id(self):
        ports = [fakes.port('px', 'id-x', mac=C),
                 fakes.port('pa', 'id-a', mac=A)]
        self.assertEqual([('pa', 'net-a'), ('px', 'id-x')], self.rows(
            ports, {'net-a': [fakes.address('10.0.0.5', A)]}))

    def test_no_ports(self):
        self.assertEqual([], launch_ports.port_rows([], {}))
