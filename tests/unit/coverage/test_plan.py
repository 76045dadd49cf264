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

"""coverage's verdicts over a table of servers: pure."""

import datetime

import testtools

from rcsnap_osc.core import holds
from rcsnap_osc.core import retention
from rcsnap_osc.coverage import plan
from rcsnap_osc import errors

NOW = datetime.datetime(2026, 11, 30, 12, 0)
DAY = 86400


def snap(image_id, hours_ago, status='active', window=None, **props):
    made = NOW - datetime.timedelta(hours=hours_ago)
    body = {'id': image_id, 'status': status,
            'created_at': made.strftime('%Y-%m-%dT%H:%M:%SZ')}
    if window:
        body[retention.WINDOW_PROPERTY] = window
    body.update(props)
    return body


def verified(hours_ago, result='ok', level='default'):
    return {holds.VERIFIED_AT: holds.stamp(
        NOW - datetime.timedelta(hours=hours_ago)),
        holds.VERIFIED_LEVEL: level, holds.VERIFIED_RESULT: result}


def server(name, every=DAY, snapshots=(), last=None, verify=None,
           error=None):
    return plan.Server(name, name + '-id', 'every=1d;keep=7' if every
                       else None, every, error, verify, last or {},
                       tuple(snapshots))


class TestVerdicts(testtools.TestCase):

    def test_a_table_of_servers(self):
        binned = {holds.BINNED_AT: '2026-11-30T10:00:00Z'}
        table = [
            # (server, verdict, newest, age in hours)
            (server('no-policy', every=None, snapshots=[snap('a', 1)]),
             plan.UNPROTECTED, 'a', 1),
            (server('bad-policy', every=None, error="Bad value 'x'"),
             plan.UNPROTECTED, None, None),
            (server('fresh', snapshots=[snap('b', 30), snap('c', 2)],
                    last={'result': 'ok', 'at': '20261130T100000Z'}),
             plan.PROTECTED, 'c', 2),
            (server('never-ran'), plan.OVERDUE, None, None),
            (server('old', snapshots=[snap('d', 49)]), plan.OVERDUE, 'd', 49),
            (server('at-the-rpo', snapshots=[snap('e', 48)]),
             plan.PROTECTED, 'e', 48),
            (server('failed', snapshots=[snap('f', 1)],
                    last={'result': 'failed', 'error': 'quiesce refused'}),
             plan.FAILING, 'f', 1),
            (server('only-binned', snapshots=[snap('g', 1, **binned)]),
             plan.OVERDUE, None, None),
            (server('only-killed', snapshots=[snap('h', 1, 'killed'),
                                              snap('i', 60)]),
             plan.OVERDUE, 'i', 60),
            (server('broken-newest', snapshots=[
                snap('j', 1, **verified(0.5, 'volume snapshot missing')),
                snap('k', 25)]), plan.PROTECTED, 'k', 25),
            (server('verify-none', verify=7 * DAY,
                    snapshots=[snap('l', 1)]), plan.UNVERIFIED, 'l', 1),
            (server('verify-old', verify=DAY, snapshots=[
                snap('m', 1), snap('n', 30, **verified(49))]),
             plan.UNVERIFIED, 'm', 1),
            (server('verify-ok', verify=DAY, snapshots=[
                snap('o', 1), snap('p', 30, **verified(47))]),
             plan.PROTECTED, 'o', 1),
            # The window a schedule made it for is not its age.
            (server('windowed', snapshots=[
                snap('q', 1, window='20261128T0300Z')]),
             plan.PROTECTED, 'q', 1),
        ]
        rows = plan.rows([t[0] for t in table], NOW)
        self.assertEqual(
            [(t[0].name, t[1], t[2], t[3]) for t in table],
            [(r.server.name, r.verdict, r.newest,
              None if r.age is None else r.age / 3600) for r in rows])
        self.assertEqual([False], list({r.protected for r in rows
                                        if r.verdict != plan.PROTECTED}))

    def test_why_is_one_line_for_each_verdict(self):
        rows = {r.server.name: r for r in plan.rows([
            server('none', every=None),
            server('old', snapshots=[snap('d', 50)]),
            server('failed', last={'result': 'failed',
                                   'error': 'Quiesce is not supported'}),
            server('never'),
            server('unverified', verify=DAY, snapshots=[snap('x', 1)]),
            server('fine', snapshots=[snap('y', 1)])], NOW)}
        self.assertEqual({
            'none': 'no schedule policy',
            'old': 'the newest usable snapshot is 2d 2h old, more than the '
                   'RPO (2d)',
            'failed': 'the last run failed: Quiesce is not supported',
            'never': 'no usable snapshot',
            'unverified': 'no snapshot verified within 2d (twice its '
                          'verify period)',
            'fine': ''}, {n: r.why for n, r in rows.items()})
        self.assertEqual(2 * DAY, rows['fine'].rpo)
        self.assertIsNone(rows['none'].rpo)

    def test_rpo_replaces_twice_the_interval(self):
        servers = [server('s', snapshots=[snap('a', 10)])]
        self.assertEqual(plan.PROTECTED, plan.rows(servers, NOW)[0].verdict)
        row = plan.rows(servers, NOW, rpo=6 * 3600)[0]
        self.assertEqual((plan.OVERDUE, 6 * 3600), (row.verdict, row.rpo))

    def test_last_verification_is_the_newest_record(self):
        row = plan.verdict(server('s', snapshots=[
            snap('a', 1, **verified(5, 'ok', 'boot')),
            snap('b', 30, **verified(3, 'hash mismatch', 'data'))]), NOW)
        self.assertEqual('2026-11-30T09:00:00Z data hash mismatch',
                         row.verified)

    def test_split_verify(self):
        self.assertEqual(('every=1d;keep=3', 7 * DAY),
                         plan.split_verify('every=1d;verify=1w;keep=3'))
        self.assertEqual(('every=1d', DAY),
                         plan.split_verify('every=1d;verify=1d:boot'))
        self.assertEqual(('every=1d', None), plan.split_verify('every=1d'))
        self.assertRaises(errors.Refused, plan.split_verify,
                          'every=1d;verify=often')

    def test_durations(self):
        self.assertEqual(['', '0s', '45s', '2h 10m', '1d 1h', '2w 3d',
                          '-1h'],
                         [plan.duration(s) for s in (
                             None, 0, 45, 7800, 90000, 1468800, -3600)])

    def test_rpo_argument(self):
        self.assertEqual(129600, plan.check_rpo('36h'))
        self.assertRaises(errors.Refused, plan.check_rpo, '30s')
        self.assertRaises(errors.Refused, plan.check_rpo, 'soon')
