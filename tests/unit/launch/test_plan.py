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

"""The flavor-fit rule: pure functions, a table of cases."""

import testtools

from rcsnap_osc.core import snapshots
from rcsnap_osc.launch import plan as launch_plan
from rcsnap_osc.launch import volumes as launch_volumes
from tests.unit import fakes

GiB = snapshots.GiB
VB = snapshots.VOLUME_BACKED
IB = snapshots.IMAGE_BACKED


def flavor(name, vcpus, ram, disk, flavor_id=None):
    return {'id': flavor_id or 'id-' + name, 'name': name, 'vcpus': vcpus,
            'ram': ram, 'disk': disk}


TINY = flavor('m1.tiny', 1, 512, 1)
SMALL = flavor('m1.small', 1, 2048, 20)
MEDIUM = flavor('m1.medium', 2, 4096, 40)
VOLUME = flavor('m1.volume', 1, 1024, 0)
FLAVORS = [MEDIUM, VOLUME, SMALL, TINY]


def volume_summary(snap_size=10, recorded=None, min_disk=20, min_ram=0,
                   missing=False):
    image = fakes.volume_backed_image(
        entries=[fakes.swap_entry(), fakes.root_entry(size=recorded)],
        min_disk=min_disk, min_ram=min_ram)
    volumes = {} if missing else {
        fakes.ROOT_SNAP_ID: fakes.volume_snapshot(size=snap_size)}
    return snapshots.summarize(image, volumes)


def image_summary(size=1181286400, min_disk=0, min_ram=0):
    return snapshots.summarize(fakes.image_backed_image(
        size=size, min_disk=min_disk, min_ram=min_ram), {})


class TestNeed(testtools.TestCase):

    def test_volume_backed_root_is_the_snapshot_size(self):
        need = launch_plan.need_of(volume_summary(snap_size=10))
        self.assertEqual(
            launch_plan.Need(VB, 0, 20, 10, snapshot_gib=10,
                             root_snapshot_id=fakes.ROOT_SNAP_ID), need)

    def test_volume_backed_recorded_volume_size_wins(self):
        need = launch_plan.need_of(volume_summary(snap_size=10, recorded=8))
        self.assertEqual(8, need.root_gib)
        self.assertEqual(10, need.snapshot_gib)

    def test_size_overrides_everything(self):
        need = launch_plan.need_of(volume_summary(recorded=8), size=40)
        self.assertEqual(40, need.root_gib)

    def test_missing_root_snapshot_is_unknown(self):
        need = launch_plan.need_of(volume_summary(missing=True))
        self.assertIsNone(need.root_gib)
        self.assertIsNone(need.snapshot_gib)

    def test_image_backed_rounds_the_image_up(self):
        self.assertEqual(2, launch_plan.need_of(
            image_summary(size=GiB + 1)).root_gib)
        self.assertEqual(1, launch_plan.need_of(
            image_summary(size=GiB)).root_gib)
        self.assertEqual(0, launch_plan.need_of(
            image_summary(size=None)).root_gib)

    def test_image_backed_disk_need_is_the_larger(self):
        self.assertEqual(20, launch_plan.need_of(
            image_summary(size=GiB, min_disk=20)).disk_gib)
        self.assertEqual(3, launch_plan.need_of(
            image_summary(size=3 * GiB, min_disk=1)).disk_gib)

    def test_min_values_tolerate_none_and_strings(self):
        need = launch_plan.need_of(image_summary(min_disk=None,
                                                 min_ram='512'))
        self.assertEqual((0, 512), (need.min_disk, need.min_ram))


