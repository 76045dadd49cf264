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

"""``rc snapshot archive`` over HTTP fakes: output and requests."""

import json

from tests.unit import backup_fakes as bf
from tests.unit import base
from tests.unit import fakes

IMAGES = base.IMAGE_URL + '/v2/images'
SNAPS = base.VOLUME_URL + '/snapshots'
VOLUMES = base.VOLUME_URL + '/volumes'
SERVICES = base.VOLUME_URL + '/os-services'
GATHER = {
    'GET %s?limit=1000&visibility=all' % IMAGES,
    'GET %s?limit=1000&os_hidden=true&visibility=all' % IMAGES,
    'GET %s/detail?limit=1000' % SNAPS,
    'GET %s/detail?limit=1000' % VOLUMES,
    'GET %s/detail?limit=1000' % bf.BACKUPS,
    'GET %s' % fakes.QUOTA_URL,
    'GET %s?binary=cinder-backup' % SERVICES,
}
POST = 'POST %s' % bf.BACKUPS
PATCH = 'PATCH %s/%s' % (IMAGES, fakes.IMAGE_ID)


def two_volume_image(**fields):
    return fakes.volume_backed_image(entries=[
        fakes.swap_entry(), fakes.root_entry(), fakes.data_entry()],
        **fields)


class ArchiveTest(base.TestCommand):

    def cloud(self, images=None, backups=(), service=('up',), volumes=None):
        fakes.register_image_list(
            self.requests, [two_volume_image()] if images is None
            else images, '?visibility=all')
        fakes.register_image_list(self.requests, [],
                                  '?visibility=all&os_hidden=true')
        fakes.register_volume_snapshot_list(self.requests, [
            fakes.volume_snapshot(fakes.ROOT_SNAP_ID),
            fakes.volume_snapshot(fakes.DATA_SNAP_ID, size=5,
                                  volume_id=fakes.DATA_VOLUME_ID)])
        fakes.register_volume_list(self.requests, [
            fakes.volume(fakes.ROOT_VOLUME_ID, snapshot_id=None,
                         volume_type='__DEFAULT__'),
            fakes.volume(fakes.DATA_VOLUME_ID, size=5, snapshot_id=None,
                         volume_type='__DEFAULT__')] if volumes is None
            else volumes)
        self.gathered = {'json': {'backups': list(backups)}}
        self.requests.get(bf.BACKUPS + '/detail', [self.gathered])
        if service is None:
            self.requests.get(SERVICES, status_code=403,
                              json=bf.SERVICES_FORBIDDEN)
        else:
            self.requests.get(SERVICES, **bf.services(*service))

    def accept_backups(self, root=None, data=None):
        """POST /backups answered with the root's backup, then the
        data disk's; each polled backup as ``root``/``data`` say."""
        self.requests.post(bf.BACKUPS, [bf.created(bf.ROOT_BACKUP_ID),
                                        bf.created(bf.DATA_BACKUP_ID)])
        self.requests.get(bf.BACKUPS + '/detail', [
            self.gathered, {'json': {'backups': [
                root or bf.backup(), data or bf.backup(
                    bf.DATA_BACKUP_ID, snapshot_id=fakes.DATA_SNAP_ID,
                    volume_id=fakes.DATA_VOLUME_ID, size=5)]}}])

    def accept_rest(self):
        self.requests.patch('%s/%s' % (IMAGES, fakes.IMAGE_ID),
                            json=two_volume_image())
        for sid in (fakes.ROOT_SNAP_ID, fakes.DATA_SNAP_ID):
            fakes.register_volume_snapshot_states(self.requests, sid,
                                                  'available')
            fakes.register_delete_volume_snapshot(self.requests, sid)

    def archive(self, *args, code=0):
        status, out, err = self.run_cli('rc', 'snapshot', 'archive', *args,
                                        '-f', 'json')
        self.assertEqual(code, status, err)
        self.assertNotIn('Traceback', err)
        return (json.loads(out) if out else None), err

    def posted(self):
        return [r.json()['backup'] for r in self.requests.request_history
                if r.method == 'POST' and r.url == bf.BACKUPS]


