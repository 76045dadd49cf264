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

"""A replacement that fails puts the old server back: its ports, floating
IP, addresses, name and power, and removes what it made; a step it cannot
take back is one warning line with the command that does."""

from tests.unit import fakes
from tests.unit.restore import base
from tests.unit.restore import cloud
from tests.unit.restore import data
from tests.unit.restore import test_restore

REPLACEMENT = test_restore.REPLACEMENT
#: The new server goes, and Nova deletes its new volumes with it (they
#: are deleted on termination until the restore is done).
DELETE_NEW = ['DELETE %s' % base.NEW]
ATTACH = 'POST %s/os-interface' % base.SERVER

#: What puts the old server back, the latest step first.
UNDO = [ATTACH, 'PUT %s' % base.NOVA_PORT, 'PUT %s' % base.FIP,
        'PUT %s' % base.SERVER, 'POST %s/action' % base.SERVER]
UNDO_BODIES = [
    {'interfaceAttachment': {'port_id': data.USER_PORT_ID}},
    {'port': {'fixed_ips': [{'subnet_id': data.SUBNET_ID,
                             'ip_address': data.NOVA_IP}]}},
    {'floatingip': {'port_id': data.NOVA_PORT_ID,
                    'fixed_ip_address': data.NOVA_IP}},
    {'server': {'name': 'analysis-vm'}},
    {'os-start': None}]

INTERNAL = data.neutron_error(
    'HTTPInternalServerError', 'Request Failed: internal server error '
    'while processing your request.')


class RollbackTest(base.RestoreTest):

    def failed(self, code=1):
        code_, out, err = self.restore('--yes')
        self.assertEqual(code, code_, err)
        self.assertEqual('', out)
        return err.strip().splitlines()

    def assertPutBack(self):
        """The old server as it was; nothing of the new one."""
        fake = self.fake
        old = fake.servers[data.SERVER_ID]
        self.assertEqual(('ACTIVE', 'analysis-vm'),
                         (old['status'], old['name']))
        self.assertNotIn('rcsnap:replaced_by', old['metadata'])
        self.assertEqual([data.NOVA_IP], [
            ip['ip_address']
            for ip in fake.ports[data.NOVA_PORT_ID]['fixed_ips']])
        self.assertEqual(data.SERVER_ID,
                         fake.ports[data.USER_PORT_ID]['device_id'])
        self.assertEqual((data.NOVA_PORT_ID, data.NOVA_IP), (
            fake.fips[data.FIP_ID]['port_id'],
            fake.fips[data.FIP_ID]['fixed_ip_address']))
        self.assertNotIn(data.NEW_SERVER_ID, fake.servers)
        self.assertEqual(set(data.old_volumes()), set(fake.volumes))
        self.assertEqual({data.NOVA_PORT_ID, data.USER_PORT_ID},
                         set(fake.ports))

    def undo_bodies(self, count=5):
        return test_restore.sent(self)[-count:]


