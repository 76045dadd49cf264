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

"""Ctrl-C at each step of ``unarchive``: the snapshot is left archived
(what was made removed, the backups untouched) or unarchived (what the
image names kept), never without its data."""

import os
import signal

import fixtures

from rcsnap_osc.cloud import volume_images
from tests.unit.archive import test_archive
from tests.unit.archive import test_show
from tests.unit import backup_fakes as bf
from tests.unit import fakes
from tests.unit.unarchive import test_unarchive as tu

IMAGE = '%s/%s' % (test_archive.IMAGES, fakes.IMAGE_ID)
MADE = {'DELETE %s/%s' % (tu.SNAPS, tu.NEW_ROOT_SNAP),
        'DELETE %s/%s' % (tu.SNAPS, tu.NEW_DATA_SNAP),
        'DELETE %s/%s' % (tu.VOLUMES, tu.ROOT),
        'DELETE %s/%s' % (tu.VOLUMES, tu.DATA)}


def unarchived_image():
    """The image as Glance answers it once the PATCH is applied."""
    return fakes.volume_backed_image(
        entries=[fakes.swap_entry(), fakes.root_entry(tu.NEW_ROOT_SNAP),
                 fakes.data_entry(tu.NEW_DATA_SNAP)],
        rcsnap_server_id=fakes.SERVER_ID)


