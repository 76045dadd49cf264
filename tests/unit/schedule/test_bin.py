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

"""A policy's ``bin=`` and ``schedule run --bin-days``: what the pruning
lets go is binned for the policy's days, from the run's clock, by
``schedule run``; the policy item written and read back."""

import testtools

from rcsnap_osc.core import holds
from rcsnap_osc.core import retention
from rcsnap_osc.schedule import plan
from tests.unit.schedule import test_run

image_id = test_run.image_id


class TestBinPolicy(test_run.RunTest):

    def bin_patch(self, n):
        """The bin's record in the one PATCH that binned image ``n``."""
        bodies = [r.json() for r in self.requests.request_history
                  if r.method == 'PATCH' and r.url.endswith(image_id(n))]
        self.assertEqual(1, len(bodies))
        return {op['path'][1:]: op.get('value') for op in bodies[0]
                if op['path'][1:] in holds.BIN_KEYS}

    def test_policy_days_else_the_run_days_from_the_run_clock(self):
        self.bodies[0]['metadata'][plan.POLICY_KEY] = POLICY_BIN
        rows, _lines = self.run_schedule('--bin-days', '5')
        self.assertEqual([[image_id(1)], [image_id(2)]],
                         [r['Pruned'] for r in rows])
        # node-0's policy says 2 days; node-1 has no bin=: --bin-days.
        self.assertEqual({
            holds.BINNED_AT: '2026-11-30T03:30:00Z',
            holds.BINNED_BY: 'schedule run',
            holds.BIN_UNTIL: '2026-12-02T03:30:00Z'}, self.bin_patch(1))
        self.assertEqual({
            holds.BINNED_AT: '2026-11-30T03:30:00Z',
            holds.BINNED_BY: 'schedule run',
            holds.BIN_UNTIL: '2026-12-05T03:30:00Z'}, self.bin_patch(2))

    def test_bin_days_zero_is_an_argument_error(self):
        got, _out, err = self.run_cli('rc', 'snapshot', 'schedule', 'run',
                                      '--bin-days', '0')
        self.assertEqual(2, got)
        self.assertIn('--bin-days', err)
        self.assertEqual([], self.writes())


POLICY_BIN = test_run.POLICY + ';bin=2d'


class TestPolicyItem(testtools.TestCase):

    def test_bin_round_trips_in_its_place(self):
        policy = plan.parse('every=1d;keep=3;bin=2w;stop')
        self.assertEqual((14, 'every=1d;keep=3;bin=2w;stop'),
                         (policy.bin_days, policy.value()))
        made = plan.make('1d', retention.Rules(last=3),
                         handling=plan.Handling(lock='30d', bin='14d'))
        self.assertEqual('every=1d;keep=3;lock=30d;bin=14d', made.value())
        self.assertIsNone(plan.parse('every=1d;keep=3').bin_days)

    def test_bin_of_part_days_or_none_is_refused(self):
        for text in ('12h', '0d', 'x'):
            exc = self.assertRaises(plan.BadPolicy, plan.parse,
                                    'every=1d;keep=3;bin=' + text)
            self.assertIn("Bad rcsnap:schedule value", str(exc))