class TestArchive(ArchiveTest):

    def test_backs_up_records_then_deletes_the_volume_snapshots(self):
        self.cloud()
        self.accept_backups()
        self.accept_rest()
        rows, err = self.archive(fakes.IMAGE_ID)
        self.assertEqual([
            ['image', 'archived'],
            ['backup', 'available (full, 10 GiB)'],
            ['backup', 'available (full, 5 GiB)'],
            ['volume snapshot', 'deleting'],
            ['volume snapshot', 'deleting']],
            [[r['Kind'], r['Result']] for r in rows])
        self.assertEqual([fakes.IMAGE_ID, bf.ROOT_BACKUP_ID,
                          bf.DATA_BACKUP_ID, fakes.ROOT_SNAP_ID,
                          fakes.DATA_SNAP_ID],
                         [r['Resource'] for r in rows])
        self.assertEqual('', err)
        self.assertEqual([{
            'volume_id': fakes.ROOT_VOLUME_ID,
            'snapshot_id': fakes.ROOT_SNAP_ID, 'incremental': False,
            'name': 'archive of analysis-vm-snap /dev/vda',
            'description': 'Archived disk of instance snapshot %s'
            % fakes.IMAGE_ID,
            'metadata': {'rcsnap_image_id': fakes.IMAGE_ID}},
            {'volume_id': fakes.DATA_VOLUME_ID,
             'snapshot_id': fakes.DATA_SNAP_ID, 'incremental': False,
             'name': 'archive of analysis-vm-snap /dev/vdb',
             'description': 'Archived disk of instance snapshot %s'
             % fakes.IMAGE_ID,
             'metadata': {'rcsnap_image_id': fakes.IMAGE_ID}}],
            self.posted())
        self.assertCalls([
            GATHER, POST, POST, 'GET %s/detail?limit=1000' % bf.BACKUPS,
            PATCH,
            'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
            'GET %s/%s' % (SNAPS, fakes.DATA_SNAP_ID),
            'DELETE %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
            'DELETE %s/%s' % (SNAPS, fakes.DATA_SNAP_ID)])
        patch = {op['path']: op['value'] for op in [
            r for r in self.requests.request_history
            if r.method == 'PATCH'][0].json()}
        self.assertEqual('2', patch['/rcsnap_archive_disks'])
        self.assertEqual(bf.ROOT_BACKUP_ID,
                         patch['/rcsnap_archive_0_backup_id'])
        self.assertEqual('/dev/vdb', patch['/rcsnap_archive_1_device_name'])
        self.assertEqual('0', patch['/rcsnap_archive_0_boot_index'])
        self.assertEqual('__DEFAULT__',
                         patch['/rcsnap_archive_1_volume_type'])
        self.assertEqual('5', patch['/rcsnap_archive_1_size_gib'])
        self.assertNotIn('/rcsnap_archive_1_boot_index', patch)

    def test_incremental_where_a_backup_of_the_volume_exists(self):
        old = bf.backup(bf.OLD_BACKUP_ID, snapshot_id=None, image_id=None,
                        data_timestamp='2026-11-19T08:00:00.000000')
        self.cloud(backups=[old])
        self.accept_backups()
        self.accept_rest()
        rows, err = self.archive(fakes.IMAGE_ID)
        self.assertEqual('available (incremental on backup %s, 10 GiB)'
                         % bf.OLD_BACKUP_ID, rows[1]['Result'])
        self.assertEqual([True, False],
                         [b['incremental'] for b in self.posted()])

    def test_full(self):
        old = bf.backup(bf.OLD_BACKUP_ID, snapshot_id=None, image_id=None,
                        data_timestamp='2026-11-19T08:00:00.000000')
        self.cloud(backups=[old])
        self.accept_backups()
        self.accept_rest()
        self.archive(fakes.IMAGE_ID, '--full')
        self.assertEqual([False, False],
                         [b['incremental'] for b in self.posted()])

    def test_dry_run_only_reads(self):
        self.cloud()
        rows, err = self.archive(fakes.IMAGE_ID, '--dry-run')
        self.assertEqual([
            'would archive', 'would back up (full, 10 GiB)',
            'would back up (full, 5 GiB)', 'would delete', 'would delete'],
            [r['Result'] for r in rows])
        self.assertCalls([GATHER])

    def test_wait_for_the_volume_snapshots_to_go(self):
        self.cloud()
        self.accept_backups()
        self.accept_rest()
        self.requests.get(SNAPS + '/detail', [
            {'json': {'snapshots': [
                fakes.volume_snapshot(fakes.ROOT_SNAP_ID),
                fakes.volume_snapshot(fakes.DATA_SNAP_ID, size=5,
                                      volume_id=fakes.DATA_VOLUME_ID)]}},
            {'json': {'snapshots': []}}])
        rows, err = self.archive(fakes.IMAGE_ID, '--wait')
        self.assertEqual(['deleted', 'deleted'],
                         [r['Result'] for r in rows[3:]])
        self.assertEqual('GET %s/detail?limit=1000' % SNAPS,
                         self.calls()[-1])

    def test_polls_until_available(self):
        self.cloud()
        self.accept_backups()
        self.requests.get(bf.BACKUPS + '/detail', [
            self.gathered,
            {'json': {'backups': [bf.backup(status='creating'),
                                  bf.backup(bf.DATA_BACKUP_ID,
                                            status='creating')]}},
            {'json': {'backups': [bf.backup(), bf.backup(
                bf.DATA_BACKUP_ID, status='creating')]}}])
        bf.register_backup_states(self.requests, bf.DATA_BACKUP_ID,
                                  bf.backup(bf.DATA_BACKUP_ID))
        self.accept_rest()
        rows, err = self.archive(fakes.IMAGE_ID)
        self.assertEqual([
            'Backing up: backup %s creating, backup %s creating (0 s)'
            % (bf.ROOT_BACKUP_ID, bf.DATA_BACKUP_ID),
            'Backing up: backup %s creating (2 s)' % bf.DATA_BACKUP_ID],
            err.strip().splitlines())
        # Several pending: one listing per poll; one pending: one GET.
        self.assertEqual(
            ['GET %s/detail?limit=1000' % bf.BACKUPS] * 2 +
            ['GET %s/%s' % (bf.BACKUPS, bf.DATA_BACKUP_ID)],
            self.calls()[9:12])


