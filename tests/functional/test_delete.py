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

"""``rc snapshot delete`` against a real cloud."""

import json

import fixtures

from tests.functional import base


def results(rows):
    return {row['Resource']: row['Result'] for row in rows}


class TestDelete(base.FunctionalTest):

    def exists(self, *args):
        proc = self.openstack(*args, parse=False, check=False)
        return proc.returncode == 0

    def volume_snapshot_ids(self, snap):
        return [d['snapshot_id'] for d in snap['volume_snapshots']]

    def test_delete_frees_image_and_volume_snapshots(self):
        server = self.create_server(volume_size=1, data_volume_size=1)
        snap = self.snapshot_server(server)
        ids = self.volume_snapshot_ids(snap)
        self.assertEqual(2, len(ids))

        plan = self.rc('delete', snap['id'], '--dry-run')
        self.assertEqual({snap['id']: 'would delete',
                          ids[0]: 'would delete', ids[1]: 'would delete'},
                         results(plan))
        self.assertTrue(self.exists('image', 'show', snap['id']))

        rows = self.rc('delete', snap['id'], '--wait', '--timeout',
                       str(base.TIMEOUT))
        self.assertEqual({snap['id']: 'deleted', ids[0]: 'deleted',
                          ids[1]: 'deleted'}, results(rows))
        self.assertEqual(['image', 'volume snapshot', 'volume snapshot'],
                         [row['Kind'] for row in rows])
        self.assertFalse(self.exists('image', 'show', snap['id']))
        for sid in ids:
            self.assertFalse(self.exists('volume', 'snapshot', 'show', sid))

    def test_shared_or_depended_on_volume_snapshots_are_kept(self):
        server = self.create_server(volume_size=1, data_volume_size=1)
        snap = self.snapshot_server(server)
        root_id, data_id = self.volume_snapshot_ids(snap)
        # A second image that refers to the root volume snapshot too.
        mapping = json.dumps([{
            'boot_index': 0, 'device_name': '/dev/vda',
            'source_type': 'snapshot', 'destination_type': 'volume',
            'snapshot_id': root_id, 'delete_on_termination': False}])
        data = self.useFixture(fixtures.TempDir()).join('data')
        with open(data, 'wb') as f:
            f.write(b'\0' * 1024)
        other = self.openstack(
            'image', 'create', '--file', data, '--disk-format', 'raw',
            '--container-format', 'bare', '--property', 'bdm_v2=True',
            '--property', 'block_device_mapping=%s' % mapping,
            '--property', 'root_device_name=/dev/vda',
            '%s-copy' % self.prefix)
        self.addCleanup(self.openstack, 'image', 'delete', other['id'],
                        parse=False, check=False)
        # A volume created from the data volume snapshot.
        volume = self.openstack('volume', 'create', '--snapshot', data_id,
                                '--size', '1', '%s-from-snap' % self.prefix)
        self.addCleanup(self.delete_volume, volume['id'])
        base.wait_for('volume %s' % volume['id'], lambda: self._settled(
            self.openstack('volume', 'show', volume['id']), 'available'))

        rows = self.rc('delete', snap['id'], '--wait', '--timeout',
                       str(base.TIMEOUT))
        self.assertEqual({
            snap['id']: 'deleted',
            root_id: 'kept (also used by image %s)' % other['id'],
            data_id: 'kept (volume %s was created from it)' % volume['id'],
        }, results(rows))
        self.assertFalse(self.exists('image', 'show', snap['id']))
        self.assertTrue(self.exists('volume', 'snapshot', 'show', root_id))
        self.assertTrue(self.exists('volume', 'snapshot', 'show', data_id))

    def test_refused_exits_1_and_changes_nothing(self):
        server = self.create_server(volume_size=1)
        snap = self.snapshot_server(server)
        self.openstack('image', 'set', '--protected', snap['id'],
                       parse=False)
        self.addCleanup(self.openstack, 'image', 'set', '--unprotected',
                        snap['id'], parse=False, check=False)
        proc = self.rc('delete', snap['id'], 'no-such-snapshot-%s'
                       % self.prefix, parse=False, check=False)
        self.assertEqual(1, proc.returncode, proc.stderr)
        self.assertNotIn('Traceback', proc.stderr)
        self.assertIn('refused (protected', proc.stdout)
        self.assertEqual(
            ['2 of 2 snapshots could not be deleted: %s, no-such-snapshot-%s'
             % (snap['id'], self.prefix)], proc.stderr.strip().splitlines())
        self.assertTrue(self.exists('image', 'show', snap['id']))
        for sid in self.volume_snapshot_ids(snap):
            self.assertTrue(self.exists('volume', 'snapshot', 'show', sid))
