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

import datetime
import json

import testtools

from rcsnap_osc.core import orphans
from rcsnap_osc.core import snapshots
from tests.unit import base
from tests.unit import fakes

NOVA_SNAP = 'snapshot for analysis-vm-snap'
ORPHAN_ID = 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f'
HAND_ID = 'd4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70'
TEMP_ID = 'e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a81'
BASE_ID = 'f6a7b8c9-d0e1-4f2a-9b3c-4d5e6f7a8b92'
SOURCE_ID = 'a7b8c9d0-e1f2-4a3b-8c4d-5e6f7a8b9ca3'


def vsnap(snapshot_id, name=NOVA_SNAP, created='2026-11-20T10:15:29',
          **fields):
    return fakes.volume_snapshot(snapshot_id, name=name, created_at=created,
                                 **fields)


class TestFindOrphans(testtools.TestCase):

    def find(self, images, snaps, volumes=(), include_all=False,
             backups=()):
        return orphans.find_orphans(images, snaps, volumes, base.PROJECT_ID,
                                    include_all=include_all, backups=backups)

    def test_referred_to_is_not_an_orphan(self):
        images = [fakes.volume_backed_image(entries=[fakes.root_entry()])]
        found = self.find(images, [vsnap(fakes.ROOT_SNAP_ID),
                                   vsnap(ORPHAN_ID)])
        self.assertEqual([ORPHAN_ID], [o.id for o in found])

    def test_hand_made_only_with_all(self):
        snaps = [vsnap(ORPHAN_ID), vsnap(HAND_ID, name='before upgrade')]
        self.assertEqual([ORPHAN_ID], [o.id for o in self.find([], snaps)])
        self.assertEqual([ORPHAN_ID, HAND_ID], [
            o.id for o in self.find([], snaps, include_all=True)])

    def test_unnamed_is_hand_made(self):
        self.assertEqual([], self.find([], [vsnap(HAND_ID, name=None)]))

    def test_dependent_volumes_only_with_all(self):
        volumes = [fakes.volume(snapshot_id=ORPHAN_ID),
                   fakes.volume(fakes.ROOT_VOLUME_ID, snapshot_id=None)]
        self.assertEqual([], self.find([], [vsnap(ORPHAN_ID)], volumes))
        found = self.find([], [vsnap(ORPHAN_ID)], volumes, True)
        self.assertEqual((fakes.TMP_VOLUME_ID,), found[0].dependents)
        self.assertEqual(['volume %s was made from it'
                          % fakes.TMP_VOLUME_ID], found[0].reasons)

    def test_cinder_s_own_only_with_all(self):
        snaps = [vsnap(ORPHAN_ID, consumes_quota=False)]
        self.assertEqual([], self.find([], snaps))
        self.assertEqual(["Cinder's own (consumes_quota: false): an "
                          "operation of Cinder's may still use it"],
                         self.find([], snaps, include_all=True)[0].reasons)

    def test_base_of_a_backup_only_with_all(self):
        backups = [fakes.backup('b1', snapshot_id=ORPHAN_ID),
                   fakes.backup('b2')]
        snaps = [vsnap(ORPHAN_ID)]
        self.assertEqual([], self.find([], snaps, backups=backups))
        found = self.find([], snaps, include_all=True, backups=backups)
        self.assertEqual(['backup b1 was made from it: a backup tool may '
                          'keep it as the base of its next incremental'],
                         found[0].reasons)

    def test_nova_s_marks(self):
        volume = fakes.volume(fakes.ROOT_VOLUME_ID, snapshot_id=None,
                              description='database disk')
        for snap, by_nova in (
                (vsnap(ORPHAN_ID, description='database disk'), True),
                (vsnap(ORPHAN_ID, description=None), False),
                (vsnap(ORPHAN_ID, description='database disk',
                       metadata={'tool': 'x'}), False),
                (vsnap(ORPHAN_ID, name='Snapshot for x'), False)):
            self.assertEqual(by_nova, orphans.made_by_nova(snap, volume),
                             snap)
        self.assertTrue(orphans.made_by_nova(vsnap(ORPHAN_ID)))
        found = self.find([], [vsnap(ORPHAN_ID, description='mine')],
                          [volume], include_all=True)
        self.assertEqual(['not made by Nova for an instance snapshot (by '
                          'hand, or by another tool)'], found[0].reasons)

    def test_other_projects_are_left_out(self):
        snap = vsnap(ORPHAN_ID, **{
            'os-extended-snapshot-attributes:project_id':
                base.OTHER_PROJECT_ID})
        self.assertEqual([], self.find([], [snap]))

    def test_oldest_first(self):
        snaps = [vsnap(ORPHAN_ID, created='2026-11-21T00:00:00'),
                 vsnap(HAND_ID, created='2026-11-20T00:00:00')]
        self.assertEqual([HAND_ID, ORPHAN_ID],
                         [o.id for o in self.find([], snaps)])
        self.assertEqual(10, self.find([], snaps)[0].size_gib)