class TestArchiveRefused(ArchiveTest):

    def assertNothingMade(self):
        self.assertEqual([], self.writes())

    def test_image_backed(self):
        self.cloud(images=[fakes.image_backed_image()])
        self.assertFails('it is image-backed: its data is in Glance',
                         'rc', 'snapshot', 'archive', fakes.IMAGE_ID)
        self.assertNothingMade()

    def test_a_volume_depends_on_a_volume_snapshot(self):
        self.cloud(volumes=[fakes.volume(fakes.TMP_VOLUME_ID,
                                         snapshot_id=fakes.DATA_SNAP_ID)])
        self.assertFails(
            'volume snapshot %s would be kept (volume %s was created from '
            'it); nothing was made' % (fakes.DATA_SNAP_ID,
                                       fakes.TMP_VOLUME_ID),
            'rc', 'snapshot', 'archive', fakes.IMAGE_ID)
        self.assertNothingMade()

    def test_over_the_backup_quota(self):
        self.cloud()
        body = fakes.quota_set()
        body['quota_set']['backups'] = {'limit': 10, 'in_use': 9,
                                        'reserved': 0}
        fakes.register_quota(self.requests, body)
        self.assertFails(
            'Not archived: the backups do not fit in the quota (backups: '
            'needs 2, 1 left of 10); nothing was made.',
            'rc', 'snapshot', 'archive', fakes.IMAGE_ID)
        self.assertNothingMade()

    def test_no_backup_service(self):
        self.cloud(service=())
        self.assertFails(
            'This cloud runs no backup service (cinder-backup): snapshots '
            'cannot be archived here; nothing was made.',
            'rc', 'snapshot', 'archive', fakes.IMAGE_ID)
        self.assertNothingMade()

    def test_backup_service_down(self):
        self.cloud(service=('down',))
        self.assertFails('This cloud runs no backup service',
                         'rc', 'snapshot', 'archive', fakes.IMAGE_ID)
        self.assertNothingMade()

    def test_cinder_413_over_quota(self):
        # The quota hidden: Cinder's own 413 says it, nothing is made.
        self.cloud()
        fakes.register_quota(self.requests, status_code=403,
                             json=fakes.QUOTA_FORBIDDEN)
        self.requests.post(bf.BACKUPS, status_code=413,
                           json=bf.OVER_BACKUPS)
        self.assertFails('Maximum number of backups allowed (6) exceeded',
                         'rc', 'snapshot', 'archive', fakes.IMAGE_ID)
        self.assertEqual([POST], self.writes())


