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

"""``schedule install --create-credential --force`` deletes the
application credential the entry named, once the new one is written."""

import json
import os

import fixtures
import yaml

from tests.unit import base
from tests.unit.schedule import test_install as ti

NEW_ID = '9f8e7d6c5b4a43219f8e7d6c5b4a4321'
#: Keystone's 409 to a second application credential of one name (the
#: local cloud's Keystone, copied).
CONFLICT = {'error': {
    'code': 409, 'title': 'Conflict',
    'message': 'Conflict occurred attempting to store '
               'application_credential - Duplicate entry found with name '
               'rcsnap-schedule.'}}


class TestInstallReplacesTheCredential(base.TestCommand):

    def setUp(self):
        super().setUp()
        home = os.environ['XDG_CONFIG_HOME']
        self.clouds = os.path.join(home, 'conf', 'clouds.yaml')
        self.useFixture(fixtures.EnvironmentVariable(
            'OS_CLIENT_CONFIG_FILE', self.clouds))
        self.useFixture(fixtures.EnvironmentVariable(
            'OS_CLIENT_SECURE_FILE', os.path.join(home, 'conf',
                                                  'secure.yaml')))
        self.requests.post(ti.CREDS, status_code=201,
                           json=ti.credential_body('rcsnap-schedule'))
        self.run_json('rc', 'snapshot', 'schedule', 'install',
                      '--create-credential', '--cron')
        self.old = '%s/%s' % (ti.CREDS, ti.CRED_ID)

    def new_credential(self, name):
        body = ti.credential_body(name)
        body['application_credential']['id'] = NEW_ID
        return {'status_code': 201, 'json': body}

    def install(self):
        return self.run_json('rc', 'snapshot', 'schedule', 'install',
                             '--create-credential', '--cron', '--force')

    def entry(self):
        with open(self.clouds) as f:
            return yaml.safe_load(f)['clouds']['rcsnap-schedule']

    def test_force_deletes_the_old_one_after_writing_the_new(self):
        self.requests.post(ti.CREDS, [
            {'status_code': 409, 'json': CONFLICT},
            self.new_credential('rcsnap-schedule-x')])
        self.requests.delete(self.old, status_code=204)
        found = self.install()
        self.assertEqual(NEW_ID, found['application_credential_id'])
        self.assertEqual('%s deleted' % ti.CRED_ID,
                         found['replaced_credential'])
        self.assertEqual(NEW_ID,
                         self.entry()['auth']['application_credential_id'])
        posts = [json.loads(r.body)['application_credential']['name']
                 for r in self.requests.request_history
                 if r.method == 'POST' and r.url == ti.CREDS]
        self.assertEqual('rcsnap-schedule', posts[1])
        self.assertRegex(posts[2], r'^rcsnap-schedule-\d{8}T\d{6}Z$')
        self.assertEqual('DELETE ' + self.old, self.writes()[-1])

    def test_old_one_gone_already(self):
        self.requests.post(ti.CREDS, [self.new_credential('rcsnap-schedule')])
        self.requests.delete(self.old, status_code=404, json={'error': {
            'code': 404, 'title': 'Not Found', 'message':
            'Could not find application credential: %s.' % ti.CRED_ID}})
        found = self.install()
        self.assertEqual('%s was already gone' % ti.CRED_ID,
                         found['replaced_credential'])

    def test_old_one_not_deletable_is_said_with_the_command(self):
        self.requests.post(ti.CREDS, [self.new_credential('rcsnap-schedule')])
        self.requests.delete(self.old, status_code=403, json={'error': {
            'code': 403, 'title': 'Forbidden', 'message':
            'You are not authorized to perform the requested action.'}})
        found = self.install()
        self.assertIn('openstack application credential delete %s'
                      % ti.CRED_ID, found['replaced_credential'])
        self.assertEqual(NEW_ID,
                         self.entry()['auth']['application_credential_id'])
