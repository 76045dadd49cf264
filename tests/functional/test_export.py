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

"""``rc snapshot export`` and ``import`` against a real cloud, which moves
real bytes: a volume-backed snapshot with a data volume is exported, its
files hold the bytes its volumes held, and imported into the second
project it is a volume-backed snapshot of the same sizes that boots."""

import hashlib
import json
import os

import fixtures

from tests.functional import base


class TestExportImport(base.FunctionalTest):

    def sweep(self):
        """The cleanups removed everything, and the commands left no
        temporary volume or image in either project."""
        swept = base.sweep(base.projects(), self.prefix, self.keep())
        self.assertEqual([], swept)

    def image_sha256(self):
        """The sha256 of the image the volumes are made from: the bytes
        the volumes hold when snapshotted."""
        conn = base.connection()
        image = conn.image.find_image(base.IMAGE, ignore_missing=False)
        digest = hashlib.sha256()
        response = conn.image.get('/images/%s/file' % image.id, stream=True)
        for chunk in response.iter_content(1024 * 1024):
            digest.update(chunk)
        return digest.hexdigest(), image.disk_format

    def server_with_data_volume(self):
        """A server booted from a 1 GiB volume, with a 1 GiB data volume,
        both made from the test image (known bytes), with a flavor whose
        disk is at most 1 GiB (the snapshot's min_disk: the imported copy
        launches on volumes of the same sizes)."""
        flavor = self.flavor_for_volume(1)
        root = self.create_volume(1, bootable=True)
        data = self.create_volume(1)
        return self.boot('%s-vm' % self.prefix, flavor,
                         block_device_mapping=base.volume_mapping(
                             root.id, data.id))

    def delete_imported(self, name, cloud):
        """The imported snapshot: its image, volume snapshots and volumes
        (everything named ``name``)."""
        conn = base.connection(cloud)
        for image in conn.image.images(owner=conn.current_project_id):
            if image.name == name:
                conn.image.delete_image(image.id)
        vsnaps = [s.id for s in conn.block_storage.snapshots()
                  if (s.name or '').endswith(name)]
        volumes = [v.id for v in conn.block_storage.volumes()
                   if (v.name or '').startswith(name + '-disk-')]
        base.remove_all(conn, volumes=volumes, volume_snapshots=vsnaps)

    def delete_launched(self, name, cloud):
        conn = base.connection(cloud)
        servers = [s for s in conn.compute.servers() if s.name == name]
        base.remove_all(conn, servers=[s.id for s in servers], volumes=[
            v['id'] for s in servers for v in s.attached_volumes])

    def test_export_then_import_volume_backed_in_other_project(self):
        sha, disk_format = self.image_sha256()
        if disk_format != 'raw':
            self.skipTest('the test image must be raw: its bytes are the '
                          'volumes\' bytes')
        snap = self.snapshot_server(self.server_with_data_volume())
        self.assertEqual(2, len(snap['volume_snapshots']))
        where = os.path.join(self.useFixture(fixtures.TempDir()).path, 'x')

        exported = self.rc('export', snap['id'], '--dir', where,
                           '--volumes', 'all', '--disk-format', 'raw',
                           '--timeout', str(base.TIMEOUT))
        self.assertEqual(['disk-0.raw', 'disk-1.raw'], exported['files'])
        with open(os.path.join(where, 'manifest.json')) as f:
            document = json.load(f)
        self.assertEqual(snap['id'], document['snapshot']['id'])
        self.assertEqual(
            [(d['device_name'], d['size_gib'])
             for d in snap['volume_snapshots']],
            [(d['device_name'], d['size_gib']) for d in document['disks']])
        self.assertEqual(0, document['disks'][0]['boot_index'])
        for disk in document['disks']:
            with open(os.path.join(where, disk['file']), 'rb') as f:
                self.assertEqual(sha, hashlib.sha256(f.read()).hexdigest())
            self.assertEqual(sha, disk['sha256'])
        self.assertEqual(['disk-0.raw', 'disk-1.raw', 'manifest.json'],
                         sorted(os.listdir(where)))

        name = '%s-imported' % self.prefix
        self.addCleanup(self.delete_imported, name, base.OTHER_CLOUD)
        imported = self.rc('import', where, '--as', 'volume-backed',
                           '--name', name, '--timeout', str(base.TIMEOUT),
                           cloud=base.OTHER_CLOUD)
        self.assertEqual('volume-backed', imported['type'])
        self.assertEqual(2, len(imported['volumes']))
        shown = self.rc('show', imported['id'], cloud=base.OTHER_CLOUD)
        source = self.rc('show', snap['id'])
        self.assertEqual(source['size_gib'], shown['size_gib'])
        self.assertEqual(
            [d['size_gib'] for d in source['volume_snapshots']],
            [d['size_gib'] for d in shown['volume_snapshots']])
        # At least the root volume's size: where the flavor had no disk
        # (and the image no min_disk), the source's min_disk is 0.
        self.assertEqual(max(source['min_disk'] or 0,
                             source['volume_snapshots'][0]['size_gib']),
                         shown['min_disk'])

        server = '%s-l' % self.prefix
        self.addCleanup(self.delete_launched, server, base.OTHER_CLOUD)
        launched = self.rc('launch', imported['id'], '--name', server,
                           '--wait', '--timeout', str(base.TIMEOUT),
                           *(['--network', base.NETWORK] if base.NETWORK
                             else ['--no-network']),
                           cloud=base.OTHER_CLOUD)
        self.assertEqual('ACTIVE', launched['status'])
        self.assertEqual(2, len(launched['volumes']))

    def test_import_refuses_a_changed_file_before_any_write(self):
        where = self.useFixture(fixtures.TempDir()).path
        with open(os.path.join(where, 'disk-0.raw'), 'wb') as f:
            f.write(b'changed')
        with open(os.path.join(where, 'manifest.json'), 'w') as f:
            json.dump({'schema_version': 1,
                       'kind': 'rcsnap-snapshot-export',
                       'source': {}, 'properties': {},
                       'snapshot': {'id': 'x', 'name': self.prefix},
                       'disks': [{'file': 'disk-0.raw', 'disk_format': 'raw',
                                  'boot_index': 0, 'size': 7,
                                  'sha256': '0' * 64}]}, f)
        self.assertFailsCleanly('File disk-0.raw has changed', 'rc',
                                'snapshot', 'import', where)

    def test_import_volume_types(self):
        """The manifest's volume type must exist (refused before any
        write); --volume-type chooses one that does."""
        where = self.useFixture(fixtures.TempDir()).path
        data = os.urandom(1024 * 1024)
        with open(os.path.join(where, 'disk-0.raw'), 'wb') as f:
            f.write(data)
        with open(os.path.join(where, 'manifest.json'), 'w') as f:
            json.dump({'schema_version': 1,
                       'kind': 'rcsnap-snapshot-export',
                       'source': {}, 'properties': {'min_disk': 1},
                       'snapshot': {'id': 'x', 'name': self.prefix},
                       'disks': [{'file': 'disk-0.raw', 'disk_format': 'raw',
                                  'boot_index': 0, 'device_name': '/dev/vda',
                                  'size_gib': 1, 'volume_type':
                                  '%s-nosuch' % self.prefix,
                                  'size': len(data),
                                  'sha256': hashlib.sha256(
                                      data).hexdigest()}]}, f)
        line = self.assertFailsCleanly(
            'Volume type %s-nosuch of disk-0.raw does not exist in the '
            'target project' % self.prefix, 'rc', 'snapshot', 'import',
            where, '--as', 'volume-backed')
        self.assertIn('choose one with --volume-type', line)
        conn = base.connection()
        default = conn.block_storage.get('/types/default').json()[
            'volume_type']['name']
        self.addCleanup(self.delete_imported, self.prefix, None)
        imported = self.rc('import', where, '--as', 'volume-backed',
                           '--volume-type', default)
        [volume_id] = imported['volumes']
        self.assertEqual(default,
                         conn.block_storage.get_volume(volume_id).volume_type)
        mapping = json.loads(self.openstack('image', 'show', imported['id'])[
            'properties']['block_device_mapping'])
        self.assertEqual(default, mapping[0]['volume_type'])