class TestCheck(testtools.TestCase):
    """(flavor, Need) -> fits, why: the whole rule."""

    scenarios_table = [
        # volume-backed: flavor disk ignored, RAM and root volume count
        (TINY, launch_plan.Need(VB, 0, 20, 20), True,
         'flavor disk not used: boots from a volume'),
        (VOLUME, launch_plan.Need(VB, 0, 1, 1), True,
         'flavor disk not used: boots from a volume'),
        (TINY, launch_plan.Need(VB, 2048, 1, 1), False,
         'RAM 512 MiB < min_ram 2048 MiB; flavor disk not used: boots '
         'from a volume'),
        (MEDIUM, launch_plan.Need(VB, 0, 160, 8), False,
         'root volume 8 GiB < min_disk 160 GiB (launch with --size 160); '
         'flavor disk not used: boots from a volume'),
        (TINY, launch_plan.Need(VB, 1024, 20, 10), False,
         'RAM 512 MiB < min_ram 1024 MiB; root volume 10 GiB < min_disk '
         '20 GiB (launch with --size 20); flavor disk not used: boots from '
         'a volume'),
        (SMALL, launch_plan.Need(VB, 0, 0, None), False,
         'root volume size unknown: its volume snapshot is missing; flavor '
         'disk not used: boots from a volume'),
        # image-backed: flavor disk against max(min_disk, image size)
        (SMALL, launch_plan.Need(IB, 512, 20, 2), True, ''),
        (TINY, launch_plan.Need(IB, 512, 20, 2), False,
         'disk 1 GiB < 20 GiB needed'),
        (TINY, launch_plan.Need(IB, 0, 0, 2), False,
         'disk 1 GiB < 2 GiB needed'),
        (TINY, launch_plan.Need(IB, 0, 1, 1), True, ''),
        (TINY, launch_plan.Need(IB, 2048, 0, 1), False,
         'RAM 512 MiB < min_ram 2048 MiB'),
        (SMALL, launch_plan.Need(IB, 4096, 40, 1), False,
         'RAM 2048 MiB < min_ram 4096 MiB; disk 20 GiB < 40 GiB needed'),
        (VOLUME, launch_plan.Need(IB, 0, 0, 1), False,
         'flavor disk 0: Nova allows zero-disk flavors for volume-backed '
         'servers only'),
        (MEDIUM, launch_plan.Need(IB, 4096, 40, 40), True, ''),
    ]

    def test_table(self):
        for flv, need, fits, why in self.scenarios_table:
            verdict = launch_plan.check(flv, need)
            self.assertEqual((fits, why), (verdict.fits, verdict.why),
                             '%s %s' % (flv['name'], need))
            self.assertIs(flv, verdict.flavor)

    def test_equal_values_fit(self):
        need = launch_plan.Need(IB, 2048, 20, 20)
        self.assertTrue(launch_plan.check(SMALL, need).fits)

    def test_flavor_fields_may_be_missing(self):
        verdict = launch_plan.check({'id': 'x', 'name': 'odd'},
                                    launch_plan.Need(IB, 0, 0, 1))
        self.assertFalse(verdict.fits)
        self.assertIn('flavor disk 0', verdict.why)


class TestOrder(testtools.TestCase):

    def test_smallest_first_by_ram_then_vcpus_then_disk(self):
        a = flavor('a', 2, 1024, 10)
        b = flavor('b', 1, 1024, 20)
        c = flavor('c', 1, 1024, 10)
        d = flavor('d', 1, 512, 80)
        self.assertEqual(['d', 'c', 'b', 'a'], [
            f['name'] for f in sorted([a, b, c, d],
                                      key=launch_plan.order_key)])

    def test_name_breaks_ties(self):
        self.assertEqual(['x', 'y'], [f['name'] for f in sorted(
            [flavor('y', 1, 1, 1), flavor('x', 1, 1, 1)],
            key=launch_plan.order_key)])

    def test_verdicts_cover_every_flavor_smallest_first(self):
        verdicts = launch_plan.verdicts(FLAVORS, launch_plan.Need(
            IB, 0, 20, 1))
        self.assertEqual(
            [('m1.tiny', False), ('m1.volume', False), ('m1.small', True),
             ('m1.medium', True)],
            [(v.flavor['name'], v.fits) for v in verdicts])

    def test_fitting_volume_backed_ignores_disk(self):
        self.assertEqual(['m1.volume', 'm1.small', 'm1.medium'], [
            f['name'] for f in launch_plan.fitting(
                FLAVORS, launch_plan.Need(VB, 1024, 20, 20))])

    def test_fitting_none(self):
        self.assertEqual([], launch_plan.fitting(
            FLAVORS, launch_plan.Need(VB, 0, 160, 8)))


