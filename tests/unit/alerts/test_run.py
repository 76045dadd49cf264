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

"""``schedule run --notify-url/--notify-email`` over the fake cloud of
``schedule run``'s tests: the webhook's POSTs and the mail, exactly, and
a channel that cannot be reached is one warning line."""

import smtplib
import socket

import fixtures

from rcsnap_osc.schedule import plan as schedules
from tests.unit import fakes
from tests.unit.schedule import test_run

HOOK = 'https://hooks.example.org/services/T0/B0/s3cret'
IDS = test_run.IDS
REFUSAL = ("Cannot 'createImage' instance %s while it is in task_state "
           "image_snapshot" % IDS[1])
REASON = 'Cannot snapshot server node-1 now: ' + REFUSAL


class FakeRelay:
    """smtplib.SMTP: what a run sends, or a refusal."""

    sent = []
    refuse = None

    def __init__(self, host, port, timeout=None):
        if self.refuse:
            raise self.refuse
        self.address = (host, port, timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        raise AssertionError('no starttls asked')

    def login(self, user, password):
        raise AssertionError('no login asked')

    def send_message(self, message):
        FakeRelay.sent.append((self.address, message))


class TestNotify(test_run.RunTest):

    def setUp(self):
        super().setUp()
        FakeRelay.sent, FakeRelay.refuse = [], None
        self.useFixture(fixtures.MockPatchObject(smtplib, 'SMTP', FakeRelay))
        self.useFixture(fixtures.MockPatchObject(
            socket, 'getfqdn', lambda: 'runner.example.org'))
        self.hook = self.requests.post(HOOK, json={'ok': True})

    def failed_run(self, *extra, code=1):
        return self.run_schedule(*extra, code=code, create={IDS[1]: (
            409, fakes.nova_error('conflictingRequest', 409, REFUSAL))})

    def test_a_failed_server_is_posted_and_mailed(self):
        rows, lines = self.failed_run('--notify-url', HOOK,
                                      '--notify-email', 'ops@example.org')
        self.assertEqual(['made', 'failed'],
                         [r['Result'].split(' ')[0] for r in rows])
        self.assertEqual(1, self.hook.call_count)
        body = self.hook.last_request.json()
        self.assertEqual({
            'text': '[the cloud] the snapshot of server node-1 failed (window '
                    '%s): %s' % (test_run.WINDOW, REASON),
            'status': 'failed', 'cloud': 'the cloud',
            'project_id': test_run.base.PROJECT_ID, 'server': 'node-1',
            'server_id': IDS[1], 'window': test_run.WINDOW,
            'snapshot': None, 'newest_window': None, 'reason': REASON,
            'at': '2026-11-30T03:30:00Z'}, body)
        [(address, message)] = FakeRelay.sent
        self.assertEqual(('localhost', 25, 10), address)
        self.assertEqual(
            ('[the cloud] snapshot schedules: 1 failed',
             'rcsnap@runner.example.org', 'ops@example.org'),
            (message['Subject'], message['From'], message['To']))
        self.assertIn('[the cloud] the snapshot of server node-1 failed',
                      message.get_content())
        self.assertEqual('1 of 2 servers failed: node-1', lines[-1])
        self.assertNotIn('s3cret', '\n'.join(lines))

    def test_nothing_is_told_of_a_good_run_unless_asked(self):
        self.run_schedule('--notify-url', HOOK)
        self.assertEqual(0, self.hook.call_count)
        for n in range(2):  # a new window for the second run
            self.bodies[n]['metadata'].pop(schedules.LAST_KEY, None)
        self.run_schedule('--notify-url', HOOK, '--notify-all')
        self.assertEqual(
            [('ok', 'node-0'), ('ok', 'node-1')],
            [(r.json()['status'], r.json()['server'])
             for r in self.requests.request_history
             if r.url == HOOK])

    def test_an_unreachable_webhook_is_one_warning_line(self):
        self.requests.post(HOOK, status_code=404, text='no_team')
        rows, lines = self.failed_run('--notify-url', HOOK)
        self.assertEqual(
            ['Warning: 1 of 1 alerts were not posted to the webhook at '
             'https://hooks.example.org: HTTP 404.',
             '1 of 2 servers failed: node-1'], lines[-2:])

    def test_a_webhook_that_fails_never_fails_a_good_run(self):
        import requests

        self.requests.post(HOOK, exc=requests.exceptions.ConnectTimeout)
        rows, lines = self.run_schedule('--notify-url', HOOK,
                                        '--notify-all', code=0)
        self.assertEqual(['made', 'made'], [r['Result'] for r in rows])
        self.assertEqual(
            ['Warning: 2 of 2 alerts were not posted to the webhook at '
             'https://hooks.example.org: ConnectTimeout.'], lines[-1:])

    def test_an_unreachable_relay_is_one_warning_line(self):
        FakeRelay.refuse = ConnectionRefusedError(111, 'Connection refused')
        rows, lines = self.failed_run('--notify-email', 'ops@example.org')
        self.assertEqual(
            ['Warning: the alert mail to ops@example.org was not sent '
             'through localhost:25: [Errno 111] Connection refused.',
             '1 of 2 servers failed: node-1'], lines[-2:])

    def test_a_dry_run_tells_nothing(self):
        self.run_schedule('--dry-run', '--notify-url', HOOK, '--notify-all')
        self.assertEqual(0, self.hook.call_count)

    def test_bad_options_cost_no_request(self):
        self.assertBadArgument("Invalid URL 'hooks.example.org'", 'rc',
                               'snapshot', 'schedule', 'run',
                               '--notify-url', 'hooks.example.org')
        self.assertBadArgument("Invalid mail address 'ops'", 'rc',
                               'snapshot', 'schedule', 'run',
                               '--notify-email', 'ops')
