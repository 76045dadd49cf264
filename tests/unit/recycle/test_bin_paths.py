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

"""``--bin-days`` of ``create --keep`` and ``batch create --keep`` (the
bin's record each writes, by which command), and a dry run of ``prune``
over a snapshot past its bin date: deleted for real, not binned."""

from rcsnap_osc.core import holds
from tests.unit.create import test_keep
from tests.unit.recycle import test_bin
from tests.unit.retention import test_prune

image_id, vsid, snap = test_prune.image_id, test_prune.vsid, test_prune.snap
AT = '2026-12-07T13:00:00Z'  # tests.unit.base.BIN_NOW


def records(test, *numbers):
    """The bin's record in the PATCH of each image ``numbers`` names."""
    found = []
    for n in numbers:
        bodies = [r.json() for r in test.requests.request_history
                  if r.method == 'PATCH' and r.url.endswith(image_id(n))]
        test.assertEqual(1, len(bodies))
        found.append({op['path'][1:]: op.get('value') for op in bodies[0]
                      if op['path'][1:] in holds.BIN_KEYS})
    return found


def record(by, until):
    return {holds.BINNED_AT: AT, holds.BINNED_BY: by,
            holds.BIN_UNTIL: until}


class TestCreateKeepBinDays(test_keep.KeepTest):

    def test_bin_days_of_create_keep(self):
        self.cloud([snap(2), snap(1)])
        data, _lines = self.create('--keep', '1', '--bin-days', '3')
        self.assertEqual([image_id(2), image_id(1)], data['pruned'])
        until = '2026-12-10T13:00:00Z'
        self.assertEqual([record('create --keep', until)] * 2,
                         records(self, 2, 1))
        self.assertEqual(
            [{'metadata': record('create --keep', until)}] * 2,
            [r.json() for r in self.requests.request_history
             if r.method == 'POST' and r.url.endswith('/metadata')])

    def test_bin_days_without_keep_refused_before_anything(self):
        got, _out, err = self.run_cli('rc', 'snapshot', 'create',
                                      test_keep.fakes.SERVER_ID,
                                      '--bin-days', '3')
        self.assertEqual(1, got)
        self.assertIn('--bin-days says how long the older snapshots --keep '
                      'lets go stay in the recycle bin: add --keep <N>.',
                      err)
        self.assertEqual([], self.writes())

    def test_bin_days_zero_is_an_argument_error(self):
        got, _out, err = self.run_cli('rc', 'snapshot', 'create',
                                      test_keep.fakes.SERVER_ID, '--keep',
                                      '1', '--bin-days', '0')
        self.assertEqual(2, got)
        self.assertIn('--bin-days', err)
        self.assertEqual([], self.writes())


class TestBatchKeepBinDays(test_keep.TestBatchKeep):

    def test_bin_days_of_batch_create_keep(self):
        rows, _lines = self.batch(keep=('--keep', '1', '--bin-days', '30'))
        self.assertEqual([[image_id(1)], [image_id(2)]],
                         [r['Pruned'] for r in rows])
        self.assertEqual(
            [record('batch create --keep', '2027-01-06T13:00:00Z')] * 2,
            records(self, 1, 2))


class TestPruneDryRunPastTheBin(test_bin.base.TestCommand):

    register = test_prune.TestPruneCommand.register
    prune = test_prune.TestPruneCommand.prune

    def test_past_its_date_would_be_deleted_the_rest_binned(self):
        self.register([test_prune.snap(3), test_bin.binned(
            test_prune.snap(2), **{holds.BIN_UNTIL: '2026-12-01T00:00:00Z'}),
            test_prune.snap(1)])
        rows = self.prune('--keep', '1', '--dry-run')
        self.assertEqual([
            (image_id(1), 'would bin'), (vsid(1), 'would bin'),
            (image_id(2), 'would delete'), (vsid(2), 'would delete'),
            (image_id(3), 'kept (one of the newest 1)')],
            [(r['Resource'], r['Result']) for r in rows])
        self.assertEqual([], self.writes())


ORPHAN = 'c0000001-e5f6-4a7b-8c9d-0e1f2a3b4c5d'
YOUNG_ORPHAN = 'c0000002-e5f6-4a7b-8c9d-0e1f2a3b4c5d'


class TestPurgeBinnedOrphans(test_bin.BinTest):
    """``bin purge`` without names: the orphaned volume snapshots that
    ``delete --orphans`` binned (their metadata's record), never one an
    image refers to nor one without the record."""

    def setUp(self):
        super().setUp()
        image = test_bin.binned(test_bin.test_delete.two_volume_image(),
                                **{holds.BINNED_AT: '2026-12-01T00:00:00Z'})
        fakes = test_bin.fakes
        self.cloud(images=[], hidden=[image], vols=[
            # the binned image's own, marked too: purged with it
            test_bin.marked(fakes.volume_snapshot(fakes.ROOT_SNAP_ID)),
            test_bin.marked(fakes.volume_snapshot(
                fakes.DATA_SNAP_ID, volume_id=fakes.DATA_VOLUME_ID)),
            orphan(ORPHAN, '2026-12-01T00:00:00Z'),
            orphan(YOUNG_ORPHAN, '2026-12-07T12:30:00Z'),
            fakes.volume_snapshot('c0000003-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
                                  volume_id=None)])
        self.accept_binning(image)
        self.accept_deletes()
        for sid in (ORPHAN, YOUNG_ORPHAN):
            fakes.register_delete_volume_snapshot(self.requests, sid)

    def test_marked_orphans_past_older_than_deleted_through_removal(self):
        rows, _err = self.rc('bin', 'purge', '--older-than', '1h', '--yes')
        fakes = test_bin.fakes
        self.assertEqual([
            (fakes.IMAGE_ID, 'deleted'), (fakes.ROOT_SNAP_ID, 'deleting'),
            (fakes.DATA_SNAP_ID, 'deleting'), (ORPHAN, 'deleting')],
            [(r['Resource'], r['Result']) for r in rows])
        self.assertEqual([
            'PATCH %s/%s' % (test_bin.IMAGES, fakes.IMAGE_ID),
            'DELETE %s/%s' % (test_bin.IMAGES, fakes.IMAGE_ID),
            'DELETE %s/%s' % (test_bin.SNAPS, fakes.ROOT_SNAP_ID),
            'DELETE %s/%s' % (test_bin.SNAPS, fakes.DATA_SNAP_ID),
            'DELETE %s/%s' % (test_bin.SNAPS, ORPHAN)], self.writes())

    def test_dry_run_names_them_and_writes_nothing(self):
        rows, _err = self.rc('bin', 'purge', '--dry-run')
        self.assertEqual([ORPHAN, YOUNG_ORPHAN], [
            r['Resource'] for r in rows][3:])
        self.assertEqual({'would delete'}, {r['Result'] for r in rows[3:]})
        self.assertEqual([], self.writes())

    def test_named_snapshots_leave_the_orphans(self):
        rows, _err = self.rc('bin', 'purge', test_bin.fakes.IMAGE_ID,
                             '--yes')
        self.assertNotIn(ORPHAN, [r['Resource'] for r in rows])
        self.assertNotIn('DELETE %s/%s' % (test_bin.SNAPS, ORPHAN),
                         self.writes())


def orphan(sid, binned_at):
    body = test_bin.fakes.volume_snapshot(sid, size=1, volume_id=None)
    body['metadata'] = {holds.BINNED_AT: binned_at, holds.BINNED_BY:
                        'delete --orphans', holds.BIN_UNTIL:
                        '2026-12-08T00:00:00Z'}
    return body
