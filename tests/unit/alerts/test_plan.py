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

"""What a schedule run tells: which servers, the webhook body and the
mail, exactly. Pure."""

import datetime
import types

import testtools

from rcsnap_osc.alerts import plan
from rcsnap_osc import errors

NOW = datetime.datetime(2026, 11, 30, 3, 30)
WINDOW = datetime.datetime(2026, 11, 30, 3, 0)
DAY = 86400


def row(name, result, made=None, due=True, why='', image=''):
    return types.SimpleNamespace(
        server=types.SimpleNamespace(name=name, id=name + '-id'),
        policy=types.SimpleNamespace(every=DAY), result=result, why=why,
        image=image, due=types.SimpleNamespace(window=WINDOW, made=made,
                                               due=due))


FAILED = row('db-1', 'failed', made=WINDOW - datetime.timedelta(days=1),
             why='Quiesce is not supported by the\n hypervisor')
OVERDUE = row('web-1', 'skipped', made=WINDOW - datetime.timedelta(days=3),
              why='another run is taking this window (host-b)')
MADE = row('app-1', 'made', made=WINDOW, image='img-1')
ROWS = [FAILED, OVERDUE, MADE,
        row('calm', 'not due', made=WINDOW, due=False),
        row('late-but-held', 'skipped',
            made=WINDOW - datetime.timedelta(days=1))]


class TestAlerts(testtools.TestCase):

    def test_failed_and_overdue_by_default(self):
        self.assertEqual([
            plan.Alert('db-1', 'db-1-id', 'failed', '20261130T0300Z', '',
                       '20261129T0300Z', FAILED.why),
            plan.Alert('web-1', 'web-1-id', 'overdue', '20261130T0300Z', '',
                       '20261127T0300Z', OVERDUE.why)],
            plan.alerts(ROWS, NOW))

    def test_every_run_tells_the_snapshots_made_too(self):
        self.assertEqual(['db-1', 'web-1', 'app-1'], [
            a.server for a in plan.alerts(ROWS, NOW, every_run=True)])

    def test_an_unreadable_policy_is_a_failure(self):
        bad = types.SimpleNamespace(
            server=types.SimpleNamespace(name='x', id='x-id'), policy=None,
            due=None, result='failed', why="Bad rcsnap:schedule value")
        self.assertEqual([plan.Alert('x', 'x-id', 'failed', '',
                                     reason="Bad rcsnap:schedule value")],
                         plan.alerts([bad], NOW))

    def test_webhook_body(self):
        alert = plan.alerts(ROWS, NOW)[0]
        self.assertEqual({
            'text': '[mycloud] the snapshot of server db-1 failed (window '
                    '20261130T0300Z): Quiesce is not supported by the '
                    'hypervisor',
            'status': 'failed', 'cloud': 'mycloud', 'project_id': 'p-1',
            'server': 'db-1', 'server_id': 'db-1-id',
            'window': '20261130T0300Z', 'snapshot': None,
            'newest_window': '20261129T0300Z',
            'reason': 'Quiesce is not supported by the hypervisor',
            'at': '2026-11-30T03:30:00Z'},
            plan.webhook_body(alert, 'mycloud', 'p-1', NOW))
        overdue = plan.alerts(ROWS, NOW)[1]
        self.assertEqual(
            '[mycloud] the snapshots of server web-1 are overdue (window '
            '20261130T0300Z); newest snapshot: 20261127T0300Z: another '
            'run is taking this window (host-b)',
            plan.webhook_body(overdue, 'mycloud', 'p-1', NOW)['text'])

    def test_email_message(self):
        message = plan.email_message(
            plan.alerts(ROWS, NOW, every_run=True), 'mycloud',
            'rcsnap@example.org', ('ops@example.org', 'me@example.org'),
            NOW)
        self.assertEqual(
            'Subject: [mycloud] snapshot schedules: 1 failed, 1 overdue, '
            '1 made\n'
            'From: rcsnap@example.org\n'
            'To: ops@example.org, me@example.org\n'
            'Date: Mon, 30 Nov 2026 03:30:00 +0000\n'
            'Content-Type: text/plain; charset="utf-8"\n'
            'Content-Transfer-Encoding: quoted-printable\n'
            'MIME-Version: 1.0\n'
            '\n'
            '[mycloud] the snapshot of server db-1 failed (window '
            '20261130T0300Z): Quiesce=\n'
            ' is not supported by the hypervisor\n'
            '[mycloud] the snapshots of server web-1 are overdue (window '
            '20261130T0300Z); =\n'
            'newest snapshot: 20261127T0300Z: another run '
            'is taking this window (host-b)\n'
            '[mycloud] server app-1: snapshot img-1 made (window '
            '20261130T0300Z)\n'
            '\n'
            'openstack --os-cloud mycloud rc snapshot coverage shows every '
            'server.\n', message.as_string())

    def test_the_options_the_timer_passes(self):
        self.assertEqual(
            ['--notify-url', 'https://hooks.example.org/x',
             '--notify-email', 'a@example.org', '--notify-all'],
            plan.Notify('https://hooks.example.org/x', ('a@example.org',),
                        True).args())
        self.assertEqual([], plan.Notify(every_run=True).args())
        self.assertFalse(plan.Notify())

    def test_checks(self):
        self.assertEqual('http://127.0.0.1:8080/hook',
                         plan.check_url('http://127.0.0.1:8080/hook'))
        for bad in ('ftp://x/y', 'hooks.example.org', 'https://', ''):
            self.assertRaises(errors.Refused, plan.check_url, bad)
        self.assertEqual('ops@example.org',
                         plan.check_address('ops@example.org'))
        for bad in ('ops', 'ops@', 'a@b', 'a b@example.org'):
            self.assertRaises(errors.Refused, plan.check_address, bad)
        self.assertEqual('https://hooks.slack.com', plan.site(
            'https://hooks.slack.com/services/T0/B0/secret'))

    def test_smtp_settings(self):
        self.assertEqual(
            plan.Smtp('localhost', 25, False, None, None,
                      'rcsnap@host.example.org'),
            plan.smtp_settings({}, 'host.example.org'))
        self.assertEqual(
            plan.Smtp('mail.example.org', 587, True, 'me', 's3cret',
                      'me@example.org'),
            plan.smtp_settings({'notify': {
                'smtp_host': 'mail.example.org', 'starttls': 'true',
                'smtp_user': 'me', 'smtp_password': 's3cret',
                'smtp_from': 'me@example.org'}}, 'h'))
        for notify, line in (
                ({'smtp_port': 'x'}, "smtp_port is 'x'"),
                ({'starttls': 'maybe'}, "starttls is 'maybe'"),
                ('text', 'notify is not a mapping')):
            exc = self.assertRaises(errors.Refused, plan.smtp_settings,
                                    {'notify': notify}, 'h')
            self.assertIn(line, str(exc))
