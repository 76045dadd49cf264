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

"""``rc snapshot create|show|list`` against a real cloud."""

import json
import uuid

from tests.functional import base

GiB = 1024 ** 3


class TestSnapshotLifecycle(base.FunctionalTest):

    def test_volume_backed_real_size_is_cinders(self):
        server = self.create_server(volume_size=1, data_volume_size=2)
        snap = self.snapshot_server(server)

        self.assertEqual('volume-backed', snap['type'])
        self.assertEqual('active', snap['status'])
        glance = base.connection().image.get_image(snap['id'])
        self.assertEqual(0, glance.size or 0)
        self.assertEqual(glance.size or 0, snap['image_size'] or 0)
        devices = snap['volume_snapshots']
        self.assertEqual(2, len(devices))
        self.assertEqual(0, devices[0]['boot_index'])
        cinder_total = 0
        for device in devices:
            vsnap = base.connection().block_storage.get_snapshot(
                device['snapshot_id'])
            self.assertEqual(vsnap.size, device['size_gib'])
            self.assertEqual('available', vsnap.status)
            cinder_total += vsnap.size
        self.assertEqual(3, cinder_total)
        self.assertEqual(cinder_total, snap['size_gib'])

        by_name = self.rc('show', snap['name'])
        self.assertEqual(snap['id'], by_name['id'])
        self.assertEqual(snap['size_gib'], by_name['size_gib'])

        rows = self.rc('list', '--mine', '--long')
        row = [r for r in rows if r['ID'] == snap['id']]
        self.assertEqual(1, len(row), rows)
        self.assertEqual(3, row[0]['Size GiB'])
        self.assertEqual('volume-backed', row[0]['Type'])
        self.assertEqual(sorted(d['snapshot_id'] for d in devices),
                         sorted(row[0]['Volume Snapshots']))

    def test_image_backed_size_is_the_images(self):
        server = self.create_image_backed_server()
        snap = self.snapshot_server(server)
        self.assertEqual('image-backed', snap['type'])
        glance = base.connection().image.get_image(snap['id'])
        # One unit per column: bytes in image_size, GiB rounded in size_gib.
        self.assertEqual(glance.size, snap['image_size'])
        self.assertEqual(round(glance.size / GiB, 2), snap['size_gib'])
        self.assertEqual([], snap['volume_snapshots'])
        names = [r['Name'] for r in self.rc('list')]
        self.assertIn(snap['name'], names)
        # Glance filters on the property create recorded, and pages.
        rows = self.rc('list', '--property',
                       'rcsnap:server_id=%s' % server['id'])
        self.assertEqual([snap['id']], [r['ID'] for r in rows])
        # (others may snapshot in this project meanwhile: no exact pages)
        first = [r['ID'] for r in self.rc('list', '--mine', '--limit', '1')]
        self.assertEqual(1, len(first))
        after = [r['ID'] for r in self.rc('list', '--mine', '--limit', '1',
                                          '--marker', first[0])]
        self.assertLessEqual(len(after), 1)
        self.assertNotIn(first[0], after)

    def test_missing_volume_snapshot_is_reported_not_fatal(self):
        ghost = str(uuid.uuid4())
        mapping = json.dumps([{
            'boot_index': 0, 'device_name': '/dev/vda',
            'source_type': 'snapshot', 'destination_type': 'volume',
            'snapshot_id': ghost, 'volume_size': 1,
            'delete_on_termination': False}])
        image_id = self.create_image({
            'name': '%s-ghost' % self.prefix, 'disk_format': 'raw',
            'container_format': 'bare', 'block_device_mapping': mapping,
            'bdm_v2': 'True'})
        proc = self.rc('show', image_id, '-f', 'json', parse=False)
        self.assertEqual(0, proc.returncode, proc.stderr)
        data = json.loads(proc.stdout)
        self.assertIn('Warning: volume snapshot %s (/dev/vda)' % ghost,
                      proc.stderr)
        self.assertEqual('missing', data['volume_snapshots'][0]['status'])
        self.assertIsNone(data['size_gib'])

    def test_errors_are_one_line(self):
        self.assertFailsCleanly(
            "No image with a name or ID of '%s-nothing' exists."
            % self.prefix, 'rc', 'snapshot', 'show', '%s-nothing'
            % self.prefix)
        self.assertFailsCleanly('is not an instance snapshot',
                                'rc', 'snapshot', 'show', base.IMAGE)
        self.assertFailsCleanly(
            "No server with a name or ID of '%s-nothing' exists."
            % self.prefix, 'rc', 'snapshot', 'create', '%s-nothing'
            % self.prefix)
