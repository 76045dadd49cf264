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
snapshot, the other project (``RCSNAP_OTHER_CLOUD``) accepts it, lists it
and launches it; a volume-backed one is shared with ``--copy``."""

import json

from tests.functional import base


class ShareTest(base.FunctionalTest):

    def setUp(self):
        super().setUp()
        self.other_project = self.class_fixture('other', lambda: base.run(
            'token', 'issue', cloud=base.OTHER_CLOUD)['project_id'])

    def shared_with_other(self):
        """{image ID: member status} of ``rc snapshot list --shared`` in
        the other project."""
        return {row['ID']: row['Member Status'] for row in self.rc(
            'list', '--shared', cloud=base.OTHER_CLOUD)}

    def launch_in_other(self, snapshot):
        """``rc snapshot launch --wait`` in the other project; the server
        is removed at cleanup, even when the launch fails."""
        name = '%s-launched' % self.prefix
        network = (['--network', base.NETWORK] if base.NETWORK
                   else ['--no-network'])
        proc = self.rc('launch', snapshot, '--name', name, '--wait',
                       '--timeout', str(base.TIMEOUT), *network, '-f',
                       'json', cloud=base.OTHER_CLOUD, parse=False,
                       check=False)
        for server in base.connection(base.OTHER_CLOUD).compute.servers():
            if server.name == name:
                self.addCleanup(self.delete_server, server.id,
                                base.OTHER_CLOUD)
        self.assertEqual(0, proc.returncode, proc.stderr)
        return json.loads(proc.stdout)


class TestShareImageBacked(ShareTest):
    """Plain share: an image-backed snapshot is shared as it is."""

    def test_share_accept_by_name_launch_unshare_twice(self):
        snap = self.upload_snapshot()
        shared = self.rc('share', snap['id'], '--project',
                         self.other_project)
        self.assertEqual(snap['id'], shared['id'])
        self.assertEqual('shared', shared['visibility'])
        self.assertEqual([{'project_id': self.other_project,
                           'status': 'pending'}], shared['members'])
        self.assertEqual('pending',
                         self.shared_with_other().get(snap['id']))

        accepted = self.rc('accept', snap['name'], cloud=base.OTHER_CLOUD)
        self.assertEqual(snap['id'], accepted['id'])
        self.assertEqual('accepted', accepted['member_status'])
        self.assertEqual('accepted',
                         self.shared_with_other().get(snap['id']))

        server = self.launch_in_other(snap['id'])
        self.assertEqual('ACTIVE', server['status'])
        self.assertEqual(snap['id'], server['snapshot_id'])

        unshared = self.rc('unshare', snap['id'], '--project',
                           self.other_project)
        self.assertEqual('private', unshared['visibility'])
        self.assertEqual([], unshared['members'])
        self.assertNotIn(snap['id'], self.shared_with_other())

        again = self.rc('unshare', snap['id'], '--project',
                        self.other_project, '-f', 'json', parse=False,
                        check=False)
        self.assertEqual(0, again.returncode, again.stderr)
        self.assertEqual(
            ['Project %s was not a member of snapshot %s.'
             % (self.other_project, snap['id'])],
            again.stderr.strip().splitlines())
        self.assertEqual([], json.loads(again.stdout)['members'])


class TestShare(ShareTest):
    """``--copy``: a volume-backed snapshot, shared by the tests of the
    class (none changes it)."""

    def setUp(self):
        super().setUp()
        self.snap = self.class_fixture('snapshot', lambda: (
            self.snapshot_server(self.create_server(volume_size=1))))
        self.copy_name = '%s-copy' % self.prefix

    def copies(self):
        """IDs of the images named like this test's copy, in the owner's
        project."""
        return [i.id for i in base.connection().image.images(
            name=self.copy_name, owner=base.connection().current_project_id)]

    def temporary_volumes(self):
        return [v for v in base.connection().block_storage.volumes(
            name='%s-tmp' % self.copy_name) if v.status != 'deleting']

    def launch(self, image_id):
        """``server create`` in the other project (not ``rc snapshot
        launch``: any user's way to launch an image works)."""
        return self.boot('%s-launched' % self.prefix,
                         self.flavor_for_image(image_id, base.OTHER_CLOUD),
                         cloud=base.OTHER_CLOUD, image_id=image_id)

    def test_refused_without_copy(self):
        line = self.assertFailsCleanly(
            'is volume-backed', 'rc', 'snapshot', 'share', self.snap['id'],
            '--project', self.other_project)
        self.assertIn('--copy', line)
        self.assertEqual('private',
                         self.rc('show', self.snap['id'])['visibility'])

    def test_copy_accept_launch_unshare(self):
        # Should the command fail after the copy was made, the copy is named
        # with the test's prefix: the sweep removes it.
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

        self.assertEqual('pending', self.shared_with_other().get(shared['id']))
        accepted = self.rc('accept', self.copy_name, cloud=base.OTHER_CLOUD)
        self.assertEqual('accepted', accepted['member_status'])
        self.assertEqual('accepted',
                         self.shared_with_other().get(shared['id']))
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
        self.assertNotIn(shared['id'], self.shared_with_other())
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
        for image_id in self.copies():
            self.addCleanup(self.delete_image, image_id)
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
