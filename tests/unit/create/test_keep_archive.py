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

"""``rc snapshot create --keep N --archive-older-than <duration>``: once
the older snapshots are pruned, the old ones kept are archived, inside
the same retention claim."""

from tests.unit.archive import test_archive as ta
from tests.unit import backup_fakes as bf
from tests.unit.create import test_keep as tk
from tests.unit import fakes
from tests.unit.retention import test_archive_older as tao

OLD_VOLUME = 'c0000002-e5f6-4a7b-8c9d-0e1f2a3b4c5d'
BACKUP = bf.ROOT_BACKUP_ID
KEPT = 'kept (one of the newest 2)'


class TestCreateKeepArchive(tk.KeepTest):

    def cloud(self, backup_states=(bf.backup(snapshot_id=tk.vsid(2),
                                             volume_id=OLD_VOLUME),)):
        """The new snapshot (made now), snap-2 (kept, old) and snap-1
        (pruned); Cinder as archive finds it."""
        images = [tk.new_snapshot(created_at=tao.recent()), tk.snap(2),
                  tk.snap(1)]
        fakes.register_image_list(self.requests, images, '?visibility=all')
        fakes.register_image_list(self.requests, [],
                                  '?visibility=all&os_hidden=true')
        listed = [fakes.volume_snapshot(),
                  fakes.volume_snapshot(tk.vsid(2), size=1,
                                        volume_id=OLD_VOLUME),
                  fakes.volume_snapshot(tk.vsid(1), size=1, volume_id=None)]
        self.requests.get('%s/detail' % tk.SNAPS, [
            {'json': {'snapshots': listed}},
            {'json': {'snapshots': listed[:2]}}])
        fakes.register_volume_list(self.requests, [
            tk.create_base.attached_volume(),
            fakes.volume(OLD_VOLUME, size=1, snapshot_id=None)])
        fakes.register_delete_image(self.requests, tk.image_id(1))
        fakes.register_delete_volume_snapshot(self.requests, tk.vsid(1))
        fakes.register_volume_snapshot_states(self.requests, tk.vsid(1),
                                              None)
        self.requests.get(bf.BACKUPS + '/detail', json={'backups': []})
        self.requests.get(ta.SERVICES, **bf.services('up'))
        self.requests.post(bf.BACKUPS, **bf.created(BACKUP))
        bf.register_backup_states(self.requests, BACKUP, *backup_states)
        self.requests.patch('%s/%s' % (tk.IMAGES, tk.image_id(2)),
                            json=tk.snap(2))
        fakes.register_volume_snapshot_states(self.requests, tk.vsid(2),
                                              'available', None)
        fakes.register_delete_volume_snapshot(self.requests, tk.vsid(2))

    def test_the_old_kept_one_is_archived_after_the_pruning(self):
        self.cloud()
        data, lines = self.create('--keep', '2', '--archive-older-than',
                                  '1w')
        self.assertEqual([tk.image_id(1)], data['pruned'])
        self.assertEqual([tk.image_id(2)], data['archived'])
        self.assertIn('Pruning server analysis-vm: image %s (snap-2): %s; '
                      'archived' % (tk.image_id(2), KEPT), lines)
        self.assertIn('Pruning server analysis-vm: backup %s (/dev/vda): '
                      'available (full, 1 GiB)' % BACKUP, lines)
        writes = self.writes()
        # The archive comes after the pruning's binning, before the
        # claim is let go.
        self.assertEqual([
            'PATCH %s/%s' % (tk.IMAGES, tk.image_id(1)),
            'POST %s/%s/actions/deactivate' % (tk.IMAGES, tk.image_id(1)),
            'POST %s/%s/metadata' % (tk.SNAPS, tk.vsid(1)),
            ta.POST, 'PATCH %s/%s' % (tk.IMAGES, tk.image_id(2)),
            'DELETE %s/%s' % (tk.SNAPS, tk.vsid(2))] + tk.RELEASE,
            writes[-7:])
        posted = [r.json()['backup'] for r in self.requests.request_history
                  if r.method == 'POST' and r.url == bf.BACKUPS]
        self.assertEqual([(OLD_VOLUME, tk.vsid(2))],
                         [(b['volume_id'], b['snapshot_id']) for b in posted])

    def test_a_failed_backup_is_the_one_error_line_after_the_output(self):
        failed = bf.backup(snapshot_id=tk.vsid(2), volume_id=OLD_VOLUME,
                           status='error', fail_reason=bf.DRIVER_REASON)
        self.cloud(backup_states=(failed, failed, None))
        self.requests.delete('%s/%s' % (bf.BACKUPS, BACKUP),
                             status_code=202)
        data, lines = self.create('--keep', '2', '--archive-older-than',
                                  '1w', code=1)
        self.assertEqual(fakes.IMAGE_ID, data['id'])
        self.assertEqual([tk.image_id(1)], data['pruned'])
        self.assertEqual([], data['archived'])
        self.assertIn('Deleted backup %s' % BACKUP, lines)
        self.assertEqual(
            'Backup %s of volume snapshot %s is error: %s.' % (
                BACKUP, tk.vsid(2), bf.DRIVER_REASON), lines[-1])
        self.assertNotIn('PATCH %s/%s' % (tk.IMAGES, tk.image_id(2)),
                         self.writes())
        self.assertEqual(tk.RELEASE, self.writes()[-1:])

    def test_without_a_keep_rule_it_is_refused_before_anything(self):
        self.assertFails('--archive-older-than archives what the keep rules '
                         'keep: add --keep', 'rc', 'snapshot', 'create',
                         fakes.SERVER_ID, '--archive-older-than', '1w')
        self.assertEqual([], self.calls())
