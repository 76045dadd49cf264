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

"""``rc snapshot restore`` over HTTP fakes: a port on a network of
another project gets a new address and its floating IP follows; a
server already stopped; the question on a terminal; a start that cannot
be taken back."""

import io
import json

import fixtures

from tests.unit import fakes
from tests.unit.restore import base
from tests.unit.restore import data
from tests.unit.restore import test_restore
from tests.unit.restore import test_rollback

REPLACEMENT = test_restore.REPLACEMENT
SHARED_IP = '172.24.4.10'


class TestSharedNetwork(base.RestoreTest):

    def test_new_address_and_the_floating_ip_follows(self):
        mac = 'fa:16:3e:00:00:01'
        server = data.old_server(addresses={'shared': [
            fakes.address(SHARED_IP, mac)]})
        fake = self.cloud(
            server=server,
            ports=[data.port(network_id=data.SHARED_NETWORK_ID,
                             subnet_id=data.SHARED_SUBNET_ID, ip=SHARED_IP,
                             mac=mac)],
            fips=[data.floating_ip(fixed=SHARED_IP)],
            networks={data.SHARED_NETWORK_ID: data.shared_network()})
        code, out, err = self.restore('--yes', '-f', 'json')
        self.assertEqual(0, code, err)
        # No address is asked for, none is freed.
        self.assertEqual(REPLACEMENT[:3] + REPLACEMENT[6:], self.writes())
        posted = self.bodies('POST', base.NOVA + '/servers')[0]['server']
        self.assertEqual([{'uuid': data.SHARED_NETWORK_ID}],
                         posted['networks'])
        new_port = base.cloud.NEW_PORT_ID
        self.assertEqual([{'floatingip': {
            'port_id': new_port, 'fixed_ip_address': '172.24.4.201'}}],
            self.bodies('PUT', base.FIP)[1:])
        rows = json.loads(out)
        self.assertEqual(
            ('port', '%s (%s)' % (data.NOVA_PORT_ID, SHARED_IP),
             '%s (172.24.4.201)' % new_port,
             "on shared: a new port, a NEW address (network shared is not "
             "this project's: only its owner may choose addresses on it)"),
            tuple(rows[3].values()))
        self.assertEqual('%s -> %s' % (data.FLOATING_IP, new_port),
                         rows[4]['New'])
        self.assertEqual(SHARED_IP, fake.ports[data.NOVA_PORT_ID][
            'fixed_ips'][0]['ip_address'])


class TestStopped(test_rollback.RollbackTest):

    def test_a_stopped_server_is_neither_stopped_nor_started(self):
        self.cloud(server=data.old_server('SHUTOFF'))
        code, out, err = self.restore('--yes', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual(REPLACEMENT[1:], self.writes())

    def test_rolled_back_it_stays_stopped(self):
        fake = self.cloud(server=data.old_server('SHUTOFF'))
        fake.fail('POST', base.NOVA + '/servers', (403, data.NOVA_QUOTA))
        self.failed()
        self.assertEqual(REPLACEMENT[1:7] + test_rollback.UNDO[:-1],
                         self.writes())
        self.assertEqual('SHUTOFF', fake.servers[data.SERVER_ID]['status'])


class _Terminal(io.StringIO):
    def isatty(self):
        return True


class TestAsk(base.RestoreTest):

    def answer(self, text):
        self.useFixture(fixtures.MonkeyPatch('sys.stdin', _Terminal(text)))
        return self.restore()

    def test_no(self):
        self.cloud()
        code, out, err = self.answer('n\n')
        self.assertEqual(1, code, err)
        lines = err.splitlines()
        self.assertEqual('server: %s -> (to be made) (analysis-vm: the new '
                         'server takes the name; the old one is stopped and '
                         'renamed %s)' % (data.SERVER_ID, data.KEPT_NAME),
                         lines[0])
        self.assertEqual('Restore server analysis-vm from snapshot %s? '
                         '[y/N] Nothing was done.' % fakes.IMAGE_ID,
                         lines[-1])
        self.assertEqual([], self.writes())

    def test_yes(self):
        self.cloud()
        code, out, err = self.answer('yes\n')
        self.assertEqual(0, code, err)
        self.assertEqual(REPLACEMENT, self.writes())


class TestStartFails(test_rollback.RollbackTest):

    def test_start_again_fails_in_one_warning_line(self):
        fake = self.cloud()
        fake.fail('POST', base.NOVA + '/servers', (403, data.NOVA_QUOTA))
        fake.fail('POST', base.SERVER + '/action', None, (
            409, fakes.nova_error('conflictingRequest', 409, 'Instance %s '
                                  'is locked' % data.SERVER_ID)))
        lines = self.failed()
        self.assertEqual([
            'Warning: could not start server %s again (POST %s/action failed '
            '(HTTP 409): Instance %s is locked): run `openstack server start '
            '%s`.' % ((data.SERVER_ID, base.SERVER) + (data.SERVER_ID,) * 2)],
            [line for line in lines if line.startswith('Warning')])
        self.assertEqual(REPLACEMENT[:7] + test_rollback.UNDO,
                         self.writes())
