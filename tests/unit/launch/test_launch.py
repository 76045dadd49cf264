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

"""``rc snapshot flavors|launch`` over HTTP fakes: output and requests."""

import json
import types

import fixtures

from rcsnap_osc.launch import build
from tests.unit import base
from tests.unit import fakes

IMAGES = base.IMAGE_URL + '/v2/images'
SNAPS = base.VOLUME_URL + '/snapshots'
VOLUMES = base.VOLUME_URL + '/volumes'
SERVERS = base.COMPUTE_URL + '/servers'
FLAVORS = base.COMPUTE_URL + '/flavors/detail'
NEW = fakes.NEW_SERVER_ID
VOL = fakes.NEW_VOLUME_ID


class LaunchTest(base.TestCommand):

    def volume_backed(self, snap_size=10, recorded=None, min_disk=20,
                      min_ram=0, status='available', data=False):
        entries = [fakes.swap_entry(), fakes.root_entry(size=recorded)]
        if data:
            entries.append(fakes.data_entry(size=5))
        fakes.register_image(self.requests, fakes.volume_backed_image(
            entries=entries, min_disk=min_disk, min_ram=min_ram))
        fakes.register_volume_snapshot(self.requests, fakes.volume_snapshot(
            size=snap_size, status=status))
        if data:
            fakes.register_volume_snapshot(self.requests,
                                           fakes.volume_snapshot(
                                               fakes.DATA_SNAP_ID, size=5))
        fakes.register_flavor_list(self.requests)

    def image_backed(self, **fields):
        fakes.register_image(self.requests, fakes.image_backed_image(
            **fields))
        fakes.register_flavor_list(self.requests)

    def posted(self):
        """The JSON bodies of every POST /servers."""
        return [r.json() for r in self.requests.request_history
                if r.method == 'POST' and r.url == SERVERS]

    def launch(self, *args):
        return self.run_cli('rc', 'snapshot', 'launch', fakes.IMAGE_ID,
                            *args)


