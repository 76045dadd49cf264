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

"""The pure decisions of ``rc snapshot archive``."""

import testtools

from rcsnap_osc.archive import plan
from rcsnap_osc.core import archives
from rcsnap_osc.core import deletion_plan
from rcsnap_osc import errors
from tests.unit import base
from tests.unit import fakes

BACKUP_ID = '0b1c2d3e-4f5a-4b6c-8d7e-8f9a0b1c2d3e'


def two_volume_image(**fields):
    return fakes.volume_backed_image(entries=[
        fakes.swap_entry(), fakes.root_entry(), fakes.data_entry()],
        **fields)


def inventory(images=None, snaps=None, volumes=None):
    if snaps is None:
        snaps = [fakes.volume_snapshot(fakes.ROOT_SNAP_ID),
                 fakes.volume_snapshot(fakes.DATA_SNAP_ID, size=5,
                                       volume_id=fakes.DATA_VOLUME_ID)]
    if volumes is None:
        volumes = [fakes.volume(fakes.ROOT_VOLUME_ID, snapshot_id=None),
                   fakes.volume(fakes.DATA_VOLUME_ID, size=5,
                                snapshot_id=None, volume_type='fast')]
    return deletion_plan.Inventory(
        [two_volume_image()] if images is None else images,
        {s['id']: s for s in snaps}, volumes)


class TestPlanArchive(testtools.TestCase):

    def plan(self, names=(fakes.IMAGE_ID,), backups=(), full=False,
             **kwargs):
        return plan.plan_archive(names, inventory(**kwargs), list(backups),
                                 base.PROJECT_ID, full=full)

    def test_two_disks_root_first_full(self):
        [found] = self.plan()
        self.assertEqual([
            plan.Disk(fakes.ROOT_SNAP_ID, fakes.ROOT_VOLUME_ID, 10,
                      '/dev/vda', 0, 'lvmdriver-1'),
            plan.Disk(fakes.DATA_SNAP_ID, fakes.DATA_VOLUME_ID, 5,
                      '/dev/vdb', None, 'fast')], list(found.disks))
        self.assertEqual(
            ['delete', 'delete'],
            [i.action for i in found.deletion.volume_snapshots])

    def test_incremental_on_the_newest_available_backup(self):
        # Cinder's parent: the available backup of the volume whose data
        # is the newest older than the volume snapshot.
        def made(prefix, when, **fields):
            return fakes.backup(prefix * 8 + BACKUP_ID[8:],
                                volume_id=fakes.ROOT_VOLUME_ID,
                                data_timestamp=when, **fields)
        backups = [made('1', '2026-11-19T10:00:00.000000'),
                   made('0', '2026-11-20T10:00:00.000000'),
                   made('2', '2026-11-20T10:10:00.000000', status='error'),
                   made('3', '2026-11-21T10:00:00.000000')]
        [found] = self.plan(backups=backups)
        self.assertEqual(['0' * 8 + BACKUP_ID[8:], None],
                         [d.parent_backup for d in found.disks])
        self.assertTrue(found.disks[0].incremental)
        [found] = self.plan(backups=backups, full=True)
        self.assertEqual([None, None],
                         [d.parent_backup for d in found.disks])

    def test_image_backed_refused_with_the_reason(self):
        error = self.assertRaises(
            errors.Refused, self.plan,
            images=[fakes.image_backed_image()])
        self.assertEqual(
            'Cannot archive %s: it is image-backed: its data is in Glance, '
            'not in the volume quota; there is nothing to move.'
            % fakes.IMAGE_ID, str(error))

    def test_archived_already_refused(self):
        image = two_volume_image(**archives.properties([archives.Record(
            BACKUP_ID, 10, '/dev/vda', 0, None)], '2026-12-01T00:00:00Z'))
        error = self.assertRaises(errors.Refused, self.plan, images=[image])
        self.assertIn('it is archived already', str(error))

    def test_unknown_name(self):
        error = self.assertRaises(errors.Refused, self.plan,
                                  names=('nothing',))
        self.assertEqual("No image with a name or ID of 'nothing'.",
                         str(error))

    def test_other_project_refused(self):
        error = self.assertRaises(
            errors.Refused, self.plan,
            images=[two_volume_image(owner=base.OTHER_PROJECT_ID)])
        self.assertIn('owned by project %s' % base.OTHER_PROJECT_ID,
                      str(error))

    def test_a_volume_made_from_a_volume_snapshot_refuses_it_all(self):
        volumes = [fakes.volume(fakes.ROOT_VOLUME_ID, snapshot_id=None),
                   fakes.volume(fakes.TMP_VOLUME_ID,
                                snapshot_id=fakes.DATA_SNAP_ID)]
        error = self.assertRaises(errors.Refused, self.plan,
                                  volumes=volumes)
        self.assertEqual(
            'Cannot archive %s: volume snapshot %s would be kept (volume %s '
            'was created from it); nothing was made.' % (
                fakes.IMAGE_ID, fakes.DATA_SNAP_ID, fakes.TMP_VOLUME_ID),
            str(error))

    def test_another_image_using_a_volume_snapshot_refuses(self):
        other = fakes.volume_backed_image(
            fakes.COPY_IMAGE_ID, 'other', entries=[fakes.root_entry()])
        error = self.assertRaises(errors.Refused, self.plan,
                                  images=[two_volume_image(), other])
        self.assertIn('volume snapshot %s would be kept (also used by '
                      'image %s)' % (fakes.ROOT_SNAP_ID, fakes.COPY_IMAGE_ID),
                      str(error))

    def test_volume_snapshot_not_available_refused(self):
        snaps = [fakes.volume_snapshot(fakes.ROOT_SNAP_ID,
                                       status='backing-up'),
                 fakes.volume_snapshot(fakes.DATA_SNAP_ID, size=5)]
        error = self.assertRaises(errors.Refused, self.plan, snaps=snaps)
        self.assertIn('volume snapshot %s is backing-up, not available'
                      % fakes.ROOT_SNAP_ID, str(error))

    def test_protected_image_is_archived(self):
        [found] = self.plan(images=[two_volume_image(protected=True)])
        self.assertEqual(2, len(found.disks))


