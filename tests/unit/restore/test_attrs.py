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

"""The new server of a restore (``POST /servers``) and the output rows,
before and after: pure."""

import json

import testtools

from rcsnap_osc.restore import attrs
from rcsnap_osc.restore import lineage
from rcsnap_osc.restore import plan
from rcsnap_osc.restore import rows
from tests.unit import fakes
from tests.unit.restore import data
from tests.unit.restore import test_plan

ROOT_SNAP = fakes.ROOT_SNAP_ID
DATA_SNAP = fakes.DATA_SNAP_ID
ROOT_VOL = fakes.ROOT_VOLUME_ID
DATA_VOL = fakes.DATA_VOLUME_ID
NEW_ROOT = '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d'
NEW_DATA = '8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e'
NEW_PORT = '9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f'


def the_plan(data_volumes=plan.SNAPSHOT, delete_old=False, **found):
    return plan.decide(test_plan.found(**found), plan.Request(
        'snap', data_volumes=data_volumes, delete_old=delete_old),
        data.STAMP)


#: The new server's mapping with ``--data-volumes snapshot``.
FROM_SNAPSHOT = [
    {'boot_index': 0, 'destination_type': 'volume', 'uuid': ROOT_SNAP,
     'source_type': 'snapshot', 'delete_on_termination': False,
     'volume_size': 10},
    {'boot_index': -1, 'destination_type': 'volume', 'uuid': DATA_SNAP,
     'source_type': 'snapshot', 'delete_on_termination': False,
     'volume_size': 5}]


class TestServerAttrs(testtools.TestCase):

    def test_everything_the_old_server_had(self):
        self.assertEqual({
            'name': 'analysis-vm', 'flavor_id': '2',
            'block_device_mapping': FROM_SNAPSHOT,
            'networks': [{'uuid': data.NETWORK_ID, 'fixed_ip': data.NOVA_IP},
                         {'port': data.USER_PORT_ID}],
            'security_groups': [{'name': data.SECURITY_GROUP_ID}],
            'metadata': {'owner': 'alice',
                         lineage.RESTORED_FROM: data.SERVER_ID},
            'key_name': 'mykey', 'tags': ['db'],
            'availability_zone': 'az1',
            'scheduler_hints': {'group': data.GROUP_ID}},
            attrs.server_attrs(the_plan(), '2'))

    def test_networks_in_interface_order_new_address_on_shared(self):
        shared = data.port(network_id=data.SHARED_NETWORK_ID,
                           subnet_id=data.SHARED_SUBNET_ID, ip='172.24.4.10',
                           mac='fa:16:3e:00:00:01')
        server = data.old_server(addresses={
            'shared': [fakes.address('172.24.4.10', 'fa:16:3e:00:00:01')],
            'private': [fakes.address(data.USER_IP, data.USER_MAC)]})
        found = attrs.server_attrs(the_plan(
            server=server, ports=[data.user_port(), shared], fips=[],
            networks={data.NETWORK_ID: data.network(),
                      data.SHARED_NETWORK_ID: data.shared_network()}), '2')
        self.assertEqual([{'uuid': data.SHARED_NETWORK_ID},
                          {'port': data.USER_PORT_ID}], found['networks'])

    def test_no_port_no_network(self):
        found = attrs.server_attrs(the_plan(ports=[], fips=[]), '2')
        self.assertEqual('none', found['networks'])
        self.assertNotIn('security_groups', found)

    def test_moved_volumes_are_never_deleted_with_the_server(self):
        mapping = attrs.block_devices(the_plan(plan.CURRENT))
        self.assertEqual([FROM_SNAPSHOT[0], {
            'boot_index': -1, 'destination_type': 'volume',
            'uuid': DATA_VOL, 'source_type': 'volume',
            'delete_on_termination': False}], mapping)

    def test_volume_types_and_delete_on_termination_as_recorded(self):
        root = fakes.root_entry(size=10)
        root.update(volume_type='fast', delete_on_termination=True)
        image = data.snapshot_image(block_device_mapping=json.dumps(
            [root, fakes.data_entry(size=5)]))
        mapping = attrs.block_devices(the_plan(image=image), True)
        self.assertEqual(dict(FROM_SNAPSHOT[0], volume_type='fast',
                              delete_on_termination=True), mapping[0])
        self.assertNotIn('volume_type', attrs.block_devices(
            the_plan(image=image), False)[0])

    def test_lineage_grows_and_stays_within_nova_limit(self):
        older = ' '.join('%036d' % n for n in range(9))
        server = data.old_server(metadata={lineage.RESTORED_FROM: older,
                                           'owner': 'alice'})
        metadata = attrs.server_attrs(the_plan(server=server),
                                      '2')['metadata']
        self.assertEqual('alice', metadata['owner'])
        value = metadata[lineage.RESTORED_FROM]
        self.assertLessEqual(len(value), 255)
        self.assertTrue(value.startswith(data.SERVER_ID + ' ' + '0' * 36))

    def test_no_key_tags_zone_or_group(self):
        server = data.old_server(key_name=None, tags=[], server_groups=[])
        del server['OS-EXT-AZ:availability_zone']
        found = attrs.server_attrs(the_plan(server=server), '2')
        for key in ('key_name', 'tags', 'availability_zone',
                    'scheduler_hints'):
            self.assertNotIn(key, found)


def port_note(network='private'):
    return ('on %s: a new port with the same address; the old port gets '
            'another one' % network)


