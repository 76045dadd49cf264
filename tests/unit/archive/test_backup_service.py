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

"""``archive`` where the cloud may run no backup service: the clouds.yaml
setting, Cinder's service list, and a first backup no service takes."""

import os

import fixtures
import testtools

from rcsnap_osc.archive import plan
from rcsnap_osc import errors
from tests.unit.archive import test_archive as ta
from tests.unit import backup_fakes as bf
from tests.unit import fakes


class TestSetting(testtools.TestCase):

    def test_absent_is_unknown(self):
        self.assertIsNone(plan.backup_service_setting({}))

    def test_words_openstacksdk_hands_over(self):
        for value, want in (('False', False), ('false', False), ('no', False),
                            ('0', False), ('True', True), ('yes', True),
                            (True, True), (False, False)):
            self.assertIs(want, plan.backup_service_setting(
                {'backup_service': value}), value)

    def test_anything_else_is_refused_in_one_line(self):
        exc = self.assertRaises(errors.Refused, plan.backup_service_setting,
                                {'backup_service': 'maybe'})
        self.assertEqual("The cloud's clouds.yaml entry has rcsnap: "
                         "backup_service: maybe; use true or false.",
                         str(exc))


class WithSetting(ta.ArchiveTest):
    """The fake cloud named in a clouds.yaml whose entry carries the
    plugin's ``backup_service`` setting."""

    def use_setting(self, value):
        path = os.path.join(os.environ['HOME'], 'clouds.yaml')
        with open(path, 'w') as f:
            f.write('clouds:\n  fake:\n    rcsnap:\n      backup_service: '
                    '%s\n' % value)
        self.useFixture(fixtures.EnvironmentVariable(
            'OS_CLIENT_CONFIG_FILE', path))
        self.useFixture(fixtures.EnvironmentVariable('OS_CLOUD', 'fake'))


class TestSettingFalse(WithSetting):

    def test_refused_before_any_backup_and_without_the_service_list(self):
        self.use_setting('false')
        self.cloud(service=None)
        self.assertFails(
            'This cloud runs no backup service (cinder-backup): snapshots '
            'cannot be archived here; nothing was made.',
            'rc', 'snapshot', 'archive', fakes.IMAGE_ID)
        self.assertCalls([ta.GATHER - {'GET %s?binary=cinder-backup'
                                       % ta.SERVICES}])

    def test_dry_run_refused_too(self):
        self.use_setting('false')
        self.cloud(service=None)
        self.assertFails('This cloud runs no backup service',
                         'rc', 'snapshot', 'archive', '--dry-run',
                         fakes.IMAGE_ID)
        self.assertEqual([], self.writes())

    def test_a_value_that_is_not_true_or_false(self):
        self.use_setting('sometimes')
        self.cloud()
        self.assertFails('rcsnap: backup_service: sometimes; use true or '
                         'false.', 'rc', 'snapshot', 'archive',
                         fakes.IMAGE_ID)
        self.assertEqual([], self.calls())


class TestSettingTrue(WithSetting):

    def test_no_service_list_and_no_first_backup_wait(self):
        self.use_setting('true')
        self.cloud(service=None)
        self.accept_backups()
        self.accept_rest()
        rows, err = self.archive(fakes.IMAGE_ID)
        self.assertEqual('archived', rows[0]['Result'])
        calls = self.calls()
        self.assertNotIn('GET %s?binary=cinder-backup' % ta.SERVICES, calls)
        self.assertEqual([ta.POST, ta.POST], [
            c for c in calls if c.startswith('POST')])
        # both backups asked for at once: no GET of the first alone
        self.assertNotIn('GET %s/%s' % (bf.BACKUPS, bf.ROOT_BACKUP_ID),
                         calls)


class TestNotTakenUp(ta.ArchiveTest):

    def test_first_backup_no_service_takes_in_the_stated_time(self):
        # Services hidden (403): the first backup stays ``creating`` with
        # no availability zone; after 60 s the archive stops, asks for no
        # other backup, and says what a member cannot remove yet (Cinder
        # deletes a backup only once it is available or in error).
        self.cloud(service=None)
        self.requests.post(bf.BACKUPS, [bf.created(bf.ROOT_BACKUP_ID)])
        waiting = bf.backup(status='creating', availability_zone=None)
        bf.register_backup_states(self.requests, bf.ROOT_BACKUP_ID, waiting)
        fakes.register_volume_snapshot_states(
            self.requests, fakes.ROOT_SNAP_ID, 'backing-up')
        start = self.clock.now()
        code, out, err = self.run_cli('rc', 'snapshot', 'archive',
                                      fakes.IMAGE_ID)
        self.assertEqual(1, code)
        self.assertLessEqual(self.clock.now() - start, 65)
        self.assertEqual([
            'Warning: backup %s is still creating: Cinder lets it be '
            'deleted only once it is available or in error; then delete '
            'it with `openstack volume backup delete %s`.' % (
                bf.ROOT_BACKUP_ID, bf.ROOT_BACKUP_ID),
            'Warning: Cinder left volume snapshot %s backing-up: ask an '
            'operator to reset it with `openstack volume snapshot set '
            '--state available %s` (admin only).' % (
                fakes.ROOT_SNAP_ID, fakes.ROOT_SNAP_ID),
            'No backup service (cinder-backup) took backup %s within 60 s: '
            'this cloud seems to run none; nothing else was backed up.'
            % bf.ROOT_BACKUP_ID], err.strip().splitlines())
        self.assertEqual([ta.POST], self.writes())