class TestQuota(testtools.TestCase):

    def archive(self):
        return plan.plan_archive([fakes.IMAGE_ID], inventory(), [],
                                 base.PROJECT_ID)

    def quota(self, backups=(0, 10), gigabytes=(0, 1000)):
        body = fakes.quota_set()['quota_set']
        body['backups'] = {'limit': backups[1], 'in_use': backups[0],
                           'reserved': 0}
        body['backup_gigabytes'] = {'limit': gigabytes[1],
                                    'in_use': gigabytes[0], 'reserved': 0}
        return body

    def test_room(self):
        plan.check_quota(self.quota(), self.archive())
        plan.check_quota(self.quota((9, -1), (0, -1)), self.archive())
        plan.check_quota(None, self.archive())

    def test_short_of_both(self):
        error = self.assertRaises(
            errors.Refused, plan.check_quota,
            self.quota((9, 10), (990, 1000)), self.archive())
        self.assertEqual(
            'Not archived: the backups do not fit in the quota (backups: '
            'needs 2, 1 left of 10; backup_gigabytes: needs 15, 10 left of '
            '1000); nothing was made.', str(error))


class TestRecords(testtools.TestCase):

    def test_round_trip(self):
        disks = [archives.Record(BACKUP_ID, 10, '/dev/vda', 0, '__DEFAULT__',
                                 fakes.ROOT_SNAP_ID, fakes.ROOT_VOLUME_ID),
                 archives.Record(BACKUP_ID[::-1], 5, '/dev/vdb', None, None,
                                 fakes.DATA_SNAP_ID)]
        props = archives.properties(disks, '2026-12-02T05:40:00Z')
        self.assertEqual('2', props['rcsnap_archive_disks'])
        self.assertEqual('0', props['rcsnap_archive_0_boot_index'])
        self.assertNotIn('rcsnap_archive_1_boot_index', props)
        self.assertTrue(all(isinstance(v, str) and len(v) <= 255
                            for v in props.values()))
        image = two_volume_image(**props)
        self.assertEqual(disks, archives.records(image))
        self.assertTrue(archives.is_archived(image))
        self.assertEqual(15, archives.size_gib(image))
        self.assertEqual(sorted(props), sorted(archives.property_keys(image)))
        self.assertFalse(archives.is_archived(two_volume_image()))