class TestRows(testtools.TestCase):

    def table(self, found):
        return [(r['resource'], r['old'], r['new'], r['note'])
                for r in found]

    def test_dry_run(self):
        self.assertEqual([
            ('server', data.SERVER_ID, '(to be made)',
             'analysis-vm: the new server takes the name; the old one is '
             'stopped and renamed ' + data.KEPT_NAME),
            ('root volume', ROOT_VOL, '(to be made)',
             'root volume, 10 GiB, from volume snapshot %s; the old one '
             'stays on the old server' % ROOT_SNAP),
            ('data volume', DATA_VOL, '(to be made)',
             'data volume, 5 GiB, from volume snapshot %s; the old one '
             'stays on the old server' % DATA_SNAP),
            ('port', '%s (%s)' % (data.NOVA_PORT_ID, data.NOVA_IP),
             '(to be made)', port_note()),
            ('floating IP', '%s -> %s' % (data.FLOATING_IP,
                                          data.NOVA_PORT_ID),
             '%s -> (to be made)' % data.FLOATING_IP,
             'moves to the new port'),
            ('port', '%s (%s)' % (data.USER_PORT_ID, data.USER_IP),
             '%s (%s)' % (data.USER_PORT_ID, data.USER_IP),
             'on private: the port moves, with its addresses and MAC')],
            self.table(rows.replace_rows(the_plan())))

    def test_dry_run_delete_old_and_current(self):
        found = self.table(rows.replace_rows(the_plan(
            plan.CURRENT, delete_old=True)))
        self.assertTrue(found[0][3].endswith(
            ', then deleted once the new one is ACTIVE (--delete-old)'))
        self.assertEqual(
            'root volume, 10 GiB, from volume snapshot %s; the old one is '
            'deleted with the old server, unless a volume snapshot depends '
            'on it' % ROOT_SNAP, found[1][3])
        self.assertEqual(('data volume', DATA_VOL, DATA_VOL,
                          'data volume /dev/vdb moved from the old server'),
                         found[2])

    def test_a_new_address_says_why(self):
        two = data.port(ips=[
            {'subnet_id': data.SUBNET_ID, 'ip_address': data.NOVA_IP},
            {'subnet_id': data.SUBNET_ID, 'ip_address': '10.128.0.81'}])
        found = self.table(rows.replace_rows(the_plan(ports=[two], fips=[])))
        self.assertEqual((
            'port', '%s (%s, 10.128.0.81)' % (data.NOVA_PORT_ID,
                                              data.NOVA_IP),
            '(to be made)', 'on private: a new port, a NEW address (Nova '
            'takes one fixed address a port; this one has 2)'), found[-1])

    def test_volumes_left_on_the_old_server(self):
        volumes = data.old_volumes()
        volumes['f0e1d2c3-b4a5-4968-8776-554433221100'] = (
            data.attached_volume('f0e1d2c3-b4a5-4968-8776-554433221100',
                                 '/dev/vdc', 1))
        found = self.table(rows.replace_rows(the_plan(volumes=volumes)))
        self.assertEqual(
            ('data volume', 'f0e1d2c3-b4a5-4968-8776-554433221100', '',
             'not in the snapshot: stays attached to the old server '
             '(--data-volumes current moves the current data volumes)'),
            found[3])

    def test_done(self):
        new_port = data.port(NEW_PORT, device_id=data.NEW_SERVER_ID,
                             mac='fa:16:3e:aa:bb:cc')
        made = rows.Made(
            server={'id': data.NEW_SERVER_ID}, ports=[new_port],
            volumes={ROOT_SNAP: NEW_ROOT, DATA_SNAP: NEW_DATA},
            floating_ips={data.FIP_ID: NEW_PORT}, unreachable=74.6,
            old=[('old server', data.SERVER_ID, 'deleted (--delete-old)')])
        found = self.table(rows.replace_rows(the_plan(), made))
        self.assertEqual([
            ('server', data.SERVER_ID, data.NEW_SERVER_ID),
            ('root volume', ROOT_VOL, NEW_ROOT),
            ('data volume', DATA_VOL, NEW_DATA),
            ('port', '%s (%s)' % (data.NOVA_PORT_ID, data.NOVA_IP),
             '%s (%s)' % (NEW_PORT, data.NOVA_IP)),
            ('floating IP', '%s -> %s' % (data.FLOATING_IP,
                                          data.NOVA_PORT_ID),
             '%s -> %s' % (data.FLOATING_IP, NEW_PORT)),
            ('port', '%s (%s)' % (data.USER_PORT_ID, data.USER_IP),
             '%s (%s)' % (data.USER_PORT_ID, data.USER_IP)),
            ('old server', data.SERVER_ID, ''),
            ('unreachable', '', '74 s')], [r[:3] for r in found])
        self.assertEqual('deleted (--delete-old)', found[-2][3])
        self.assertEqual('from stopping the old server until the new one '
                         'was ACTIVE with its floating IPs', found[-1][3])

    def test_rebuild(self):
        found = test_plan.image_backed_found()
        rebuild = plan.decide(found, plan.Request('snap'), data.STAMP)
        self.assertEqual([(
            'server', data.SERVER_ID, data.SERVER_ID,
            'analysis-vm rebuilt from image %s: its local disk is replaced; '
            'ID, name, ports, addresses, floating IPs and attached volumes '
            'stay' % fakes.IMAGE_ID)], self.table(rows.rebuild_rows(rebuild)))
        self.assertEqual(('unreachable', '', '31 s'), self.table(
            rows.rebuild_rows(rebuild, None, 31.9))[1][:3])
