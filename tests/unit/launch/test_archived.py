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

"""``rc snapshot launch`` and ``flavors`` of an archived snapshot: volumes
made from its backups, then the server booted from them."""

import json

from tests.unit.archive import test_show
from tests.unit import backup_fakes as bf
from tests.unit import base
from tests.unit import fakes

VOLUMES = base.VOLUME_URL + '/volumes'
SERVERS = base.COMPUTE_URL + '/servers'
ROOT, DATA = bf.ROOT_RESTORED_ID, bf.DATA_RESTORED_ID
POST_VOLUME = 'POST %s' % VOLUMES
POST_SERVER = 'POST %s' % SERVERS


class ArchivedLaunchTest(base.TestCommand):

    def setUp(self):
        super().setUp()
        self.clock = self.useFixture(base.FakeClock())
        self.image(min_disk=10)
        fakes.register_flavor_list(self.requests)
        for sid in (fakes.ROOT_SNAP_ID, fakes.DATA_SNAP_ID):
            fakes.register_missing_volume_snapshot(self.requests, sid)

    def image(self, **fields):
        fakes.register_image(self.requests, dict(
            test_show.archived_image(), **fields))

    def accept_volumes(self, data_states=('creating', 'available')):
        self.requests.post(VOLUMES, [
            bf.volume_created(ROOT),
            bf.volume_created(DATA, backup_id=bf.DATA_BACKUP_ID, size=5,
                              name='analysis-vm-snap-vdb')])
        bf.register_restored_states(self.requests, ROOT, 'creating',
                                    'available')
        bf.register_restored_states(self.requests, DATA, *data_states,
                                    backup_id=bf.DATA_BACKUP_ID, size=5)

    def launch(self, *args):
        return self.run_cli('rc', 'snapshot', 'launch', fakes.IMAGE_ID,
                            '--flavor', 'm1.small', '--no-network', *args)

    def volume_bodies(self):
        return [r.json()['volume'] for r in self.requests.request_history
                if r.method == 'POST' and r.url == VOLUMES]

    def server_bodies(self):
        return [r.json()['server'] for r in self.requests.request_history
                if r.method == 'POST' and r.url == SERVERS]


def volume_body(backup_id, size, device, **fields):
    body = {'name': 'analysis-vm-snap-%s' % device, 'size': size,
            'description': 'Restored from backup %s of archived snapshot '
                           '%s' % (backup_id, fakes.IMAGE_ID),
            'volume_type': '__DEFAULT__', 'backup_id': backup_id}
    body.update(fields)
    return body


