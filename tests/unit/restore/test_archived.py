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

"""``rc snapshot restore`` of an archived snapshot: the new volumes are
made from its backups while the old server still runs, then the
replacement goes as it goes from volume snapshots."""

import re

from tests.unit import backup_fakes as bf
from tests.unit import fakes
from tests.unit.restore import base
from tests.unit.restore import cloud
from tests.unit.restore import data
from tests.unit.restore import test_plan
from tests.unit.restore import test_restore

ROOT, DATA = bf.ROOT_RESTORED_ID, bf.DATA_RESTORED_ID
POST_VOLUME = 'POST %s/volumes' % cloud.CINDER


class ArchivedCloud(cloud.Cloud):
    """The cloud of :mod:`cloud`, the snapshot archived: its volume
    snapshots gone, Cinder making volumes from its backups."""

    def __init__(self, test, **kwargs):
        super().__init__(test, image=test_plan.archived_image(), **kwargs)
        for sid in (fakes.ROOT_SNAP_ID, fakes.DATA_SNAP_ID):
            fakes.register_missing_volume_snapshot(self.requests, sid)
        self.restored = iter((ROOT, DATA))
        self.routes.append(('POST', cloud.CINDER + r'/volumes',
                            self.create_volume))
        self.requests.register_uri(
            'POST', re.compile('^%s/volumes(\\?.*)?$' % cloud.CINDER),
            json=self._answer(self.create_volume))

    def create_volume(self, request, context):
        asked = request.json()['volume']
        volume_id = next(self.restored)
        self.volumes[volume_id] = bf.restored_volume(
            volume_id, backup_id=asked['backup_id'], size=asked['size'])
        context.status_code = 202
        return {'volume': dict(self.volumes[volume_id], status='creating')}


class TestRestoreArchived(base.RestoreTest):

    def test_new_volumes_from_the_backups_before_the_old_server_stops(self):
        fake = ArchivedCloud(self)
        code, out, err = self.restore('--yes', '-f', 'json')
        self.assertEqual(0, code, err)
        writes = self.writes()
        self.assertEqual([POST_VOLUME, POST_VOLUME], writes[:2])
        self.assertEqual('POST %s/action' % base.SERVER, writes[2])
        self.assertEqual(
            [(test_plan.ROOT_BACKUP, 12), (test_plan.DATA_BACKUP, 5)],
            [(b['volume']['backup_id'], b['volume']['size']) for b in
             self.bodies('POST', cloud.CINDER + '/volumes')])
        posted = self.bodies('POST', base.NOVA + '/servers')[0]['server']
        self.assertEqual(
            [(0, ROOT, 'volume'), (-1, DATA, 'volume')],
            [(b['boot_index'], b['uuid'], b['source_type'])
             for b in posted['block_device_mapping_v2']])
        rows = self.rows(out)
        self.assertIn(('root volume', fakes.ROOT_VOLUME_ID, ROOT), rows)
        self.assertIn(('data volume', fakes.DATA_VOLUME_ID, DATA), rows)
        self.assertEqual(data.NEW_SERVER_ID, fake.servers[
            data.SERVER_ID]['metadata']['rcsnap:replaced_by'])
        self.assertEqual([
            'Making root volume %s from backup %s' % (
                ROOT, test_plan.ROOT_BACKUP),
            'Making data volume %s from backup %s' % (
                DATA, test_plan.DATA_BACKUP),
            'Stopping server analysis-vm (%s)' % data.SERVER_ID],
            err.splitlines()[:3])

    def test_a_refused_server_removes_the_volumes_made(self):
        fake = ArchivedCloud(self)
        fake.fail('POST', base.NOVA + '/servers', (403, {'forbidden': {
            'code': 403, 'message': 'Quota exceeded for instances: '
            'Requested 1, but already used 10 of 10 instances'}}))
        code, out, err = self.restore('--yes', '-f', 'json')
        self.assertEqual(1, code, err)
        self.assertNotIn('Traceback', err)
        self.assertNotIn(ROOT, fake.volumes)
        self.assertNotIn(DATA, fake.volumes)
        self.assertIn('DELETE %s/volumes/%s' % (cloud.CINDER, ROOT),
                      [w.split('?')[0] for w in self.writes()])
        old = fake.servers[data.SERVER_ID]
        self.assertEqual('analysis-vm', old['name'])

    def test_dry_run_names_the_backups(self):
        ArchivedCloud(self)
        code, out, err = self.restore('--dry-run', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([], self.writes())
        self.assertIn('from backup %s (archived)' % test_plan.ROOT_BACKUP,
                      out)


# The bodies of a replacement from volume snapshots stay as they were.
assert test_restore.REPLACEMENT
