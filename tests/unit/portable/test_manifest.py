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

"""The manifest of an export: its schema, its checks, and the mapping an
import writes as Nova does (pure functions)."""

import json

import testtools

from rcsnap_osc.core import snapshots
from rcsnap_osc.errors import Refused
from rcsnap_osc.portable import manifest
from tests.unit import fakes

SHA = 'a' * 64


def devices():
    return (snapshots.Device('/dev/vda', 0, fakes.ROOT_SNAP_ID, 10,
                             'available'),
            snapshots.Device('/dev/vdb', None, fakes.DATA_SNAP_ID, 5,
                             'available'))


def document(disks=None, **fields):
    doc = {'schema_version': 1, 'kind': manifest.KIND,
           'source': {'region': 'RegionOne', 'project_id': 'p'},
           'snapshot': {'id': fakes.IMAGE_ID, 'name': 'snap',
                        'created_at': fakes.CREATED,
                        'type': 'volume-backed'},
           'properties': {'min_disk': 20, 'min_ram': 0,
                          'hw_disk_bus': 'virtio'},
           'disks': disks or [disk()]}
    doc.update(fields)
    return doc


def disk(index=0, boot_index=0, device='/dev/vda', size_gib=10, **fields):
    entry = manifest.disk_entry(index, 'qcow2', device, boot_index,
                                size_gib, None, 'virtio')
    entry.update(size=1000, sha256=SHA)
    entry.update(fields)
    return entry


class TestBuild(testtools.TestCase):

    def test_boot_properties_only(self):
        image = fakes.volume_backed_image(
            hw_firmware_type='uefi', architecture='x86_64',
            stores='file', os_hash_value='ab', owner='p',
            img_signature='x', os_glance_importing_to_stores='')
        self.assertEqual({
            'architecture': 'x86_64', 'hw_disk_bus': 'virtio',
            'hw_firmware_type': 'uefi', 'min_disk': 20, 'min_ram': 0,
            'os_distro': 'ubuntu'}, manifest.boot_properties(image))

    def test_volume_disks_root_and_all(self):
        image = fakes.volume_backed_image(entries=[
            fakes.swap_entry(), fakes.root_entry(),
            dict(fakes.data_entry(), volume_type='ssd')])
        root, = manifest.volume_disks(image, devices(), 'qcow2', 'root')
        self.assertEqual(('disk-0.qcow2', '/dev/vda', 0, 10,
                          fakes.ROOT_SNAP_ID),
                         (root['file'], root['device_name'],
                          root['boot_index'], root['size_gib'],
                          root['snapshot_id']))
        both = manifest.volume_disks(image, devices(), 'raw', 'all')
        self.assertEqual(['disk-0.raw', 'disk-1.raw'],
                         [d['file'] for d in both])
        self.assertEqual(('ssd', 'virtio', 5),
                         (both[1]['volume_type'], both[1]['disk_bus'],
                          both[1]['size_gib']))

    def test_document(self):
        image = fakes.volume_backed_image()
        disks = manifest.volume_disks(image, devices(), 'qcow2', 'root')
        disks[0].update(size=5, sha256=SHA)
        doc = manifest.build(image, 'volume-backed',
                             {'region': 'RegionOne', 'project_id': 'p'},
                             disks)
        self.assertEqual({
            'schema_version': 1, 'kind': 'rcsnap-snapshot-export',
            'source': {'region': 'RegionOne', 'project_id': 'p'},
            'snapshot': {'id': fakes.IMAGE_ID, 'name': 'analysis-vm-snap',
                         'created_at': fakes.CREATED,
                         'type': 'volume-backed'},
            'properties': {'hw_disk_bus': 'virtio', 'min_disk': 20,
                           'min_ram': 0, 'os_distro': 'ubuntu'},
            'disks': [{'file': 'disk-0.qcow2', 'disk_format': 'qcow2',
                       'container_format': 'bare', 'device_name': '/dev/vda',
                       'boot_index': 0, 'size_gib': 10, 'volume_type': None,
                       'disk_bus': 'virtio', 'size': 5, 'sha256': SHA}]},
            doc)
        # What export writes, import reads back.
        self.assertEqual(doc, manifest.load(manifest.dumps(doc), '/d'))

    def test_unavailable_volume_snapshot_refused(self):
        summary = snapshots.summarize(fakes.volume_backed_image(), {})
        self.assertRaisesRegex(Refused, 'is missing, not available',
                               manifest.check_exportable, summary)

    def test_free_space(self):
        manifest.check_free_space(10, 10, '/d')
        self.assertRaisesRegex(
            Refused, r'^Not enough free space in /d: the export needs up to '
            r'10 GiB, 1 GiB is free\.$', manifest.check_free_space,
            10 * snapshots.GiB, snapshots.GiB, '/d')


