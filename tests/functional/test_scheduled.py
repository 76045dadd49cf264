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

"""Scheduled snapshots (doc/source/user/scheduled.rst): the command a
timer runs, ``create --keep N --wait``, through a clouds.yaml entry with
an application credential (``auth_type: v3applicationcredential``) of
the test project.

The entry is ``RCSNAP_APPCRED_CLOUD`` (default ``local-alpha-appcred``,
which the local cloud writes); the tests are skipped where clouds.yaml
has no such entry.
"""

import os
import uuid

from openstack import config as sdk_config

from tests.functional import base

APPCRED_CLOUD = os.environ.get('RCSNAP_APPCRED_CLOUD', 'local-alpha-appcred')


def appcred_defined():
    return APPCRED_CLOUD in sdk_config.OpenStackConfig().get_cloud_names()


class TestScheduled(base.FunctionalTest):

    def setUp(self):
        super().setUp()
        if not appcred_defined():
            self.skipTest('clouds.yaml has no entry %s (RCSNAP_APPCRED_CLOUD)'
                          % APPCRED_CLOUD)

    def create_keep(self, server, keep):
        """What the timer runs: ``create SERVER --keep N --wait``, through
        the application credential; removed at cleanup."""
        snap = base.run('rc', 'snapshot', 'create', server['name'],
                        '--name', '%s-snap-%s' % (self.prefix,
                                                  uuid.uuid4().hex[:4]),
                        '--keep', str(keep), '--wait',
                        '--timeout', str(base.TIMEOUT), cloud=APPCRED_CLOUD)
        self.later(self.delete_snapshot_image, snap)
        self.assertEqual('active', snap['status'])
        self.assertEqual(['available'], sorted({
            d['status'] for d in snap['volume_snapshots']}))
        return snap

    def test_create_keep_with_application_credential(self):
        """Two nightly runs with --keep 1: the second bins the first, its
        volume snapshots too, with the credential's role alone."""
        server = self.create_server(volume_size=1)
        first = self.create_keep(server, 1)
        self.assertEqual([], first['pruned'])
        second = self.create_keep(server, 1)
        self.assertEqual([first['id']], second['pruned'])

        conn = base.connection()
        binned = conn.image.get_image(first['id'])
        self.assertEqual((True, 'deactivated', 'create --keep'), (
            binned.is_hidden, binned.status,
            binned.properties['rcsnap_binned_by']))
        for device in first['volume_snapshots']:
            self.assertIn('rcsnap_binned_at', conn.block_storage.get_snapshot(
                device['snapshot_id']).metadata)
        # Made in the project of the credential, attributed to the server.
        shown = self.rc('show', second['id'])
        self.assertEqual(server['id'],
                         shown['properties']['rcsnap:server_id'])

    def test_failure_is_one_line_and_exit_1(self):
        """What a timer's log shows when the server is gone, or when the
        credential is refused (deleted, expired, wrong secret)."""
        self.assertFailsCleanly(
            'No server', 'rc', 'snapshot', 'create',
            '%s-no-such-vm' % self.prefix, '--keep', '7', '--wait',
            cloud=APPCRED_CLOUD)
        proc = base.run('--os-application-credential-secret', 'wrong',
                        'rc', 'snapshot', 'create',
                        '%s-no-such-vm' % self.prefix, '--keep', '7',
                        '--wait', cloud=APPCRED_CLOUD, parse=False,
                        check=False)
        self.assertEqual(1, proc.returncode, proc.stdout + proc.stderr)
        self.assertNotIn('Traceback', proc.stderr)
        self.assertIn('HTTP 401', proc.stderr)
