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
"""A schedule policy's ``lock=30d``: the policy item, and ``schedule run``
locking the snapshot it has just made, in the same run."""

import datetime

import fixtures
import testtools

from rcsnap_osc.core import holds
from rcsnap_osc.schedule import plan
from tests.unit import fakes
from tests.unit.lock import test_lock
from tests.unit.schedule import test_run

NOW = datetime.datetime(2026, 11, 30, 3, 30, 0)


class TestPolicyItem(testtools.TestCase):

    def test_round_trip(self):
        policy = plan.parse('every=1d;keep=3;lock=30d')
        self.assertEqual('30d', policy.lock)
        self.assertEqual('every=1d;keep=3;lock=30d', policy.value())
        self.assertIsNone(plan.parse('every=1d;keep=3').lock)

    def test_unreadable_lock_is_one_line(self):
        exc = self.assertRaises(plan.BadPolicy, plan.parse,
                                'every=1d;keep=3;lock=soon')
        self.assertIn("Invalid duration 'soon'", str(exc))


class TestScheduleRunLocks(test_run.RunTest):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MonkeyPatch(
            'rcsnap_osc.lock.plan.now', lambda: NOW))
        self.bodies[0]['metadata'][plan.POLICY_KEY] = (
            test_run.POLICY + ';lock=30d')
        self.requests.patch(
            '%s/%s' % (test_run.IMAGES, test_run.NEW_IDS[0]),
            json=lambda request, context: test_lock.patched(
                fakes.volume_backed_image(test_run.NEW_IDS[0]), request))

    def test_the_snapshot_made_is_locked_in_the_same_run(self):
        rows, lines = self.run_schedule()
        self.assertEqual(['made', 'made'], [r['Result'] for r in rows])
        # (the claims' releases and the pruning's bin writes apart)
        patches = [(r.url, r.json()) for r in self.requests.request_history
                   if r.method == 'PATCH' and 'claim' not in r.text
                   and 'rcsnap_binned_at' not in r.text]
        self.assertEqual([(
            '%s/%s' % (test_run.IMAGES, test_run.NEW_IDS[0]), [
                test_lock.add('protected', True),
                test_lock.add(holds.LOCKED_AT, '2026-11-30T03:30:00Z'),
                test_lock.add(holds.LOCKED_BY, 'alpha'),
                test_lock.add(holds.LOCKED_UNTIL, '2026-12-30T03:30:00Z'),
                test_lock.add(holds.WAS_PROTECTED, 'false')])], patches)
        self.assertIn('Snapshot node-0-%s (%s) locked until '
                      '2026-12-30T03:30:00Z.' % (test_run.WINDOW,
                                                 test_run.NEW_IDS[0]), lines)
