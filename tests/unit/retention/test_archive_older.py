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

"""``rc snapshot prune --archive-older-than``: the old snapshots the rules
keep are archived instead of left in the volume quota."""

import datetime
import json

from rcsnap_osc.core import origin
from tests.unit.archive import test_archive as ta
from tests.unit import backup_fakes as bf
from tests.unit import base
from tests.unit import fakes
from tests.unit.retention import test_prune as tp

NEW_ID = 'b0000099-e5f6-4a7b-8c9d-0e1f2a3b4c5d'
ON_SERVER = {origin.SERVER_PROPERTY: fakes.SERVER_ID}
KEPT = 'kept (one of the newest 2)'


def recent():
    return (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(
        hours=1)).strftime('%Y-%m-%dT%H:%M:%SZ')


class TestArchiveOlderThan(ta.ArchiveTest):

    def setUp(self):
        super().setUp()
        self.claims = fakes.FakeClaims(self.requests)
        fakes.register_server(self.requests, fakes.server())
        self.old = ta.two_volume_image(created_at='2026-11-01T10:00:00Z',
                                       **ON_SERVER)
        self.new = fakes.image_backed_image(NEW_ID, created_at=recent(),
                                            **ON_SERVER)

    def prune(self, *args, code=0):
        status, out, err = self.run_cli(
            'rc', 'snapshot', 'prune', '--server', fakes.SERVER_ID,
            '--keep', '2', '--archive-older-than', '1w', *args, '-f', 'json')
        self.assertEqual(code, status, err)
        self.assertNotIn('Traceback', err)
        return json.loads(out), err

    def test_the_old_kept_one_is_archived(self):
        self.cloud(images=[self.old, self.new])
        self.accept_backups()
        self.accept_rest()
        rows, err = self.prune('--yes')
        self.assertEqual([
            (NEW_ID, KEPT),
            (fakes.IMAGE_ID, KEPT + '; archived'),
            (bf.ROOT_BACKUP_ID, 'available (full, 10 GiB)'),
            (bf.DATA_BACKUP_ID, 'available (full, 5 GiB)'),
            (fakes.ROOT_SNAP_ID, 'deleting'),
            (fakes.DATA_SNAP_ID, 'deleting')],
            [(r['Resource'], r['Result']) for r in rows])
        self.assertEqual('', err)
        self.assertEqual(tp.TAKE[1:] + [
            ta.POST, ta.POST, ta.PATCH,
            'DELETE %s/%s' % (ta.SNAPS, fakes.ROOT_SNAP_ID),
            'DELETE %s/%s' % (ta.SNAPS, fakes.DATA_SNAP_ID)] + tp.RELEASE,
            self.writes())

    def test_dry_run_says_what_would_be_archived_and_only_reads(self):
        self.cloud(images=[self.old, self.new])
        rows, err = self.prune('--dry-run')
        self.assertEqual([
            (NEW_ID, KEPT),
            (fakes.IMAGE_ID, KEPT + '; would archive'),
            ('', 'would back up (full, 10 GiB)'),
            ('', 'would back up (full, 5 GiB)'),
            (fakes.ROOT_SNAP_ID, 'would delete'),
            (fakes.DATA_SNAP_ID, 'would delete')],
            [(r['Resource'], r['Result']) for r in rows])
        self.assertEqual([], self.writes())

    def test_one_that_cannot_be_archived_is_kept_with_the_reason(self):
        made = fakes.volume('f0000001-d5e6-4f7a-8b9c-0d1e2f3a4b5c', size=5,
                            snapshot_id=fakes.DATA_SNAP_ID)
        self.cloud(images=[self.old, self.new], volumes=[
            fakes.volume(fakes.ROOT_VOLUME_ID, snapshot_id=None),
            fakes.volume(fakes.DATA_VOLUME_ID, size=5, snapshot_id=None),
            made])
        rows, err = self.prune('--yes')
        self.assertEqual(NEW_ID, rows[0]['Resource'])
        self.assertEqual(2, len(rows))
        self.assertTrue(rows[1]['Result'].startswith(
            KEPT + '; not archived: Cannot archive %s: volume snapshot %s '
            'would be kept (' % (fakes.IMAGE_ID, fakes.DATA_SNAP_ID)),
            rows[1]['Result'])
        self.assertEqual(tp.TAKE[1:] + tp.RELEASE, self.writes())

    def test_over_the_backup_quota_archives_none(self):
        self.cloud(images=[self.old, self.new])
        body = fakes.quota_set()
        body['quota_set']['backups'] = {'limit': 10, 'in_use': 9,
                                        'reserved': 0}
        fakes.register_quota(self.requests, body)
        rows, err = self.prune('--yes')
        self.assertEqual(
            KEPT + '; not archived: Not archived: the backups do not fit in '
            'the quota (backups: needs 2, 1 left of 10); nothing was made.',
            rows[1]['Result'])
        self.assertEqual(tp.TAKE[1:] + tp.RELEASE, self.writes())

    def test_a_backup_in_error_removes_the_backups_and_says_so(self):
        self.cloud(images=[self.old, self.new])
        failed = bf.backup(status='error', fail_reason=bf.DRIVER_REASON)
        data = bf.backup(bf.DATA_BACKUP_ID, snapshot_id=fakes.DATA_SNAP_ID,
                         volume_id=fakes.DATA_VOLUME_ID, size=5)
        self.accept_backups(root=failed, data=data)
        for backup_id, body in ((bf.ROOT_BACKUP_ID, failed),
                                (bf.DATA_BACKUP_ID, data)):
            self.requests.delete('%s/%s' % (bf.BACKUPS, backup_id),
                                 status_code=202)
            bf.register_backup_states(self.requests, backup_id, body, None)
        status, out, err = self.run_cli(
            'rc', 'snapshot', 'prune', '--server', fakes.SERVER_ID,
            '--keep', '2', '--archive-older-than', '1w', '--yes',
            '-f', 'json')
        self.assertEqual(1, status, err)
        self.assertEqual([(NEW_ID, KEPT), (fakes.IMAGE_ID, KEPT)],
                         [(r['Resource'], r['Result'])
                          for r in json.loads(out)])
        self.assertEqual([
            'Deleted backup %s' % bf.ROOT_BACKUP_ID,
            'Deleted backup %s' % bf.DATA_BACKUP_ID,
            'Backup %s of volume snapshot %s is error: %s.' % (
                bf.ROOT_BACKUP_ID, fakes.ROOT_SNAP_ID, bf.DRIVER_REASON)],
            err.strip().splitlines())
        self.assertEqual(tp.TAKE[1:] + [ta.POST, ta.POST] + [
            'DELETE %s/%s' % (bf.BACKUPS, b) for b in (
                bf.ROOT_BACKUP_ID, bf.DATA_BACKUP_ID)] + tp.RELEASE,
            self.writes())

    def test_bad_duration(self):
        self.assertFails("Invalid duration '3x'", 'rc', 'snapshot', 'prune',
                         '--server', fakes.SERVER_ID, '--keep', '1',
                         '--archive-older-than', '3x', '--dry-run')
        self.assertEqual([], self.calls())


del base