class TestFlavors(LaunchTest):

    def flavors(self, *args):
        return self.run_json('rc', 'snapshot', 'flavors', fakes.IMAGE_ID,
                             *args)

    def test_volume_backed_all(self):
        self.volume_backed(min_ram=1024)
        rows = self.flavors('--all')
        note = 'flavor disk not used: boots from a volume'
        self.assertEqual([
            {'ID': '1', 'Name': 'm1.tiny', 'vCPUs': 1, 'RAM': 512,
             'Disk': 1, 'Fits': 'no',
             'Why': 'RAM 512 MiB < min_ram 1024 MiB; root volume 10 GiB < '
                    'min_disk 20 GiB (launch with --size 20); ' + note},
            {'ID': '6', 'Name': 'm1.volume', 'vCPUs': 1, 'RAM': 1024,
             'Disk': 0, 'Fits': 'no',
             'Why': 'root volume 10 GiB < min_disk 20 GiB (launch with '
                    '--size 20); ' + note}],
            rows[:2])
        self.assertEqual(['m1.tiny', 'm1.volume', 'm1.small', 'm1.medium',
                          'm1.large', 'm1.xlarge'], [r['Name'] for r in rows])
        self.assertEqual({'no'}, {r['Fits'] for r in rows})
        self.assertEqual(['GET %s/%s' % (IMAGES, fakes.IMAGE_ID),
                          'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
                          'GET %s' % FLAVORS], self.calls())

    def test_size_makes_them_fit_and_hides_the_rest(self):
        self.volume_backed(min_ram=1024)
        code, out, err = self.run_cli('rc', 'snapshot', 'flavors',
                                      fakes.IMAGE_ID, '--size', '20', '-f',
                                      'json')
        self.assertEqual(0, code, err)
        rows = json.loads(out)
        self.assertEqual(['m1.volume', 'm1.small', 'm1.medium', 'm1.large',
                          'm1.xlarge'], [r['Name'] for r in rows])
        self.assertEqual({'yes'}, {r['Fits'] for r in rows})
        self.assertEqual("1 flavor(s) that do not fit are hidden; --all "
                         "shows them.\n", err)

    def test_recorded_volume_size_is_what_nova_builds(self):
        self.volume_backed(snap_size=8, recorded=8, min_disk=160)
        rows = self.flavors('--all')
        self.assertIn('root volume 8 GiB < min_disk 160 GiB', rows[0]['Why'])

    def test_image_backed(self):
        self.image_backed(min_disk=20, min_ram=512)
        rows = self.flavors('--all')
        self.assertEqual([
            ('m1.tiny', 'no', 'disk 1 GiB < 20 GiB needed'),
            ('m1.volume', 'no', 'flavor disk 0: Nova allows zero-disk '
             'flavors for volume-backed servers only'),
            ('m1.small', 'yes', ''), ('m1.medium', 'yes', ''),
            ('m1.large', 'yes', ''), ('m1.xlarge', 'yes', '')],
            [(r['Name'], r['Fits'], r['Why']) for r in rows])
        self.assertEqual(['GET %s/%s' % (IMAGES, fakes.IMAGE_ID),
                          'GET %s' % FLAVORS], self.calls())

    def test_table_output(self):
        self.image_backed(min_disk=20)
        code, out, err = self.run_cli('rc', 'snapshot', 'flavors',
                                      fakes.IMAGE_ID)
        self.assertEqual(0, code, err)
        self.assertIn('| m1.small  |', out)
        self.assertNotIn('m1.tiny', out)
        self.assertIn('2 flavor(s) that do not fit are hidden', err)

    def test_missing_root_volume_snapshot(self):
        fakes.register_image(self.requests, fakes.volume_backed_image())
        fakes.register_missing_volume_snapshot(self.requests,
                                               fakes.ROOT_SNAP_ID)
        fakes.register_flavor_list(self.requests)
        code, out, err = self.run_cli('rc', 'snapshot', 'flavors',
                                      fakes.IMAGE_ID, '--all', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertIn('root volume size unknown', json.loads(out)[0]['Why'])
        self.assertIn(
            'Warning: volume snapshot %s (/dev/vda) of snapshot %s is '
            'missing: deleted, or not visible to this project.' % (
                fakes.ROOT_SNAP_ID, fakes.IMAGE_ID), err.splitlines())

    def test_size_below_snapshot_refused(self):
        self.volume_backed()
        self.assertFails('--size 5 GiB is smaller than the root volume '
                         'snapshot (10 GiB)', 'rc', 'snapshot', 'flavors',
                         fakes.IMAGE_ID, '--size', '5')
        self.assertNotIn('GET %s' % FLAVORS, self.calls())

    def test_not_an_instance_snapshot(self):
        fakes.register_image(self.requests, fakes.image())
        self.assertFails('is not an instance snapshot', 'rc', 'snapshot',
                         'flavors', fakes.IMAGE_ID)


class TestLaunchBody(LaunchTest):
    """The exact POST /servers the pre-flight lets through."""

    def test_volume_backed_by_image_ref(self):
        self.volume_backed(min_disk=10)
        fakes.register_create_server(self.requests)
        data = self.run_json('rc', 'snapshot', 'launch', fakes.IMAGE_ID,
                             '--flavor', 'm1.tiny', '--name', 'vm2')
        self.assertEqual([{'server': {
            'name': 'vm2', 'flavorRef': '1', 'imageRef': fakes.IMAGE_ID,
            'networks': 'none'}}], self.posted())
        self.assertEqual({
            'id': NEW, 'name': 'vm2', 'status': 'BUILD',
            'flavor': 'm1.tiny', 'snapshot_id': fakes.IMAGE_ID,
            'snapshot_name': 'analysis-vm-snap', 'type': 'volume-backed',
            'root_volume_id': None, 'root_volume_size': None,
            'volumes': [{
                'id': None, 'boot_index': 0, 'size_gib': 10,
                'volume_snapshot': fakes.ROOT_SNAP_ID,
                'made_from': 'volume snapshot %s' % fakes.ROOT_SNAP_ID,
                'depends_on_snapshot': True,
                'delete_on_termination': False}],
            'ports': [], 'kept_images': []}, data)
        self.assertEqual(['GET %s/%s' % (IMAGES, fakes.IMAGE_ID),
                          'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
                          'GET %s' % FLAVORS, 'POST %s' % SERVERS],
                         self.after_warm_up())

    def test_size_sends_an_explicit_mapping(self):
        self.volume_backed(snap_size=10, min_disk=160, data=True)
        fakes.register_create_server(self.requests)
        self.run_json('rc', 'snapshot', 'launch', fakes.IMAGE_ID,
                      '--flavor', 'm1.small', '--size', '160')
        self.assertEqual([{'server': {
            'name': 'analysis-vm-snap', 'flavorRef': '2',
            'networks': 'none',
            'block_device_mapping_v2': [
                {'boot_index': 0, 'uuid': fakes.ROOT_SNAP_ID,
                 'source_type': 'snapshot', 'destination_type': 'volume',
                 'delete_on_termination': False, 'volume_size': 160},
                {'boot_index': -1, 'uuid': fakes.DATA_SNAP_ID,
                 'source_type': 'snapshot', 'destination_type': 'volume',
                 'delete_on_termination': False, 'volume_size': 5}]}}],
            self.posted())

    def launch_typed_volume(self):
        """Launch with --size a snapshot whose root volume has a type:
        the mapping posted."""
        entries = [fakes.root_entry(), ]
        entries[0].update(volume_type='fast', delete_on_termination=True)
        fakes.register_image(self.requests, fakes.volume_backed_image(
            entries=entries, min_disk=10))
        fakes.register_volume_snapshot(self.requests,
                                       fakes.volume_snapshot(size=10))
        fakes.register_flavor_list(self.requests)
        fakes.register_create_server(self.requests)
        self.run_json('rc', 'snapshot', 'launch', fakes.IMAGE_ID,
                      '--flavor', 'm1.tiny', '--size', '12')
        return self.posted()[0]['server']['block_device_mapping_v2']

    def test_size_keeps_volume_types_when_nova_accepts_them(self):
        self.assertEqual(
            [{'boot_index': 0, 'uuid': fakes.ROOT_SNAP_ID,
              'source_type': 'snapshot', 'destination_type': 'volume',
              'delete_on_termination': True, 'volume_size': 12,
              'volume_type': 'fast'}], self.launch_typed_volume())
        self.assertEqual('2.100', self.requests.request_history[-1].headers[
            'OpenStack-API-Version'].split()[-1])

    def test_size_leaves_volume_types_out_before_2_67(self):
        self.register_cloud(compute_max='2.66')
        self.assertEqual(
            [{'boot_index': 0, 'uuid': fakes.ROOT_SNAP_ID,
              'source_type': 'snapshot', 'destination_type': 'volume',
              'delete_on_termination': True, 'volume_size': 12}],
            self.launch_typed_volume())
        self.assertEqual('2.66', self.requests.request_history[-1].headers[
            'OpenStack-API-Version'].split()[-1])

    def test_smallest_fitting_flavor_is_picked_and_said(self):
        self.image_backed(min_disk=20, min_ram=512)
        fakes.register_create_server(self.requests)
        code, out, err = self.launch('-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual('Using flavor m1.small (2), the smallest that '
                         'fits.\n', err)
        self.assertEqual([{'server': {
            'name': 'web-vm-snap', 'flavorRef': '2',
            'imageRef': fakes.IMAGE_ID, 'networks': 'none'}}],
            self.posted())
        self.assertEqual('image-backed', json.loads(out)['type'])

    def test_every_option(self):
        self.volume_backed(min_disk=10)
        fakes.add_network_service(self)
        fakes.register_network_list(self.requests, [
            (fakes.NETWORK_ID, 'private'),
            ('0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e', 'other')])
        fakes.register_security_group_list(self.requests, [
            (fakes.SECURITY_GROUP_ID, 'web')])
        fakes.register_keypair(self.requests, 'mykey')
        fakes.register_create_server(self.requests)
        self.run_json('rc', 'snapshot', 'launch', fakes.IMAGE_ID,
                      '--flavor', '2', '--name', 'vm3', '--network',
                      'private', '--network', fakes.NETWORK_ID,
                      '--security-group', 'web', '--key-name', 'mykey',
                      '--availability-zone', 'az1')
        self.assertEqual([{'server': {
            'name': 'vm3', 'flavorRef': '2', 'imageRef': fakes.IMAGE_ID,
            'networks': [{'uuid': fakes.NETWORK_ID},
                         {'uuid': fakes.NETWORK_ID}],
            'key_name': 'mykey',
            'security_groups': [{'name': fakes.SECURITY_GROUP_ID}],
            'availability_zone': 'az1'}}], self.posted())
        calls = [c for c in self.after_warm_up()
                 if not c.startswith('GET %s/' % fakes.NETWORK_URL)
                 or '/v2.0/' in c]
        self.assertEqual([
            'GET %s/%s' % (IMAGES, fakes.IMAGE_ID),
            'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
            'GET %s' % FLAVORS,
            'GET %s/v2.0/networks' % fakes.NETWORK_URL,
            'GET %s/v2.0/security-groups?project_id=%s' % (
                fakes.NETWORK_URL, base.PROJECT_ID),
            'GET %s/os-keypairs/mykey' % base.COMPUTE_URL,
            'POST %s' % SERVERS], calls)

    def test_default_network_is_auto_with_neutron(self):
        self.volume_backed(min_disk=10)
        fakes.add_network_service(self)
        fakes.register_create_server(self.requests)
        self.run_json('rc', 'snapshot', 'launch', fakes.IMAGE_ID,
                      '--flavor', 'm1.tiny')
        self.assertEqual('auto', self.posted()[0]['server']['networks'])

    def test_no_network(self):
        self.volume_backed(min_disk=10)
        fakes.add_network_service(self)
        fakes.register_create_server(self.requests)
        self.run_json('rc', 'snapshot', 'launch', fakes.IMAGE_ID,
                      '--flavor', 'm1.tiny', '--no-network')
        self.assertEqual('none', self.posted()[0]['server']['networks'])

    def test_network_and_no_network_exclusive(self):
        code, out, err = self.launch('--network', 'x', '--no-network')
        self.assertEqual(2, code)
        self.assertIn('not allowed with argument', err)


class TestLaunchWait(LaunchTest):

    def test_wait_reports_the_root_volume(self):
        self.volume_backed(min_disk=10)
        fakes.register_create_server(self.requests)
        fakes.register_server_states(
            self.requests, NEW,
            fakes.launched_server('BUILD', task_state='block_device_mapping'),
            fakes.launched_server('BUILD', [VOL], task_state='spawning'),
            fakes.launched_server('ACTIVE', [VOL]))
        fakes.register_volume_states(self.requests, VOL, json={
            'volume': fakes.volume(VOL, status='in-use', size=10)})
        code, out, err = self.launch('--flavor', 'm1.tiny', '--wait', '-f',
                                     'json')
        self.assertEqual(0, code, err)
        data = json.loads(out)
        self.assertEqual(('ACTIVE', VOL, 10), (
            data['status'], data['root_volume_id'],
            data['root_volume_size']))
        self.assertEqual([
            'Server %s: BUILD (block_device_mapping) (0 s)' % NEW,
            'Server %s: BUILD (spawning) (2 s)' % NEW], err.splitlines())
        self.assertEqual(['POST %s' % SERVERS] + ['GET %s/%s' % (
            SERVERS, NEW)] * 3 + ['GET %s/%s' % (VOLUMES, VOL)],
            self.after_warm_up()[3:])

    def launch_onto_networks(self, *args):
        """``--wait`` onto two networks: a port on each, named from the
        server's addresses."""
        self.image_backed()
        fakes.add_network_service(self)
        other = '0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e'
        fakes.register_network_list(self.requests, [
            (fakes.NETWORK_ID, 'private'), (other, 'other')])
        fakes.register_create_server(self.requests)
        active = fakes.launched_server('ACTIVE')
        active['addresses'] = {
            'private': [fakes.address()],
            'other': [fakes.address('10.129.0.7', 'fa:16:3e:00:00:02')]}
        fakes.register_server_states(self.requests, NEW, active)
        # Neutron lists them in its own order, not the server's.
        fakes.register_port_list(self.requests, [
            fakes.port('p-2', other, '10.129.0.7', 'fa:16:3e:00:00:02',
                       groups=()),
            fakes.port('p-1')])
        return self.launch('--flavor', 'm1.small', '--network', 'private',
                           '--network', 'other', '--wait', *args)

    def test_wait_lists_the_ports_in_one_request(self):
        code, out, err = self.launch_onto_networks('-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([
            {'id': 'p-1', 'network': 'private',
             'network_id': fakes.NETWORK_ID, 'fixed_ips': ['10.128.0.64'],
             'mac_address': 'fa:16:3e:6e:4b:fb', 'status': 'ACTIVE',
             'security_group_ids': [fakes.SECURITY_GROUP_ID]},
            {'id': 'p-2', 'network': 'other',
             'network_id': '0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e',
             'fixed_ips': ['10.129.0.7'], 'mac_address': 'fa:16:3e:00:00:02',
             'status': 'ACTIVE', 'security_group_ids': []}],
            json.loads(out)['ports'])
        calls = [c for c in self.after_warm_up()
                 if not c.startswith('GET %s/' % fakes.NETWORK_URL)
                 or '/v2.0/' in c]
        self.assertEqual([
            'GET %s/%s' % (IMAGES, fakes.IMAGE_ID),
            'GET %s' % FLAVORS,
            'GET %s/v2.0/networks' % fakes.NETWORK_URL,
            'POST %s' % SERVERS,
            'GET %s/%s' % (SERVERS, NEW),
            'GET %s/v2.0/ports?device_id=%s' % (fakes.NETWORK_URL, NEW)],
            calls)

    def test_ports_in_a_table_one_line_each(self):
        code, out, err = self.launch_onto_networks()
        self.assertEqual(0, code, err)
        self.assertIn('p-1: private, 10.128.0.64, ACTIVE; security groups: '
                      '%s' % fakes.SECURITY_GROUP_ID, out)
        self.assertIn('p-2: other, 10.129.0.7, ACTIVE; security groups: '
                      'none', out)

    def test_no_network_lists_no_ports_and_asks_nothing(self):
        self.image_backed()
        fakes.add_network_service(self)
        fakes.register_create_server(self.requests)
        fakes.register_server_states(self.requests, NEW,
                                     fakes.launched_server('ACTIVE'))
        code, out, err = self.launch('--flavor', 'm1.small', '--no-network',
                                     '--wait', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([], json.loads(out)['ports'])
        self.assertEqual([], [c for c in self.calls() if '/v2.0/' in c])

    def test_without_wait_no_ports_yet(self):
        self.image_backed()
        fakes.add_network_service(self)
        fakes.register_create_server(self.requests)
        code, out, err = self.launch('--flavor', 'm1.small', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([], json.loads(out)['ports'])
        self.assertEqual([], [c for c in self.calls() if '/v2.0/' in c])

    def test_ctrl_c_while_waiting_says_what_is_left(self):
        self.volume_backed(min_disk=10)
        fakes.register_create_server(self.requests)
        self.requests.get('%s/%s' % (SERVERS, NEW), exc=KeyboardInterrupt)
        code, out, err = self.launch('--flavor', 'm1.tiny', '--wait')
        self.assertEqual(130, code)
        self.assertEqual('', out)
        self.assertEqual(
            'Interrupted: server %s is still being built; `openstack server '
            'delete %s` removes it.' % (NEW, NEW), err.strip())
        self.assertEqual(['POST %s' % SERVERS], self.writes())

    def test_error_deletes_server_and_its_volume(self):
        self.volume_backed(min_disk=10)
        other = 'c0ffee00-1111-4222-8333-444455556666'
        fakes.register_create_server(self.requests)
        failed = fakes.launched_server(
            'ERROR', [VOL, other],
            fault='Build of instance aborted: Volume did not finish being '
                  'created even after we waited 3 seconds.')
        fakes.register_server_states(self.requests, NEW, failed, failed,
                                     None)
        self.requests.delete('%s/%s' % (SERVERS, NEW), status_code=204)
        fakes.register_volume_states(self.requests, VOL, json={
            'volume': fakes.volume(VOL, status='error')})
        fakes.register_volume_states(self.requests, other, json={
            'volume': fakes.volume(other, snapshot_id=None)})
        self.requests.delete('%s/%s' % (VOLUMES, VOL), status_code=202)
        line = self.assertFails(
            'went to ERROR: Build of instance aborted: Volume did not finish '
            'being created even after we waited 3 seconds.; deleted the '
            'server and volume(s) %s.' % VOL,
            'rc', 'snapshot', 'launch', fakes.IMAGE_ID, '--flavor',
            'm1.tiny', '--wait')
        self.assertTrue(line.startswith('Server %s' % NEW), line)
        self.assertEqual(['POST %s' % SERVERS,
                          'DELETE %s/%s' % (SERVERS, NEW),
                          'DELETE %s/%s?cascade=False&force=False' % (
                              VOLUMES, VOL)], self.writes())

    def test_keep_failed(self):
        self.volume_backed(min_disk=10)
        fakes.register_create_server(self.requests)
        fakes.register_server_states(self.requests, NEW,
                                     fakes.launched_server(
                                         'ERROR', [VOL], fault='No valid '
                                         'host was found. '))
        self.assertFails('went to ERROR: No valid host was found.; kept it '
                         '(--keep-failed).', 'rc', 'snapshot', 'launch',
                         fakes.IMAGE_ID, '--flavor', 'm1.tiny', '--wait',
                         '--keep-failed')
        self.assertEqual(['POST %s' % SERVERS], self.writes())

    def test_timeout_leaves_the_server(self):
        self.volume_backed(min_disk=10)
        fakes.register_create_server(self.requests)
        fakes.register_server_states(self.requests, NEW,
                                     fakes.launched_server(
                                         'BUILD', task_state='spawning'))
        code, out, err = self.launch('--flavor', 'm1.tiny', '--wait',
                                     '--timeout', '0')
        self.assertEqual(1, code)
        self.assertEqual('', out)
        self.assertEqual(
            'Timed out after 0 s waiting for server %s, still BUILD '
            '(spawning); it was left as it is.' % NEW,
            err.strip().splitlines()[-1])
        self.assertEqual(['POST %s' % SERVERS], self.writes())

    def test_nova_500_on_every_poll_is_named(self):
        # Nova answers 500 to every poll: the state of the server is
        # unknown, and the line says so rather than call it slow.
        self.volume_backed(min_disk=10)
        fakes.register_create_server(self.requests)
        self.requests.get('%s/%s' % (SERVERS, NEW), **fakes.server_fault())
        code, out, err = self.launch('--flavor', 'm1.tiny', '--wait',
                                     '--timeout', '10')
        self.assertEqual(1, code)
        self.assertEqual('', out)
        self.assertEqual(
            'Nova answered 500 to every poll for 10 s; the state of server '
            '%s is unknown; it was left as it is.' % NEW,
            err.strip().splitlines()[-1])
        self.assertEqual(['POST %s' % SERVERS], self.writes())
        self.assertEqual(6, self.calls().count('GET %s/%s' % (SERVERS, NEW)))

    def test_server_vanishes(self):
        self.volume_backed(min_disk=10)
        fakes.register_create_server(self.requests)
        fakes.register_server_states(self.requests, NEW, None)
        self.assertFails('Server %s was deleted while it was being built.'
                         % NEW, 'rc', 'snapshot', 'launch', fakes.IMAGE_ID,
                         '--flavor', 'm1.tiny', '--wait')


class TestLaunchRefused(LaunchTest):
    """Every pre-flight refusal: one line, exit 1, and no POST."""

    def refused(self, expected, *args):
        line = self.assertFails(expected, 'rc', 'snapshot', 'launch',
                                fakes.IMAGE_ID, *args)
        self.assertEqual([], self.writes())
        return line

    def test_flavor_does_not_fit_lists_those_that_do(self):
        self.volume_backed(min_disk=10, min_ram=2048)
        self.assertEqual(
            'Flavor m1.tiny cannot launch snapshot analysis-vm-snap (%s): '
            'RAM 512 MiB < min_ram 2048 MiB; flavor disk not used: boots '
            'from a volume; flavors that fit: m1.small, m1.medium, '
            'm1.large.' % fakes.IMAGE_ID,
            self.refused('Flavor m1.tiny', '--flavor', 'm1.tiny'))

    def test_no_flavor_fits(self):
        self.volume_backed(min_disk=160)
        self.refused('Flavor m1.xlarge cannot launch snapshot '
                     'analysis-vm-snap (%s): root volume 10 GiB < min_disk '
                     '160 GiB (launch with --size 160); flavor disk not '
                     'used: boots from a volume; no flavor fits.'
                     % fakes.IMAGE_ID, '--flavor', 'm1.xlarge')

    def test_no_flavor_given_and_none_fits(self):
        self.volume_backed(min_disk=160)
        self.refused('No flavor can launch snapshot analysis-vm-snap (%s): '
                     'root volume 10 GiB < min_disk 160 GiB (launch with '
                     '--size 160); flavor disk not used: boots from a '
                     'volume.' % fakes.IMAGE_ID)

    def test_no_flavor_given_and_reasons_differ(self):
        self.image_backed(min_disk=500)
        self.refused('No flavor can launch snapshot web-vm-snap (%s): see '
                     'rc snapshot flavors --all.' % fakes.IMAGE_ID)

    def test_unknown_flavor(self):
        self.volume_backed()
        self.refused("No flavor with a name or ID of 'm9.huge' exists.",
                     '--flavor', 'm9.huge')

    def test_ambiguous_flavor(self):
        self.volume_backed()
        fakes.register_flavor_list(self.requests, [
            fakes.flavor('a', 'dup', 1, 1024, 1),
            fakes.flavor('b', 'dup', 1, 1024, 1)])
        self.refused("More than one flavor is named 'dup': a, b; use an ID.",
                     '--flavor', 'dup')

    def test_volume_snapshot_still_creating(self):
        self.volume_backed(status='creating')
        self.refused('Snapshot analysis-vm-snap (%s) is not ready yet: '
                     'volume snapshot %s creating (0%%); launch it once it '
                     'is' % (fakes.IMAGE_ID, fakes.ROOT_SNAP_ID))
        self.assertNotIn('GET %s' % FLAVORS, self.calls())

    def test_volume_snapshot_in_error(self):
        self.volume_backed(status='error')
        self.refused('cannot be launched: volume snapshot %s is error.'
                     % fakes.ROOT_SNAP_ID)

    def test_volume_snapshot_gone(self):
        fakes.register_image(self.requests, fakes.volume_backed_image())
        fakes.register_missing_volume_snapshot(self.requests,
                                               fakes.ROOT_SNAP_ID)
        self.refused('cannot be launched: volume snapshot %s is gone.'
                     % fakes.ROOT_SNAP_ID)

    def test_image_not_active(self):
        fakes.register_image(self.requests, fakes.image_backed_image(
            status='queued'))
        self.refused('is not ready yet: image queued')

    def test_not_an_instance_snapshot(self):
        fakes.register_image(self.requests, fakes.image())
        self.refused('is not an instance snapshot.')

    def test_size_below_snapshot(self):
        self.volume_backed(snap_size=10)
        self.refused('--size 9 GiB is smaller than the root volume snapshot '
                     '(10 GiB); a volume cannot shrink.', '--size', '9')

    def test_size_on_image_backed(self):
        self.image_backed()
        self.refused('--size applies to volume-backed snapshots only',
                     '--size', '20')

    def test_unknown_network(self):
        self.volume_backed(min_disk=10)
        fakes.add_network_service(self)
        fakes.register_network_list(self.requests, [(fakes.NETWORK_ID,
                                                     'private')])
        self.refused("No network with a name or ID of 'public' exists.",
                     '--flavor', 'm1.tiny', '--network', 'public')

    def test_network_without_neutron(self):
        self.volume_backed(min_disk=10)
        self.refused('This cloud has no Networking service; --network '
                     'cannot be used.', '--flavor', 'm1.tiny', '--network',
                     'private')

    def test_unknown_security_group(self):
        self.volume_backed(min_disk=10)
        fakes.add_network_service(self)
        fakes.register_security_group_list(self.requests, [
            (fakes.SECURITY_GROUP_ID, 'web')])
        self.refused("No security group with a name or ID of 'db' exists.",
                     '--flavor', 'm1.tiny', '--security-group', 'db')

    def test_unknown_security_group_id(self):
        self.volume_backed(min_disk=10)
        fakes.add_network_service(self)
        fakes.register_security_group_list(self.requests, [])
        missing = '0a0b0c0d-0e0f-4a1b-8c2d-3e4f5a6b7c8d'
        self.requests.get('%s/v2.0/security-groups/%s' % (
            fakes.NETWORK_URL, missing), status_code=404, json={
                'NeutronError': {'type': 'SecurityGroupNotFound',
                                 'message': 'Security group %s does not '
                                            'exist' % missing,
                                 'detail': ''}})
        self.refused("No security group with a name or ID of '%s' exists."
                     % missing, '--flavor', 'm1.tiny', '--security-group',
                     missing)

    def test_unknown_key_pair_without_flavor_is_one_line(self):
        self.volume_backed(min_disk=10)
        fakes.register_keypair(self.requests, 'nokey', found=False)
        self.refused("No key pair named 'nokey' exists for this user.",
                     '--key-name', 'nokey')

    def test_unknown_key_pair(self):
        self.volume_backed(min_disk=10)
        fakes.register_keypair(self.requests, 'nokey', found=False)
        self.refused("No key pair named 'nokey' exists for this user.",
                     '--flavor', 'm1.tiny', '--key-name', 'nokey')

    def nova_refuses(self, kind, status, message, expected):
        self.volume_backed(min_disk=10)
        fakes.register_create_server(
            self.requests, status_code=status,
            json=fakes.nova_error(kind, status, message))
        self.assertFails(expected, 'rc', 'snapshot', 'launch',
                         fakes.IMAGE_ID, '--flavor', 'm1.tiny')

    def test_quota_exceeded_names_the_quota(self):
        message = ('Quota exceeded for cores: Requested 1, but already used '
                   '20 of 20 cores')
        self.nova_refuses('forbidden', 403, message,
                          'Quota exceeded: ' + message)

    def test_nova_refusal_is_one_line(self):
        message = ('Volume is smaller than the minimum size specified in '
                   'image metadata.')
        self.nova_refuses('badRequest', 400, message,
                          'Nova refused the server: ' + message)

    def test_unknown_snapshot(self):
        fakes.register_image_list(self.requests, [],
                                  '?limit=1000&name=nosuch')
        self.assertFails("No image with a name or ID of 'nosuch' exists.",
                         'rc', 'snapshot', 'launch', 'nosuch')
        self.assertEqual([], self.writes())


class TestLaunchCleanupFails(LaunchTest):

    def test_fault_is_kept_when_cleanup_fails(self):
        self.volume_backed(min_disk=10)
        fakes.register_create_server(self.requests)
        fakes.register_server_states(self.requests, NEW,
                                     fakes.launched_server(
                                         'ERROR', fault='No valid host was '
                                         'found.'))
        self.requests.delete('%s/%s' % (SERVERS, NEW), status_code=409,
                             json=fakes.nova_error(
                                 'conflictingRequest', 409, 'Cannot '
                                 "'delete' instance while it is locked"))
        code, out, err = self.run_cli('rc', 'snapshot', 'launch',
                                      fakes.IMAGE_ID, '--flavor', 'm1.tiny',
                                      '--wait')
        self.assertEqual(1, code, err)
        self.assertNotIn('Traceback', err)
        warning, line = err.strip().splitlines()[-2:]
        self.assertIn('went to ERROR: No valid host was found.; cleaning up '
                      'failed: ', line)
        self.assertIn("Cannot 'delete' instance while it is locked", line)
        self.assertEqual(
            "Warning: could not delete server %(id)s (DELETE %(url)s/%(id)s "
            "failed (HTTP 409): Cannot 'delete' instance while it is "
            "locked): delete it with `openstack server delete %(id)s`."
            % {'id': NEW, 'url': SERVERS}, warning)

    def test_server_delete_500_but_gone_when_read_back_is_no_warning(self):
        self.volume_backed(min_disk=10)
        fakes.register_create_server(self.requests)
        # Nova's answer to the DELETE is a 500, but read back, the
        # server is gone (404): the cleanup goes on as after a 204.
        fakes.register_server_states(
            self.requests, NEW, fakes.launched_server(
                'ERROR', [VOL], fault='No valid host was found.'), None)
        self.requests.delete('%s/%s' % (SERVERS, NEW),
                             **fakes.server_fault())
        self.requests.get('%s/volumes/%s' % (base.VOLUME_URL, VOL), [
            {'json': {'volume': fakes.volume(VOL, status='in-use')}},
            {'status_code': 404, 'json': fakes.not_found('Volume', VOL)}])
        code, out, err = self.run_cli('rc', 'snapshot', 'launch',
                                      fakes.IMAGE_ID, '--flavor', 'm1.tiny',
                                      '--wait')
        self.assertEqual(1, code, err)
        # the lost answer is no failure of the cleanup, and no warning
        self.assertEqual('Server %s went to ERROR: No valid host was found.; '
                         'deleted the server and volume(s) %s.' % (NEW, VOL),
                         err.strip())
        # the volume went with its server (Nova deletes it on termination)
        self.assertEqual(
            ['POST %s' % SERVERS, 'DELETE %s/%s' % (SERVERS, NEW)],
            self.writes())

    def test_server_still_there_after_the_cleanup_is_named(self):
        # Nova accepts the DELETE but the server never goes: when the
        # cleanup gives up (here after 20 s) it is read back, still there,
        # and so is its volume.
        self.useFixture(fixtures.MockPatchObject(build, 'CLEANUP_TIMEOUT',
                                                 20))
        self.volume_backed(min_disk=10)
        fakes.register_create_server(self.requests)
        fakes.register_server_states(self.requests, NEW, fakes.launched_server(
            'ERROR', [VOL], fault='No valid host was found.'))
        self.requests.delete('%s/%s' % (SERVERS, NEW), status_code=204)
        fakes.register_volume_states(self.requests, VOL, json={
            'volume': fakes.volume(VOL, status='in-use')})
        clock = self.useFixture(base.FakeClock())
        self.useFixture(fixtures.MockPatch('openstack.utils.time',
                                           types.SimpleNamespace(
                                               time=clock.now,
                                               sleep=clock.sleep)))
        code, out, err = self.run_cli('rc', 'snapshot', 'launch',
                                      fakes.IMAGE_ID, '--flavor', 'm1.tiny',
                                      '--wait')
        self.assertEqual(1, code, err)
        self.assertEqual([
            'Warning: could not delete server %(id)s (still deleting): '
            'delete it with `openstack server delete %(id)s`.' % {'id': NEW},
            'Warning: could not delete volume %(id)s (its server is still '
            'deleting): delete it with `openstack volume delete %(id)s`.'
            % {'id': VOL}], err.strip().splitlines()[:2])
        self.assertIn('; could not delete server %s, volume %s.' % (NEW, VOL),
                      err.strip().splitlines()[-1])

    def test_volume_left_behind_is_named(self):
        self.volume_backed(min_disk=10)
        fakes.register_create_server(self.requests)
        failed = fakes.launched_server('ERROR', [VOL],
                                       fault='No valid host was found.')
        fakes.register_server_states(self.requests, NEW, failed, None)
        self.requests.delete('%s/%s' % (SERVERS, NEW), status_code=204)
        fakes.register_volume_states(self.requests, VOL, json={
            'volume': fakes.volume(VOL, status='error_deleting')})
        # Cinder never lets it go: the cleanup gives up after its timeout.
        self.useFixture(base.FakeClock())
        code, out, err = self.run_cli('rc', 'snapshot', 'launch',
                                      fakes.IMAGE_ID, '--flavor', 'm1.tiny',
                                      '--wait')
        self.assertEqual(1, code, err)
        warning, line = err.strip().splitlines()[-2:]
        # Read back, it is error_deleting: its owner cannot delete it,
        # and the warning says who can.
        self.assertEqual(
            'Warning: could not delete volume %(id)s: it is error_deleting, '
            'a state only an operator can reset: ask one to run `openstack '
            'volume set --state available %(id)s` (admin only), then delete '
            'it with `openstack volume delete %(id)s`.' % {'id': VOL},
            warning)
        self.assertIn('; could not delete volume %s.' % VOL, line)


# -- --delete-on-termination and --independent --------------------------------

TMP_ROOT = 'a0a0a0a0-1111-4222-8333-000000000001'
TMP_DATA = 'a0a0a0a0-1111-4222-8333-000000000002'
IMG_ROOT = 'b0b0b0b0-1111-4222-8333-000000000001'
IMG_DATA = 'b0b0b0b0-1111-4222-8333-000000000002'
NEW_DATA = '6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9d'


def delete(url):
    return 'DELETE %s?cascade=False&force=False' % url


def image_volume(volume_id, image_id, size, status='in-use'):
    """A volume Nova made from an image, as Cinder shows it: no
    snapshot_id, the image in ``volume_image_metadata`` (strings)."""
    return fakes.volume(
        volume_id, status=status, size=size, snapshot_id=None,
        name='', volume_image_metadata={
            'signature_verified': 'False', 'image_id': image_id,
            'image_name': 'vm2-vda-tmp',
            'checksum': 'f1c9645dbc14efddc7d8a322685f26eb',
            'container_format': 'bare', 'disk_format': 'raw',
            'min_disk': '0', 'min_ram': '0', 'size': str(size * 1024 ** 3)})


def in_use_html(image_id):
    """Glance's 409 when its store still uses an image (Ceph: volumes
    cloned from it), in the HTML it answers errors with."""
    return ('<html>\n <head>\n  <title>409 Conflict</title>\n </head>\n '
            '<body>\n  <h1>409 Conflict</h1>\n  Image %s could not be '
            'deleted because it is in use: The image cannot be deleted '
            'because it is in use through the backend store outside of '
            'Glance.<br /><br />\n\n\n\n </body>\n</html>' % image_id)


class TestDeleteOnTermination(LaunchTest):

    def test_explicit_mapping_deletes_every_volume(self):
        self.volume_backed(snap_size=10, min_disk=10, data=True)
        fakes.register_create_server(self.requests)
        data = self.run_json('rc', 'snapshot', 'launch', fakes.IMAGE_ID,
                             '--flavor', 'm1.tiny', '--name', 'vm2',
                             '--delete-on-termination')
        self.assertEqual([{'server': {
            'name': 'vm2', 'flavorRef': '1', 'networks': 'none',
            'block_device_mapping_v2': [
                {'boot_index': 0, 'uuid': fakes.ROOT_SNAP_ID,
                 'source_type': 'snapshot', 'destination_type': 'volume',
                 'delete_on_termination': True, 'volume_size': 10},
                {'boot_index': -1, 'uuid': fakes.DATA_SNAP_ID,
                 'source_type': 'snapshot', 'destination_type': 'volume',
                 'delete_on_termination': True, 'volume_size': 5}]}}],
            self.posted())
        self.assertEqual([(None, 0, 10, True, True),
                          (None, -1, 5, True, True)],
                         [(v['id'], v['boot_index'], v['size_gib'],
                           v['depends_on_snapshot'],
                           v['delete_on_termination'])
                          for v in data['volumes']])
        calls = self.after_warm_up()
        self.assertEqual([
            'GET %s/%s' % (IMAGES, fakes.IMAGE_ID),
            'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
            'GET %s/%s' % (SNAPS, fakes.DATA_SNAP_ID),
            'GET %s' % FLAVORS, 'POST %s' % SERVERS],
            calls[:1] + sorted(calls[1:3]) + calls[3:])

    def test_wait_reports_what_nova_says(self):
        self.volume_backed(snap_size=10, min_disk=10, data=True)
        fakes.register_create_server(self.requests)
        active = fakes.launched_server('ACTIVE', [VOL, NEW_DATA])
        for attached in active['os-extended-volumes:volumes_attached']:
            attached['delete_on_termination'] = True
        fakes.register_server_states(self.requests, NEW, active)
        fakes.register_volume_states(self.requests, VOL, json={
            'volume': fakes.volume(VOL, status='in-use', size=10)})
        fakes.register_volume_states(self.requests, NEW_DATA, json={
            'volume': fakes.volume(NEW_DATA, status='in-use', size=5,
                                   snapshot_id=fakes.DATA_SNAP_ID)})
        code, out, err = self.launch('--flavor', 'm1.tiny', '--wait',
                                     '--delete-on-termination')
        self.assertEqual(0, code, err)
        self.assertIn(
            '%s: root, 10 GiB, from volume snapshot %s; depends on the '
            'snapshot; deleted with the server' % (VOL, fakes.ROOT_SNAP_ID),
            out)
        self.assertIn(
            '%s: data, 5 GiB, from volume snapshot %s; depends on the '
            'snapshot; deleted with the server' % (NEW_DATA,
                                                   fakes.DATA_SNAP_ID),
            out)
        self.assertEqual(sorted(['GET %s/%s' % (VOLUMES, VOL),
                                 'GET %s/%s' % (VOLUMES, NEW_DATA)]),
                         sorted(self.calls()[-2:]))

    def test_image_backed_launches_as_it_is(self):
        self.image_backed()
        fakes.register_create_server(self.requests)
        code, out, err = self.launch('--flavor', 'm1.small',
                                     '--delete-on-termination', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertIn('is image-backed: the server gets no volume from it',
                      err)
        self.assertEqual(fakes.IMAGE_ID,
                         self.posted()[0]['server']['imageRef'])
        self.assertEqual([], json.loads(out)['volumes'])


class TestIndependent(LaunchTest):
    """``--independent``: a temporary volume and image per volume
    snapshot, the server's volumes made from the images, the images
    removed once it is ACTIVE."""

    def setUp(self):
        super().setUp()
        self.volume_backed(snap_size=10, min_disk=10, data=True)
        tmp = {fakes.ROOT_SNAP_ID: TMP_ROOT, fakes.DATA_SNAP_ID: TMP_DATA}

        def create_volume(request, context):
            context.status_code = 202
            body = request.json()['volume']
            return {'volume': fakes.volume(
                tmp[body['snapshot_id']], status='creating',
                size=body['size'], snapshot_id=body['snapshot_id'],
                name=body['name'])}
        self.requests.post(VOLUMES, json=create_volume)
        for volume_id, image_id, name in (
                (TMP_ROOT, IMG_ROOT, 'vm2-vda-tmp'),
                (TMP_DATA, IMG_DATA, 'vm2-vdb-tmp')):
            fakes.register_volume_states(self.requests, volume_id,
                                         'creating', 'available')
            self.requests.post('%s/%s/action' % (VOLUMES, volume_id),
                               status_code=202, json=fakes.upload_answer(
                                   volume_id, image_id, name))
            self.requests.get('%s/%s' % (IMAGES, image_id), [
                {'json': fakes.image(image_id, name, status=s,
                                     disk_format='raw')}
                for s in ('queued', 'active')])
            self.requests.delete('%s/%s' % (VOLUMES, volume_id),
                                 status_code=202)
            fakes.register_delete_image(self.requests, image_id)
        fakes.register_image_update(self.requests, fakes.image(
            IMG_ROOT, 'vm2-vda-tmp', disk_format='raw'))
        fakes.register_create_server(self.requests)
        fakes.register_server_states(
            self.requests, NEW,
            fakes.launched_server('BUILD', task_state='block_device_mapping',
                                  name='vm2'),
            fakes.launched_server('ACTIVE', [VOL, NEW_DATA], name='vm2'))
        fakes.register_volume_states(self.requests, VOL, json={
            'volume': image_volume(VOL, IMG_ROOT, 12)})
        fakes.register_volume_states(self.requests, NEW_DATA, json={
            'volume': image_volume(NEW_DATA, IMG_DATA, 5)})

    def independent(self, *args, flavor='m1.tiny'):
        return self.run_cli('rc', 'snapshot', 'launch', fakes.IMAGE_ID,
                            '--flavor', flavor, '--name', 'vm2',
                            '--independent', *args)

    def test_volumes_are_made_from_temporary_images(self):
        code, out, err = self.independent('--size', '12', '-f', 'json')
        self.assertEqual(0, code, err)
        data = json.loads(out)
        self.assertEqual(('ACTIVE', VOL, 12, []), (
            data['status'], data['root_volume_id'],
            data['root_volume_size'], data['kept_images']))
        self.assertEqual([
            {'id': VOL, 'boot_index': 0, 'size_gib': 12,
             'volume_snapshot': fakes.ROOT_SNAP_ID,
             'made_from': 'image %s' % IMG_ROOT,
             'depends_on_snapshot': False, 'delete_on_termination': False},
            {'id': NEW_DATA, 'boot_index': -1, 'size_gib': 5,
             'volume_snapshot': fakes.DATA_SNAP_ID,
             'made_from': 'image %s' % IMG_DATA,
             'depends_on_snapshot': False, 'delete_on_termination': False}],
            data['volumes'])
        self.assertEqual([{'server': {
            'name': 'vm2', 'flavorRef': '1', 'networks': 'none',
            'block_device_mapping_v2': [
                {'boot_index': 0, 'uuid': IMG_ROOT, 'source_type': 'image',
                 'destination_type': 'volume',
                 'delete_on_termination': False, 'volume_size': 12},
                {'boot_index': -1, 'uuid': IMG_DATA, 'source_type': 'image',
                 'destination_type': 'volume',
                 'delete_on_termination': False, 'volume_size': 5}]}}],
            self.posted())
        tmp_root, tmp_data = (
            '%s/%s' % (VOLUMES, v) for v in (TMP_ROOT, TMP_DATA))
        img_root, img_data = (
            '%s/%s' % (IMAGES, i) for i in (IMG_ROOT, IMG_DATA))
        # A constant number of requests per volume, none per other thing.
        self.assertEqual([
            'POST %s' % VOLUMES, 'POST %s' % VOLUMES,
            'GET %s' % tmp_root, 'GET %s' % tmp_root,
            'POST %s/action' % tmp_root,
            'GET %s' % tmp_data, 'GET %s' % tmp_data,
            'POST %s/action' % tmp_data,
            'GET %s' % img_root, 'GET %s' % img_root, 'PATCH %s' % img_root,
            'GET %s' % img_data, 'GET %s' % img_data,
            'GET %s' % tmp_root, delete(tmp_root),
            'GET %s' % tmp_data, delete(tmp_data),
            'POST %s' % SERVERS,
            'GET %s/%s' % (SERVERS, NEW), 'GET %s/%s' % (SERVERS, NEW)],
            self.after_warm_up()[4:24])
        self.assertEqual(sorted([
            'GET %s/%s' % (VOLUMES, VOL), 'GET %s/%s' % (VOLUMES, NEW_DATA),
        ]), sorted(self.after_warm_up()[24:26]))
        self.assertEqual(['DELETE %s' % img_root, 'DELETE %s' % img_data],
                         self.after_warm_up()[26:])
        patch = [r for r in self.requests.request_history
                 if r.method == 'PATCH'][0].json()
        self.assertEqual([
            {'op': 'add', 'path': '/hw_disk_bus', 'value': 'virtio'},
            {'op': 'add', 'path': '/min_disk', 'value': 10},
            {'op': 'add', 'path': '/min_ram', 'value': 0},
            {'op': 'add', 'path': '/os_distro', 'value': 'ubuntu'}], patch)
        created = [r.json()['volume'] for r in self.requests.request_history
                   if r.method == 'POST' and r.url == VOLUMES]
        self.assertEqual([
            {'snapshot_id': fakes.ROOT_SNAP_ID, 'size': 10,
             'name': 'vm2-vda-tmp-volume', 'description':
             'Temporary volume for an independent launch of snapshot %s'
             % fakes.IMAGE_ID},
            {'snapshot_id': fakes.DATA_SNAP_ID, 'size': 5,
             'name': 'vm2-vdb-tmp-volume', 'description':
             'Temporary volume for an independent launch of snapshot %s'
             % fakes.IMAGE_ID}], created)
        self.assertIn('Deleted temporary image %s' % IMG_ROOT, err)
        self.assertIn('Deleted temporary image %s' % IMG_DATA, err)

    def test_with_delete_on_termination(self):
        code, out, err = self.independent('--delete-on-termination', '-f',
                                          'json')
        self.assertEqual(0, code, err)
        self.assertEqual([True, True], [
            b['delete_on_termination'] for b in
            self.posted()[0]['server']['block_device_mapping_v2']])

    def test_image_the_cloud_still_uses_is_kept_hidden(self):
        fakes.register_delete_image(
            self.requests, IMG_ROOT, status_code=409, text=in_use_html(
                IMG_ROOT), headers={'Content-Type': 'text/html'})
        code, out, err = self.independent('-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([IMG_ROOT], json.loads(out)['kept_images'])
        hide = [r for r in self.requests.request_history
                if r.method == 'PATCH'][-1]
        self.assertEqual('%s/%s' % (IMAGES, IMG_ROOT), hide.url)
        self.assertEqual([{'op': 'add', 'path': '/os_hidden',
                           'value': True}], hide.json())
        self.assertIn('Kept temporary image %s, hidden: the cloud refused '
                      'to delete it (409 Conflict 409 Conflict Image %s '
                      'could not be deleted because it is in use' % (
                          IMG_ROOT, IMG_ROOT), err)
        self.assertIn('Deleted temporary image %s' % IMG_DATA, err)

    def refuse_hiding(self, **answer):
        """Glance refuses to delete IMG_ROOT (in use), and answers the
        PATCH that would hide it with ``answer``."""
        fakes.register_delete_image(
            self.requests, IMG_ROOT, status_code=409, text=in_use_html(
                IMG_ROOT), headers={'Content-Type': 'text/html'})
        self.requests.patch(
            '%s/%s' % (IMAGES, IMG_ROOT), additional_matcher=lambda r:
            'os_hidden' in (r.text or ''), **answer)

    def test_image_kept_and_not_hidden_is_one_warning(self):
        self.refuse_hiding(**fakes.server_fault(503))
        code, out, err = self.independent('-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([IMG_ROOT], json.loads(out)['kept_images'])
        self.assertIn(
            'Warning: kept temporary image %(id)s (%(why)s); delete it with '
            '`openstack image delete %(id)s` once the volumes made from it '
            'are deleted.' % {'id': IMG_ROOT, 'why': fakes.ERRED},
            err.splitlines())
        self.assertNotIn('Kept temporary image %s, hidden' % IMG_ROOT, err)

    def test_image_gone_when_hidden_is_no_warning(self):
        # Refused while in use, gone by the time it is hidden (404): it
        # is deleted, not kept.
        self.refuse_hiding(status_code=404, json=fakes.glance_error(
            404, 'No image found with ID %s' % IMG_ROOT))
        code, out, err = self.independent('-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([], json.loads(out)['kept_images'])
        self.assertNotIn('Warning', err)
        self.assertIn('Deleted temporary image %s' % IMG_ROOT, err)

    def test_image_deleted_already_is_not_kept(self):
        # Glance's 400 for an image deleted already: it is gone, not kept.
        fakes.register_delete_image(
            self.requests, IMG_ROOT, status_code=400,
            json=fakes.glance_error(400, 'Image status transition from '
                                    'deleted to deleted is not allowed'))
        code, out, err = self.independent('-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([], json.loads(out)['kept_images'])
        self.assertEqual([], [r for r in self.requests.request_history
                              if r.method == 'PATCH'
                              and 'os_hidden' in r.text])
        self.assertIn('Deleted temporary image %s' % IMG_ROOT, err)
        self.assertNotIn('Warning', err)

    def test_copy_fails_nothing_is_left_and_no_server(self):
        self.requests.post('%s/%s/action' % (VOLUMES, TMP_DATA),
                           status_code=400, json={'badRequest': {
                               'code': 400, 'message': 'Invalid volume'}})
        code, out, err = self.independent()
        self.assertEqual(1, code, err)
        self.assertIn('Invalid volume', err.strip().splitlines()[-1])
        self.assertEqual([
            'POST %s' % VOLUMES, 'POST %s' % VOLUMES,
            'POST %s/%s/action' % (VOLUMES, TMP_ROOT),
            'POST %s/%s/action' % (VOLUMES, TMP_DATA),
            'DELETE %s/%s' % (IMAGES, IMG_ROOT),
            delete('%s/%s' % (VOLUMES, TMP_ROOT)),
            delete('%s/%s' % (VOLUMES, TMP_DATA))], self.writes())

    def test_nova_refuses_the_server_images_are_deleted(self):
        fakes.register_create_server(
            self.requests, status_code=403, json=fakes.nova_error(
                'forbidden', 403, 'Quota exceeded for instances: Requested '
                '1, but already used 10 of 10 instances'))
        code, out, err = self.independent()
        self.assertEqual(1, code, err)
        self.assertIn('Quota exceeded for instances',
                      err.strip().splitlines()[-1])
        self.assertEqual(['POST %s' % SERVERS,
                          'DELETE %s/%s' % (IMAGES, IMG_ROOT),
                          'DELETE %s/%s' % (IMAGES, IMG_DATA)],
                         self.writes()[-3:])

    def test_server_error_removes_server_volumes_and_images(self):
        failed = fakes.launched_server('ERROR', [VOL, NEW_DATA],
                                       fault='No valid host was found.',
                                       name='vm2')
        fakes.register_server_states(self.requests, NEW, failed, failed,
                                     None)
        self.requests.delete('%s/%s' % (SERVERS, NEW), status_code=204)
        fakes.register_volume_states(self.requests, VOL, json={
            'volume': image_volume(VOL, IMG_ROOT, 10, status='available')})
        fakes.register_volume_states(self.requests, NEW_DATA, json={
            'volume': image_volume(NEW_DATA, IMG_DATA, 5,
                                   status='available')})
        self.requests.delete('%s/%s' % (VOLUMES, VOL), status_code=202)
        self.requests.delete('%s/%s' % (VOLUMES, NEW_DATA), status_code=202)
        code, out, err = self.independent()
        self.assertEqual(1, code, err)
        self.assertEqual(
            'Server %s went to ERROR: No valid host was found.; deleted the '
            'server and volume(s) %s, %s.' % (NEW, VOL, NEW_DATA),
            err.strip().splitlines()[-1])
        writes = self.writes()
        self.assertEqual(['POST %s' % SERVERS,
                          'DELETE %s/%s' % (SERVERS, NEW)],
                         writes[-6:-4])
        self.assertEqual(sorted([delete('%s/%s' % (VOLUMES, VOL)),
                                 delete('%s/%s' % (VOLUMES, NEW_DATA))]),
                         sorted(writes[-4:-2]))
        self.assertEqual(['DELETE %s/%s' % (IMAGES, IMG_ROOT),
                          'DELETE %s/%s' % (IMAGES, IMG_DATA)], writes[-2:])

    def test_server_error_image_kept_not_hidden_is_said_so(self):
        # After a failed build, a temporary image the cloud still uses is
        # kept; hiding it fails too: the warning says so, and the error
        # line does not call it hidden.
        failed = fakes.launched_server('ERROR', [VOL, NEW_DATA],
                                       fault='No valid host was found.',
                                       name='vm2')
        fakes.register_server_states(self.requests, NEW, failed, failed,
                                     None)
        self.requests.delete('%s/%s' % (SERVERS, NEW), status_code=204)
        for volume_id, image_id, size in ((VOL, IMG_ROOT, 10),
                                          (NEW_DATA, IMG_DATA, 5)):
            fakes.register_volume_states(self.requests, volume_id, json={
                'volume': image_volume(volume_id, image_id, size,
                                       status='available')})
            self.requests.delete('%s/%s' % (VOLUMES, volume_id),
                                 status_code=202)
        self.refuse_hiding(**fakes.server_fault(503))
        code, out, err = self.independent()
        self.assertEqual(1, code, err)
        lines = err.strip().splitlines()
        self.assertIn(
            'Warning: kept temporary image %(id)s (%(why)s); delete it with '
            '`openstack image delete %(id)s` once the volumes made from it '
            'are deleted.' % {'id': IMG_ROOT, 'why': fakes.ERRED}, lines)
        self.assertEqual(
            'Server %s went to ERROR: No valid host was found.; deleted the '
            'server and volume(s) %s, %s; kept temporary image(s) %s.' % (
                NEW, VOL, NEW_DATA, IMG_ROOT), lines[-1])

    def test_copy_timeout_removes_what_it_made(self):
        code, out, err = self.independent('--timeout', '0')
        self.assertEqual(1, code, err)
        self.assertEqual('Timed out after 0 s waiting for Volume %s '
                         '(creating).' % TMP_ROOT,
                         err.strip().splitlines()[-1])
        self.assertEqual([delete('%s/%s' % (VOLUMES, TMP_ROOT)),
                          delete('%s/%s' % (VOLUMES, TMP_DATA))],
                         self.writes()[-2:])
        self.assertNotIn('POST %s' % SERVERS, self.writes())

    def test_timeout_keeps_the_images_the_build_needs(self):
        # The copies are ready at once: the time runs out in the build.
        for volume_id, image_id in ((TMP_ROOT, IMG_ROOT),
                                    (TMP_DATA, IMG_DATA)):
            fakes.register_volume_states(self.requests, volume_id,
                                         'available')
            self.requests.get('%s/%s' % (IMAGES, image_id), json=fakes.image(
                image_id, 'tmp', status='active', disk_format='raw'))
        fakes.register_server_states(self.requests, NEW, fakes.launched_server(
            'BUILD', task_state='block_device_mapping', name='vm2'))
        code, out, err = self.independent('--timeout', '0')
        self.assertEqual(1, code, err)
        self.assertEqual(
            'Timed out after 0 s waiting for server %s, still BUILD '
            '(block_device_mapping); it was left as it is. Temporary '
            'image(s) %s, %s are kept for it: delete them once it is '
            'built.' % (NEW, IMG_ROOT, IMG_DATA),
            err.strip().splitlines()[-1])
        self.assertEqual('POST %s' % SERVERS, self.writes()[-1])

    def test_ctrl_c_in_the_build_says_what_is_left(self):
        self.requests.get('%s/%s' % (SERVERS, NEW), exc=KeyboardInterrupt)
        code, out, err = self.independent()
        self.assertEqual(130, code)
        self.assertEqual(
            'Interrupted: server %s is still being built; `openstack server '
            'delete %s` removes it. Temporary image(s) %s, %s are kept for '
            'it: delete them once it is built.' % (NEW, NEW, IMG_ROOT,
                                                   IMG_DATA),
            err.strip().splitlines()[-1])
        self.assertEqual('POST %s' % SERVERS, self.writes()[-1])

    def test_server_deleted_while_building_images_go(self):
        fakes.register_server_states(self.requests, NEW, None)
        code, out, err = self.independent()
        self.assertEqual(1, code, err)
        self.assertEqual('Server %s was deleted while it was being built.'
                         % NEW, err.strip().splitlines()[-1])
        self.assertEqual(['DELETE %s/%s' % (IMAGES, IMG_ROOT),
                          'DELETE %s/%s' % (IMAGES, IMG_DATA)],
                         self.writes()[-2:])

    def test_image_backed_launches_as_it_is(self):
        self.image_backed()
        code, out, err = self.independent('-f', 'json', flavor='m1.small')
        self.assertEqual(0, code, err)
        self.assertIn('is image-backed: the server gets no volume from it '
                      'and does not depend on it; launching it as it is.',
                      err)
        self.assertEqual(fakes.IMAGE_ID,
                         self.posted()[0]['server']['imageRef'])
        self.assertEqual(['POST %s' % SERVERS], self.writes())

    def test_refused_before_anything_is_made(self):
        self.assertFails('--size 9 GiB is smaller than the root volume '
                         'snapshot', 'rc', 'snapshot', 'launch',
                         fakes.IMAGE_ID, '--independent', '--size', '9')
        self.assertEqual([], self.writes())
