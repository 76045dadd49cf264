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

"""``rc snapshot delete`` of an archived snapshot: its backups go too."""

import json

from tests.unit.archive import test_show
from tests.unit import backup_fakes as bf
from tests.unit import base
from tests.unit import fakes

IMAGES = base.IMAGE_URL + '/v2/images'
NEWER_BACKUP_ID = '0d226cdd-be56-4c96-bc07-562f64ffadbc'


class TestDeleteArchived(base.TestCommand):

    def cloud(self, backups):
        fakes.register_image_list(self.requests, [test_show.archived_image()],
                                  '?visibility=all')
        fakes.register_image_list(self.requests, [],
                                  '?visibility=all&os_hidden=true')
        fakes.register_volume_snapshot_list(self.requests, [])
        fakes.register_volume_list(self.requests, [])
        self.requests.get(bf.BACKUPS + '/detail',
                          json={'backups': backups})

    def delete(self, *args, code=0):
        status, out, err = self.run_cli('rc', 'snapshot', 'delete',
                                        '--purge', '--yes', *args,
                                        '-f', 'json')
        self.assertEqual(code, status, err)
        return json.loads(out), err

    def test_deletes_the_image_then_its_backups(self):
        self.cloud([bf.backup(), bf.backup(bf.DATA_BACKUP_ID,
                                           volume_id=fakes.DATA_VOLUME_ID)])
        fakes.register_delete_image(self.requests)
        for backup_id in (bf.ROOT_BACKUP_ID, bf.DATA_BACKUP_ID):
            self.requests.delete('%s/%s' % (bf.BACKUPS, backup_id),
                                 status_code=202)
        rows, err = self.delete(fakes.IMAGE_ID)
        self.assertEqual([
            [fakes.IMAGE_ID, 'image', 'deleted'],
            [bf.ROOT_BACKUP_ID, 'backup', 'deleting'],
            [bf.DATA_BACKUP_ID, 'backup', 'deleting']],
            [[r['Resource'], r['Kind'], r['Result']] for r in rows])
        self.assertEqual([
            'DELETE %s/%s' % (IMAGES, fakes.IMAGE_ID),
            'DELETE %s/%s' % (bf.BACKUPS, bf.ROOT_BACKUP_ID),
            'DELETE %s/%s' % (bf.BACKUPS, bf.DATA_BACKUP_ID)], self.writes())
        self.assertIn('GET %s/detail?limit=1000' % bf.BACKUPS, self.calls())

    def test_refused_while_a_newer_incremental_builds_on_a_backup(self):
        self.cloud([
            bf.backup(has_dependent_backups=True),
            bf.backup(bf.DATA_BACKUP_ID, volume_id=fakes.DATA_VOLUME_ID),
            bf.backup(NEWER_BACKUP_ID, is_incremental=True,
                      created_at='2026-12-02T06:00:00.000000',
                      image_id=fakes.COPY_IMAGE_ID)])
        rows, err = self.delete(fakes.IMAGE_ID, code=1)
        why = ('incremental backup %s builds on it: Cinder deletes it once '
               'that one is gone' % NEWER_BACKUP_ID)
        self.assertEqual([
            [fakes.IMAGE_ID, 'refused (backup %s would be left behind: %s)'
             % (bf.ROOT_BACKUP_ID, why)],
            [bf.ROOT_BACKUP_ID, 'kept (%s)' % why],
            [bf.DATA_BACKUP_ID, 'kept (image not deleted)']],
            [[r['Resource'], r['Result']] for r in rows])
        self.assertEqual([], self.writes())