class TestFailures(RollbackTest):

    def test_nova_quota(self):
        self.cloud().fail('POST', base.NOVA + '/servers',
                          (403, data.NOVA_QUOTA))
        self.assertEqual(
            'Quota exceeded: Quota exceeded for instances: Requested 1, but '
            'already used 10 of 10 instances', self.failed()[-1])
        self.assertEqual(REPLACEMENT[:7] + UNDO, self.writes())
        self.assertEqual(UNDO_BODIES, [b for _, b in self.undo_bodies()])
        self.assertPutBack()

    def test_port_update_refused_by_policy(self):
        self.cloud().fail('PUT', base.NOVA_PORT, (403, data.neutron_error(
            'PolicyNotAuthorized', 'rule:update_port:fixed_ips is '
            'disallowed by policy')))
        self.assertEqual(
            'PUT %s failed (HTTP 403): rule:update_port:fixed_ips is '
            'disallowed by policy' % base.NOVA_PORT, self.failed()[-1])
        self.assertEqual(REPLACEMENT[:4] + UNDO[2:], self.writes())
        self.assertPutBack()

    def test_no_address_left_for_the_old_port(self):
        self.cloud().fail('PUT', base.NOVA_PORT, (409, data.neutron_error(
            'IpAddressGenerationFailure', 'No more IP addresses available '
            'on network %s.' % data.NETWORK_ID)))
        self.assertIn('(HTTP 409): No more IP addresses available on '
                      'network %s.' % data.NETWORK_ID, self.failed()[-1])
        self.assertEqual(REPLACEMENT[:4] + UNDO[2:], self.writes())
        self.assertPutBack()

    def test_old_address_cannot_be_dropped(self):
        # The port has both addresses when the second update fails: it
        # gets its own back, alone.
        self.cloud().fail('PUT', base.NOVA_PORT, None, (500, INTERNAL))
        self.assertIn('(HTTP 500): Request Failed', self.failed()[-1])
        self.assertEqual(REPLACEMENT[:5] + UNDO[1:], self.writes())
        self.assertPutBack()

    def test_new_server_goes_to_error(self):
        fault = ('Build of instance %s aborted: Volume %s did not finish '
                 'being created even after we waited 3 seconds or 2 '
                 'attempts. And its status is error.' % (
                     data.NEW_SERVER_ID, cloud.NEW_VOLUME_IDS[0]))
        self.cloud(build=[('BUILD', 'block_device_mapping'),
                          ('ERROR', None)], fault=fault)
        self.assertEqual('The new server %s went to ERROR: %s' % (
            data.NEW_SERVER_ID, fault), self.failed()[-1])
        self.assertEqual(REPLACEMENT[:7] + DELETE_NEW + UNDO, self.writes())
        self.assertEqual(UNDO_BODIES, [b for _, b in self.undo_bodies()])
        self.assertPutBack()

    def test_moved_data_volume_goes_back_never_deleted(self):
        fake = self.cloud(build=[('BUILD', 'block_device_mapping'),
                                 ('ERROR', None)], fault='No valid host '
                          'was found. There are not enough hosts '
                          'available.')
        code, out, err = self.restore('--yes', '--data-volumes', 'current')
        self.assertEqual(1, code, err)
        volume = '%s/os-volume_attachments' % base.SERVER
        self.assertEqual(
            REPLACEMENT[:6] + ['DELETE %s/%s' % (volume, fakes.DATA_VOLUME_ID),
                               REPLACEMENT[6]] + DELETE_NEW[:2]
            + ['POST %s' % volume] + UNDO, self.writes())
        self.assertEqual([{'volumeAttachment': {
            'volumeId': fakes.DATA_VOLUME_ID}}],
            self.bodies('POST', base.SERVER + '/os-volume_attachments'))
        self.assertEqual(data.SERVER_ID, fake.volumes[fakes.DATA_VOLUME_ID][
            'attachments'][0]['server_id'])
        self.assertPutBack()

    def test_new_server_never_built(self):
        self.cloud(build=[('BUILD', 'spawning')])
        code, out, err = self.restore('--yes', '--timeout', '10')
        self.assertEqual(1, code, err)
        self.assertEqual('Timed out after 10 s waiting for Server %s (until '
                         'ACTIVE) (BUILD).' % data.NEW_SERVER_ID,
                         err.splitlines()[-1])
        self.assertEqual(REPLACEMENT[:7] + DELETE_NEW + UNDO, self.writes())
        self.assertPutBack()

    def test_nova_500_on_every_poll_of_the_build(self):
        # Nova answers 500 to every poll of the new server: the wait says
        # so (not a timeout), and the old server is put back.
        fake = self.cloud()
        # Polled every second for 10 s: 11 polls.
        fake.fail('GET', base.NEW,
                  *[(500, fakes.server_fault()['json'])] * 11)
        code, out, err = self.restore('--yes', '--timeout', '10')
        self.assertEqual(1, code, err)
        self.assertEqual(
            'Nova answered 500 to every poll for 10 s; the state of server '
            '%s (until ACTIVE) is unknown.' % data.NEW_SERVER_ID,
            err.splitlines()[-1])
        self.assertPutBack()

    def floating_ip_fails(self, status, body):
        # The release goes through; the move to the new port fails.
        self.cloud().fail('PUT', base.FIP, None, (status, body))
        lines = self.failed()
        self.assertEqual(REPLACEMENT[:8] + DELETE_NEW + UNDO, self.writes())
        self.assertPutBack()
        return lines

    def test_floating_ip_move_fails_500(self):
        self.assertEqual(
            'PUT %s failed (HTTP 500): Request Failed: internal server '
            'error while processing your request.' % base.FIP,
            self.floating_ip_fails(500, INTERNAL)[-1])

    def test_floating_ip_move_fails_409(self):
        message = (
            'Cannot associate floating IP %s (%s) with port %s using fixed '
            'IP %s, as that fixed IP already has a floating IP on external '
            'network 9e0f1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b.' % (
                data.FLOATING_IP, data.FIP_ID, cloud.NEW_PORT_ID,
                data.NOVA_IP))
        self.assertIn(message, self.floating_ip_fails(409, data.neutron_error(
            'FloatingIPPortAlreadyAssociated', message))[-1])


