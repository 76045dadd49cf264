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

"""``rc snapshot unarchive`` over HTTP fakes: output and requests."""

import json

from tests.unit.archive import test_archive
from tests.unit.archive import test_show
from tests.unit import backup_fakes as bf
from tests.unit import base
from tests.unit import fakes

VOLUMES = base.VOLUME_URL + '/volumes'
SNAPS = base.VOLUME_URL + '/snapshots'
ROOT, DATA = bf.ROOT_RESTORED_ID, bf.DATA_RESTORED_ID
NEW_ROOT_SNAP = '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f'
NEW_DATA_SNAP = '1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a'
POST_VOLUME = 'POST %s' % VOLUMES
POST_SNAP = 'POST %s' % SNAPS
PATCH = test_archive.PATCH


def snapshot_created(snapshot_id, volume_id, size):
    """Cinder's 202 answer to POST /snapshots (status ``creating``)."""
    return {'status_code': 202, 'json': {'snapshot': fakes.volume_snapshot(
        snapshot_id, size=size, status='creating', volume_id=volume_id,
        metadata={'rcsnap_image_id': fakes.IMAGE_ID})}}


class UnarchiveTest(base.TestCommand):

    def setUp(self):
        super().setUp()
        self.clock = self.useFixture(base.FakeClock())

    def cloud(self, image=None, backups=None, service=('up',)):
        fakes.register_image_list(
            self.requests, [image or test_show.archived_image()],
            '?visibility=all')
        fakes.register_image_list(self.requests, [],
                                  '?visibility=all&os_hidden=true')
        fakes.register_volume_snapshot_list(self.requests, [])
        fakes.register_volume_list(self.requests, [])
        self.requests.get(bf.BACKUPS + '/detail', json={
            'backups': [bf.backup(), bf.backup(
                bf.DATA_BACKUP_ID, snapshot_id=fakes.DATA_SNAP_ID,
                volume_id=fakes.DATA_VOLUME_ID, size=5)]
            if backups is None else backups})
        self.requests.get(test_archive.SERVICES, **bf.services(*service))

    def accept_volumes(self):
        self.requests.post(VOLUMES, [
            bf.volume_created(ROOT),
            bf.volume_created(DATA, backup_id=bf.DATA_BACKUP_ID, size=5)])
        bf.register_restored_states(self.requests, ROOT, 'creating',
                                    'available')
        bf.register_restored_states(self.requests, DATA, 'available',
                                    backup_id=bf.DATA_BACKUP_ID, size=5)

    def accept_snapshots(self, data_states=('creating', 'available')):
        self.requests.post(SNAPS, [
            snapshot_created(NEW_ROOT_SNAP, ROOT, 10),
            snapshot_created(NEW_DATA_SNAP, DATA, 5)])
        fakes.register_volume_snapshot_states(self.requests, NEW_ROOT_SNAP,
                                              'creating', 'available')
        fakes.register_volume_snapshot_states(self.requests, NEW_DATA_SNAP,
                                              *data_states)

    def accept_rest(self):
        self.requests.patch(test_archive.IMAGES + '/' + fakes.IMAGE_ID,
                            json=test_show.archived_image())
        for backup_id in (bf.ROOT_BACKUP_ID, bf.DATA_BACKUP_ID):
            self.requests.delete('%s/%s' % (bf.BACKUPS, backup_id),
                                 status_code=202)

    def unarchive(self, *args, code=0):
        status, out, err = self.run_cli('rc', 'snapshot', 'unarchive',
                                        fakes.IMAGE_ID, *args, '-f', 'json')
        self.assertEqual(code, status, err)
        self.assertNotIn('Traceback', err)
        return (json.loads(out) if out else None), err

    def patch(self):
        return [r.json() for r in self.requests.request_history
                if r.method == 'PATCH'][0]


