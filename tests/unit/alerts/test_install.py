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

"""``schedule install --notify-url/--notify-email/--notify-all``: the
timer's runs get the same options; a unit holding a webhook URL is its
owner's only."""

import os
import stat

from tests.unit import base

HOOK = 'https://chat.example.org/hooks/xkq3%20t'


class TestInstallNotify(base.TestCommand):

    def install(self, *argv):
        return self.run_json('rc', 'snapshot', 'schedule', 'install',
                             '--cloud-entry', 'nightly', *argv)

    def test_the_service_runs_with_the_alert_options(self):
        found = self.install('--notify-url', HOOK, '--notify-email',
                             'ops@example.org', '--notify-all')
        with open(found['service']) as f:
            text = f.read()
        self.assertRegex(text, (
            r"\nExecStart=/\S+/openstack --os-cloud nightly rc snapshot "
            r"schedule run --notify-url "
            r"https://chat\.example\.org/hooks/xkq3%%20t --notify-email "
            r"ops@example\.org --notify-all\n"))
        self.assertEqual(0o600, stat.S_IMODE(os.stat(
            found['service']).st_mode))
        self.assertEqual(0o644, stat.S_IMODE(os.stat(
            found['timer']).st_mode))
        self.assertTrue(found['command'].endswith(
            'schedule run --notify-url %s --notify-email ops@example.org '
            '--notify-all' % HOOK), found['command'])
        self.assertEqual([], self.calls())

    def test_without_alerts_the_service_is_as_before(self):
        found = self.install()
        self.assertEqual(0o644, stat.S_IMODE(os.stat(
            found['service']).st_mode))

    def test_the_crontab_line_escapes_percent_signs(self):
        found = self.install('--cron', '--notify-url', HOOK)
        self.assertRegex(found['crontab_line'], (
            r" rc snapshot schedule run --notify-url "
            r"https://chat\.example\.org/hooks/xkq3\\%20t >> "))

    def test_bad_alert_options_cost_no_request(self):
        self.assertBadArgument("Invalid URL 'chat.example.org/x'", 'rc',
                               'snapshot', 'schedule', 'install',
                               '--cloud-entry', 'nightly',
                               '--notify-url', 'chat.example.org/x')
