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


class TestPruneDryRunPastTheBin(test_bin.TestRetentionOverTheBin):

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