class TestUnarchive(UnarchiveTest):

    def test_volumes_from_the_backups_snapshots_of_them_then_the_image(self):
        self.cloud()
        self.accept_volumes()
        self.accept_snapshots()
        self.accept_rest()
        rows, err = self.unarchive()
        self.assertEqual([
            [fakes.IMAGE_ID, 'image', 'unarchived'],
            [ROOT, 'volume', 'available (backup %s, 10 GiB)' %
             bf.ROOT_BACKUP_ID],
            [NEW_ROOT_SNAP, 'volume snapshot', 'available'],
            [DATA, 'volume', 'available (backup %s, 5 GiB)' %
             bf.DATA_BACKUP_ID],
            [NEW_DATA_SNAP, 'volume snapshot', 'available'],
            [bf.ROOT_BACKUP_ID, 'backup', 'deleting'],
            [bf.DATA_BACKUP_ID, 'backup', 'deleting']],
            [[r['Resource'], r['Kind'], r['Result']] for r in rows])
        self.assertEqual([
            POST_VOLUME, POST_VOLUME, POST_SNAP, POST_SNAP, PATCH,
            'DELETE %s/%s' % (bf.BACKUPS, bf.ROOT_BACKUP_ID),
            'DELETE %s/%s' % (bf.BACKUPS, bf.DATA_BACKUP_ID)],
            self.writes())
        volumes = [r.json()['volume'] for r in self.requests.request_history
                   if r.method == 'POST' and r.url == VOLUMES]
        self.assertEqual([(bf.ROOT_BACKUP_ID, 10), (bf.DATA_BACKUP_ID, 5)],
                         [(v['backup_id'], v['size']) for v in volumes])
        self.assertEqual([{'rcsnap_image_id': fakes.IMAGE_ID}] * 2,
                         [v['metadata'] for v in volumes])
        snaps = [r.json()['snapshot'] for r in self.requests.request_history
                 if r.method == 'POST' and r.url == SNAPS]
        self.assertEqual([ROOT, DATA], [s['volume_id'] for s in snaps])
        patch = self.patch()
        removed = sorted(op['path'] for op in patch if op['op'] == 'remove')
        self.assertEqual(sorted(
            '/' + key for key in test_show.archived_image()
            if key.startswith('rcsnap_archive')), removed)
        added = {op['path']: op['value'] for op in patch
                 if op['op'] == 'add'}
        self.assertEqual({'/block_device_mapping', '/rcsnap_source_volumes',
                          '/rcsnap_source_volume_0',
                          '/rcsnap_source_volume_1'}, set(added))
        self.assertEqual([ROOT, DATA], [added['/rcsnap_source_volume_0'],
                                        added['/rcsnap_source_volume_1']])
        mapping = json.loads(added['/block_device_mapping'])
        self.assertEqual([None, NEW_ROOT_SNAP, NEW_DATA_SNAP],
                         [e.get('snapshot_id') for e in mapping])
        self.assertEqual(len(mapping[1]), len(
            json.loads(test_show.archived_image()['block_device_mapping'])[1]
        ))
        self.assertIn('Restoring volume %s' % ROOT, err)

    def test_dry_run_reads_only(self):
        self.cloud()
        rows, err = self.unarchive('--dry-run')
        self.assertEqual([], self.writes())
        self.assertEqual(['would unarchive', 'would restore (backup %s, 10 '
                          'GiB)' % bf.ROOT_BACKUP_ID, 'would make',
                          'would restore (backup %s, 5 GiB)' %
                          bf.DATA_BACKUP_ID, 'would make', 'would delete',
                          'would delete'], [r['Result'] for r in rows])
        self.assertEqual(test_archive.GATHER, set(self.calls()))

    def test_keep_backups_keeps_them_recorded(self):
        self.cloud()
        self.accept_volumes()
        self.accept_snapshots()
        self.accept_rest()
        rows, _err = self.unarchive('--keep-backups')
        self.assertEqual(['kept (--keep-backups)'] * 2,
                         [r['Result'] for r in rows if r['Kind'] == 'backup'])
        self.assertEqual([POST_VOLUME, POST_VOLUME, POST_SNAP, POST_SNAP,
                          PATCH], self.writes())
        added = {op['path']: op['value'] for op in self.patch()
                 if op['op'] == 'add'}
        removed = [op['path'] for op in self.patch() if op['op'] == 'remove']
        self.assertEqual(['/rcsnap_archived_at'], removed)
        self.assertEqual(bf.DATA_BACKUP_ID,
                         added['/rcsnap_archive_1_backup_id'])

    def test_backup_an_incremental_builds_on_stays_recorded(self):
        newer = '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d'
        self.cloud(backups=[
            bf.backup(has_dependent_backups=True),
            bf.backup(newer, is_incremental=True, image_id='other',
                      created_at='2026-12-02T06:00:00.000000'),
            bf.backup(bf.DATA_BACKUP_ID, snapshot_id=fakes.DATA_SNAP_ID,
                      volume_id=fakes.DATA_VOLUME_ID, size=5)])
        self.accept_volumes()
        self.accept_snapshots()
        self.accept_rest()
        rows, _err = self.unarchive()
        self.assertEqual([
            'kept (incremental backup %s builds on it: Cinder deletes it '
            'once that one is gone)' % newer, 'deleting'],
            [r['Result'] for r in rows if r['Kind'] == 'backup'])
        self.assertNotIn('DELETE %s/%s' % (bf.BACKUPS, bf.ROOT_BACKUP_ID),
                         self.writes())
        added = {op['path']: op['value'] for op in self.patch()
                 if op['op'] == 'add'}
        self.assertEqual('1', added['/rcsnap_archive_disks'])
        self.assertEqual(bf.ROOT_BACKUP_ID,
                         added['/rcsnap_archive_0_backup_id'])
        self.assertNotIn('/rcsnap_archived_at', added)


