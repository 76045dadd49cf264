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

from openstack import exceptions as sdk_exc

from tests.functional import base


def results(rows):
    return {row['Resource']: row['Result'] for row in rows}


class TestDelete(base.FunctionalTest):

    def snapshot(self):
        """A new snapshot (each test deletes its own) of a server with a
        root and a data volume, the server shared by the tests."""
        server = self.class_fixture('server', lambda: self.create_server(
            volume_size=1, data_volume_size=1))
        return self.snapshot_server(server)

    def exists(self, kind, ident):
        conn = base.connection()
        get = {'image': conn.image.get_image,
               'volume snapshot': conn.block_storage.get_snapshot}[kind]
        try:
            get(ident)
        except sdk_exc.NotFoundException:
            return False
        return True

    def volume_snapshot_ids(self, snap):
        return [d['snapshot_id'] for d in snap['volume_snapshots']]

    def test_delete_frees_image_and_volume_snapshots(self):
        snap = self.snapshot()
        ids = self.volume_snapshot_ids(snap)
        self.assertEqual(2, len(ids))

        plan = self.rc('delete', '--purge', '--yes', snap['id'], '--dry-run')
        self.assertEqual({snap['id']: 'would delete',
                          ids[0]: 'would delete', ids[1]: 'would delete'},
                         results(plan))
        self.assertTrue(self.exists('image', snap['id']))

        rows = self.rc('delete', '--purge', '--yes',
                       snap['id'], '--wait', '--timeout',
                       str(base.TIMEOUT))
        self.assertEqual({snap['id']: 'deleted', ids[0]: 'deleted',
                          ids[1]: 'deleted'}, results(rows))
        self.assertEqual(['image', 'volume snapshot', 'volume snapshot'],
                         [row['Kind'] for row in rows])
        self.assertFalse(self.exists('image', snap['id']))
        for sid in ids:
            self.assertFalse(self.exists('volume snapshot', sid))

    def test_never_leaves_an_orphan(self):
        snap = self.snapshot()
        root_id, data_id = self.volume_snapshot_ids(snap)
        # A second image that refers to the root volume snapshot too.
        mapping = json.dumps([{
            'boot_index': 0, 'device_name': '/dev/vda',
            'source_type': 'snapshot', 'destination_type': 'volume',
            'snapshot_id': root_id, 'delete_on_termination': False}])
        other_id = self.create_image({
            'name': '%s-copy' % self.prefix, 'disk_format': 'raw',
            'container_format': 'bare', 'bdm_v2': 'True',
            'block_device_mapping': mapping,
            'root_device_name': '/dev/vda'}, data=b'\0' * 1024)
        # A volume created from the data volume snapshot.
        block = base.connection().block_storage
        volume = block.create_volume(snapshot_id=data_id, size=1,
                                     name='%s-from-snap' % self.prefix)
        self.addCleanup(self.delete_volume, volume.id)
        base.wait_for_status(block.get_volume, volume.id, 'available')

        # The data volume snapshot cannot go while that volume exists, and
        # no other image uses it: the whole snapshot is refused, so that
        # nothing is left that no image refers to.
        proc = self.rc('delete', '--purge', '--yes',
                       snap['id'], '--wait', '--timeout',
                       str(base.TIMEOUT), '-f', 'json', parse=False,
                       check=False)
        self.assertEqual(1, proc.returncode, proc.stderr)
        self.assertEqual({
            snap['id']: 'refused (volume snapshot %s would be left behind: '
            'volume %s was created from it; delete that volume first, or '
            'use --keep-volume-snapshots to delete the image alone)'
            % (data_id, volume.id),
            root_id: 'kept (also used by image %s)' % other_id,
            data_id: 'kept (volume %s was created from it)' % volume.id,
        }, results(json.loads(proc.stdout)))
        self.assertEqual(1, len(proc.stderr.strip().splitlines()))
        self.assertIn('delete that volume first', proc.stderr)
        self.assertTrue(self.exists('image', snap['id']))

        # Once the volume is gone, the snapshot goes with its own volume
        # snapshot; the shared one stays with the other image.
        self.delete_volume(volume.id)
        rows = self.rc('delete', '--purge', '--yes',
                       snap['id'], '--wait', '--timeout',
                       str(base.TIMEOUT))
        self.assertEqual({
            snap['id']: 'deleted',
            root_id: 'kept (also used by image %s)' % other_id,
            data_id: 'deleted',
        }, results(rows))
        self.assertFalse(self.exists('image', snap['id']))
        self.assertTrue(self.exists('volume snapshot', root_id))
        self.assertFalse(self.exists('volume snapshot', data_id))

    def test_refused_exits_1_and_changes_nothing(self):
        snap = self.snapshot()
        image = base.connection().image
        image.update_image(snap['id'], is_protected=True)
        self.addCleanup(image.update_image, snap['id'], is_protected=False)
        proc = self.rc('delete', '--purge', '--yes',
                       snap['id'], 'no-such-snapshot-%s'
                       % self.prefix, parse=False, check=False)
        self.assertEqual(1, proc.returncode, proc.stderr)
        self.assertNotIn('Traceback', proc.stderr)
        self.assertIn('refused (protected', proc.stdout)
        self.assertEqual(
            ['2 of 2 snapshots could not be deleted: %s, no-such-snapshot-%s'
             % (snap['id'], self.prefix)], proc.stderr.strip().splitlines())
        self.assertTrue(self.exists('image', snap['id']))
        for sid in self.volume_snapshot_ids(snap):
            self.assertTrue(self.exists('volume snapshot', sid))
