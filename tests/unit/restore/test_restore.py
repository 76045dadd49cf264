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

"""``rc snapshot restore`` over HTTP fakes: the plan, a replacement, a
rebuild; output and requests."""

import json

from tests.unit import fakes
from tests.unit.restore import base
from tests.unit.restore import cloud
from tests.unit.restore import data

NEW_ROOT_ID, NEW_DATA_ID = cloud.NEW_VOLUME_IDS
SUBNET = data.SUBNET_ID

#: The mutating requests of a replacement, in order.
REPLACEMENT = [
    'POST %s/action' % base.SERVER,
    'PUT %s' % base.SERVER,
    'PUT %s' % base.FIP,
    'PUT %s' % base.NOVA_PORT,
    'PUT %s' % base.NOVA_PORT,
    'DELETE %s/os-interface/%s' % (base.SERVER, data.USER_PORT_ID),
    'POST %s/servers' % base.NOVA,
    'PUT %s' % base.FIP,
    'PUT %s/os-volume_attachments/%s' % (base.NEW, NEW_ROOT_ID),
    'PUT %s/os-volume_attachments/%s' % (base.NEW, NEW_DATA_ID),
    'POST %s/metadata' % base.SERVER,
    'PUT %s/volumes/%s' % (base.CINDER, NEW_ROOT_ID),
    'PUT %s/volumes/%s' % (base.CINDER, NEW_DATA_ID)]

#: Its bodies, in the same order.
BODIES = [
    {'os-stop': None},
    {'server': {'name': data.KEPT_NAME}},
    {'floatingip': {'port_id': None}},
    {'port': {'fixed_ips': [
        {'subnet_id': SUBNET, 'ip_address': data.NOVA_IP},
        {'subnet_id': SUBNET}]}},
    {'port': {'fixed_ips': [
        {'subnet_id': SUBNET, 'ip_address': '10.128.0.201'}]}},
    None,
    {'server': {
        'name': 'analysis-vm', 'flavorRef': '2',
        'block_device_mapping_v2': [
            {'boot_index': 0, 'destination_type': 'volume',
             'uuid': fakes.ROOT_SNAP_ID, 'source_type': 'snapshot',
             'delete_on_termination': True, 'volume_size': 10},
            {'boot_index': -1, 'destination_type': 'volume',
             'uuid': fakes.DATA_SNAP_ID, 'source_type': 'snapshot',
             'delete_on_termination': True, 'volume_size': 5}],
        'networks': [{'uuid': data.NETWORK_ID, 'fixed_ip': data.NOVA_IP},
                     {'port': data.USER_PORT_ID}],
        'security_groups': [{'name': data.SECURITY_GROUP_ID}],
        'metadata': {'owner': 'alice',
                     'rcsnap:restored_from': data.SERVER_ID},
        'key_name': 'mykey', 'tags': ['db'], 'availability_zone': 'az1'},
        'OS-SCH-HNT:scheduler_hints': {'group': data.GROUP_ID}},
    {'floatingip': {'port_id': cloud.NEW_PORT_ID,
                    'fixed_ip_address': data.NOVA_IP}},
    # Deleted with the server until the restore is done (a rollback takes
    # them with it), then kept as the snapshot records.
    {'volumeAttachment': {'volumeId': NEW_ROOT_ID,
                          'delete_on_termination': False}},
    {'volumeAttachment': {'volumeId': NEW_DATA_ID,
                          'delete_on_termination': False}},
    {'metadata': {'rcsnap:replaced_by': data.NEW_SERVER_ID}},
    # Named as the volumes made from backups are (Nova names none).
    {'volume': {'name': 'analysis-vm-vda', 'description':
                'Restored from volume snapshot %s of instance snapshot %s'
                % (fakes.ROOT_SNAP_ID, fakes.IMAGE_ID)}},
    {'volume': {'name': 'analysis-vm-vdb', 'description':
                'Restored from volume snapshot %s of instance snapshot %s'
                % (fakes.DATA_SNAP_ID, fakes.IMAGE_ID)}}]


def sent(test):
    """The writes with their bodies."""
    return [(r.method + ' ' + r.url, r.json() if r.body else None)
            for r in test.requests.request_history
            if r.method not in ('GET', 'HEAD')
            and '/auth/tokens' not in r.url]


