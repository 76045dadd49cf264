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

"""``rc snapshot coverage`` and the alerts of ``schedule run`` against
the real cloud: a webhook receiver and an SMTP server on 127.0.0.1, on
ports chosen free now, started by the test. Every command names its
server (``--server``): other tests make servers beside these."""

import email
import http.server
import json
import os
import shutil
import socketserver
import threading

import fixtures
from openstack import config as sdk_config
import yaml

from tests.functional import base

MAIL_TO = 'ops@example.org'


class Webhook(http.server.BaseHTTPRequestHandler):
    """An incoming webhook: keeps each POST's JSON document."""

    def do_POST(self):
        length = int(self.headers.get('Content-Length') or 0)
        self.server.bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain')
        self.end_headers()
        self.wfile.write(b'ok')

    def log_message(self, *args):
        pass


class Smtp(socketserver.StreamRequestHandler):
    """Just enough of an SMTP server (RFC 5321) to take a message."""

    def reply(self, line):
        self.wfile.write(line.encode() + b'\r\n')

    def handle(self):
        self.reply('220 localhost ESMTP test')
        while True:
            line = self.rfile.readline().decode(errors='replace')
            if not line:
                return
            verb = line[:4].upper()
            if verb in ('EHLO', 'HELO'):
                self.reply('250 localhost')
            elif verb == 'DATA':
                self.reply('354 end with <CRLF>.<CRLF>')
                lines = []
                for raw in iter(self.rfile.readline, b''):
                    text = raw.decode(errors='replace').rstrip('\r\n')
                    if text == '.':
                        break
                    lines.append(text[1:] if text.startswith('..')
                                 else text)
                self.server.messages.append('\n'.join(lines))
                self.reply('250 OK')
            elif verb == 'QUIT':
                self.reply('221 bye')
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self.reply('250 OK')


def serve(test, server):
    """Serve in a thread until the test ends."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    test.addCleanup(thread.join, 10)
    test.addCleanup(server.server_close)
    test.addCleanup(server.shutdown)
    return server


class TestCoverage(base.FunctionalTest):

    def coverage(self, server, code):
        proc = base.run('rc', 'snapshot', 'coverage', '--server',
                        server['id'], '-f', 'json', parse=False,
                        check=False)
        self.assertEqual(code, proc.returncode, proc.stderr)
        self.assertNotIn('Traceback', proc.stderr)
        [row] = json.loads(proc.stdout)
        return row, proc.stderr.strip().splitlines()

    def test_exit_1_until_a_policy_has_run(self):
        server = self.create_image_backed_server()
        row, lines = self.coverage(server, 1)
        self.assertEqual(('unprotected', 'no schedule policy', None),
                         (row['Verdict'], row['Why'], row['RPO']))
        self.assertEqual(['1 of 1 servers are not protected: %s' %
                          server['name']], lines)

        self.rc('schedule', 'set', server['id'], '--every', '1d', '--keep',
                '1')
        row, _ = self.coverage(server, 1)
        self.assertEqual(('overdue', 'no usable snapshot', 172800),
                         (row['Verdict'], row['Why'], row['RPO']))

        [made] = self.rc('schedule', 'run', '--server', server['id'])
        self.later(self.delete_image, made['Snapshot'])
        self.assertEqual('made', made['Result'])
        row, lines = self.coverage(server, 0)
        self.assertEqual(
            ('protected', made['Snapshot'], 'ok', 'every=1d;keep=1', []),
            (row['Verdict'], row['Newest Snapshot'], row['Last Result'],
             row['Policy'], lines))
        self.assertLess(row['Age'], 86400)

    def test_a_failed_run_posts_and_mails(self):
        hook = serve(self, http.server.ThreadingHTTPServer(
            ('127.0.0.1', 0), Webhook))
        hook.bodies = []
        relay = serve(self, socketserver.ThreadingTCPServer(
            ('127.0.0.1', 0), Smtp))
        relay.messages = []
        # The relay in this cloud's entry, in a copy of clouds.yaml.
        top = self.useFixture(fixtures.TempDir()).path
        clouds = os.path.join(top, 'clouds.yaml')
        loaded = sdk_config.OpenStackConfig()
        shutil.copy(loaded.config_filename, clouds)
        with open(clouds) as f:
            config = yaml.safe_load(f)
        config['clouds'][base.CLOUD]['rcsnap'] = {'notify': {
            'smtp_host': '127.0.0.1', 'smtp_port': relay.server_address[1],
            'smtp_from': 'rcsnap@example.org'}}
        with open(clouds, 'w') as f:
            yaml.safe_dump(config, f)
        self.useFixture(fixtures.EnvironmentVariable('OS_CLIENT_CONFIG_FILE',
                                                     clouds))

        # The test image declares no guest agent: quiescing is refused.
        server = self.create_image_backed_server()
        self.rc('schedule', 'set', server['id'], '--every', '1d', '--keep',
                '1', '--require-quiesce')
        url = 'http://127.0.0.1:%d/hooks/T0/s3cret' % hook.server_address[1]
        proc = base.run('rc', 'snapshot', 'schedule', 'run', '--server',
                        server['id'], '--notify-url', url, '--notify-email',
                        MAIL_TO, '-f', 'json', parse=False, check=False)
        self.assertEqual(1, proc.returncode, proc.stderr)
        [row] = json.loads(proc.stdout)
        self.assertEqual(('', True), (
            row['Snapshot'], row['Result'].startswith('failed (')))
        self.assertIn('refused: --require-quiesce', row['Result'])
        self.assertEqual(['1 of 1 servers failed: %s' % server['name']],
                         proc.stderr.strip().splitlines())

        [body] = hook.bodies
        self.assertEqual(
            ('failed', server['name'], server['id'], base.CLOUD, None),
            (body['status'], body['server'], body['server_id'],
             body['cloud'], body['snapshot']))
        self.assertTrue(body['text'].startswith(
            '[%s] the snapshot of server %s failed (window ' % (
                base.CLOUD, server['name'])), body['text'])
        self.assertIn('refused: --require-quiesce', body['reason'])

        [raw] = relay.messages
        message = email.message_from_string(raw)
        self.assertEqual(
            ('[%s] snapshot schedules: 1 failed' % base.CLOUD,
             'rcsnap@example.org', MAIL_TO),
            (message['Subject'], message['From'], message['To']))
        text = message.get_payload(decode=True).decode()
        self.assertIn(body['text'], ' '.join(text.split()))
        password = loaded.get_one(base.CLOUD).config['auth'].get('password')
        for told in (json.dumps(body), raw):
            self.assertNotIn('s3cret', told)
            if password:
                self.assertNotIn(password, told)

        # coverage says so too.
        row, _ = self.coverage(server, 1)
        self.assertEqual('failing', row['Verdict'])
        self.assertIn('refused: --require-quiesce', row['Why'])
