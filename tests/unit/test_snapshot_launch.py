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
        self.assertIn('is missing', err)

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
            'root_volume_id': None, 'root_volume_size': None}, data)
        self.assertEqual(['GET %s/%s' % (IMAGES, fakes.IMAGE_ID),
                          'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
                          'GET %s' % FLAVORS, 'POST %s' % SERVERS],
                         self.calls())

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
        calls = [c for c in self.calls()
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
            'Server %s: BUILD (spawning) (0 s)' % NEW], err.splitlines())
        self.assertEqual(['POST %s' % SERVERS] + ['GET %s/%s' % (
            SERVERS, NEW)] * 3 + ['GET %s/%s' % (VOLUMES, VOL)],
            self.calls()[3:])

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
        line = self.assertFails(
            'went to ERROR: No valid host was found.; cleaning up failed: ',
            'rc', 'snapshot', 'launch', fakes.IMAGE_ID, '--flavor',
            'm1.tiny', '--wait')
        self.assertIn("Cannot 'delete' instance while it is locked", line)