class TestLaunchArchived(ArchivedLaunchTest):

    def test_volumes_from_the_backups_then_the_server_boots_from_them(self):
        self.accept_volumes()
        fakes.register_create_server(self.requests)
        fakes.register_server_states(self.requests, fakes.NEW_SERVER_ID,
                                     fakes.launched_server(
                                         volume_ids=(ROOT, DATA)))
        code, out, err = self.launch('--wait', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([volume_body(bf.ROOT_BACKUP_ID, 10, 'vda'),
                          volume_body(bf.DATA_BACKUP_ID, 5, 'vdb')],
                         self.volume_bodies())
        self.assertEqual('volume 3.47', [
            r.headers.get('OpenStack-API-Version')
            for r in self.requests.request_history
            if r.method == 'POST' and r.url == VOLUMES][0])
        self.assertEqual([{
            'name': 'analysis-vm-snap', 'flavorRef': '2',
            'networks': 'none', 'block_device_mapping_v2': [
                {'boot_index': 0, 'uuid': ROOT, 'source_type': 'volume',
                 'destination_type': 'volume',
                 'delete_on_termination': False, 'device_name': '/dev/vda'},
                {'boot_index': -1, 'uuid': DATA, 'source_type': 'volume',
                 'destination_type': 'volume',
                 'delete_on_termination': False,
                 'device_name': '/dev/vdb'}]}], self.server_bodies())
        self.assertEqual([POST_VOLUME, POST_VOLUME, POST_SERVER],
                         self.writes())
        data = json.loads(out)
        self.assertEqual('volume-backed, archived', data['type'])
        self.assertEqual(ROOT, data['root_volume_id'])
        self.assertEqual(
            [('backup %s' % bf.ROOT_BACKUP_ID, ROOT, False),
             ('backup %s' % bf.DATA_BACKUP_ID, DATA, False)],
            [(v['made_from'], v['id'], v['depends_on_snapshot'])
             for v in data['volumes']])

    def test_size_and_delete_on_termination(self):
        self.accept_volumes()
        fakes.register_create_server(self.requests)
        code, out, err = self.launch('--size', '30',
                                     '--delete-on-termination')
        self.assertEqual(0, code, err)
        self.assertEqual([30, 5], [b['size'] for b in self.volume_bodies()])
        self.assertEqual([True, True], [
            b['delete_on_termination'] for b in
            self.server_bodies()[0]['block_device_mapping_v2']])

    def test_flavor_check_uses_the_recorded_sizes(self):
        # The root backup records 10 GiB.
        self.image(min_disk=20)
        self.assertFails('root volume 10 GiB < min_disk 20 GiB',
                         'rc', 'snapshot', 'launch', fakes.IMAGE_ID,
                         '--flavor', 'm1.small', '--size', '10')
        self.assertEqual([], self.writes())

    def test_size_smaller_than_the_backup_is_refused(self):
        self.assertFails('smaller than the root volume snapshot (10 GiB)',
                         'rc', 'snapshot', 'launch', fakes.IMAGE_ID,
                         '--size', '5')
        self.assertEqual([], self.writes())

    def test_flavors_use_the_recorded_sizes(self):
        self.image(min_disk=20)
        rows = self.run_json('rc', 'snapshot', 'flavors', fakes.IMAGE_ID,
                             '--all')
        self.assertIn('root volume 10 GiB < min_disk 20 GiB', rows[0]['Why'])

    def test_older_cinder_restores_into_an_empty_volume(self):
        old = dict(base._volume_versions())
        old['versions'] = [dict(old['versions'][0], version='3.46')]
        for url in ('/', '/v3/', '/v3'):
            self.requests.get(base.VOLUME_ROOT + url, json=old)
        self.requests.post(VOLUMES, [bf.volume_created(ROOT),
                                     bf.volume_created(DATA)])
        bf.register_restored_states(self.requests, ROOT, 'available',
                                    'restoring-backup', 'available')
        bf.register_restored_states(self.requests, DATA, 'available',
                                    'restoring-backup', 'available',
                                    backup_id=bf.DATA_BACKUP_ID, size=5)
        for backup_id, volume_id in ((bf.ROOT_BACKUP_ID, ROOT),
                                     (bf.DATA_BACKUP_ID, DATA)):
            self.requests.post(
                '%s/%s/restore' % (bf.BACKUPS, backup_id),
                **bf.restore_accepted(backup_id, volume_id, 'x'))
        fakes.register_create_server(self.requests)
        code, out, err = self.launch()
        self.assertEqual(0, code, err)
        body = volume_body(bf.ROOT_BACKUP_ID, 10, 'vda')
        del body['backup_id']
        self.assertEqual(body, self.volume_bodies()[0])
        self.assertEqual(
            [POST_VOLUME, 'POST %s/%s/restore' % (bf.BACKUPS,
                                                  bf.ROOT_BACKUP_ID),
             POST_VOLUME, 'POST %s/%s/restore' % (bf.BACKUPS,
                                                  bf.DATA_BACKUP_ID),
             POST_SERVER], self.writes())
        restores = [r.json() for r in self.requests.request_history
                    if r.url.endswith('/restore')]
        self.assertEqual([{'restore': {'volume_id': ROOT}},
                          {'restore': {'volume_id': DATA}}], restores)


class TestLaunchArchivedRollback(ArchivedLaunchTest):

    def deletes(self):
        for volume_id in (ROOT, DATA):
            self.requests.delete('%s/%s' % (VOLUMES, volume_id),
                                 status_code=202)

    def deleted(self, *ids):
        return ['DELETE %s/%s?cascade=False&force=False' % (VOLUMES, i)
                for i in ids]

    def test_a_restore_failing_removes_the_volumes(self):
        self.accept_volumes(data_states=('creating', 'error_restoring',
                                         'error_restoring', None))
        bf.register_restored_states(self.requests, ROOT, 'creating',
                                    'available', 'available', None)
        self.deletes()
        code, out, err = self.launch()
        self.assertEqual(1, code)
        self.assertEqual([
            'Restoring volume %s: creating (0 s)' % ROOT,
            'Restoring volume %s: creating (2 s)' % DATA,
            'Deleted temporary volume %s' % ROOT,
            'Deleted temporary volume %s' % DATA,
            'Volume %s is error_restoring.' % DATA],
            err.strip().splitlines())
        self.assertEqual(
            [POST_VOLUME, POST_VOLUME] + self.deleted(ROOT, DATA),
            self.writes())

    def test_over_the_volume_quota_removes_the_volumes_made(self):
        self.requests.post(VOLUMES, [
            bf.volume_created(ROOT),
            {'status_code': 413, 'json': bf.OVER_GIGABYTES}])
        bf.register_restored_states(self.requests, ROOT, 'creating',
                                    'available')
        self.deletes()
        code, out, err = self.launch()
        self.assertEqual(1, code)
        self.assertEqual([
            'Deleted temporary volume %s' % ROOT,
            'Quota exceeded: %s' % bf.OVER_GIGABYTES['overLimit'][
                'message']], err.strip().splitlines())
        self.assertEqual([POST_VOLUME, POST_VOLUME] + self.deleted(ROOT),
                         self.writes())

    def test_ctrl_c_while_restoring_removes_the_volumes(self):
        self.accept_volumes(data_states=('creating', 'available', None))
        self.requests.get('%s/%s' % (VOLUMES, ROOT), [
            {'exc': KeyboardInterrupt},
            {'json': {'volume': bf.restored_volume(ROOT)}},
            {'status_code': 404, 'json': fakes.not_found('Volume', ROOT)}])
        self.deletes()
        code, out, err = self.launch()
        self.assertEqual(130, code, err)
        self.assertEqual(['Deleted temporary volume %s' % ROOT,
                          'Deleted temporary volume %s' % DATA],
                         err.strip().splitlines())
        self.assertEqual(
            [POST_VOLUME, POST_VOLUME] + self.deleted(ROOT, DATA),
            self.writes())

    def test_nova_refusing_the_server_removes_the_volumes(self):
        self.accept_volumes(data_states=('available', 'available', None))
        bf.register_restored_states(self.requests, ROOT, 'available',
                                    'available', None)
        fakes.register_create_server(
            self.requests, status_code=403, json={'forbidden': {
                'code': 403, 'message': 'Quota exceeded for instances: '
                'Requested 1, but already used 10 of 10 instances'}})
        self.deletes()
        code, out, err = self.launch()
        self.assertEqual(1, code)
        lines = err.strip().splitlines()
        self.assertEqual(['Deleted temporary volume %s' % ROOT,
                          'Deleted temporary volume %s' % DATA],
                         lines[:2])
        self.assertIn('Quota exceeded', lines[2])
        self.assertEqual(
            [POST_VOLUME, POST_VOLUME, POST_SERVER,
             ] + self.deleted(ROOT, DATA), self.writes())

    def test_server_in_error_is_deleted_then_its_volumes(self):
        self.accept_volumes(data_states=('available', 'available', None))
        bf.register_restored_states(self.requests, ROOT, 'available',
                                    'available', None)
        fakes.register_create_server(self.requests)
        fakes.register_server_states(
            self.requests, fakes.NEW_SERVER_ID, fakes.launched_server(
                'ERROR', fault='No valid host was found. '), None)
        self.requests.delete('%s/%s' % (SERVERS, fakes.NEW_SERVER_ID),
                             status_code=204)
        self.deletes()
        code, out, err = self.launch('--wait')
        self.assertEqual(1, code, err)
        self.assertEqual([
            'Deleted temporary volume %s' % ROOT,
            'Deleted temporary volume %s' % DATA,
            'Server %s went to ERROR: No valid host was found.; deleted the '
            'server.' % fakes.NEW_SERVER_ID], err.strip().splitlines())
        self.assertEqual(
            [POST_VOLUME, POST_VOLUME, POST_SERVER,
             'DELETE %s/%s' % (SERVERS, fakes.NEW_SERVER_ID),
             ] + self.deleted(ROOT, DATA), self.writes())

    def test_keep_failed_keeps_the_volumes(self):
        self.accept_volumes(data_states=('available',))
        fakes.register_create_server(self.requests)
        fakes.register_server_states(
            self.requests, fakes.NEW_SERVER_ID, fakes.launched_server(
                'ERROR', fault='No valid host was found. '))
        code, out, err = self.launch('--wait', '--keep-failed')
        self.assertEqual(1, code, err)
        self.assertEqual([POST_VOLUME, POST_VOLUME, POST_SERVER],
                         self.writes())