class TestUndoFails(RollbackTest):

    def test_one_warning_line_with_the_command(self):
        fake = self.cloud()
        fake.fail('POST', base.NOVA + '/servers', (403, data.NOVA_QUOTA))
        # Giving the name back fails: the rest is still put back.
        fake.fail('PUT', base.SERVER, None, (500, fakes.nova_error(
            'computeFault', 500, 'Unexpected API Error. Please report this '
            'at http://bugs.launchpad.net/nova/ and attach the Nova API log '
            'if possible.')))
        lines = self.failed()
        warning = [line for line in lines if line.startswith('Warning')]
        self.assertEqual([
            'Warning: could not give server %s its name analysis-vm back '
            '(PUT %s failed (HTTP 500): Unexpected API Error. Please report '
            'this at http://bugs.launchpad.net/nova/ and attach the Nova API '
            'log if possible.): run `openstack server set --name analysis-vm '
            '%s`.' % (data.SERVER_ID, base.SERVER, data.SERVER_ID)],
            warning)
        self.assertTrue(lines[-1].startswith('Quota exceeded'), lines)
        self.assertEqual(REPLACEMENT[:7] + UNDO, self.writes())
        old = fake.servers[data.SERVER_ID]
        self.assertEqual(('ACTIVE', data.KEPT_NAME),
                         (old['status'], old['name']))

    def test_address_taken_meanwhile(self):
        # Someone took the old port's address while the new server had it:
        # Neutron refuses to give it back; the command that does is said.
        fake = self.cloud()
        fake.fail('POST', base.NOVA + '/servers', (403, data.NOVA_QUOTA))
        fake.fail('PUT', base.NOVA_PORT, None, None, (
            409, data.neutron_error(
                'IpAddressAlreadyAllocated', 'IP address %s already '
                'allocated in subnet %s' % (data.NOVA_IP, data.SUBNET_ID))))
        lines = self.failed()
        names = {'port': data.NOVA_PORT_ID, 'ip': data.NOVA_IP,
                 'url': base.NOVA_PORT, 'subnet': data.SUBNET_ID}
        self.assertEqual([
            'Warning: could not give port %(port)s its address %(ip)s back '
            '(PUT %(url)s failed (HTTP 409): IP address %(ip)s already '
            'allocated in subnet %(subnet)s): run `openstack port set '
            '--no-fixed-ip --fixed-ip subnet=%(subnet)s,ip-address=%(ip)s '
            '%(port)s`.' % names],
            [line for line in lines if line.startswith('Warning')])
        self.assertEqual(REPLACEMENT[:7] + UNDO, self.writes())
        self.assertEqual(['10.128.0.201'], [
            ip['ip_address']
            for ip in fake.ports[data.NOVA_PORT_ID]['fixed_ips']])
        self.assertEqual('ACTIVE', fake.servers[data.SERVER_ID]['status'])
