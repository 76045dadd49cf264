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

"""The domain rules, as plain data in and plain values out."""

import json

import testtools

from rcsnap_osc.core import snapshots
from tests.unit import fakes

GiB = snapshots.GiB


class TestParseMapping(testtools.TestCase):

    def test_json_string_as_nova_writes_it(self):
        entries = [fakes.swap_entry(), fakes.root_entry()]
        self.assertEqual(entries, snapshots.parse_block_device_mapping(
            json.dumps(entries)))

    def test_list_accepted_as_is(self):
        entries = [fakes.root_entry()]
        self.assertEqual(entries,
                         snapshots.parse_block_device_mapping(entries))

    def test_absent_or_empty_is_no_entries(self):
        self.assertEqual([], snapshots.parse_block_device_mapping(None))
        self.assertEqual([], snapshots.parse_block_device_mapping(''))
        self.assertEqual([], snapshots.parse_block_device_mapping('[]'))

    def test_not_json(self):
        self.assertRaises(snapshots.InvalidMapping,
                          snapshots.parse_block_device_mapping, '[{oops')

    def test_not_a_list_of_mappings(self):
        for value in ('{"a": 1}', '[1, 2]', '"x"', 42):
            self.assertRaises(snapshots.InvalidMapping,
                              snapshots.parse_block_device_mapping, value)


class TestRootAndRefs(testtools.TestCase):

    def test_root_found_by_boot_index_not_position(self):
        entries = [fakes.swap_entry(), fakes.data_entry(),
                   fakes.root_entry()]
        self.assertEqual('/dev/vda',
                         snapshots.root_entry(entries)['device_name'])

    def test_boot_index_as_string(self):
        entries = [fakes.root_entry()]
        entries[0]['boot_index'] = '0'
        self.assertIs(entries[0], snapshots.root_entry(entries))

    def test_no_root(self):
        self.assertIsNone(snapshots.root_entry([fakes.swap_entry()]))
        self.assertIsNone(snapshots.root_entry([{'boot_index': 'x'}]))

    def test_refs_root_first_swap_left_out(self):
        refs = snapshots.volume_refs([
            fakes.data_entry(size=5), fakes.swap_entry(),
            fakes.root_entry(size=10)])
        self.assertEqual(
            [snapshots.VolumeRef('/dev/vda', 0, fakes.ROOT_SNAP_ID, 10),
             snapshots.VolumeRef('/dev/vdb', None, fakes.DATA_SNAP_ID, 5)],
            refs)

    def test_legacy_entry_without_source_type(self):
        refs = snapshots.volume_refs([{'device_name': '/dev/vda',
                                       'snapshot_id': 'abc',
                                       'boot_index': 0}])
        self.assertEqual(['abc'], [r.snapshot_id for r in refs])

    def test_volume_source_is_not_a_snapshot_ref(self):
        entry = fakes.bdm_entry(source_type='volume', volume_id='v',
                                boot_index=0, snapshot_id=None)
        self.assertEqual([], snapshots.volume_refs([entry]))


class TestClassify(testtools.TestCase):

    def test_volume_backed_without_image_type(self):
        image = fakes.volume_backed_image()
        self.assertNotIn('image_type', image)
        self.assertEqual(snapshots.VOLUME_BACKED,
                         snapshots.snapshot_type(image))
        self.assertTrue(snapshots.is_instance_snapshot(image))

    def test_image_backed(self):
        image = fakes.image_backed_image()
        self.assertEqual(snapshots.IMAGE_BACKED,
                         snapshots.snapshot_type(image))
        self.assertTrue(snapshots.is_instance_snapshot(image))

    def test_plain_image_is_not_a_snapshot(self):
        self.assertFalse(snapshots.is_instance_snapshot(fakes.image()))

    def test_backup_is_not_a_snapshot(self):
        self.assertFalse(snapshots.is_instance_snapshot(
            fakes.image(image_type='backup')))

    def test_unreadable_mapping_is_not_a_snapshot(self):
        self.assertFalse(snapshots.is_instance_snapshot(
            fakes.image(block_device_mapping='not json')))

    def test_mapping_whose_root_is_a_volume_is_not_a_snapshot(self):
        entry = fakes.bdm_entry(source_type='volume', volume_id='v',
                                boot_index=0)
        self.assertFalse(snapshots.is_instance_snapshot(
            fakes.image(block_device_mapping=json.dumps([entry]))))