class TestPlan(base.RestoreTest):

    def test_dry_run_only_reads(self):
        self.cloud()
        code, out, err = self.restore('--dry-run', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual('', err)
        self.assertEqual([
            ('server', data.SERVER_ID, '(to be made)'),
            ('root volume', fakes.ROOT_VOLUME_ID, '(to be made)'),
            ('data volume', fakes.DATA_VOLUME_ID, '(to be made)'),
            ('port', '%s (%s)' % (data.NOVA_PORT_ID, data.NOVA_IP),
             '(to be made)'),
            ('floating IP', '%s -> %s' % (data.FLOATING_IP,
                                          data.NOVA_PORT_ID),
             '%s -> (to be made)' % data.FLOATING_IP),
            ('port', '%s (%s)' % (data.USER_PORT_ID, data.USER_IP),
             '%s (%s)' % (data.USER_PORT_ID, data.USER_IP))],
            self.rows(out))
        calls = self.calls()
        self.assertEqual({'GET'}, {c.split()[0] for c in calls}, calls)
        self.assertEqual(sorted([
            'GET %s/v2/images/%s' % (fakes.base.IMAGE_URL, fakes.IMAGE_ID),
            'GET %s' % base.SERVER,
            'GET %s/ports?device_id=%s' % (base.NEUTRON, data.SERVER_ID),
            'GET %s/floatingips?project_id=%s' % (base.NEUTRON,
                                                  fakes.base.PROJECT_ID),
            'GET %s/networks?id=%s' % (base.NEUTRON, data.NETWORK_ID),
            'GET %s/quotas/%s/details' % (base.NEUTRON,
                                          fakes.base.PROJECT_ID),
            'GET %s/flavors/detail' % base.NOVA,
            'GET %s/os-keypairs/mykey' % base.NOVA,
            'GET %s' % fakes.QUOTA_URL,
            fakes.base.WARM_UP,
            'GET %s/snapshots/%s' % (base.CINDER, fakes.ROOT_SNAP_ID),
            'GET %s/snapshots/%s' % (base.CINDER, fakes.DATA_SNAP_ID),
            'GET %s/volumes/%s' % (base.CINDER, fakes.ROOT_VOLUME_ID),
            'GET %s/volumes/%s' % (base.CINDER, fakes.DATA_VOLUME_ID)]),
            sorted(calls))

    def test_neutron_without_quota_details(self):
        self.cloud().fail('GET', '%s/quotas/%s/details' % (
            base.NEUTRON, fakes.base.PROJECT_ID), (404, data.neutron_error(
                'HTTPNotFound', 'The resource could not be found.')))
        code, out, err = self.restore('--dry-run', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual(6, len(self.rows(out)))

    def test_not_a_terminal_needs_yes(self):
        self.cloud()
        self.assertFails('restore replaces or rebuilds a server: add --yes '
                         'to confirm, or --dry-run to see the plan.', 'rc',
                         'snapshot', 'restore', fakes.IMAGE_ID)
        self.assertEqual([], self.calls())

    def test_quota_refused_before_anything(self):
        self.cloud()
        fakes.register_quota(self.requests, fakes.quota_set(volumes=(9, 10)))
        self.assertFails("Cinder quota 'volumes' is at 9 of 10: restoring "
                         "server analysis-vm needs 2 new volume(s), 15 GiB; "
                         "nothing was changed.", 'rc', 'snapshot', 'restore',
                         fakes.IMAGE_ID, '--yes')
        self.assertEqual([], self.writes())

    def test_port_quota_refused_before_anything(self):
        self.cloud().port_quota = {'limit': 8, 'used': 8, 'reserved': 0}
        self.assertFails("Neutron quota 'port' is at 8 of 8", 'rc',
                         'snapshot', 'restore', fakes.IMAGE_ID, '--yes')
        self.assertEqual([], self.writes())

    def test_key_pair_the_user_does_not_have(self):
        self.cloud()
        fakes.register_keypair(self.requests, 'mykey', found=False)
        self.assertFails("Server analysis-vm has key pair 'mykey', which "
                         "this user does not have", 'rc', 'snapshot',
                         'restore', fakes.IMAGE_ID, '--yes')
        self.assertEqual([], self.writes())

    def test_flavor_no_longer_offered(self):
        self.cloud()
        fakes.register_flavor_list(self.requests, [])
        self.assertFails('The flavor of server analysis-vm (m1.small) is no '
                         'longer offered to this project: the new server '
                         'cannot have it.', 'rc', 'snapshot', 'restore',
                         fakes.IMAGE_ID, '--yes')
        self.assertEqual([], self.writes())

    def test_server_gone_needs_server_option(self):
        fake = self.cloud()
        del fake.servers[data.SERVER_ID]
        self.assertFails('names no server that still exists: say which one '
                         'to restore with --server.', 'rc', 'snapshot',
                         'restore', fakes.IMAGE_ID, '--dry-run')
        self.assertEqual([], self.writes())

    def test_server_of_another_project(self):
        self.cloud(server=data.old_server(
            tenant_id=fakes.base.OTHER_PROJECT_ID))
        self.assertFails('Server analysis-vm (%s) is not in this project.'
                         % data.SERVER_ID, 'rc', 'snapshot', 'restore',
                         fakes.IMAGE_ID, '--dry-run')

    def test_default_target_follows_earlier_restores(self):
        fake = self.cloud()
        fake.servers[data.SERVER_ID]['metadata']['rcsnap:replaced_by'] = 'B'
        later = data.old_server(id='b' * 8 + data.SERVER_ID[8:])
        later['metadata'] = {'rcsnap:restored_from': data.SERVER_ID}
        fake.servers[later['id']] = later
        code, out, err = self.restore('--dry-run', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual(later['id'], self.rows(out)[0][1])
        self.assertIn('GET %s/servers/detail' % base.NOVA, self.calls())


class TestReplace(base.RestoreTest):

    def test_volume_backed_replacement(self):
        fake = self.cloud()
        code, out, err = self.restore('--yes', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual(REPLACEMENT, self.writes())
        self.assertEqual(BODIES, [b for _, b in sent(self)])
        self.assertEqual([
            'Stopping server analysis-vm (%s)' % data.SERVER_ID,
            'Server %s (until SHUTOFF): ACTIVE (0 s)' % data.SERVER_ID,
            'Creating server analysis-vm',
            'Server %s (until ACTIVE): BUILD (0 s)' % data.NEW_SERVER_ID],
            err.splitlines())
        new_port = '%s (%s)' % (cloud.NEW_PORT_ID, data.NOVA_IP)
        self.assertEqual([
            ('server', data.SERVER_ID, data.NEW_SERVER_ID),
            ('root volume', fakes.ROOT_VOLUME_ID, NEW_ROOT_ID),
            ('data volume', fakes.DATA_VOLUME_ID, NEW_DATA_ID),
            ('port', '%s (%s)' % (data.NOVA_PORT_ID, data.NOVA_IP),
             new_port),
            ('floating IP', '%s -> %s' % (data.FLOATING_IP,
                                          data.NOVA_PORT_ID),
             '%s -> %s' % (data.FLOATING_IP, cloud.NEW_PORT_ID)),
            ('port', '%s (%s)' % (data.USER_PORT_ID, data.USER_IP),
             '%s (%s)' % (data.USER_PORT_ID, data.USER_IP)),
            ('unreachable', '', '3 s')], self.rows(out))
        # Where the cloud is left: the old server stopped and renamed with
        # another address, the new one with its name and addresses.
        old = fake.servers[data.SERVER_ID]
        self.assertEqual(('SHUTOFF', data.KEPT_NAME, data.NEW_SERVER_ID), (
            old['status'], old['name'],
            old['metadata']['rcsnap:replaced_by']))
        self.assertEqual(['10.128.0.201'], [
            ip['ip_address'] for ip in fake.ports[data.NOVA_PORT_ID][
                'fixed_ips']])
        self.assertEqual(data.NEW_SERVER_ID,
                         fake.ports[data.USER_PORT_ID]['device_id'])
        self.assertEqual((cloud.NEW_PORT_ID, data.NOVA_IP), (
            fake.fips[data.FIP_ID]['port_id'],
            fake.fips[data.FIP_ID]['fixed_ip_address']))

    def test_current_data_volumes_move(self):
        fake = self.cloud()
        code, out, err = self.restore('--yes', '--data-volumes', 'current',
                                      '-f', 'json')
        self.assertEqual(0, code, err)
        detach = 'DELETE %s/os-volume_attachments/%s' % (
            base.SERVER, fakes.DATA_VOLUME_ID)
        # One new volume (the root) to keep on termination once done.
        self.assertEqual(REPLACEMENT[:6] + [detach] + REPLACEMENT[6:9]
                         + REPLACEMENT[10:12], self.writes())
        posted = self.bodies('POST', base.NOVA + '/servers')[0]['server']
        self.assertEqual({
            'boot_index': -1, 'destination_type': 'volume',
            'uuid': fakes.DATA_VOLUME_ID, 'source_type': 'volume',
            'delete_on_termination': False},
            posted['block_device_mapping_v2'][1])
        self.assertIn(('data volume', fakes.DATA_VOLUME_ID,
                       fakes.DATA_VOLUME_ID), self.rows(out))
        self.assertEqual(
            data.NEW_SERVER_ID,
            fake.volumes[fakes.DATA_VOLUME_ID]['attachments'][0][
                'server_id'])

    def test_delete_old(self):
        # The old root volume's snapshots are of another snapshot (this
        # one's were copied since): it goes too.
        fake = self.cloud()
        code, out, err = self.restore('--yes', '--delete-old', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual(REPLACEMENT + [
            'DELETE %s' % base.SERVER,
            'DELETE %s/volumes/%s?cascade=False&force=False' % (
                base.CINDER, fakes.ROOT_VOLUME_ID)],
            self.writes())
        self.assertNotIn(data.SERVER_ID, fake.servers)
        # The old data volume is the user's: it stays.
        self.assertIn(fakes.DATA_VOLUME_ID, fake.volumes)
        found = json.loads(out)
        self.assertEqual([
            ('old server', data.SERVER_ID, 'deleted (--delete-old)'),
            ('old root volume', fakes.ROOT_VOLUME_ID,
             'deleted (--delete-old)')],
            [(r['Resource'], r['Old'], r['Note']) for r in found[-3:-1]])
        self.assertIn('Deleting the old server %s' % data.SERVER_ID, err)

    def test_delete_old_refused_still_prints_the_rows(self):
        # The new server is the user's already: the rows are printed, then
        # the one line of what failed, exit 1.
        fake = self.cloud()
        fake.fail('DELETE', base.SERVER, (409, fakes.nova_error(
            'conflictingRequest', 409, "Cannot 'delete' instance %s while "
            "it is in task_state powering-on" % data.SERVER_ID)))
        code, out, err = self.restore('--yes', '--delete-old', '-f', 'json')
        self.assertEqual(1, code, err)
        found = json.loads(out)
        self.assertEqual(data.NEW_SERVER_ID, found[0]['New'])
        self.assertIn(data.SERVER_ID, fake.servers)
        last = err.strip().splitlines()[-1]
        self.assertTrue(last.startswith(
            'Restored, but the old server %s was not deleted (' %
            data.SERVER_ID), last)
        self.assertTrue(last.endswith(
            'delete it with `openstack server delete %s`.' % data.SERVER_ID),
            last)

    def test_replaced_by_not_recorded_is_a_warning(self):
        fake = self.cloud()
        fake.fail('POST', base.SERVER + '/metadata', (500, fakes.nova_error(
            'computeFault', 500, 'Unexpected API Error.')))
        code, out, err = self.restore('--yes', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertIn(
            'Warning: could not record on server %(old)s that %(new)s '
            'replaced it (' % {'old': data.SERVER_ID,
                               'new': data.NEW_SERVER_ID}, err)
        self.assertIn(
            'run `openstack server set --property rcsnap:replaced_by=%s %s`.'
            % (data.NEW_SERVER_ID, data.SERVER_ID), err)

    def test_volume_not_kept_on_termination_is_a_warning(self):
        # The snapshot records the data volume as kept when its server is
        # deleted; Nova refuses to set that back on the new server.
        fake = self.cloud()
        fake.fail('PUT', '%s/os-volume_attachments/%s' % (
            base.NEW, NEW_DATA_ID), (500, fakes.nova_error(
                'computeFault', 500, 'Unexpected API Error.')))
        code, out, err = self.restore('--yes', '-f', 'json')
        self.assertEqual(0, code, err)
        warnings = [line for line in err.splitlines()
                    if line.startswith('Warning')]
        self.assertEqual([
            'Warning: could not keep volume %(vol)s when the server is '
            'deleted (PUT %(url)s/os-volume_attachments/%(vol)s failed (HTTP '
            '500): Unexpected API Error.): run `openstack server volume '
            'update --preserve-on-termination %(new)s %(vol)s`.' % {
                'vol': NEW_DATA_ID, 'url': base.NEW,
                'new': data.NEW_SERVER_ID}], warnings)
        # true: Nova still deletes that volume with the server, and only it
        attached = {a['id']: a['delete_on_termination'] for a in fake.servers[
            data.NEW_SERVER_ID]['os-extended-volumes:volumes_attached']}
        self.assertEqual({NEW_ROOT_ID: False, NEW_DATA_ID: True}, attached)

    def test_delete_old_keeps_the_root_its_snapshots_need(self):
        # The root volume snapshot restored from is of the old root
        # volume: Cinder would refuse to delete it, it is kept.
        fake = self.cloud()

        def listing(request, context):
            wanted = request.qs.get('volume_id', [None])[0]
            return {'snapshots': [
                s for s in data.volume_snapshots().values()
                if wanted in (None, s['volume_id'])]}
        self.requests.get(base.CINDER + '/snapshots/detail', json=listing)
        code, out, err = self.restore('--yes', '--delete-old', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual(REPLACEMENT + ['DELETE %s' % base.SERVER],
                         self.writes())
        self.assertIn(fakes.ROOT_VOLUME_ID, fake.volumes)
        self.assertEqual(
            ('old root volume', fakes.ROOT_VOLUME_ID,
             'kept: volume snapshot(s) %s depend on it' % fakes.ROOT_SNAP_ID),
            tuple(json.loads(out)[-2][k] for k in ('Resource', 'Old',
                                                   'Note')))

    def test_server_by_name(self):
        self.cloud()
        code, out, err = self.restore('--server', 'analysis-vm',
                                      '--dry-run', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual(data.SERVER_ID, self.rows(out)[0][1])
        self.assertIn('GET %s/servers/detail?name=%%5Eanalysis%%5C-vm%%24'
                      % base.NOVA, self.calls())


class TestRebuild(base.RestoreTest):

    def image_backed(self):
        server = data.old_server(image={'id': fakes.BASE_IMAGE_ID,
                                        'links': []})
        server['os-extended-volumes:volumes_attached'] = []
        return self.cloud(server=server, ports=[], fips=[],
                          image=fakes.image_backed_image(
                              instance_uuid=data.SERVER_ID))

    def test_rebuild(self):
        self.image_backed()
        code, out, err = self.restore('--yes', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([('POST %s/action' % base.SERVER, {
            'rebuild': {'imageRef': fakes.IMAGE_ID}})], sent(self))
        self.assertEqual([('server', data.SERVER_ID, data.SERVER_ID)],
                         self.rows(out))
        self.assertEqual('', err)

    def test_rebuild_and_wait(self):
        self.image_backed()
        code, out, err = self.restore('--yes', '--wait', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual(['POST %s/action' % base.SERVER] + [
            'GET %s' % base.SERVER] * 3, self.calls()[-4:])
        self.assertEqual([('server', data.SERVER_ID, data.SERVER_ID),
                          ('unreachable', '', '2 s')], self.rows(out))
        self.assertEqual(['Server %s (until ACTIVE): REBUILD (0 s)'
                          % data.SERVER_ID], err.splitlines())

    def test_a_stopped_server_is_waited_for_until_stopped(self):
        self.image_backed().servers[data.SERVER_ID].update(status='SHUTOFF')
        code, out, err = self.restore('--yes', '--wait', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual(['Server %s (until SHUTOFF): REBUILD (0 s)'
                          % data.SERVER_ID], err.splitlines())
