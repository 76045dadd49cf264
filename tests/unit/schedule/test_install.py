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

"""``schedule install``: the units in $XDG_CONFIG_HOME/systemd/user, the
crontab line, the application credential (member role) with its secret
in secure.yaml, mode 0600, and never on stdout."""

import dataclasses
import json
import os
import stat

import fixtures
import yaml

from rcsnap_osc.schedule import install
from rcsnap_osc.v1 import snapshot_schedule_install as install_command
from tests.unit import base

CREDS = '%s/users/%s/application_credentials' % (base.AUTH_URL,
                                                 base.USER_ID)
CRED_ID = '0a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5'
SECRET = 'kXo3-very-secret-7Qp'


def credential_body(name):
    """Keystone's answer to POST .../application_credentials."""
    return {'application_credential': {
        'id': CRED_ID, 'name': name, 'secret': SECRET,
        'description': 'x', 'expires_at': None, 'unrestricted': False,
        'project_id': base.PROJECT_ID, 'system': None,
        'roles': [{'id': 'r1', 'name': 'member', 'domain_id': None}],
        'access_rules': [],
        'links': {'self': '%s/%s' % (CREDS, CRED_ID)}}}


class TestInstall(base.TestCommand):

    def setUp(self):
        super().setUp()
        self.home = os.environ['XDG_CONFIG_HOME']
        self.units = os.path.join(self.home, 'systemd', 'user')

    def install(self, *argv):
        return self.run_json('rc', 'snapshot', 'schedule', 'install', *argv)

    def test_systemd_units(self):
        found = self.install('--cloud-entry', 'nightly', '--interval',
                             '30m')
        service = os.path.join(self.units, 'rcsnap-schedule-nightly.service')
        timer = os.path.join(self.units, 'rcsnap-schedule-nightly.timer')
        self.assertEqual((service, timer), (found['service'],
                                            found['timer']))
        with open(service) as f:
            text = f.read()
        self.assertIn('Type=oneshot\n', text)
        self.assertRegex(text, r'\nExecStart=/\S+/openstack --os-cloud '
                         r'nightly rc snapshot schedule run\n')
        with open(timer) as f:
            text = f.read()
        self.assertIn('OnUnitActiveSec=30min\n', text)
        self.assertIn('WantedBy=timers.target\n', text)
        self.assertEqual('journalctl --user -u rcsnap-schedule-nightly.'
                         'service', found['log'])
        self.assertEqual([], self.calls())

    def test_deprecated_os_cloud_entry_warns_and_works(self):
        code, out, err = self.run_cli('rc', 'snapshot', 'schedule',
                                      'install', '--cron', '--os-cloud-entry',
                                      'nightly', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual('nightly', json.loads(out)['os_cloud_entry'])
        self.assertEqual('Warning: --os-cloud-entry is deprecated and will '
                         'be removed; use --cloud-entry.\n', err)
        code, out, err = self.run_cli('rc', 'snapshot', 'schedule',
                                      'install', '--help')
        self.assertIn('--cloud-entry <name>', out)
        self.assertNotIn('--os-cloud-entry', out)

    def test_existing_units_are_refused_without_force(self):
        self.install('--cloud-entry', 'nightly')
        self.assertFails('rcsnap-schedule-nightly.service exists: --force '
                         'replaces it.', 'rc', 'snapshot', 'schedule',
                         'install', '--cloud-entry', 'nightly')
        self.install('--cloud-entry', 'nightly', '--force',
                     '--interval', '1h')
        with open(os.path.join(self.units,
                               'rcsnap-schedule-nightly.timer')) as f:
            self.assertIn('OnUnitActiveSec=1h\n', f.read())

    def test_cron_line_with_flock_writes_nothing(self):
        found = self.install('--cron', '--cloud-entry', 'nightly')
        self.assertRegex(found['crontab_line'], (
            r'^\*/15 \* \* \* \* flock -n \$\{XDG_RUNTIME_DIR:-/tmp\}/'
            r'rcsnap-schedule-nightly\.lock /\S+/openstack --os-cloud '
            r'nightly rc snapshot schedule run >> \$HOME/\.cache/'
            r'rcsnap-schedule-nightly\.log 2>&1$'))
        self.assertFalse(os.path.exists(self.units))

    def test_every_field_is_shown_in_its_order(self):
        self.assertEqual(
            install_command.FIELDS,
            tuple(f.name for f in dataclasses.fields(install.Installed)))

    def test_bad_interval_and_no_entry(self):
        self.assertFails("Invalid interval '15s'", 'rc', 'snapshot',
                         'schedule', 'install', '--cloud-entry', 'x',
                         '--interval', '15s')
        self.assertFails('Give --cloud-entry <name>', 'rc', 'snapshot',
                         'schedule', 'install')
        self.assertEqual([], self.calls())

    def test_create_credential(self):
        clouds = os.path.join(self.home, 'conf', 'clouds.yaml')
        secure = os.path.join(self.home, 'conf', 'secure.yaml')
        self.useFixture(fixtures.EnvironmentVariable('OS_CLIENT_CONFIG_FILE',
                                                     clouds))
        self.useFixture(fixtures.EnvironmentVariable('OS_CLIENT_SECURE_FILE',
                                                     secure))
        self.requests.post(CREDS, status_code=201,
                           json=credential_body('rcsnap-schedule'))
        code, out, err = self.run_cli('rc', 'snapshot', 'schedule',
                                      'install', '--create-credential',
                                      '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertNotIn(SECRET, out + err)
        found = json.loads(out)
        self.assertEqual((CRED_ID, 'rcsnap-schedule', clouds, secure), (
            found['application_credential_id'], found['os_cloud_entry'],
            found['clouds_yaml'], found['secure_yaml']))
        posted = [json.loads(r.body) for r in self.requests.request_history
                  if r.url == CREDS]
        self.assertEqual([{'application_credential': {
            'name': 'rcsnap-schedule', 'description': (
                'openstack rc snapshot schedule run (clouds.yaml entry '
                'rcsnap-schedule)'),
            'roles': [{'name': 'member'}]}}], posted)
        with open(clouds) as f:
            entry = yaml.safe_load(f)['clouds']['rcsnap-schedule']
        self.assertEqual({
            'auth_type': 'v3applicationcredential',
            'auth': {'auth_url': base.AUTH_URL,
                     'application_credential_id': CRED_ID},
            'identity_api_version': 3, 'region_name': 'RegionOne'}, entry)
        self.assertNotIn(SECRET, open(clouds).read())
        self.assertEqual(0o600, stat.S_IMODE(os.stat(secure).st_mode))
        with open(secure) as f:
            self.assertEqual({'rcsnap-schedule': {'auth': {
                'application_credential_secret': SECRET}}},
                yaml.safe_load(f)['clouds'])
        with open(found['service']) as f:
            service = f.read()
        self.assertNotIn(SECRET, service)
        self.assertIn("Environment=OS_CLIENT_SECURE_FILE=%s\n" % secure,
                      service)
        # A second time: the entry exists.
        self.assertFails('has an entry rcsnap-schedule: --force replaces '
                         'it.', 'rc', 'snapshot', 'schedule', 'install',
                         '--create-credential', '--cron')
