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

"""``show`` and ``list`` of an archived snapshot."""

import json

from rcsnap_osc.core import archives
from tests.unit import backup_fakes as bf
from tests.unit import base
from tests.unit import fakes

IMAGES = base.IMAGE_URL + '/v2/images'
NEWER_BACKUP_ID = '0d226cdd-be56-4c96-bc07-562f64ffadbc'


def archived_image():
    return fakes.volume_backed_image(
        entries=[fakes.swap_entry(), fakes.root_entry(), fakes.data_entry()],
        rcsnap_server_id=fakes.SERVER_ID, **archives.properties([
            archives.Record(bf.ROOT_BACKUP_ID, 10, '/dev/vda', 0,
                            '__DEFAULT__', fakes.ROOT_SNAP_ID,
                            fakes.ROOT_VOLUME_ID),
            archives.Record(bf.DATA_BACKUP_ID, 5, '/dev/vdb', None,
                            '__DEFAULT__', fakes.DATA_SNAP_ID,
                            fakes.DATA_VOLUME_ID)], '2026-12-02T05:40:00Z'))


class TestShowArchived(base.TestCommand):

    def test_show_says_archived_with_each_backup(self):
        fakes.register_image(self.requests, archived_image())
        for sid in (fakes.ROOT_SNAP_ID, fakes.DATA_SNAP_ID):
            fakes.register_missing_volume_snapshot(self.requests, sid)
        bf.register_backup_states(self.requests, bf.ROOT_BACKUP_ID,
                                  bf.backup())
        bf.register_backup_states(self.requests, bf.DATA_BACKUP_ID, None)
        code, out, err = self.run_cli('rc', 'snapshot', 'show',
                                      fakes.IMAGE_ID, '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual('', err)  # gone volume snapshots: no warning
        data = json.loads(out)
        self.assertEqual('volume-backed, archived', data['type'])
        self.assertEqual(15, data['size_gib'])
        self.assertEqual([], data['volume_snapshots'])
        self.assertEqual([
            {'backup_id': bf.ROOT_BACKUP_ID, 'size_gib': 10,
             'device_name': '/dev/vda', 'boot_index': 0,
             'volume_type': '__DEFAULT__',
             'snapshot_id': fakes.ROOT_SNAP_ID,
             'volume_id': fakes.ROOT_VOLUME_ID, 'status': 'available'},
            {'backup_id': bf.DATA_BACKUP_ID, 'size_gib': 5,
             'device_name': '/dev/vdb', 'boot_index': None,
             'volume_type': '__DEFAULT__',
             'snapshot_id': fakes.DATA_SNAP_ID,
             'volume_id': fakes.DATA_VOLUME_ID, 'status': 'missing'}],
            data['backups'])
        self.assertEqual(2, sum(c.startswith('GET %s/' % bf.BACKUPS)
                                for c in self.calls()))

    def test_list_says_archived(self):
        fakes.register_image_list(self.requests, [archived_image()])
        rows = self.run_json('rc', 'snapshot', 'list')
        self.assertEqual([{
            'ID': fakes.IMAGE_ID, 'Name': 'analysis-vm-snap',
            'Status': 'active', 'Type': 'volume-backed, archived',
            'Size GiB': 15, 'Verified': None}], rows)

    def test_usage_counts_archives_backups_and_their_quota(self):
        fakes.register_image_list(self.requests, [archived_image()],
                                  '?visibility=all')
        fakes.register_image_list(self.requests, [],
                                  '?visibility=all&os_hidden=true')
        fakes.register_volume_snapshot_list(self.requests, [])
        fakes.register_volume_list(self.requests, [])
        self.requests.get(bf.BACKUPS + '/detail', json={'backups': [
            bf.backup(), bf.backup(bf.DATA_BACKUP_ID, size=5)]})
        self.requests.get(base.IMAGE_URL + '/v2/info/usage', json={
            'usage': {}})
        data = self.run_json('rc', 'snapshot', 'usage')
        self.assertEqual(
            {'archived': 1, 'archived_gib': 15, 'backups': 2,
             'backup_gib': 15, 'quota_backups_used': 0,
             'quota_backups_limit': 10, 'quota_backup_gib_used': 0,
             'quota_backup_gib_limit': 1000},
            {k: data[k] for k in (
                'archived', 'archived_gib', 'backups', 'backup_gib',
                'quota_backups_used', 'quota_backups_limit',
                'quota_backup_gib_used', 'quota_backup_gib_limit')})

    def test_orphans_lists_backups_whose_image_is_gone(self):
        fakes.register_image_list(self.requests, [archived_image()],
                                  '?visibility=all')
        fakes.register_image_list(self.requests, [],
                                  '?visibility=all&os_hidden=true')
        fakes.register_volume_snapshot_list(self.requests, [])
        fakes.register_volume_list(self.requests, [])
        gone = bf.backup(NEWER_BACKUP_ID, image_id=fakes.COPY_IMAGE_ID)
        self.requests.get(bf.BACKUPS + '/detail', json={'backups': [
            bf.backup(), gone, bf.backup(bf.OLD_BACKUP_ID, image_id=None)]})
        rows = self.run_json('rc', 'snapshot', 'orphans')
        self.assertEqual([NEWER_BACKUP_ID], [r['ID'] for r in rows])
        self.assertEqual(
            'a backup "archive" made for image %s, which is gone: delete it '
            'with `openstack volume backup delete %s`' % (
                fakes.COPY_IMAGE_ID, NEWER_BACKUP_ID),
            rows[0]['Reason'])
        self.assertEqual(5, len(self.calls()))
