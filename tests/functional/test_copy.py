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

"""``rc snapshot copy --to-cloud`` against a real cloud: a volume-backed
snapshot with a data volume, copied to the second project's clouds.yaml
entry, is a volume-backed snapshot there of the same sizes, whose volumes
hold the same bytes, and nothing temporary is left on either side."""

import hashlib

from tests.functional import base
from tests.functional import test_export


class TestCopyToCloud(test_export.TestExportImport):

    # The export/import tests run from their own module.
    test_export_then_import_volume_backed_in_other_project = None
    test_import_refuses_a_changed_file_before_any_write = None

    def volume_sha256(self, volume_id, cloud):
        """The sha256 of a volume's bytes, read back through an image."""
        conn = base.connection(cloud)
        name = '%s-check' % self.prefix
        upload = conn.block_storage.upload_volume_to_image(
            volume_id, name, disk_format='raw', container_format='bare')
        self.later(self.delete_image, upload['image_id'], cloud)
        base.wait_for_status(conn.image.get_image, upload['image_id'],
                             'active')
        base.wait_for_status(conn.block_storage.get_volume, volume_id,
                             'available')
        digest = hashlib.sha256()
        response = conn.image.get('/images/%s/file' % upload['image_id'],
                                  stream=True)
        for chunk in response.iter_content(1024 * 1024):
            digest.update(chunk)
        return digest.hexdigest()

    def test_copy_volume_backed_to_other_project(self):
        sha, disk_format = self.image_sha256()
        snap = self.snapshot_server(self.server_with_data_volume())
        name = '%s-imported' % self.prefix
        self.addCleanup(self.delete_imported, name, base.OTHER_CLOUD)
        # raw: the local cloud's volume driver writes an image's bytes into
        # a volume as they are, where a real Cinder converts qcow2.
        copied = self.rc('copy', snap['id'], '--to-cloud', base.OTHER_CLOUD,
                         '--name', name, '--disk-format', 'raw',
                         '--timeout', str(base.TIMEOUT))
        self.assertEqual('volume-backed', copied['type'])
        self.assertEqual(base.OTHER_CLOUD, copied['cloud'])
        shown = self.rc('show', copied['id'], cloud=base.OTHER_CLOUD)
        source = self.rc('show', snap['id'])
        self.assertEqual(source['size_gib'], shown['size_gib'])
        self.assertEqual(
            [d['size_gib'] for d in source['volume_snapshots']],
            [d['size_gib'] for d in shown['volume_snapshots']])
        if disk_format == 'raw':
            self.assertEqual(
                sha, self.volume_sha256(copied['volumes'][0],
                                        base.OTHER_CLOUD))
