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

"""``rc snapshot delete`` of an unarchived snapshot: its source volumes go
once their volume snapshots are gone; one it cannot prove is its own
stays."""

import json

from rcsnap_osc.core import archives
from tests.unit.archive import test_archive
from tests.unit import backup_fakes as bf
from tests.unit import base
from tests.unit import fakes

IMAGES = base.IMAGE_URL + '/v2/images'
SNAPS = base.VOLUME_URL + '/snapshots'
VOLUMES = base.VOLUME_URL + '/volumes'
ROOT, DATA = bf.ROOT_RESTORED_ID, bf.DATA_RESTORED_ID


def unarchived_image():
    """What ``unarchive`` leaves: the mapping names volume snapshots of
    the source volumes it records."""
    return test_archive.two_volume_image(
        **archives.source_properties([ROOT, DATA]))


def source_volume(volume_id, image_id=fakes.IMAGE_ID, size=10,
                  status='available'):
    body = bf.restored_volume(volume_id, size=size)
    body['metadata'] = dict(body['metadata'], rcsnap_image_id=image_id)
    body['status'] = status
    return body


def listed_then_gone():
    """The volume snapshot listing: both of them, then none."""
    return [{'json': {'snapshots': [
        fakes.volume_snapshot(fakes.ROOT_SNAP_ID, volume_id=ROOT),
        fakes.volume_snapshot(fakes.DATA_SNAP_ID, size=5, volume_id=DATA)]}},
        {'json': {'snapshots': []}}]


class TestDeleteUnarchived(base.TestCommand):

    def setUp(self):
        super().setUp()
        self.clock = self.useFixture(base.FakeClock())

    def cloud(self, volumes):
        fakes.register_image_list(self.requests, [unarchived_image()],
                                  '?visibility=all')
        fakes.register_image_list(self.requests, [],
                                  '?visibility=all&os_hidden=true')
        fakes.register_volume_snapshot_list(self.requests, [
            fakes.volume_snapshot(fakes.ROOT_SNAP_ID, volume_id=ROOT),
            fakes.volume_snapshot(fakes.DATA_SNAP_ID, size=5,
                                  volume_id=DATA)])
        fakes.register_volume_list(self.requests, volumes)
        fakes.register_delete_image(self.requests)
        for sid in (fakes.ROOT_SNAP_ID, fakes.DATA_SNAP_ID):
            fakes.register_delete_volume_snapshot(self.requests, sid)

    def delete(self, *args, code=0):
        status, out, err = self.run_cli('rc', 'snapshot', 'delete',
                                        '--purge', '--yes', fakes.IMAGE_ID,
                                        *args, '-f', 'json')
        self.assertEqual(code, status, err)
        return json.loads(out), err

    def test_source_volumes_go_after_their_volume_snapshots(self):
        self.cloud([source_volume(ROOT), source_volume(DATA, size=5)])
        self.requests.get(SNAPS + '/detail', [
            {'json': {'snapshots': [
                fakes.volume_snapshot(fakes.ROOT_SNAP_ID, volume_id=ROOT),
                fakes.volume_snapshot(fakes.DATA_SNAP_ID, size=5,
                                      volume_id=DATA)]}},
            {'json': {'snapshots': [fakes.volume_snapshot(
                fakes.DATA_SNAP_ID, status='deleting', volume_id=DATA)]}}])
        fakes.register_volume_snapshot_states(
            self.requests, fakes.DATA_SNAP_ID, 'deleting', None)
        for vid in (ROOT, DATA):
            self.requests.delete('%s/%s' % (VOLUMES, vid), status_code=202)
        rows, err = self.delete()
        self.assertEqual([
            [fakes.IMAGE_ID, 'image', 'deleted'],
            [fakes.ROOT_SNAP_ID, 'volume snapshot', 'deleted'],
            [fakes.DATA_SNAP_ID, 'volume snapshot', 'deleted'],
            [ROOT, 'volume', 'deleting'],
            [DATA, 'volume', 'deleting']],
            [[r['Resource'], r['Kind'], r['Result']] for r in rows])
        self.assertEqual([
            'DELETE %s/%s' % (IMAGES, fakes.IMAGE_ID),
            'DELETE %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
            'DELETE %s/%s' % (SNAPS, fakes.DATA_SNAP_ID),
            'DELETE %s/%s' % (VOLUMES, ROOT),
            'DELETE %s/%s' % (VOLUMES, DATA)],
            [w.split('?')[0] for w in self.writes()])
        # The volumes are deleted only once the listing shows the volume
        # snapshots gone.
        calls = self.calls()
        last_listing = max(i for i, c in enumerate(calls)
                           if c.startswith('GET %s/' % SNAPS))
        first_volume = min(i for i, c in enumerate(calls)
                           if c.startswith('DELETE %s' % VOLUMES))
        self.assertLess(last_listing, first_volume)

    def test_a_volume_whose_metadata_names_another_image_stays(self):
        self.cloud([source_volume(ROOT),
                    source_volume(DATA, image_id=fakes.COPY_IMAGE_ID)])
        self.requests.get(SNAPS + '/detail', listed_then_gone())
        self.requests.delete('%s/%s' % (VOLUMES, ROOT), status_code=202)
        rows, err = self.delete()
        self.assertEqual([
            [ROOT, 'deleting'],
            [DATA, 'kept (its metadata does not name this snapshot)']],
            [[r['Resource'], r['Result']] for r in rows
             if r['Kind'] == 'volume'])
        self.assertNotIn('DELETE %s/%s' % (VOLUMES, DATA),
                         [w.split('?')[0] for w in self.writes()])

    def test_dry_run_says_the_volumes_would_go(self):
        self.cloud([source_volume(ROOT), source_volume(DATA, size=5,
                                                       status='in-use')])
        rows, err = self.delete('--dry-run')
        self.assertEqual([[ROOT, 'would delete'],
                          [DATA, 'kept (status is in-use)']],
                         [[r['Resource'], r['Result']] for r in rows
                          if r['Kind'] == 'volume'])
        self.assertEqual([], self.writes())


