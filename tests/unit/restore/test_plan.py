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

"""The plan of ``rc snapshot restore``: pure functions over what the
reads found."""

import testtools

from rcsnap_osc.core import archives
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.restore import lineage
from rcsnap_osc.restore import plan
from tests.unit import base
from tests.unit import fakes
from tests.unit.restore import data

ROOT_SNAP = fakes.ROOT_SNAP_ID
DATA_SNAP = fakes.DATA_SNAP_ID
ROOT_VOL = fakes.ROOT_VOLUME_ID
DATA_VOL = fakes.DATA_VOLUME_ID


def found(server=None, ports=None, networks=None, fips=None, volumes=None,
          volume_snapshots=None, image=None):
    """A :class:`plan.Found` of the volume-backed server of
    :mod:`data`, with what a test changes."""
    snaps = (data.volume_snapshots() if volume_snapshots is None
             else volume_snapshots)
    return plan.Found(
        summary=snapshots.summarize(image or data.snapshot_image(), snaps),
        server=server or data.old_server(),
        ports=[data.port(), data.user_port()] if ports is None else ports,
        networks={data.NETWORK_ID: data.network()} if networks is None
        else networks,
        floating_ips=[data.floating_ip()] if fips is None else fips,
        volumes=data.old_volumes() if volumes is None else volumes,
        volume_snapshots=snaps, project_id=base.PROJECT_ID)


def image_backed_found(server=None):
    image = fakes.image_backed_image(instance_uuid=data.SERVER_ID)
    return found(server=server or dict(
        data.old_server(), image={'id': fakes.BASE_IMAGE_ID, 'links': []}),
        image=image, volume_snapshots={}, volumes={}, ports=[], fips=[])


class TestPorts(testtools.TestCase):

    def steps(self, ports, networks=None):
        return [(s.port['id'], s.network, s.how, s.why)
                for s in plan.port_steps(found(ports=ports,
                                               networks=networks))]

    def test_a_named_port_is_the_users_and_moves(self):
        self.assertEqual([(data.USER_PORT_ID, 'private', plan.MOVE, None)],
                         self.steps([data.user_port()]))

    def test_a_nameless_port_on_our_network_keeps_its_address(self):
        self.assertEqual([(data.NOVA_PORT_ID, 'private', plan.SAME, None)],
                         self.steps([data.port()]))

    def test_a_nameless_port_on_a_shared_network_gets_a_new_address(self):
        shared = data.port(network_id=data.SHARED_NETWORK_ID,
                           subnet_id=data.SHARED_SUBNET_ID,
                           ip='172.24.4.10')
        self.assertEqual([(
            data.NOVA_PORT_ID, 'shared', plan.NEW,
            "network shared is not this project's: only its owner may "
            "choose addresses on it")], self.steps(
                [shared], {data.SHARED_NETWORK_ID: data.shared_network()}))

    def test_a_network_we_cannot_see_is_named_by_its_id(self):
        other = data.port(network_id=data.SHARED_NETWORK_ID)
        [step] = self.steps([other], {})
        self.assertEqual((data.SHARED_NETWORK_ID, plan.NEW), step[1:3])
        self.assertIn('is not this project', step[3])

    def test_a_nameless_port_with_two_addresses_gets_a_new_one(self):
        two = data.port(ips=[
            {'subnet_id': data.SUBNET_ID, 'ip_address': data.NOVA_IP},
            {'subnet_id': data.SUBNET_ID, 'ip_address': '10.128.0.81'}])
        self.assertEqual([(
            data.NOVA_PORT_ID, 'private', plan.NEW,
            'Nova takes one fixed address a port; this one has 2')],
            self.steps([two]))

    def test_interface_order_not_neutrons(self):
        self.assertEqual([data.NOVA_PORT_ID, data.USER_PORT_ID], [
            s[0] for s in self.steps([data.user_port(), data.port()])])

    def test_counts(self):
        the_plan = plan.decide(found(), plan.Request('snap'), data.STAMP)
        self.assertEqual(1, the_plan.new_ports)
        self.assertEqual([data.USER_PORT_ID], the_plan.moved_ports)
        self.assertEqual([data.NOVA_IP], the_plan.ports[0].addresses)


