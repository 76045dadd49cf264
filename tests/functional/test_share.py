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

"""Sharing between two real projects: the owner (``OS_CLOUD``) shares a
volume-backed snapshot with ``--copy``, the other project
(``RCSNAP_OTHER_CLOUD``) accepts it, lists it and launches it."""

from tests.functional import base


class TestShare(base.FunctionalTest):

    def setUp(self):
        super().setUp()
        self.other_project = base.run(
            'token', 'issue', cloud=base.OTHER_CLOUD)['project_id']
        self.server = self.create_server(volume_size=1)
        self.snap = self.snapshot_server(self.server)
        self.copy_name = '%s-copy' % self.prefix

    def delete_image(self, image_id):
        base.run('image', 'delete', image_id, parse=False, check=False)

    def copies(self):
        """Images named like this test's copy, in the owner's project."""
        return [i for i in base.run('image', 'list', '--private',
                                    '--name', self.copy_name)]

    def temporary_volumes(self):
        return [v for v in base.run('volume', 'list', '--name',
                                    '%s-tmp' % self.copy_name)
                if v['Status'] != 'deleting']

    def shared_ids(self):
        return {row['ID']: row['Member Status'] for row in self.rc(
            'list', '--shared', cloud=base.OTHER_CLOUD)}

    def launch(self, image_id):
        args = ['server', 'create', '--image', image_id, '--flavor',
                base.FLAVOR, '--wait', '%s-launched' % self.prefix]
        args += (['--network', base.NETWORK] if base.NETWORK
                 else ['--nic', 'none'])
        server = base.run(*args, cloud=base.OTHER_CLOUD)
        self.addCleanup(self.delete_server, server['id'], base.OTHER_CLOUD)
        return server

    def test_refused_without_copy(self):
        line = self.assertFailsCleanly(
            'is volume-backed', 'rc', 'snapshot', 'share', self.snap['id'],
            '--project', self.other_project)
        self.assertIn('--copy', line)
        self.assertEqual('private',
                         self.rc('show', self.snap['id'])['visibility'])

    def test_copy_accept_launch_unshare(self):
        shared = self.rc('share', self.snap['id'], '--project',
                         self.other_project, '--copy', '--wait',
                         '--name', self.copy_name)
        self.addCleanup(self.delete_image, shared['id'])
        self.assertNotEqual(self.snap['id'], shared['id'])
        self.assertEqual(self.snap['id'], shared['source_snapshot'])
        self.assertEqual([{'project_id': self.other_project,
                           'status': 'pending'}], shared['members'])
        self.assertEqual([], self.temporary_volumes())

        copy = self.rc('show', shared['id'])
        self.assertEqual('image-backed', copy['type'])
        self.assertEqual('shared', copy['visibility'])
        self.assertEqual(self.snap['id'],
                         copy['properties']['rcsnap_source_snapshot_id'])

        self.assertEqual('pending', self.shared_ids().get(shared['id']))
        accepted = self.rc('accept', self.copy_name, cloud=base.OTHER_CLOUD)
        self.assertEqual('accepted', accepted['member_status'])
        self.assertEqual('accepted', self.shared_ids().get(shared['id']))
        self.assertEqual(
            [{'project_id': self.other_project, 'status': 'accepted'}],
            self.rc('show', shared['id'])['members'])

        server = self.launch(shared['id'])
        self.assertEqual('ACTIVE', server['status'])

        # Sharing again changes nothing.
        again = self.rc('share', shared['id'], '--project',
                        self.other_project)
        self.assertEqual(
            [{'project_id': self.other_project, 'status': 'accepted'}],
            again['members'])

        unshared = self.rc('unshare', shared['id'], '--all')
        self.assertEqual('private', unshared['visibility'])
        self.assertNotIn(shared['id'], self.shared_ids())
        self.assertFailsCleanly(
            'No image', 'rc', 'snapshot', 'show', shared['id'],
            cloud=base.OTHER_CLOUD)

    def test_forced_failure_leaves_nothing(self):
        # One second is too short for any copy: the timeout hits while the
        # volume is created or uploaded, and the cleanup must run.
        proc = base.run('rc', 'snapshot', 'share', self.snap['id'],
                        '--project', self.other_project, '--copy',
                        '--name', self.copy_name, '--timeout', '1',
                        parse=False, check=False)
        for image in self.copies():
            self.addCleanup(self.delete_image, image['ID'])
        self.assertEqual(1, proc.returncode, proc.stderr)
        self.assertNotIn('Traceback', proc.stderr)
        self.assertIn('Timed out', proc.stderr.strip().splitlines()[-1])
        self.assertEqual([], self.copies())
        base.wait_for('temporary volume gone',
                      lambda: not self.temporary_volumes())

    def test_other_project_cannot_share(self):
        self.assertFailsCleanly(
            'No image', 'rc', 'snapshot', 'share', self.snap['id'],
            '--project', self.other_project, cloud=base.OTHER_CLOUD)