class TestArchiveRollback(ArchiveTest):

    def deletes(self):
        for backup_id in (bf.ROOT_BACKUP_ID, bf.DATA_BACKUP_ID):
            self.requests.delete('%s/%s' % (bf.BACKUPS, backup_id),
                                 status_code=202)

    def test_a_backup_in_error_removes_the_backups_made(self):
        self.cloud()
        failed = bf.backup(bf.DATA_BACKUP_ID, status='error',
                           snapshot_id=fakes.DATA_SNAP_ID,
                           fail_reason=bf.DRIVER_REASON)
        self.accept_backups(data=failed)
        self.deletes()
        bf.register_backup_states(self.requests, bf.ROOT_BACKUP_ID,
                                  bf.backup(), None)
        bf.register_backup_states(self.requests, bf.DATA_BACKUP_ID,
                                  failed, None)
        code, out, err = self.run_cli('rc', 'snapshot', 'archive',
                                      fakes.IMAGE_ID)
        self.assertEqual(1, code)
        self.assertEqual([
            'Deleted backup %s' % bf.ROOT_BACKUP_ID,
            'Deleted backup %s' % bf.DATA_BACKUP_ID,
            'Backup %s of volume snapshot %s is error: %s.' % (
                bf.DATA_BACKUP_ID, fakes.DATA_SNAP_ID, bf.DRIVER_REASON)],
            err.strip().splitlines())
        self.assertEqual(
            [POST, POST, 'DELETE %s/%s' % (bf.BACKUPS, bf.ROOT_BACKUP_ID),
             'DELETE %s/%s' % (bf.BACKUPS, bf.DATA_BACKUP_ID)],
            self.writes())

    def test_no_service_where_services_are_hidden(self):
        # Cinder accepts the first backup and its scheduler puts it in
        # error; the second is never asked for. Without a backup service
        # Cinder cannot delete it either: one true warning.
        self.cloud(service=None)
        self.requests.post(bf.BACKUPS, [bf.created(bf.ROOT_BACKUP_ID)])
        failed = bf.backup(status='error', availability_zone=None,
                           fail_reason=bf.NO_SERVICE_REASON)
        bf.register_backup_states(self.requests, bf.ROOT_BACKUP_ID, failed)
        self.requests.delete('%s/%s' % (bf.BACKUPS, bf.ROOT_BACKUP_ID),
                             status_code=404, json=bf.NO_SERVICE_DELETE)
        fakes.register_volume_snapshot_states(
            self.requests, fakes.ROOT_SNAP_ID, 'backing-up')
        code, out, err = self.run_cli('rc', 'snapshot', 'archive',
                                      fakes.IMAGE_ID)
        self.assertEqual(1, code)
        self.assertEqual([
            'Warning: could not delete backup %s (DELETE %s/%s failed (HTTP '
            '404): Service cinder-backup could not be found.): delete it '
            'with `openstack volume backup delete %s`.' % (
                bf.ROOT_BACKUP_ID, bf.BACKUPS, bf.ROOT_BACKUP_ID,
                bf.ROOT_BACKUP_ID),
            'Warning: Cinder left volume snapshot %s backing-up: ask an '
            'operator to reset it with `openstack volume snapshot set '
            '--state available %s` (admin only).' % (
                fakes.ROOT_SNAP_ID, fakes.ROOT_SNAP_ID),
            'This cloud runs no backup service (cinder-backup): snapshots '
            'cannot be archived here.'], err.strip().splitlines())
        self.assertEqual(
            [POST, 'DELETE %s/%s' % (bf.BACKUPS, bf.ROOT_BACKUP_ID)],
            self.writes())

    def test_ctrl_c_while_backing_up_removes_the_backups(self):
        self.cloud()
        self.requests.post(bf.BACKUPS, [bf.created(bf.ROOT_BACKUP_ID),
                                        bf.created(bf.DATA_BACKUP_ID)])
        self.requests.get(bf.BACKUPS + '/detail', [
            self.gathered, {'exc': KeyboardInterrupt}])
        self.deletes()
        for backup_id in (bf.ROOT_BACKUP_ID, bf.DATA_BACKUP_ID):
            bf.register_backup_states(self.requests, backup_id,
                                      bf.backup(backup_id), None)
        code, out, err = self.run_cli('rc', 'snapshot', 'archive',
                                      fakes.IMAGE_ID)
        self.assertEqual(130, code, err)
        self.assertEqual(['Deleted backup %s' % bf.ROOT_BACKUP_ID,
                          'Deleted backup %s' % bf.DATA_BACKUP_ID],
                         err.strip().splitlines())
        self.assertEqual(
            [POST, POST, 'DELETE %s/%s' % (bf.BACKUPS, bf.ROOT_BACKUP_ID),
             'DELETE %s/%s' % (bf.BACKUPS, bf.DATA_BACKUP_ID)],
            self.writes())

    def test_image_not_updated_removes_the_backups(self):
        # Glance refuses to record the archive: the backups go, the
        # volume snapshots stay.
        self.cloud()
        self.accept_backups()
        self.deletes()
        for backup_id in (bf.ROOT_BACKUP_ID, bf.DATA_BACKUP_ID):
            bf.register_backup_states(self.requests, backup_id,
                                      bf.backup(backup_id), None)
        self.requests.patch('%s/%s' % (IMAGES, fakes.IMAGE_ID),
                            status_code=403, json=fakes.glance_error(
                                403, 'You are not permitted to modify '
                                'this image.'))
        code, out, err = self.run_cli('rc', 'snapshot', 'archive',
                                      fakes.IMAGE_ID)
        self.assertEqual(1, code, err)
        lines = err.strip().splitlines()
        self.assertEqual(['Deleted backup %s' % bf.ROOT_BACKUP_ID,
                          'Deleted backup %s' % bf.DATA_BACKUP_ID],
                         lines[:2])
        self.assertIn('not permitted to modify', lines[2])
        self.assertEqual(
            [POST, POST, PATCH,
             'DELETE %s/%s' % (bf.BACKUPS, bf.ROOT_BACKUP_ID),
             'DELETE %s/%s' % (bf.BACKUPS, bf.DATA_BACKUP_ID)],
            self.writes())