IMAGES = base.IMAGE_URL + '/v2/images'
SNAPS = base.VOLUME_URL + '/snapshots'
GATHER = sorted([
    'GET %s?limit=1000&visibility=all' % IMAGES,
    'GET %s?limit=1000&os_hidden=true&visibility=all' % IMAGES,
    'GET %s/detail?limit=1000' % SNAPS,
    'GET %s/volumes/detail?limit=1000' % base.VOLUME_URL,
    'GET %s/backups/detail?limit=1000' % base.VOLUME_URL])


class OrphansTest(base.TestCommand):

    def cloud(self, snaps, volumes=(), images=None, backups=()):
        if images is None:
            images = [fakes.volume_backed_image(
                entries=[fakes.root_entry()])]
        fakes.register_image_list(self.requests, images, '?visibility=all')
        fakes.register_image_list(self.requests, [],
                                  '?visibility=all&os_hidden=true')
        fakes.register_volume_snapshot_list(self.requests, snaps)
        fakes.register_volume_list(self.requests, list(volumes))
        fakes.register_backup_list(self.requests, backups)

    def delete(self, *args, code=0):
        status, out, err = self.run_cli('rc', 'snapshot', 'delete',
                                        '--orphans', '--purge', '--yes',
                                        *args, '-f', 'json')
        self.assertEqual(code, status, err)
        self.assertNotIn('Traceback', err)
        return json.loads(out), err

    def many(self, count):
        return [vsnap('a%07d-e5f6-4a7b-8c9d-0e1f2a3b4c5d' % n, size=2)
                for n in range(count)]


