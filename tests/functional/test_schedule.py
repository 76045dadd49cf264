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

"""Snapshot schedules (doc/source/user/scheduled.rst): policies on two
servers, ``schedule run`` day after day with the clock of the runs set by
``RCSNAP_SCHEDULE_NOW`` (a testing aid: the windows of past days, not
sleeping), two runs at the same moment, and ``schedule install``.

Every run is limited to the test's servers (``--server``): other tests'
servers are left alone.
"""

import json
import os
import shutil
import subprocess

import fixtures
from openstack import config as sdk_config
import yaml

from tests.functional import base

NOW = 'RCSNAP_SCHEDULE_NOW'


def at(day, hour='05:00'):
    return '2026-11-%02dT%s:00Z' % (day, hour)


class TestSchedule(base.FunctionalTest):

    def setUp(self):
        super().setUp()
        self.servers = []

    def server(self):
        """An image-backed server (the quickest to snapshot), named apart
        from the other one."""
        image = base.connection().image.find_image(base.IMAGE,
                                                   ignore_missing=False)
        server = self.boot('%s-ivm%d' % (self.prefix, len(self.servers)),
                           self.flavor_for_image(image.id),
                           image_id=image.id)
        self.servers.append(server)
        return server

    def run_at(self, when, *extra):
        self.useFixture(fixtures.EnvironmentVariable(NOW, when))
        rows = self.rc('schedule', 'run', *extra, *[
            a for s in self.servers for a in ('--server', s['id'])])
        self.remember(rows)
        return {r['Server']: r for r in rows}

    def remember(self, rows):
        """Snapshots made are removed at cleanup (the sweep would too:
        they are named after their server)."""
        for row in rows:
            if row['Snapshot']:
                self.later(self.delete_image, row['Snapshot'])

    def kept(self, server):
        """The windows of the server's snapshots, newest first."""
        return sorted((
            i.properties.get('rcsnap:schedule_window')
            for i in base.connection().image.images()
            if i.properties.get('rcsnap:server_id') == server['id']),
            reverse=True)

    def test_one_snapshot_per_server_per_window_and_retention(self):
        first, second = self.server(), self.server()
        for server in (first, second):
            shown = self.rc('schedule', 'set', server['id'], '--every', '1d',
                            '--at', '03:00', '--keep-daily', '2',
                            '--keep-weekly', '2')
            self.assertEqual('every=1d;at=03:00;daily=2;weekly=2',
                             shown['policy'])
            self.assertEqual(3, shown['steady_snapshots'])
        names = {first['name'], second['name']}

        rows = self.run_at(at(20))
        self.assertEqual({'made'}, {rows[n]['Result'] for n in names})
        made = {n: rows[n]['Snapshot'] for n in names}
        # A second run in the window makes none, and reads no more.
        rows = self.run_at(at(20, '23:59'))
        self.assertEqual({(False, 'not due', '')}, {
            (rows[n]['Due'], rows[n]['Result'], rows[n]['Snapshot'])
            for n in names})
        # The result is in the server's metadata.
        properties = base.connection().compute.get_server(
            first['id']).metadata
        self.assertEqual(
            'result=ok;window=20261120T0300Z;at=20261120T050000Z;'
            'made=20261120T0300Z;image=%s;pruned=0' % made[first['name']],
            properties['rcsnap:schedule_last'])
        shown = self.rc('schedule', 'show', first['id'])
        self.assertEqual(('ok', made[first['name']], 1), (
            shown['last_result'], shown['last_snapshot'],
            shown['snapshots']))

        for day in (21, 22, 23, 24):  # Saturday to Tuesday
            rows = self.run_at(at(day))
            self.assertEqual({'made'}, {rows[n]['Result'] for n in names})
        # The dailies of Tuesday and Monday, the weekly of ISO week 47.
        for server in (first, second):
            self.assertEqual(['20261124T0300Z', '20261123T0300Z',
                              '20261122T0300Z'], self.kept(server))

        # Two runs at the same moment: one snapshot per server, one
        # pruning (Monday's, now neither daily nor weekly).
        self.useFixture(fixtures.EnvironmentVariable(NOW, at(25)))
        runs = base.run_each([
            ['rc', 'snapshot', 'schedule', 'run', '-f', 'json'] + [
                a for s in self.servers for a in ('--server', s['id'])]
            for _ in range(2)])
        self.assertEqual([0, 0], [p.returncode for p in runs],
                         [p.stderr for p in runs])
        both = [json.loads(p.stdout) for p in runs]
        for rows in both:
            self.remember(rows)
        for name in names:
            mine = [r for rows in both for r in rows if r['Server'] == name]
            self.assertEqual(1, len([r for r in mine
                                     if r['Result'] == 'made']), mine)
            self.assertEqual(1, len([i for r in mine for i in r['Pruned']]),
                             mine)
        for server in (first, second):
            self.assertEqual(['20261125T0300Z', '20261124T0300Z',
                              '20261122T0300Z'], self.kept(server))

        listed = {r['Server']: r for r in self.rc('schedule', 'list')}
        self.assertEqual(3, listed[first['name']]['Snapshots'])
        self.assertEqual('ok', listed[first['name']]['Last Result'])


