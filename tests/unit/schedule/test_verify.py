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

"""``schedule run`` with ``verify=``: the snapshot made is verified once
per period, under the window claim, and the result is in the record."""

import datetime

import testtools

from rcsnap_osc.core import holds
from rcsnap_osc import errors
from rcsnap_osc.schedule import checking
from rcsnap_osc.schedule import plan
from tests.unit import fakes
from tests.unit.schedule import test_policies
from tests.unit.schedule import test_run

IMAGES, SNAPS, NEW_IDS = test_run.IMAGES, test_run.SNAPS, test_run.NEW_IDS
LAST = ('result=ok;window=20261129T0300Z;at=20261129T033000Z;'
        'made=20261129T0300Z;verified=%s;check=ok')


class TestRunVerify(test_run.RunTest):

    def setUp(self):
        super().setUp()
        for body in self.bodies:
            body['metadata'][plan.POLICY_KEY] = test_run.POLICY + (
                ';verify=1d')
        self.patched = {}
        for image_id in NEW_IDS[:2]:
            self.requests.patch('%s/%s' % (IMAGES, image_id),
                                json=self.patch)

    def patch(self, request, context):
        self.patched[request.url.rsplit('/', 1)[1]] = {
            p['path'][1:]: p['value'] for p in request.json()}
        return {}

    def test_made_snapshots_are_verified_and_recorded(self):
        rows, lines = self.run_schedule()
        self.assertEqual(['made', 'made'], [r['Result'] for r in rows])
        for n in range(2):
            last = self.last(n)
            self.assertEqual(('20261130T033000Z', 'ok'),
                             (last['verified'], last['check']))
            self.assertEqual({holds.VERIFIED_AT: '2026-11-30T03:30:00Z',
                              holds.VERIFIED_LEVEL: 'default',
                              holds.VERIFIED_RESULT: 'ok'},
                             self.patched[NEW_IDS[n]])

    def test_not_again_within_the_period(self):
        for body in self.bodies:
            body['metadata'][plan.LAST_KEY] = LAST % '20261130T010000Z'
        self.run_schedule()
        self.assertEqual({}, self.patched)
        self.assertEqual('20261130T010000Z', self.last(0)['verified'])
        self.assertEqual('ok', self.last(0)['check'])

    def test_a_failed_verification_is_in_the_row_and_the_record(self):
        listed = [fakes.volume_snapshot(test_run.NEW_SNAPS[n], size=1,
                                        volume_id=test_run.VOLUME_IDS[n])
                  for n in range(2)]
        old = [fakes.volume_snapshot(test_run.vsid(n + 1), size=1,
                                     volume_id=None) for n in range(2)]
        self.requests.get('%s/detail' % SNAPS, [
            {'json': {'snapshots': listed + old}},
            {'json': {'snapshots': listed[1:]}},
            {'json': {'snapshots': listed}}])
        rows, lines = self.run_schedule()
        self.assertEqual('made (verification failed: volume snapshot %s '
                         '(/dev/vda) is missing: deleted, or not in this '
                         'project)' % test_run.NEW_SNAPS[0],
                         rows[0]['Result'])
        self.assertEqual('failed', self.last(0)['check'])
        self.assertEqual('ok', self.last(1)['check'])


class TestChecking(testtools.TestCase):

    def test_parse(self):
        self.assertEqual(checking.Verify(604800, 'boot'),
                         checking.parse('1w:boot'))
        self.assertEqual(checking.Verify(86400), checking.parse('1d'))
        self.assertRaises(errors.Refused, checking.parse, '1w:fast')
        self.assertRaises(errors.Refused, checking.parse, 'weekly')

    def test_due_once_per_period(self):
        day = checking.Verify(86400)
        now = datetime.datetime(2026, 11, 30, 3, 30)
        self.assertTrue(checking.due(day, None, now))
        self.assertFalse(checking.due(day, datetime.datetime(
            2026, 11, 30, 0, 1), now))
        self.assertTrue(checking.due(day, datetime.datetime(
            2026, 11, 29, 23, 59), now))

    def test_policy_round_trip(self):
        policy = plan.parse('every=1d;keep=3;verify=1w:boot')
        self.assertEqual('1w:boot', policy.verify)
        self.assertEqual('every=1d;keep=3;verify=1w:boot', policy.value())
        self.assertRaises(plan.BadPolicy, plan.parse,
                          'every=1d;keep=3;verify=1w:fast')


class TestSetVerify(test_policies.PolicyTest):

    def test_set_writes_verify(self):
        shown = self.schedule('set', test_run.IDS[0], '--every', '1d',
                              '--keep', '2', '--verify-every', '1w:boot',
                              '--force')
        self.assertEqual('every=1d;keep=2;verify=1w:boot', shown['policy'])

    def test_a_bad_verify_costs_no_request(self):
        self.assertFails("verify level 'fast' is not data or boot", 'rc',
                         'snapshot', 'schedule', 'set', test_run.IDS[0],
                         '--every', '1d', '--keep', '1', '--verify-every',
                         '1w:fast')
        self.assertFails("Invalid duration 'often'", 'rc', 'snapshot',
                         'schedule', 'set', test_run.IDS[0], '--every', '1d',
                         '--keep', '1', '--verify-every', 'often')
        self.assertEqual([], self.calls())