class TestListOrphans(OrphansTest):

    def test_lists_only_nova_s_that_nothing_uses(self):
        self.cloud([vsnap(fakes.ROOT_SNAP_ID), vsnap(ORPHAN_ID),
                    vsnap(HAND_ID, name='by hand'),
                    vsnap(TEMP_ID, consumes_quota=False),
                    vsnap(BASE_ID), vsnap(SOURCE_ID)],
                   [fakes.volume(snapshot_id=SOURCE_ID)],
                   backups=[fakes.backup('b1', snapshot_id=BASE_ID)])
        rows = self.run_json('rc', 'snapshot', 'orphans')
        self.assertEqual([{
            'ID': ORPHAN_ID, 'Name': NOVA_SNAP, 'Size GiB': 10,
            'Status': 'available', 'Created At': '2026-11-20T10:15:29',
            'Volume': fakes.ROOT_VOLUME_ID, 'Dependent Volumes': [],
            'Reason': ''}], rows)
        self.assertEqual(GATHER, sorted(self.calls()))
        rows = self.run_json('rc', 'snapshot', 'orphans', '--all')
        self.assertEqual({
            ORPHAN_ID: '', HAND_ID: 'not made by Nova for an instance '
            'snapshot (by hand, or by another tool)',
            TEMP_ID: "Cinder's own (consumes_quota: false): an operation "
            "of Cinder's may still use it",
            BASE_ID: 'backup b1 was made from it: a backup tool may keep it '
            'as the base of its next incremental',
            SOURCE_ID: 'volume %s was made from it' % fakes.TMP_VOLUME_ID},
            {r['ID']: r['Reason'] for r in rows})

    def test_stuck_dependent_and_snapshot_are_named(self):
        # A temporary volume Cinder left uploading keeps its volume
        # snapshot; a volume snapshot in error_deleting cannot go either.
        # Each is named in one line with its state and what to do (the
        # first is listed with --all: a volume was made from it).
        self.cloud([vsnap(ORPHAN_ID), vsnap(HAND_ID, status='error_deleting',
                                            created='2026-11-20T10:15:30')],
                   [fakes.volume(snapshot_id=ORPHAN_ID, status='uploading')])
        code, out, err = self.run_cli('rc', 'snapshot', 'orphans', '--all',
                                      '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([ORPHAN_ID, HAND_ID],
                         [r['ID'] for r in json.loads(out)])
        self.assertEqual([
            'Volume %(vol)s, made from volume snapshot %(snap)s, is '
            'uploading: Cinder deletes nothing in that state until it ends; '
            'if it stays so, an operator can reset it with `openstack volume '
            'set --state available %(vol)s` (admin only).' % {
                'vol': fakes.TMP_VOLUME_ID, 'snap': ORPHAN_ID},
            'Volume snapshot %(snap)s is error_deleting: only an operator '
            'can reset it, with `openstack volume snapshot set --state '
            'available %(snap)s` (admin only).' % {'snap': HAND_ID}],
            err.strip().splitlines())
        self.assertEqual(GATHER, sorted(self.calls()))

    def test_all_adds_hand_made(self):
        self.cloud([vsnap(ORPHAN_ID), vsnap(HAND_ID, name='by hand')])
        rows = self.run_json('rc', 'snapshot', 'orphans', '--all')
        self.assertEqual([ORPHAN_ID, HAND_ID], [r['ID'] for r in rows])

    def test_no_backup_api(self):
        self.cloud([vsnap(ORPHAN_ID)])
        self.requests.get('%s/backups/detail' % base.VOLUME_URL,
                          status_code=404, json={'itemNotFound': {
                              'code': 404, 'message': 'Resource could not '
                              'be found.'}})
        rows = self.run_json('rc', 'snapshot', 'orphans')
        self.assertEqual([ORPHAN_ID], [r['ID'] for r in rows])

    def test_table(self):
        self.cloud([vsnap(ORPHAN_ID)])
        code, out, err = self.run_cli('rc', 'snapshot', 'orphans')
        self.assertEqual(0, code, err)
        self.assertIn('| %s | %s | 10       |' % (ORPHAN_ID, NOVA_SNAP), out)

    def assert_requests_constant(self, count):
        self.cloud(self.many(count))
        rows = self.run_json('rc', 'snapshot', 'orphans')
        self.assertEqual(count, len(rows))
        self.assertEqual(GATHER, sorted(self.calls()))

    def test_requests_at_1(self):
        self.assert_requests_constant(1)

    def test_requests_at_60(self):
        self.assert_requests_constant(60)