class TestArchiveUnarchived(test_archive.ArchiveTest):

    def test_archive_deletes_the_source_volumes_and_forgets_them(self):
        self.useFixture(base.FakeClock())
        self.cloud(images=[unarchived_image()], volumes=[
            source_volume(ROOT), source_volume(DATA, size=5)])
        self.requests.get(SNAPS + '/detail', listed_then_gone())
        self.accept_backups()
        self.accept_rest()
        for vid in (ROOT, DATA):
            self.requests.delete('%s/%s' % (VOLUMES, vid), status_code=202)
        rows, err = self.archive(fakes.IMAGE_ID)
        self.assertEqual([
            ['image', 'archived'], ['backup', 'available (full, 10 GiB)'],
            ['backup', 'available (full, 5 GiB)'],
            ['volume snapshot', 'deleted'], ['volume snapshot', 'deleted'],
            ['volume', 'deleting'], ['volume', 'deleting']],
            [[r['Kind'], r['Result']] for r in rows])
        self.assertEqual([ROOT, DATA],
                         [b['volume_id'] for b in self.posted()])
        patch = [r.json() for r in self.requests.request_history
                 if r.method == 'PATCH'][0]
        self.assertEqual(['/rcsnap_source_volume_0',
                          '/rcsnap_source_volume_1',
                          '/rcsnap_source_volumes'],
                         sorted(op['path'] for op in patch
                                if op['op'] == 'remove'))
        self.assertEqual(['DELETE %s/%s' % (VOLUMES, ROOT),
                          'DELETE %s/%s' % (VOLUMES, DATA)],
                         [w.split('?')[0] for w in self.writes()
                          if w.startswith('DELETE %s' % VOLUMES)])
