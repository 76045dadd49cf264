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

"""Ctrl-C around the image PATCH of ``archive``: no rollback deletes a
backup the image records."""

import fixtures

from rcsnap_osc.cloud import volume_images
from rcsnap_osc.core import archives
from tests.unit.archive import test_archive as ta
from tests.unit import backup_fakes as bf
from tests.unit import fakes

IMAGE = '%s/%s' % (ta.IMAGES, fakes.IMAGE_ID)
BACKUP_DELETES = {'DELETE %s/%s' % (bf.BACKUPS, bf.ROOT_BACKUP_ID),
                  'DELETE %s/%s' % (bf.BACKUPS, bf.DATA_BACKUP_ID)}


def archived_image():
    """The image as Glance answers it once the archive's PATCH is in."""
    return ta.two_volume_image(**archives.properties([
        archives.Record(bf.ROOT_BACKUP_ID, 10, '/dev/vda', 0, '__DEFAULT__',
                        fakes.ROOT_SNAP_ID, fakes.ROOT_VOLUME_ID),
        archives.Record(bf.DATA_BACKUP_ID, 5, '/dev/vdb', None,
                        '__DEFAULT__', fakes.DATA_SNAP_ID,
                        fakes.DATA_VOLUME_ID)], '2026-12-02T05:40:00Z'))


class TestArchiveInterrupted(ta.ArchiveTest):

    def setUp(self):
        super().setUp()
        self.cloud()
        self.accept_backups()
        for backup_id in (bf.ROOT_BACKUP_ID, bf.DATA_BACKUP_ID):
            self.requests.delete('%s/%s' % (bf.BACKUPS, backup_id),
                                 status_code=202)
            bf.register_backup_states(self.requests, backup_id,
                                      bf.backup(backup_id), None)

    def interrupted(self):
        code, out, err = self.run_cli('rc', 'snapshot', 'archive',
                                      fakes.IMAGE_ID)
        self.assertEqual(130, code, err)
        self.assertNotIn('Traceback', err)
        return set(self.writes())

    def test_right_after_the_patch_the_backups_stay(self):
        self.requests.patch(IMAGE, json=archived_image())
        self.requests.get(IMAGE, json=archived_image())
        real = volume_images.set_image_attributes

        def patched_then_interrupted(*args, **kwargs):
            real(*args, **kwargs)
            raise KeyboardInterrupt()
        self.useFixture(fixtures.MonkeyPatch(
            'rcsnap_osc.cloud.volume_images.set_image_attributes',
            patched_then_interrupted))
        self.assertEqual({ta.POST, ta.PATCH}, self.interrupted())

    def test_patch_answer_lost_image_read_again_records_them(self):
        self.requests.patch(IMAGE, exc=KeyboardInterrupt)
        self.requests.get(IMAGE, json=archived_image())
        self.assertEqual({ta.POST, ta.PATCH}, self.interrupted())

    def test_patch_never_applied_the_backups_go(self):
        self.requests.patch(IMAGE, exc=KeyboardInterrupt)
        self.requests.get(IMAGE, json=ta.two_volume_image())
        self.assertEqual({ta.POST, ta.PATCH} | BACKUP_DELETES,
                         self.interrupted())

    def test_image_unreadable_the_backups_are_kept(self):
        # Whether the image records them cannot be known: kept.
        self.requests.patch(IMAGE, exc=KeyboardInterrupt)
        self.requests.get(IMAGE, status_code=503, text='unavailable')
        self.assertEqual({ta.POST, ta.PATCH}, self.interrupted())


class TestRollbackSaysAlreadyGone(ta.ArchiveTest):

    def test_a_backup_gone_at_the_first_read_is_not_said_deleted(self):
        # Someone deleted the root's backup meanwhile: the rollback finds
        # it gone and says so, sending no DELETE for it.
        self.cloud()
        failed = bf.backup(bf.DATA_BACKUP_ID, status='error',
                           snapshot_id=fakes.DATA_SNAP_ID,
                           fail_reason=bf.DRIVER_REASON)
        self.accept_backups(data=failed)
        self.requests.delete('%s/%s' % (bf.BACKUPS, bf.DATA_BACKUP_ID),
                             status_code=202)
        bf.register_backup_states(self.requests, bf.ROOT_BACKUP_ID, None)
        bf.register_backup_states(self.requests, bf.DATA_BACKUP_ID,
                                  failed, None)
        code, out, err = self.run_cli('rc', 'snapshot', 'archive',
                                      fakes.IMAGE_ID)
        self.assertEqual(1, code)
        self.assertEqual([
            'Backup %s was already gone' % bf.ROOT_BACKUP_ID,
            'Deleted backup %s' % bf.DATA_BACKUP_ID],
            err.strip().splitlines()[:2])
        self.assertEqual(
            [ta.POST, ta.POST,
             'DELETE %s/%s' % (bf.BACKUPS, bf.DATA_BACKUP_ID)],
            self.writes())