class TestDeleteOrphans(OrphansTest):

    def test_dry_run(self):
        self.cloud([vsnap(ORPHAN_ID), vsnap(HAND_ID, size=3)],
                   [fakes.volume(snapshot_id=HAND_ID)])
        rows, err = self.delete('--dry-run', '--all')
        self.assertEqual([
            {'Resource': ORPHAN_ID, 'Kind': 'volume snapshot',
             'Name': NOVA_SNAP, 'Result': 'would delete'},
            {'Resource': HAND_ID, 'Kind': 'volume snapshot',
             'Name': NOVA_SNAP, 'Result': 'kept (volume %s was created '
             'from it)' % fakes.TMP_VOLUME_ID}], rows)
        self.assertEqual('Would free 10 GiB (1 volume snapshots).',
                         err.strip())
        self.assertEqual(GATHER, sorted(self.calls()))

    def test_delete_and_wait(self):
        self.cloud([vsnap(ORPHAN_ID, size=4)])
        fakes.register_delete_volume_snapshot(self.requests, ORPHAN_ID)
        fakes.register_volume_snapshot_states(self.requests, ORPHAN_ID,
                                              None)
        rows, err = self.delete('--wait')
        self.assertEqual(['deleted'], [r['Result'] for r in rows])
        self.assertEqual('Freed 4 GiB (1 volume snapshots).', err.strip())
        self.assertEqual(['DELETE %s/%s' % (SNAPS, ORPHAN_ID)],
                         self.writes())

    def test_delete_without_wait(self):
        self.cloud(self.many(3))
        for n in range(3):
            fakes.register_delete_volume_snapshot(
                self.requests, 'a%07d-e5f6-4a7b-8c9d-0e1f2a3b4c5d' % n)
        rows, err = self.delete()
        self.assertEqual(['deleting'] * 3, [r['Result'] for r in rows])
        self.assertEqual('Freeing 6 GiB (3 volume snapshots being deleted; '
                         '--wait confirms it).', err.strip())

    def test_nothing_to_do(self):
        self.cloud([])
        rows, err = self.delete('--wait')
        self.assertEqual([], rows)
        self.assertEqual('Freed 0 GiB (0 volume snapshots).', err.strip())

    def refuse_delete(self, snapshot_id):
        """Cinder refuses the DELETE as it does a volume snapshot that is
        no longer available or error (400)."""
        fakes.register_delete_volume_snapshot(
            self.requests, snapshot_id, status_code=400, json={'badRequest': {
                'code': 400, 'message': 'Invalid snapshot: Volume Snapshot '
                'status must be available or error and must not be part of '
                'a group.'}})

    def test_cinder_refuses_one(self):
        self.cloud([vsnap(ORPHAN_ID), vsnap(HAND_ID)])
        fakes.register_delete_volume_snapshot(self.requests, ORPHAN_ID)
        self.refuse_delete(HAND_ID)
        fakes.register_volume_snapshot_states(self.requests, HAND_ID,
                                              'available')
        rows, err = self.delete(code=1)
        self.assertEqual('deleting', rows[0]['Result'])
        self.assertEqual(
            'failed (Invalid snapshot: Volume Snapshot status must be '
            'available or error and must not be part of a group. (HTTP '
            '400))', rows[1]['Result'])
        self.assertEqual('1 of 2 volume snapshots could not be deleted: %s'
                         % HAND_ID, err.strip().splitlines()[-1])

    def test_all_keeps_what_cinder_or_a_backup_uses(self):
        self.cloud([vsnap(HAND_ID, name='by hand'),
                    vsnap(TEMP_ID, consumes_quota=False), vsnap(BASE_ID)],
                   backups=[fakes.backup('b1', snapshot_id=BASE_ID)])
        fakes.register_delete_volume_snapshot(self.requests, HAND_ID)
        rows, err = self.delete('--all')
        self.assertEqual([
            'deleting',
            "kept (Cinder's own (consumes_quota: false): an operation of "
            "Cinder's may still use it)",
            'kept (backup b1 was made from it: a backup tool may keep it as '
            'the base of its next incremental)'],
            [r['Result'] for r in rows])
        self.assertEqual(['DELETE %s/%s' % (SNAPS, HAND_ID)], self.writes())

    def test_refused_delete_read_back_names_the_state(self):
        # Listed available, the volume snapshot went to error_deleting
        # before the DELETE: read back, its state is named, not the 400.
        self.cloud([vsnap(HAND_ID)])
        self.refuse_delete(HAND_ID)
        fakes.register_volume_snapshot_states(self.requests, HAND_ID,
                                              'error_deleting')
        rows, err = self.delete(code=1)
        self.assertEqual(
            'failed (status is error_deleting: only an operator can reset '
            'it, with `openstack volume snapshot set --state available %s` '
            '(admin only))' % HAND_ID, rows[0]['Result'])
        self.assertEqual(['DELETE %s/%s' % (SNAPS, HAND_ID)], self.writes())
        self.assertEqual('GET %s/%s' % (SNAPS, HAND_ID), self.calls()[-1])

    def test_refused_delete_of_one_gone_is_no_failure(self):
        # Deleted by someone else between the listing and the DELETE.
        self.cloud([vsnap(HAND_ID, size=3)])
        self.refuse_delete(HAND_ID)
        fakes.register_volume_snapshot_states(self.requests, HAND_ID, None)
        rows, err = self.delete('--wait')
        self.assertEqual(['deleted'], [r['Result'] for r in rows])
        self.assertEqual('Freed 3 GiB (1 volume snapshots).', err.strip())

    def test_young_orphans_kept_unless_min_age(self):
        now = datetime.datetime.now(datetime.timezone.utc).replace(
            tzinfo=None)
        young = (now - datetime.timedelta(seconds=30)).isoformat()
        self.cloud([vsnap(ORPHAN_ID, created=young)])
        rows, err = self.delete('--dry-run')
        self.assertTrue(rows[0]['Result'].startswith('kept (made '), rows)
        self.assertIn('see --min-age', rows[0]['Result'])
        self.assertEqual('Would free 0 GiB (0 volume snapshots).',
                         err.strip())
        rows, err = self.delete('--dry-run', '--min-age', '0')
        self.assertEqual('would delete', rows[0]['Result'])

    def test_min_age_arguments(self):
        self.assertFails('--min-age applies only with --orphans.', 'rc',
                         'snapshot', 'delete', 'snap', '--min-age', '5')
        self.assertBadArgument(
            "argument --min-age: '-1' is not a whole number of 0 or more",
            'rc', 'snapshot', 'delete', '--orphans', '--min-age', '-1')

    def test_min_age_default_is_the_plan_s(self):
        from rcsnap_osc.v1 import snapshot_delete

        self.assertEqual(orphans.MIN_AGE, snapshot_delete.MIN_AGE)