class TestVolumes(testtools.TestCase):

    def test_root_is_the_one_the_root_snapshot_was_taken_of(self):
        self.assertEqual(ROOT_VOL, plan.root_volume(found()))

    def test_root_by_its_device_when_the_snapshot_names_another(self):
        snaps = data.volume_snapshots()
        snaps[ROOT_SNAP]['volume_id'] = 'a-volume-deleted-since'
        self.assertEqual(ROOT_VOL, plan.root_volume(found(
            volume_snapshots=snaps)))

    def test_no_root_is_refused(self):
        volumes = data.old_volumes()
        del volumes[ROOT_VOL]
        self.assertIsNone(plan.root_volume(found(volumes=volumes)))
        error = self.assertRaises(errors.Refused, plan.volume_steps, found(
            volumes=volumes), plan.SNAPSHOT)
        self.assertEqual('Cannot tell which volume server analysis-vm (%s) '
                         'boots from; nothing was changed.' % data.SERVER_ID,
                         str(error))

    def test_from_the_snapshot(self):
        steps, left = plan.volume_steps(found(), plan.SNAPSHOT)
        self.assertEqual([
            plan.VolumeStep('root', '/dev/vda', 10, ROOT_SNAP, old=ROOT_VOL),
            plan.VolumeStep('data', '/dev/vdb', 5, DATA_SNAP,
                            old=DATA_VOL)], steps)
        self.assertEqual([], left)

    def test_root_takes_the_old_roots_size_when_larger(self):
        volumes = data.old_volumes()
        volumes[ROOT_VOL]['size'] = 30
        steps, _ = plan.volume_steps(found(volumes=volumes), plan.SNAPSHOT)
        self.assertEqual(30, steps[0].size_gib)

    def test_a_volume_attached_since_stays_on_the_old_server(self):
        volumes = data.old_volumes()
        volumes['f0e1d2c3-b4a5-4968-8776-554433221100'] = (
            data.attached_volume('f0e1d2c3-b4a5-4968-8776-554433221100',
                                 '/dev/vdc', 1))
        steps, left = plan.volume_steps(found(volumes=volumes),
                                        plan.SNAPSHOT)
        self.assertEqual(2, len(steps))
        self.assertEqual(['f0e1d2c3-b4a5-4968-8776-554433221100'], left)

    def test_current_moves_the_data_volumes(self):
        steps, left = plan.volume_steps(found(), plan.CURRENT)
        self.assertEqual([
            plan.VolumeStep('root', '/dev/vda', 10, ROOT_SNAP, old=ROOT_VOL),
            plan.VolumeStep('data', '/dev/vdb', 5, moved=DATA_VOL,
                            old=DATA_VOL)], steps)
        self.assertEqual([], left)
        the_plan = plan.decide(found(), plan.Request(
            'snap', data_volumes=plan.CURRENT), data.STAMP)
        self.assertEqual([steps[0]], the_plan.new_volumes)


ROOT_BACKUP = '31f72774-9044-4f54-9a21-151ab3493932'
DATA_BACKUP = '61246705-d3be-4b98-bb1c-52329489de61'


def archived_image():
    """The snapshot of :mod:`data`, archived: its volume snapshots gone,
    each disk in a backup of the volume it was taken of."""
    return dict(data.snapshot_image(), **archives.properties([
        archives.Record(ROOT_BACKUP, 12, '/dev/vda', 0, '__DEFAULT__',
                        ROOT_SNAP, ROOT_VOL),
        archives.Record(DATA_BACKUP, 5, '/dev/vdb', None, None, DATA_SNAP,
                        DATA_VOL)], '2026-12-02T05:40:00Z'))


class TestArchived(testtools.TestCase):

    def test_each_new_volume_from_its_backup_at_the_recorded_size(self):
        the_plan = plan.decide(found(image=archived_image(),
                                     volume_snapshots={}),
                               plan.Request('snap'), data.STAMP)
        self.assertEqual(
            [('root', ROOT_BACKUP, ROOT_VOL), ('data', DATA_BACKUP, DATA_VOL)],
            [(v.role, v.backup, v.old) for v in the_plan.volumes])
        self.assertEqual(5, the_plan.volumes[1].size_gib)
        self.assertEqual(2, len(the_plan.new_volumes))


