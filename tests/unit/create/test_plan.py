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

"""The quiesce verdict and snapshot names, as plain functions."""

import datetime

import testtools

from rcsnap_osc.create import plan as create_plan
from rcsnap_osc import errors

SERVER = 'srv-1'


def attached(volume_id, device, bootable='true', server=SERVER, **meta):
    return {'id': volume_id, 'bootable': bootable,
            'attachments': [{'server_id': server, 'device': device}],
            'volume_image_metadata': meta}


class TestVerdict(testtools.TestCase):

    def test_agent_spellings_nova_accepts(self):
        for value in ('yes', 'True', 'on', '1', 'y', 't', True):
            self.assertEqual(create_plan.QUIESCED, create_plan.verdict(
                'ACTIVE', {'hw_qemu_guest_agent': value}).consistency)
        for value in ('no', 'false', '0', '', False):
            self.assertEqual(create_plan.CRASH_CONSISTENT, create_plan.verdict(
                'ACTIVE', {'hw_qemu_guest_agent': value}).consistency)

    def test_not_declared(self):
        found = create_plan.verdict('ACTIVE', {'os_distro': 'ubuntu'})
        self.assertEqual(create_plan.CRASH_CONSISTENT, found.consistency)
        self.assertEqual('crash-consistent: the guest agent is not '
                         'declared; use --stop for a clean snapshot',
                         found.text)

    def test_stopped_or_to_be_stopped(self):
        for status, stop in (('SHUTOFF', False), ('ACTIVE', True)):
            found = create_plan.verdict(status, {}, stop=stop)
            self.assertEqual(create_plan.STOPPED, found.consistency)
            self.assertEqual('server is stopped: consistent', found.text)

    def test_paused_is_not_frozen(self):
        found = create_plan.verdict('PAUSED', {'hw_qemu_guest_agent': 'yes'})
        self.assertEqual(create_plan.CRASH_CONSISTENT, found.consistency)
        self.assertIn('this one is PAUSED', found.text)

    def test_metadata_unreadable(self):
        self.assertEqual(create_plan.UNKNOWN,
                         create_plan.verdict('ACTIVE', None).consistency)

    def test_require_quiesce(self):
        self.assertIsNone(create_plan.require_quiesce_refusal(
            'vm', create_plan.verdict('SHUTOFF', None)))
        self.assertIsNone(create_plan.require_quiesce_refusal(
            'vm', create_plan.verdict(
                'ACTIVE', {'hw_qemu_guest_agent': 'yes'})))
        self.assertIn('(refused: --require-quiesce)',
                      create_plan.require_quiesce_refusal(
                          'vm', create_plan.verdict('ACTIVE', {})))

    def test_recorded(self):
        self.assertEqual('stopped', create_plan.recorded(
            {'rcsnap:consistency': 'stopped'}))
        self.assertEqual('unknown', create_plan.recorded({}))
        self.assertEqual('unknown', create_plan.recorded(
            {'rcsnap:consistency': 'whatever'}))

    def test_nova_quiesce_refusals(self):
        for text in ('QEMU guest agent is not enabled',
                     'Quiescing is not supported in instance x',
                     'Failed to quiesce instance: timeout'):
            self.assertTrue(create_plan.is_quiesce_refusal(text))
        self.assertFalse(create_plan.is_quiesce_refusal(
            "Cannot 'createImage' instance x while it is in task_state "
            "image_snapshot"))


class TestBootMetadata(testtools.TestCase):

    def test_image_backed_reads_the_image(self):
        image = {'id': 'img', 'hw_qemu_guest_agent': 'yes'}
        self.assertIs(image, create_plan.boot_metadata('img', image, None))
        self.assertIsNone(create_plan.boot_metadata('img', None, None))

    def test_volume_backed_reads_the_root_volume(self):
        root = attached('v1', '/dev/vda', hw_qemu_guest_agent='yes')
        self.assertEqual({'hw_qemu_guest_agent': 'yes'},
                         create_plan.boot_metadata(None, None, root))
        self.assertEqual({}, create_plan.boot_metadata(
            None, None, {'id': 'v'}))
        self.assertIsNone(create_plan.boot_metadata(None, None, None))

    def test_root_volume_first_bootable_device(self):
        data = attached('v2', '/dev/vdb', bootable='false')
        root = attached('v1', '/dev/vda')
        other = attached('v3', '/dev/vda', server='srv-2')
        self.assertIs(root, create_plan.root_volume(
            SERVER, [data, other, root]))
        self.assertIsNone(create_plan.root_volume(SERVER, [other]))
        # a bootable data volume at vdb does not win over the root at vda
        late = attached('v4', '/dev/vdb')
        self.assertIs(root, create_plan.root_volume(SERVER, [late, root]))


class TestNames(testtools.TestCase):

    NOW = datetime.datetime(2026, 12, 1, 4, 55, 12,
                            tzinfo=datetime.timezone.utc)

    def test_default_is_server_and_utc_time(self):
        self.assertEqual(
            {'a': 'web-20261201T045512Z', 'b': 'db-20261201T045512Z'},
            create_plan.snapshot_names([('a', 'web'), ('b', 'db')],
                                       now=self.NOW))

    def test_template(self):
        self.assertEqual({'a': 'pre-upgrade-web-20261201T045512Z'},
                         create_plan.snapshot_names(
                             [('a', 'web')], 'pre-upgrade-{server}-{date}',
                             now=self.NOW))

    def test_servers_of_the_same_name_by_default(self):
        self.assertEqual(
            {'a': 'web-a-20261201T045512Z', 'b': 'web-b-20261201T045512Z',
             'c': 'db-20261201T045512Z'},
            create_plan.snapshot_names(
                [('a', 'web'), ('b', 'web'), ('c', 'db')], now=self.NOW))
        self.assertEqual({'a': 'x-a', 'b': 'x-b'}, create_plan.snapshot_names(
            [('a', 'web'), ('b', 'web')], 'x-{id}'))

    def test_refusals(self):
        self.assertRaises(errors.Refused, create_plan.snapshot_names,
                          [('a', 'web'), ('b', 'web')], '{server}')
        for template in ('{host}', '{0}', '{server'):
            self.assertRaises(errors.Refused, create_plan.snapshot_names,
                              [('a', 'web')], template)
        self.assertRaises(errors.Refused, create_plan.snapshot_names,
                          [('a', 'web'), ('b', 'db')], 'same-{date}')