class TestAge(testtools.TestCase):

    def test_age(self):
        now = datetime.datetime(2026, 11, 20, 10, 20, 29)
        self.assertEqual(300, snapshots.age_seconds(
            {'created_at': '2026-11-20T10:15:29.000000'}, now))
        self.assertEqual(300, snapshots.age_seconds(
            {'created_at': '2026-11-20T10:15:29Z'}, now))
        self.assertIsNone(snapshots.age_seconds({'created_at': None}, now))
        self.assertIsNone(snapshots.age_seconds({'created_at': 'x'}, now))


class TestUnarchiveOrphans(OrphansTest):
    """The image of an unarchived snapshot deleted behind the plugin's
    back (``openstack image delete``): its volume snapshot is an orphan,
    and its source volume goes after it."""

    GONE_IMAGE = 'b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e'

    def source(self, **fields):
        body = fakes.volume(SOURCE_ID, snapshot_id=None, **fields)
        body['metadata'] = {'rcsnap_image_id': self.GONE_IMAGE}
        return body

    def snap(self, snapshot_id=ORPHAN_ID):
        return vsnap(snapshot_id, size=4, volume_id=SOURCE_ID,
                     metadata={'rcsnap_image_id': self.GONE_IMAGE})

    def test_found_without_all_and_the_source_volume_goes_after_it(self):
        self.useFixture(base.FakeClock())
        self.cloud([self.snap()], [self.source()])
        fakes.register_delete_volume_snapshot(self.requests, ORPHAN_ID)
        fakes.register_volume_snapshot_states(self.requests, ORPHAN_ID,
                                              None)
        self.requests.delete('%s/volumes/%s' % (base.VOLUME_URL, SOURCE_ID),
                             status_code=202)
        rows, err = self.delete()
        self.assertEqual([(ORPHAN_ID, 'volume snapshot', 'deleted'),
                          (SOURCE_ID, 'volume', 'deleting')],
                         [(r['Resource'], r['Kind'], r['Result'])
                          for r in rows])
        self.assertEqual([
            'DELETE %s/%s' % (SNAPS, ORPHAN_ID),
            'DELETE %s/volumes/%s' % (base.VOLUME_URL, SOURCE_ID)],
            [w.split('?')[0] for w in self.writes()])
        self.assertEqual('Freed 4 GiB (1 volume snapshots).',
                         err.strip().splitlines()[-1])

    def test_a_volume_whose_metadata_names_another_image_is_left(self):
        source = self.source()
        source['metadata'] = {'rcsnap_image_id': fakes.IMAGE_ID}
        self.cloud([self.snap()], [source])
        rows, err = self.delete('--dry-run', '--all')
        self.assertEqual([(ORPHAN_ID, 'volume snapshot')],
                         [(r['Resource'], r['Kind']) for r in rows])
        self.assertEqual([], self.writes())

    def test_source_kept_while_another_snapshot_of_it_stays(self):
        other = vsnap(HAND_ID, volume_id=SOURCE_ID, name='by hand')
        self.cloud([self.snap(), other], [self.source()])
        rows, err = self.delete('--dry-run')
        self.assertEqual([
            (ORPHAN_ID, 'would delete'),
            (SOURCE_ID, 'kept (volume snapshot %s of it stays)' % HAND_ID)],
            [(r['Resource'], r['Result']) for r in rows])