class TestRefused(testtools.TestCase):

    def refused(self, the_found):
        return str(self.assertRaises(errors.Refused, plan.decide, the_found,
                                     plan.Request('snap'), data.STAMP))

    def test_a_server_of_another_project(self):
        server = data.old_server(tenant_id=base.OTHER_PROJECT_ID)
        self.assertEqual('Server analysis-vm (%s) is not in this project.'
                         % data.SERVER_ID, self.refused(found(server=server)))

    def test_image_backed_snapshot_and_volume_backed_server(self):
        the_found = image_backed_found(server=data.old_server())
        self.assertEqual(
            'Snapshot web-vm-snap (%s) is image-backed and server '
            'analysis-vm (%s) boots from a volume: restore rebuilds only '
            'image-backed servers from image-backed snapshots; use rc '
            'snapshot launch.' % (fakes.IMAGE_ID, data.SERVER_ID),
            self.refused(the_found))

    def test_volume_backed_snapshot_and_image_backed_server(self):
        server = data.old_server(image={'id': fakes.BASE_IMAGE_ID})
        self.assertEqual(
            'Snapshot analysis-vm-snap (%s) is volume-backed and server '
            'analysis-vm (%s) boots from an image: use rc snapshot launch.'
            % (fakes.IMAGE_ID, data.SERVER_ID),
            self.refused(found(server=server)))

    def test_missing_volume_snapshots(self):
        snaps = data.volume_snapshots()
        del snaps[DATA_SNAP]
        self.assertEqual(
            'Snapshot analysis-vm-snap (%s) cannot be restored: volume '
            'snapshot(s) %s are gone.' % (fakes.IMAGE_ID, DATA_SNAP),
            self.refused(found(volume_snapshots=snaps)))

    def test_archived_without_a_backup_of_each_disk(self):
        image = archived_image()
        image['rcsnap_archive_disks'] = '1'
        self.assertEqual(
            'Snapshot analysis-vm-snap (%s) cannot be restored: its image '
            'does not record a backup of each disk.' % fakes.IMAGE_ID,
            self.refused(found(image=image, volume_snapshots={})))

    def test_image_backed_is_a_rebuild(self):
        the_plan = plan.decide(image_backed_found(), plan.Request('snap'),
                               data.STAMP)
        self.assertEqual((plan.REBUILD, None, ()), (
            the_plan.kind, the_plan.kept_name, the_plan.volumes))

    def test_replacement(self):
        the_plan = plan.decide(found(), plan.Request('snap', delete_old=True),
                               data.STAMP)
        self.assertEqual(
            (plan.REPLACE, data.KEPT_NAME, True, plan.SNAPSHOT),
            (the_plan.kind, the_plan.kept_name, the_plan.delete_old,
             the_plan.data_volumes))


class TestQuota(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.plan = plan.decide(found(), plan.Request('snap'), data.STAMP)

    def cinder(self, volumes=(2, 10), gigabytes=(24, -1)):
        return fakes.quota_set(volumes=volumes,
                               gigabytes=gigabytes)['quota_set']

    def test_room(self):
        plan.check_quota(self.plan, self.cinder(), {
            'limit': 500, 'used': 8, 'reserved': 0})
        plan.check_quota(self.plan, None, None)

    def test_cinder_volumes(self):
        error = self.assertRaises(
            errors.Refused, plan.check_quota, self.plan,
            self.cinder(volumes=(9, 10)), None)
        self.assertEqual(
            "Cinder quota 'volumes' is at 9 of 10: restoring server "
            "analysis-vm needs 2 new volume(s), 15 GiB; nothing was "
            "changed.", str(error))

    def test_cinder_gigabytes(self):
        error = self.assertRaises(
            errors.Refused, plan.check_quota, self.plan,
            self.cinder(gigabytes=(990, 1000)), None)
        self.assertIn("'gigabytes' is at 990 of 1000", str(error))
        self.assertIn('15 GiB', str(error))

    def test_neutron_port(self):
        error = self.assertRaises(
            errors.Refused, plan.check_quota, self.plan, self.cinder(),
            {'limit': 10, 'used': 9, 'reserved': 1})
        self.assertEqual(
            "Neutron quota 'port' is at 10 of 10: restoring server "
            "analysis-vm needs 1 new port(s); nothing was changed.",
            str(error))

    def test_unlimited_ports(self):
        plan.check_quota(self.plan, self.cinder(),
                         {'limit': -1, 'used': 900, 'reserved': 0})

    def test_moved_ports_need_no_room(self):
        the_plan = plan.decide(found(ports=[data.user_port()], fips=[]),
                               plan.Request('snap'), data.STAMP)
        plan.check_quota(the_plan, self.cinder(),
                         {'limit': 10, 'used': 10, 'reserved': 0})


class TestLineage(testtools.TestCase):

    def test_the_old_id_first(self):
        server = data.old_server(metadata={lineage.RESTORED_FROM: 'a b'})
        self.assertEqual('%s a b' % data.SERVER_ID, lineage.lineage(server))

    def test_within_255_characters_the_oldest_dropped(self):
        older = ['%036d' % n for n in range(8)]
        server = data.old_server(metadata={
            lineage.RESTORED_FROM: ' '.join(older)})
        value = lineage.lineage(server)
        self.assertLessEqual(len(value), 255)
        self.assertEqual([data.SERVER_ID] + older[:5], value.split())

    def test_successor_the_latest_restore(self):
        # A was replaced by B, then B by C: A's successor is C, the live
        # one (B is the stopped "-before-restore" server).
        servers = [
            {'id': 'B', 'metadata': {lineage.RESTORED_FROM: 'A'}},
            {'id': 'C', 'metadata': {lineage.RESTORED_FROM: 'B A'}},
            {'id': 'other', 'metadata': {}},
            {'id': 'none', 'metadata': None}]
        self.assertEqual('C', lineage.successor('A', servers)['id'])
        self.assertEqual('C', lineage.successor('B', servers)['id'])
        self.assertIsNone(lineage.successor('C', servers))
        self.assertIsNone(lineage.successor('y', []))

    def test_kept_name(self):
        self.assertEqual('vm-before-restore-20261202T005054Z',
                         plan.kept_name('vm', data.STAMP))
