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

"""``archive`` of an unarchived snapshot whose source volume it cannot
delete (in use) keeps that volume recorded on the image."""

from tests.unit.archive import test_archive
from tests.unit import base
from tests.unit import fakes
from tests.unit.unarchive import test_delete as td


class TestArchiveKeepsTheRecordOfAKeptSource(test_archive.ArchiveTest):

    def test_a_source_volume_in_use_stays_recorded(self):
        self.useFixture(base.FakeClock())
        self.cloud(images=[td.unarchived_image()], volumes=[
            td.source_volume(td.ROOT),
            td.source_volume(td.DATA, size=5, status='in-use')])
        self.requests.get(td.SNAPS + '/detail', td.listed_then_gone())
        self.accept_backups()
        self.accept_rest()
        self.requests.delete('%s/%s' % (td.VOLUMES, td.ROOT),
                             status_code=202)
        rows, err = self.archive(fakes.IMAGE_ID)
        self.assertEqual(
            [[td.ROOT, 'deleting'], [td.DATA, 'kept (status is in-use)']],
            [[r['Resource'], r['Result']] for r in rows
             if r['Kind'] == 'volume'])
        patches = [r.json() for r in self.requests.request_history
                   if r.method == 'PATCH']
        self.assertEqual(2, len(patches))
        self.assertEqual(
            [{'op': 'add', 'path': '/rcsnap_source_volume_0',
              'value': td.DATA},
             {'op': 'add', 'path': '/rcsnap_source_volumes', 'value': '1'}],
            patches[1])
        self.assertNotIn('DELETE %s/%s' % (td.VOLUMES, td.DATA),
                         [w.split('?')[0] for w in self.writes()])

    def test_all_deleted_one_patch_only(self):
        self.useFixture(base.FakeClock())
        self.cloud(images=[td.unarchived_image()], volumes=[
            td.source_volume(td.ROOT), td.source_volume(td.DATA, size=5)])
        self.requests.get(td.SNAPS + '/detail', td.listed_then_gone())
        self.accept_backups()
        self.accept_rest()
        for vid in (td.ROOT, td.DATA):
            self.requests.delete('%s/%s' % (td.VOLUMES, vid),
                                 status_code=202)
        self.archive(fakes.IMAGE_ID)
        self.assertEqual(1, [r.method for r in self.requests.request_history
                             ].count('PATCH'))