class TestSummarize(testtools.TestCase):

    def test_two_volumes_sum_cinder_sizes(self):
        image = fakes.volume_backed_image(entries=[
            fakes.swap_entry(), fakes.root_entry(), fakes.data_entry()])
        summary = snapshots.summarize(image, {
            fakes.ROOT_SNAP_ID: fakes.volume_snapshot(size=10),
            fakes.DATA_SNAP_ID: fakes.volume_snapshot(fakes.DATA_SNAP_ID,
                                                      size=5)})
        self.assertEqual(15, summary.size_gib)
        self.assertIsInstance(summary.size_gib, int)
        self.assertEqual('15 GiB', snapshots.format_gib(summary.size_gib))
        self.assertEqual([], summary.missing)
        self.assertEqual(['/dev/vda', '/dev/vdb'],
                         [d.device_name for d in summary.devices])

    def test_size_from_cinder_not_from_mapping(self):
        image = fakes.volume_backed_image(
            entries=[fakes.root_entry(size=None)])
        summary = snapshots.summarize(image, {
            fakes.ROOT_SNAP_ID: fakes.volume_snapshot(size=8)})
        self.assertEqual(8, summary.size_gib)

    def test_missing_volume_snapshot(self):
        image = fakes.volume_backed_image(entries=[
            fakes.root_entry(), fakes.data_entry()])
        summary = snapshots.summarize(image, {
            fakes.ROOT_SNAP_ID: fakes.volume_snapshot(size=10)})
        self.assertIsNone(summary.size_gib)
        self.assertEqual('unknown', snapshots.format_gib(summary.size_gib))
        self.assertEqual([snapshots.Device('/dev/vdb', None,
                                           fakes.DATA_SNAP_ID, None,
                                           snapshots.MISSING)],
                         summary.missing)

    def test_image_backed_uses_image_bytes(self):
        summary = snapshots.summarize(fakes.image_backed_image(), {})
        self.assertEqual(1181286400 / GiB, summary.size_gib)
        self.assertEqual(1181286400, summary.size_gib * GiB)
        self.assertEqual('1.1 GiB', snapshots.format_gib(summary.size_gib))
        self.assertEqual((), summary.devices)

    def test_whole_gib_image_is_an_int(self):
        summary = snapshots.summarize(
            fakes.image_backed_image(size=2 * GiB), {})
        self.assertEqual(2, summary.size_gib)
        self.assertIsInstance(summary.size_gib, int)
        self.assertEqual('2 GiB', snapshots.format_gib(summary.size_gib))

    def test_small_image_keeps_its_unit_in_text(self):
        summary = snapshots.summarize(
            fakes.image_backed_image(size=1024 ** 2), {})
        self.assertEqual(1 / 1024, summary.size_gib)
        self.assertEqual('1 MiB', snapshots.format_gib(summary.size_gib))

    def test_custom_properties_leave_out_glance_fields_and_mapping(self):
        props = snapshots.custom_properties(fakes.volume_backed_image())
        self.assertNotIn('block_device_mapping', props)
        self.assertNotIn('min_disk', props)
        self.assertEqual('/dev/vda', props['root_device_name'])

    def test_ids_deduplicated_across_images(self):
        one = fakes.volume_backed_image()
        two = fakes.volume_backed_image('other', entries=[
            fakes.root_entry(), fakes.data_entry()])
        self.assertEqual([fakes.ROOT_SNAP_ID, fakes.DATA_SNAP_ID],
                         snapshots.volume_snapshot_ids([one, two]))


class TestFormatSize(testtools.TestCase):

    def test_units(self):
        for value, text in ((None, 'unknown'), (0, '0 B'), (1023, '1023 B'),
                            (1024, '1 KiB'), (1536, '1.5 KiB'),
                            (20 * GiB, '20 GiB'), (3 * 1024 * GiB, '3 TiB'),
                            (5000 * 1024 * GiB, '5000 TiB')):
            self.assertEqual(text, snapshots.format_size(value))


class TestWaitState(testtools.TestCase):

    def image(self, status='active'):
        return fakes.volume_backed_image(
            entries=[fakes.root_entry(), fakes.data_entry()], status=status)

    def vols(self, root='available', data='available'):
        return {fakes.ROOT_SNAP_ID: fakes.volume_snapshot(status=root),
                fakes.DATA_SNAP_ID: fakes.volume_snapshot(
                    fakes.DATA_SNAP_ID, status=data)}

    def test_done(self):
        self.assertEqual((True, None, []),
                         snapshots.wait_state(self.image(), self.vols()))

    def test_pending_lists_what_is_in_progress(self):
        done, failure, pending = snapshots.wait_state(
            self.image('saving'), self.vols(data='creating'))
        self.assertFalse(done)
        self.assertIsNone(failure)
        self.assertEqual(['image saving', 'volume snapshot %s creating (0%%)'
                          % fakes.DATA_SNAP_ID], pending)

    def test_killed_image_fails(self):
        done, failure, _ = snapshots.wait_state(self.image('killed'),
                                                self.vols())
        self.assertEqual('image %s is killed' % fakes.IMAGE_ID, failure)

    def test_error_volume_snapshot_fails(self):
        _, failure, _ = snapshots.wait_state(self.image(),
                                             self.vols(root='error'))
        self.assertEqual('volume snapshot %s is error' % fakes.ROOT_SNAP_ID,
                         failure)

    def test_vanished_volume_snapshot_fails(self):
        vols = self.vols()
        del vols[fakes.DATA_SNAP_ID]
        _, failure, _ = snapshots.wait_state(self.image(), vols)
        self.assertEqual('volume snapshot %s is gone' % fakes.DATA_SNAP_ID,
                         failure)

    def test_image_backed_waits_for_image_only(self):
        self.assertEqual((False, None, ['image queued']),
                         snapshots.wait_state(
                             fakes.image_backed_image(status='queued'), {}))