class TestSizeError(testtools.TestCase):

    def need(self, kind=VB, snapshot_gib=10):
        return launch_plan.Need(kind, 0, 20, 10, snapshot_gib=snapshot_gib)

    def test_no_size_is_fine(self):
        self.assertIsNone(launch_plan.size_error(self.need(IB), None))

    def test_equal_or_larger_is_fine(self):
        self.assertIsNone(launch_plan.size_error(self.need(), 10))
        self.assertIsNone(launch_plan.size_error(self.need(), 160))

    def test_smaller_than_snapshot(self):
        self.assertEqual(
            '--size 5 GiB is smaller than the root volume snapshot (10 GiB); '
            'a volume cannot shrink.',
            launch_plan.size_error(self.need(), 5))

    def test_not_positive(self):
        self.assertEqual('--size must be at least 1 GiB.',
                         launch_plan.size_error(self.need(), 0))

    def test_image_backed(self):
        self.assertIn('volume-backed snapshots only',
                      launch_plan.size_error(self.need(IB), 20))

    def test_unknown_snapshot_size_accepts(self):
        self.assertIsNone(launch_plan.size_error(
            self.need(snapshot_gib=None), 1))

    def test_ceil_gib(self):
        self.assertEqual([0, 1, 1, 2], [launch_plan.ceil_gib(b) for b in (
            0, 1, GiB, GiB + 1)])


def two_volume_summary(dot=False):
    root = fakes.root_entry(size=None)
    root['delete_on_termination'] = dot
    image = fakes.volume_backed_image(
        entries=[fakes.swap_entry(), root, fakes.data_entry(size=5)])
    return snapshots.summarize(image, {
        fakes.ROOT_SNAP_ID: fakes.volume_snapshot(size=10),
        fakes.DATA_SNAP_ID: fakes.volume_snapshot(fakes.DATA_SNAP_ID,
                                                  size=5)})


def bdm(uuid, boot_index, size, delete, source='snapshot'):
    return {'boot_index': boot_index, 'uuid': uuid, 'source_type': source,
            'destination_type': 'volume', 'delete_on_termination': delete,
            'volume_size': size}


class TestBlockDevices(testtools.TestCase):

    def test_inherits_delete_on_termination(self):
        self.assertEqual(
            [bdm(fakes.ROOT_SNAP_ID, 0, 12, True),
             bdm(fakes.DATA_SNAP_ID, -1, 5, False)],
            launch_plan.block_devices(two_volume_summary(dot=True), 12))

    def test_delete_on_termination_for_every_volume(self):
        self.assertEqual(
            [bdm(fakes.ROOT_SNAP_ID, 0, 10, True),
             bdm(fakes.DATA_SNAP_ID, -1, 5, True)],
            launch_plan.block_devices(two_volume_summary(), 10,
                                      delete_on_termination=True))

    def test_from_images(self):
        self.assertEqual(
            [bdm('img-root', 0, 10, False, 'image'),
             bdm('img-data', -1, 5, False, 'image')],
            launch_plan.block_devices(two_volume_summary(), 10, images={
                fakes.ROOT_SNAP_ID: 'img-root',
                fakes.DATA_SNAP_ID: 'img-data'}))

    def test_server_attrs_explicit_only_when_asked(self):
        summary = two_volume_summary()
        need = launch_plan.need_of(summary)
        flavor = {'id': '1'}
        plain = launch_plan.server_attrs(
            summary, need, flavor, launch_plan.Boot('vm', 'none'))
        self.assertEqual(fakes.IMAGE_ID, plain['image_id'])
        self.assertNotIn('block_device_mapping', plain)
        for boot, images in (
                (launch_plan.Boot('vm', 'none', size=20), None),
                (launch_plan.Boot('vm', 'none', delete_on_termination=True),
                 None),
                (launch_plan.Boot('vm', 'none'), {fakes.ROOT_SNAP_ID: 'img'})):
            attrs = launch_plan.server_attrs(summary, need, flavor, boot,
                                             images)
            self.assertNotIn('image_id', attrs)
            self.assertEqual(2, len(attrs['block_device_mapping']))

    def test_image_backed_always_boots_from_the_image(self):
        summary = image_summary()
        attrs = launch_plan.server_attrs(
            summary, launch_plan.need_of(summary), {'id': '2'},
            launch_plan.Boot('vm', 'none', delete_on_termination=True), {})
        self.assertEqual(fakes.IMAGE_ID, attrs['image_id'])