class TestLoad(testtools.TestCase):

    def load(self, doc):
        return manifest.load(json.dumps(doc), '/d')

    def test_not_json(self):
        self.assertRaisesRegex(Refused, '^/d/manifest.json is not JSON',
                               manifest.load, '{', '/d')

    def test_not_a_manifest(self):
        self.assertRaisesRegex(Refused, 'is not the manifest of an exported',
                               self.load, {'disks': []})

    def test_unknown_schema_version(self):
        self.assertRaisesRegex(
            Refused, 'has schema version 2; this version of the plugin '
            'reads version 1 only', self.load, document(schema_version=2))

    def test_malformed_disks(self):
        for bad in ({'file': '../etc/passwd'}, {'sha256': 'xyz'},
                    {'size': -1}, {'disk_format': 'exe'},
                    {'file': 'disk-0.raw/..'}):
            self.assertRaisesRegex(Refused, 'malformed disk entry',
                                   self.load, document([disk(**bad)]))

    def test_two_boot_disks(self):
        self.assertRaisesRegex(Refused, 'more than one boot disk', self.load,
                               document([disk(), disk(1)]))

    def test_check_file(self):
        entry = disk()
        manifest.check_file(entry, 1000, SHA)
        self.assertRaisesRegex(Refused, 'disk-0.qcow2 of the export is '
                               'missing', manifest.check_file, entry, None,
                               None)
        self.assertRaisesRegex(Refused, 'has 999 bytes; the manifest says '
                               '1000', manifest.check_file, entry, 999, None)
        self.assertRaisesRegex(Refused, 'has changed: its sha256 is bbb',
                               manifest.check_file, entry, 1000, 'bbb')

    def test_import_kind(self):
        one = document()
        two = document([disk(), disk(1, None, '/dev/vdb')])
        self.assertEqual('image', manifest.import_kind(one, None))
        self.assertEqual('volume-backed', manifest.import_kind(two, None))
        self.assertEqual('volume-backed',
                         manifest.import_kind(one, 'volume-backed'))
        self.assertRaisesRegex(Refused, 'has 2 disks: only --as '
                               'volume-backed makes', manifest.import_kind,
                               two, 'image')


class TestNovaMapping(testtools.TestCase):

    def test_entries_as_nova_writes_them(self):
        doc = document([disk(), disk(1, None, '/dev/vdb', size_gib=5)])
        attrs = manifest.volume_backed_attributes(
            doc, 'new', [fakes.ROOT_SNAP_ID, fakes.DATA_SNAP_ID])
        # The same keys and values as the fakes' copy of Nova's mapping.
        self.assertEqual([fakes.root_entry(size=10),
                          fakes.data_entry(size=5)],
                         json.loads(attrs.pop('block_device_mapping')))
        self.assertEqual({
            'name': 'new', 'bdm_v2': 'True', 'root_device_name': '/dev/vda',
            'min_disk': 20, 'min_ram': 0, 'hw_disk_bus': 'virtio',
            'rcsnap_source_snapshot_id': fakes.IMAGE_ID}, attrs)

    def test_min_disk_holds_the_root_volume(self):
        doc = document([disk(size_gib=None, size=30 * snapshots.GiB + 1)])
        attrs = manifest.volume_backed_attributes(doc, 'n', ['s'])
        self.assertEqual(31, attrs['min_disk'])
        self.assertEqual(31, json.loads(
            attrs['block_device_mapping'])[0]['volume_size'])

    def test_read_back_as_volume_backed(self):
        doc = document()
        attrs = manifest.volume_backed_attributes(doc, 'n',
                                                  [fakes.ROOT_SNAP_ID])
        image = fakes.image(**attrs)
        self.assertEqual('volume-backed', snapshots.snapshot_type(image))
        self.assertTrue(snapshots.is_instance_snapshot(image))

    def test_image_attributes(self):
        self.assertEqual({
            'name': 'n', 'image_type': 'snapshot', 'min_disk': 20,
            'min_ram': 0, 'hw_disk_bus': 'virtio',
            'rcsnap_source_snapshot_id': fakes.IMAGE_ID},
            manifest.image_attributes(document(), 'n'))