class TestUnarchiveRefused(UnarchiveTest):

    def test_not_archived(self):
        self.cloud(image=test_archive.two_volume_image())
        self.assertFails('Cannot unarchive %s: it is not archived.' %
                         fakes.IMAGE_ID, 'rc', 'snapshot', 'unarchive',
                         fakes.IMAGE_ID)
        self.assertEqual([], self.writes())

    def test_missing_backup(self):
        self.cloud(backups=[bf.backup()])
        self.assertFails('backup %s is not in this project' %
                         bf.DATA_BACKUP_ID, 'rc', 'snapshot', 'unarchive',
                         fakes.IMAGE_ID)
        self.assertEqual([], self.writes())

    def test_backup_not_available(self):
        self.cloud(backups=[bf.backup(status='restoring'), bf.backup(
            bf.DATA_BACKUP_ID, snapshot_id=fakes.DATA_SNAP_ID, size=5)])
        self.assertFails('backup %s is restoring, not available' %
                         bf.ROOT_BACKUP_ID, 'rc', 'snapshot', 'unarchive',
                         fakes.IMAGE_ID)
        self.assertEqual([], self.writes())

    def test_over_the_volume_quota(self):
        self.cloud()
        fakes.register_quota(self.requests, fakes.quota_set(
            gigabytes=(10, 30)))
        self.assertFails(
            "Not unarchived: 2 volumes of 15 GiB in all and a volume "
            "snapshot of each (as many GiB again) do not fit in the Cinder "
            "quota ('gigabytes' is at 10 of 30 GiB); nothing was made.",
            'rc', 'snapshot', 'unarchive', fakes.IMAGE_ID)
        self.assertEqual([], self.writes())

    def test_no_backup_service(self):
        self.cloud(service=('down',))
        self.assertFails('This cloud runs no backup service', 'rc',
                         'snapshot', 'unarchive', fakes.IMAGE_ID)
        self.assertEqual([], self.writes())


class TestUnarchiveRollback(UnarchiveTest):

    def test_a_volume_snapshot_in_error_removes_what_was_made(self):
        self.cloud()
        self.accept_volumes()
        self.accept_snapshots(data_states=('error',))
        for sid in (NEW_ROOT_SNAP, NEW_DATA_SNAP):
            fakes.register_delete_volume_snapshot(self.requests, sid)
        self.requests.get(SNAPS + '/' + NEW_ROOT_SNAP, [
            {'json': {'snapshot': fakes.volume_snapshot(
                NEW_ROOT_SNAP, status='creating')}},
            {'json': {'snapshot': fakes.volume_snapshot(NEW_ROOT_SNAP)}},
            {'json': {'snapshot': fakes.volume_snapshot(NEW_ROOT_SNAP)}},
            {'status_code': 404,
             'json': fakes.not_found('Snapshot', NEW_ROOT_SNAP)}])
        self.requests.get(SNAPS + '/' + NEW_DATA_SNAP, [
            {'json': {'snapshot': fakes.volume_snapshot(
                NEW_DATA_SNAP, status='error')}},
            {'json': {'snapshot': fakes.volume_snapshot(
                NEW_DATA_SNAP, status='error')}},
            {'status_code': 404,
             'json': fakes.not_found('Snapshot', NEW_DATA_SNAP)}])
        for vid in (ROOT, DATA):
            self.requests.delete('%s/%s' % (VOLUMES, vid), status_code=202)
        code, out, err = self.run_cli('rc', 'snapshot', 'unarchive',
                                      fakes.IMAGE_ID)
        self.assertEqual(1, code, err)
        self.assertNotIn('Traceback', err)
        self.assertEqual('', out)
        writes = self.writes()
        self.assertNotIn(PATCH, writes)
        self.assertEqual([POST_VOLUME, POST_VOLUME, POST_SNAP, POST_SNAP],
                         writes[:4])
        self.assertEqual({'DELETE %s/%s' % (SNAPS, NEW_ROOT_SNAP),
                          'DELETE %s/%s' % (SNAPS, NEW_DATA_SNAP),
                          'DELETE %s/%s' % (VOLUMES, ROOT),
                          'DELETE %s/%s' % (VOLUMES, DATA)},
                         {w.split('?')[0] for w in writes[4:]})
        self.assertIn('Volume snapshot %s' % NEW_DATA_SNAP,
                      err.strip().splitlines()[-1])
