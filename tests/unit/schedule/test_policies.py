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

"""``schedule set|show|unset|list`` over the fake cloud of
:mod:`tests.unit.schedule.test_run`: the room check against the Cinder
quota, the metadata written, the listings constant in the servers."""

import json

from rcsnap_osc.schedule import plan
from tests.unit.create import base as create_base
from tests.unit import fakes
from tests.unit.schedule import test_run
from tests.unit.usage import test_usage

IDS, SERVERS = test_run.IDS, test_run.SERVERS


class PolicyTest(test_run.RunTest):

    def setUp(self):
        super().setUp()
        self.fake = create_base.FakeNova(self, self.bodies)
        for body in self.bodies:
            self.requests.delete(
                '%s/%s/metadata/%s' % (SERVERS, body['id'],
                                       plan.LAST_KEY),
                status_code=204)
            self.requests.delete(
                '%s/%s/metadata/%s' % (SERVERS, body['id'],
                                       plan.POLICY_KEY),
                status_code=204)

    def schedule(self, *argv):
        return self.run_json('rc', 'snapshot', 'schedule', *argv)


class TestPolicies(PolicyTest):

    def test_list_reads_the_same_whatever_the_servers(self):
        self.bodies[0]['metadata'][plan.LAST_KEY] = plan.LastRun(
            'ok', plan.parse_stamp('20261130T0300Z'),
            plan.parse_stamp('20261130T030411Z'), '20261130T0300Z', 'x',
            0).value()
        rows = self.schedule('list')
        self.assertEqual([
            {'Server': 'node-0', 'Policy': test_run.POLICY,
             'Next Due': '20261201T0300Z', 'Last Run': '2026-11-30T03:04:11Z',
             'Last Result': 'ok', 'Snapshots': 2, 'GiB': 2,
             'Steady Snapshots': 1, 'Steady GiB': 10, 'Room': 'fits'},
            {'Server': 'node-1', 'Policy': test_run.POLICY,
             'Next Due': 'now', 'Last Run': '', 'Last Result': '',
             'Snapshots': 2, 'GiB': 2, 'Steady Snapshots': 1,
             'Steady GiB': 10, 'Room': 'fits'}], rows)
        self.assertEqual(sorted(['GET %s/detail' % SERVERS] +
                                test_usage.LISTINGS +
                                ['GET ' + fakes.QUOTA_URL]),
                         sorted(self.calls()))

    def test_show(self):
        shown = self.schedule('show', IDS[1])
        self.assertEqual({
            'server': 'node-1', 'server_id': IDS[1],
            'policy': test_run.POLICY, 'every': '1d', 'at': '03:00',
            'keeps': 'keep=1', 'stop': False, 'require_quiesce': False,
            'window': '20261130T0300Z', 'next_due': 'now', 'last_run': '',
            'last_result': '', 'last_snapshot': '', 'last_error': '',
            'snapshots': 2, 'snapshots_gib': 2, 'steady_snapshots': 1,
            'steady_gib': 10, 'room': 'fits'}, shown)

    def test_set_refuses_a_policy_the_quota_cannot_hold(self):
        fakes.register_quota(self.requests, fakes.quota_set(
            snapshots=(4, 8), gigabytes=(24, 60)))
        line = self.assertFails(
            'The policy of node-0 holds 7 snapshots of 10 GiB (70 GiB in 7 '
            'volume snapshots) at steady state, 5 volume snapshots, 68 GiB '
            "more than now, and the Cinder quota cannot: 'snapshots' is at "
            "4 of 8; 'gigabytes' is at 24 of 60 GiB. --force sets it "
            'anyway.', 'rc', 'snapshot', 'schedule', 'set', IDS[0],
            '--every', '1d', '--keep-daily', '7')
        self.assertTrue(line)
        self.assertEqual([], self.writes())

    def test_set_with_force_writes_the_policy(self):
        fakes.register_quota(self.requests, fakes.quota_set(
            snapshots=(4, 8)))
        shown = self.schedule('set', IDS[0], '--every', '1d', '--at',
                              '02:30', '--keep-daily', '7',
                              '--keep-weekly', '4', '--stop', '--force')
        self.assertEqual('every=1d;at=02:30;daily=7;weekly=4;stop',
                         shown['policy'])
        self.assertEqual(['POST %s/%s/metadata' % (SERVERS, IDS[0])],
                         self.writes())
        # Read once: the server, the four listings, the quota.
        self.assertEqual(sorted(['GET %s/%s' % (SERVERS, IDS[0])] +
                                test_usage.LISTINGS +
                                ['GET ' + fakes.QUOTA_URL,
                                 'POST %s/%s/metadata' % (SERVERS, IDS[0])]),
                         sorted(self.calls()))
        posted = [json.loads(r.body) for r in self.requests.request_history
                  if r.method == 'POST' and '/metadata' in r.url]
        self.assertEqual([{'metadata': {
            plan.POLICY_KEY: 'every=1d;at=02:30;daily=7;weekly=4;stop'}}],
            posted)

    def test_set_bad_values_cost_no_request(self):
        for argv, expected in (
                (['--every', '90m', '--keep', '1'], "Invalid interval '90m'"),
                (['--every', '1d'], 'Give what to keep'),
                (['--every', '1d', '--at', '7pm', '--keep', '1'],
                 "Invalid time '7pm'"),
                (['--every', '1d', '--keep', '2', '--keep-daily', '3'],
                 '--keep is not combined')):
            self.assertFails(expected, 'rc', 'snapshot', 'schedule', 'set',
                             IDS[0], *argv)
        self.assertEqual([], self.calls())

    def test_unset(self):
        self.bodies[0]['metadata'][plan.LAST_KEY] = 'result=ok'
        self.schedule('unset', IDS[0])
        self.assertEqual(sorted(
            'DELETE %s/%s/metadata/%s' % (SERVERS, IDS[0], k)
            for k in (plan.POLICY_KEY, plan.LAST_KEY)),
            sorted(self.writes()))

    def test_unset_without_policy(self):
        del self.bodies[0]['metadata'][plan.POLICY_KEY]
        self.assertFails('Server node-0 has no snapshot schedule.', 'rc',
                         'snapshot', 'schedule', 'unset', IDS[0])
        self.assertEqual([], self.writes())