class TestIndependent(testtools.TestCase):

    def test_temporary_names(self):
        summary = two_volume_summary()
        self.assertEqual([('vm2-vda-tmp', 'vm2-vda-tmp-volume'),
                          ('vm2-vdb-tmp', 'vm2-vdb-tmp-volume')], [
            launch_volumes.temporary_names('vm2', d) for d in summary.devices])
        nameless = snapshots.Device(None, 0, 'abcdef12-3', 1, 'available')
        self.assertEqual('vm-root-tmp', launch_volumes.temporary_names(
            'vm', nameless)[0])
        data = snapshots.Device(None, None, 'abcdef12-3', 1, 'available')
        self.assertEqual('vm-abcdef12-tmp', launch_volumes.temporary_names(
            'vm', data)[0])

    def test_root_image_gets_the_boot_properties_only(self):
        summary = two_volume_summary()
        root, data = summary.devices
        image = dict(summary.image, min_ram=512, img_signature='x',
                     owner_user_name='alpha')
        self.assertEqual(
            {'hw_disk_bus': 'virtio', 'os_distro': 'ubuntu',
             'min_disk': 20, 'min_ram': 512},
            launch_volumes.temporary_image_attributes(image, root))
        self.assertIsNone(
            launch_volumes.temporary_image_attributes(image, data))


class TestLaunchedVolumes(testtools.TestCase):

    def planned(self, **kwargs):
        summary = two_volume_summary()
        return launch_volumes.planned_volumes(
            summary, launch_plan.block_devices(summary, 10, **kwargs))

    def test_before_the_build_ids_are_unknown(self):
        rows = launch_volumes.launched_volumes(self.planned(), {}, {})
        self.assertEqual([
            {'id': None, 'boot_index': 0, 'size_gib': 10,
             'volume_snapshot': fakes.ROOT_SNAP_ID,
             'made_from': 'volume snapshot %s' % fakes.ROOT_SNAP_ID,
             'depends_on_snapshot': True, 'delete_on_termination': False},
            {'id': None, 'boot_index': -1, 'size_gib': 5,
             'volume_snapshot': fakes.DATA_SNAP_ID,
             'made_from': 'volume snapshot %s' % fakes.DATA_SNAP_ID,
             'depends_on_snapshot': True, 'delete_on_termination': False}],
            rows)

    def test_matched_by_snapshot_with_what_nova_and_cinder_say(self):
        volumes = {
            'v1': fakes.volume('v1', size=20, status='in-use'),
            'v2': fakes.volume('v2', size=5, status='in-use',
                               snapshot_id=fakes.DATA_SNAP_ID),
            'other': fakes.volume('other', snapshot_id=None)}
        rows = launch_volumes.launched_volumes(
            self.planned(), volumes, {'v1': True, 'v2': False})
        self.assertEqual([('v1', 20, True, True), ('v2', 5, True, False)],
                         [(r['id'], r['size_gib'], r['depends_on_snapshot'],
                           r['delete_on_termination']) for r in rows])

    def test_matched_by_image(self):
        planned = self.planned(images={fakes.ROOT_SNAP_ID: 'img-root',
                                       fakes.DATA_SNAP_ID: 'img-data'})
        volumes = {
            'v1': fakes.volume('v1', snapshot_id=None,
                               volume_image_metadata={
                                   'image_id': 'img-root'}),
            'v2': fakes.volume('v2', snapshot_id=None, size=5,
                               volume_image_metadata={
                                   'image_id': 'img-data'})}
        rows = launch_volumes.launched_volumes(planned, volumes, {})
        self.assertEqual(
            [('v1', 'image img-root', False), ('v2', 'image img-data',
                                               False)],
            [(r['id'], r['made_from'], r['depends_on_snapshot'])
             for r in rows])