class TestUnarchiveInterrupted(tu.UnarchiveTest):

    def made_removable(self):
        """What was made answers as Cinder does: each volume snapshot
        available (made, then read by the rollback), then gone once
        deleted; each volume deleted."""
        for sid, volume_id in ((tu.NEW_ROOT_SNAP, tu.ROOT),
                               (tu.NEW_DATA_SNAP, tu.DATA)):
            fakes.register_delete_volume_snapshot(self.requests, sid)
            available = {'json': {'snapshot': fakes.volume_snapshot(
                sid, volume_id=volume_id)}}
            gone = {'status_code': 404,
                    'json': fakes.not_found('Snapshot', sid)}
            self.requests.get('%s/%s' % (tu.SNAPS, sid),
                              [available, available, gone])
        for vid in (tu.ROOT, tu.DATA):
            self.requests.delete('%s/%s' % (tu.VOLUMES, vid),
                                 status_code=202)

    def interrupted(self):
        code, out, err = self.run_cli('rc', 'snapshot', 'unarchive',
                                      fakes.IMAGE_ID)
        self.assertEqual(130, code, err)
        self.assertNotIn('Traceback', err)
        return {w.split('?')[0] for w in self.writes()}, err

    def test_while_the_volumes_are_made_they_go(self):
        self.cloud()
        self.requests.post(tu.VOLUMES, [bf.volume_created(tu.ROOT),
                                        {'exc': KeyboardInterrupt}])
        bf.register_restored_states(self.requests, tu.ROOT, 'available')
        self.requests.delete('%s/%s' % (tu.VOLUMES, tu.ROOT),
                             status_code=202)
        writes, err = self.interrupted()
        self.assertEqual({tu.POST_VOLUME,
                          'DELETE %s/%s' % (tu.VOLUMES, tu.ROOT)}, writes)

    def test_while_the_volume_snapshots_are_made_all_go(self):
        self.cloud()
        self.accept_volumes()
        self.requests.post(tu.SNAPS, [
            tu.snapshot_created(tu.NEW_ROOT_SNAP, tu.ROOT, 10),
            tu.snapshot_created(tu.NEW_DATA_SNAP, tu.DATA, 5)])
        self.made_removable()
        self.requests.get('%s/%s' % (tu.SNAPS, tu.NEW_ROOT_SNAP), [
            {'exc': KeyboardInterrupt},
            {'json': {'snapshot': fakes.volume_snapshot(tu.NEW_ROOT_SNAP)}},
            {'status_code': 404,
             'json': fakes.not_found('Snapshot', tu.NEW_ROOT_SNAP)}])
        writes, err = self.interrupted()
        self.assertNotIn(tu.PATCH, writes)
        self.assertEqual(MADE, writes - {tu.POST_VOLUME, tu.POST_SNAP})

    def test_ctrl_c_while_cinder_makes_a_volume_snapshot_it_goes_too(self):
        # The Ctrl-C lands while the POST is on its way: Cinder makes the
        # volume snapshot, its answer is read and the snapshot recorded
        # before the interrupt, so the rollback removes it too.
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        self.addCleanup(signal.signal, signal.SIGINT, previous)
        self.cloud()
        self.accept_volumes()
        created = tu.snapshot_created(tu.NEW_ROOT_SNAP, tu.ROOT, 10)

        def answered_after_a_ctrl_c(request, context):
            os.kill(os.getpid(), signal.SIGINT)
            context.status_code = created['status_code']
            return created['json']
        self.requests.post(tu.SNAPS, json=answered_after_a_ctrl_c)
        self.made_removable()
        writes, err = self.interrupted()
        self.assertEqual({tu.POST_VOLUME, tu.POST_SNAP,
                          'DELETE %s/%s' % (tu.SNAPS, tu.NEW_ROOT_SNAP),
                          'DELETE %s/%s' % (tu.VOLUMES, tu.ROOT),
                          'DELETE %s/%s' % (tu.VOLUMES, tu.DATA)}, writes)
        self.assertIn('Deleted volume snapshot %s' % tu.NEW_ROOT_SNAP, err)

    def test_patch_never_applied_what_was_made_goes(self):
        self.cloud()
        self.accept_volumes()
        self.accept_snapshots()
        self.made_removable()
        self.requests.patch(IMAGE, exc=KeyboardInterrupt)
        self.requests.get(IMAGE, json=test_show.archived_image())
        writes, err = self.interrupted()
        self.assertEqual(MADE, writes - {tu.POST_VOLUME, tu.POST_SNAP,
                                         tu.PATCH})
        self.assertNotIn('DELETE %s/%s' % (bf.BACKUPS, bf.ROOT_BACKUP_ID),
                         writes)

    def test_patch_applied_its_answer_lost_what_it_names_stays(self):
        self.cloud()
        self.accept_volumes()
        self.accept_snapshots()
        self.made_removable()
        self.requests.patch(IMAGE, exc=KeyboardInterrupt)
        self.requests.get(IMAGE, json=unarchived_image())
        writes, err = self.interrupted()
        self.assertEqual({tu.POST_VOLUME, tu.POST_SNAP, tu.PATCH}, writes)

    def test_right_after_the_patch_what_it_names_stays(self):
        # The instant the issue names: the image is patched, Ctrl-C
        # comes before the next line runs.
        self.cloud()
        self.accept_volumes()
        self.accept_snapshots()
        self.accept_rest()
        self.made_removable()
        self.requests.get(IMAGE, json=unarchived_image())
        real = volume_images.set_image_attributes

        def patched_then_interrupted(*args, **kwargs):
            real(*args, **kwargs)
            raise KeyboardInterrupt()
        self.useFixture(fixtures.MonkeyPatch(
            'rcsnap_osc.cloud.volume_images.set_image_attributes',
            patched_then_interrupted))
        writes, err = self.interrupted()
        self.assertEqual({tu.POST_VOLUME, tu.POST_SNAP, tu.PATCH}, writes)

    def test_patch_refused_what_was_made_goes_without_a_read(self):
        self.cloud()
        self.accept_volumes()
        self.accept_snapshots()
        self.made_removable()
        self.requests.patch(IMAGE, status_code=409, json=fakes.glance_error(
            409, 'Conflict'))
        code, out, err = self.run_cli('rc', 'snapshot', 'unarchive',
                                      fakes.IMAGE_ID)
        self.assertEqual(1, code, err)
        self.assertEqual(MADE, {w.split('?')[0] for w in self.writes()} - {
            tu.POST_VOLUME, tu.POST_SNAP, tu.PATCH})
        self.assertNotIn('GET ' + IMAGE, self.calls())

    def test_while_the_backups_are_deleted_the_image_keeps_its_data(self):
        self.cloud()
        self.accept_volumes()
        self.accept_snapshots()
        self.made_removable()
        self.requests.patch(IMAGE, json=unarchived_image())
        self.requests.delete('%s/%s' % (bf.BACKUPS, bf.ROOT_BACKUP_ID),
                             exc=KeyboardInterrupt)
        writes, err = self.interrupted()
        self.assertEqual({tu.POST_VOLUME, tu.POST_SNAP, tu.PATCH,
                          'DELETE %s/%s' % (bf.BACKUPS, bf.ROOT_BACKUP_ID)},
                         writes)