class TestInstall(base.FunctionalTest):

    def test_systemd_units_verify_and_the_credential_runs(self):
        top = self.useFixture(fixtures.TempDir()).path
        clouds = os.path.join(top, 'clouds.yaml')
        secure = os.path.join(top, 'secure.yaml')
        loaded = sdk_config.OpenStackConfig()
        shutil.copy(loaded.config_filename, clouds)
        for key, value in (('XDG_CONFIG_HOME', top),
                           ('OS_CLIENT_CONFIG_FILE', clouds),
                           ('OS_CLIENT_SECURE_FILE', secure)):
            self.useFixture(fixtures.EnvironmentVariable(key, value))
        entry = '%s-timer' % self.prefix
        found = self.rc('schedule', 'install', '--systemd',
                        '--create-credential', '--cloud-entry', entry)
        conn = base.connection()
        self.addCleanup(conn.identity.delete_application_credential,
                        conn.current_user_id,
                        found['application_credential_id'])
        self.assertEqual(0o600, os.stat(secure).st_mode & 0o777)
        with open(secure) as f:
            secret = yaml.safe_load(f)['clouds'][entry]['auth'][
                'application_credential_secret']
        with open(clouds) as f:
            self.assertNotIn(secret, f.read())
        self.assertNotIn(secret, json.dumps(found))
        units = os.path.join(top, 'systemd', 'user')
        self.assertEqual(os.path.join(units, 'rcsnap-schedule-%s.service'
                                      % entry), found['service'])
        verify = shutil.which('systemd-analyze')
        if verify:
            # A user manager needs a runtime directory, even to verify.
            proc = subprocess.run(
                [verify, '--user', 'verify', found['service'],
                 found['timer']], capture_output=True, text=True,
                env=dict(os.environ, XDG_RUNTIME_DIR=os.environ.get(
                    'XDG_RUNTIME_DIR') or top))
            self.assertEqual((0, ''), (proc.returncode, proc.stderr))
        again = base.run('rc', 'snapshot', 'schedule', 'install',
                         '--create-credential', '--cloud-entry', entry,
                         check=False, parse=False)
        self.assertEqual(1, again.returncode)
        self.assertIn('exists: --force replaces it.', again.stderr)

        # The timer's command, with the credential: one real run.
        server = self.create_image_backed_server()
        self.rc('schedule', 'set', server['id'], '--every', '1d', '--keep',
                '1')
        rows = base.run('rc', 'snapshot', 'schedule', 'run', '--server',
                        server['id'], cloud=entry)
        self.addCleanup(self.delete_image, rows[0]['Snapshot'])
        self.assertEqual('made', rows[0]['Result'])
