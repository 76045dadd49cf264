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

"""The bad-input and fault catalogue, against a real cloud.

Every case runs the real ``openstack`` executable and asserts: exit code 1
(130 after Ctrl-C), one line on stderr that names the thing, no traceback,
and an inventory of images, volumes, volume snapshots and servers of both
test projects identical before and after. Faults that cannot be produced
on a real cloud on demand (a service answering 500 or timing out, 409 from
Nova, a service stopped mid-command) are in ``tests/unit/test_faults.py``.

The snapshots failed on are made once per class, cheaply: a blank volume,
volume snapshots of it, and Glance images that point at them exactly as
Nova writes a snapshot of a volume-backed server (no server is booted).

Every resource a class makes, and every one a command run by its tests
makes, is named with the class's mark: the inventories leave out what
other tests make, so the classes run beside each other. They do not run
beside the rest of the suite: a volume Nova is still making for another
test's server has no name and no source yet that says whose it is, so
``tools/run-tests`` runs the catalogue after the other tests. The quota
cases (``TestQuotas``) run last, alone: lowering a quota of the test
project would fail whatever runs beside them.
"""

import json
import os
import socket
import time
import uuid

from openstack import exceptions as sdk_exc
from testtools import content

from tests.functional import base
from tests.functional import inventory
from tests.unit import fakes

ADMIN_CLOUD = os.environ.get('RCSNAP_ADMIN_CLOUD', 'local-admin')
#: Seconds an inventory may take to settle after a command that deleted
#: what it had made (Cinder and Nova delete asynchronously).
SETTLE = 120
#: ``min_ram`` (MiB) and ``min_disk`` (GiB) of TestLaunch's image-backed
#: snapshot that the cloud's smallest flavors cannot launch.
BIG_RAM, BIG_DISK = 2048, 20


connect = inventory.connect


def closed_port():
    """A 127.0.0.1 port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def nova_snapshot_body(name, snapshot_ids):
    """The Glance create body Nova sends for a volume-backed server."""
    entries = [fakes.bdm_entry(device_name='/dev/vd%s' % chr(97 + i),
                               boot_index=0 if i == 0 else None,
                               snapshot_id=sid, volume_size=1)
               for i, sid in enumerate(snapshot_ids)]
    return {'name': name, 'disk_format': 'raw', 'container_format': 'bare',
            'visibility': 'private', 'min_disk': 1, 'min_ram': 0,
            'bdm_v2': 'True', 'root_device_name': '/dev/vda',
            'block_device_mapping': json.dumps(entries),
            'hw_disk_bus': 'virtio', 'base_image_ref': ''}


class Made:
    """Resources made with the SDK for a test class; removed in reverse."""

    def __init__(self, cloud):
        self.conn = connect(cloud)
        self.undo = []
        self.ids = set()

    def volume(self, name):
        block = self.conn.block_storage
        volume = block.create_volume(size=1, name=name)
        self.ids.add(volume.id)
        self.undo.append(lambda: self.delete_volume(volume))
        return block.wait_for_status(volume, 'available',
                                     failures=['error'], wait=base.TIMEOUT)

    def delete_volume(self, volume):
        block = self.conn.block_storage
        block.delete_volume(volume, ignore_missing=True)
        block.wait_for_delete(volume, wait=base.TIMEOUT)

    def volume_snapshot(self, volume, name):
        block = self.conn.block_storage
        snap = block.create_snapshot(volume_id=volume.id, name=name)
        self.ids.add(snap.id)
        self.undo.append(lambda: self.delete_volume_snapshot(snap))
        return block.wait_for_status(snap, 'available', failures=['error'],
                                     wait=base.TIMEOUT)

    def delete_volume_snapshot(self, snap):
        block = self.conn.block_storage
        block.delete_snapshot(snap, ignore_missing=True)
        block.wait_for_delete(snap, wait=base.TIMEOUT)

    def image(self, body, upload=True):
        """An image from a Glance create body; with ``upload``, made active
        by an empty upload, as Nova does."""
        response = self.conn.image.post('/images', json=body)
        sdk_exc.raise_from_response(response)
        image_id = response.json()['id']
        self.ids.add(image_id)
        self.undo.append(lambda: self.conn.image.delete_image(
            image_id, ignore_missing=True))
        if upload:
            response = self.conn.image.put(
                '/images/%s/file' % image_id, data=b'',
                headers={'Content-Type': 'application/octet-stream'})
            sdk_exc.raise_from_response(response)
        return image_id

    def remove(self):
        errors = []
        while self.undo:
            try:
                self.undo.pop()()
            except Exception as exc:  # keep removing the rest
                errors.append(exc)
        if errors:
            raise errors[0]


class CatalogueTest(base.FunctionalTest):
    """Class-wide fixture, and the assertion every case makes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mark = cls.class_mark
        cls.made = Made(base.CLOUD)
        cls.inventory = base.projects()
        try:
            cls.make_fixture()
        except BaseException:
            cls.made.remove()
            raise

    @classmethod
    def make_fixture(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        cls.made.remove()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.prefix = self.mark  # what the sweep removes, but the fixtures

    def keep(self):
        return self.made.ids

    def assertFailsCleanly(self, expected, *args, cloud=None, settle=0):
        """Exit 1, one stderr line containing ``expected``, no traceback,
        and nothing in either project created, deleted or changed."""
        before = self.inventory.take()
        line = super().assertFailsCleanly(expected, *args, cloud=cloud)
        self.assertUnchanged(before, settle)
        return line

    def assertUnchanged(self, before, settle=0):
        deadline = time.monotonic() + settle
        for interval in base.intervals():
            diff = inventory.Inventory.diff(before, self.inventory.take(),
                                            self.mark)
            if not diff or time.monotonic() >= deadline:
                break
            time.sleep(interval)
        self.assertEqual([], diff)


class TestLookups(CatalogueTest):
    """Names that do not resolve, and images that are not snapshots."""

    @classmethod
    def make_fixture(cls):
        for _ in range(2):
            cls.made.image({'name': '%s-dup' % cls.mark,
                            'disk_format': 'raw',
                            'container_format': 'bare'}, upload=False)

    def test_show_unknown_name(self):
        self.assertFailsCleanly("'%s-nope'" % self.mark, 'rc', 'snapshot',
                                'show', '%s-nope' % self.mark)

    def test_show_unknown_id(self):
        ghost = str(uuid.uuid4())
        self.assertFailsCleanly("'%s'" % ghost, 'rc', 'snapshot', 'show',
                                ghost)

    def test_show_ambiguous_name(self):
        line = self.assertFailsCleanly(
            "More than one image is named '%s-dup'" % self.mark,
            'rc', 'snapshot', 'show', '%s-dup' % self.mark)
        self.assertIn('use an ID', line)

    def test_show_ordinary_image(self):
        self.assertFailsCleanly('is not an instance snapshot', 'rc',
                                'snapshot', 'show', base.IMAGE)

    def test_create_unknown_server(self):
        self.assertFailsCleanly("'%s-novm'" % self.mark, 'rc', 'snapshot',
                                'create', '%s-novm' % self.mark, '--wait')

    def test_create_unknown_server_id(self):
        ghost = str(uuid.uuid4())
        self.assertFailsCleanly("'%s'" % ghost, 'rc', 'snapshot', 'create',
                                ghost)

    def test_share_unknown_snapshot(self):
        self.assertFailsCleanly("'%s-nope'" % self.mark, 'rc', 'snapshot',
                                'share', '%s-nope' % self.mark, '--project',
                                base.OTHER_CLOUD)

    def test_share_ordinary_image(self):
        self.assertFailsCleanly('is not an instance snapshot', 'rc',
                                'snapshot', 'share', base.IMAGE,
                                '--project', str(uuid.uuid4()))

    def test_share_ambiguous_name(self):
        self.assertFailsCleanly('More than one image is named', 'rc',
                                'snapshot', 'share', '%s-dup' % self.mark,
                                '--project', str(uuid.uuid4()))

    def test_unshare_unknown_snapshot(self):
        self.assertFailsCleanly("'%s-nope'" % self.mark, 'rc', 'snapshot',
                                'unshare', '%s-nope' % self.mark, '--all')

    def test_unshare_ordinary_image(self):
        self.assertFailsCleanly('is not an instance snapshot', 'rc',
                                'snapshot', 'unshare', base.IMAGE, '--all')

    def test_accept_unknown_snapshot(self):
        self.assertFailsCleanly("'%s-nope'" % self.mark, 'rc', 'snapshot',
                                'accept', '%s-nope' % self.mark,
                                cloud=base.OTHER_CLOUD)

    def test_delete_unknown_name(self):
        self.assertFailsCleanly('%s-nope' % self.mark, 'rc', 'snapshot',
                                'delete', '%s-nope' % self.mark)

    def test_delete_ordinary_public_image(self):
        self.assertFailsCleanly(base.IMAGE, 'rc', 'snapshot', 'delete',
                                base.IMAGE)


class TestAuth(CatalogueTest):
    """Credentials and Keystone itself."""

    def test_wrong_password_show(self):
        self.assertFailsCleanly('HTTP 401', '--os-password', 'wrong-%s'
                                % self.mark, 'rc', 'snapshot', 'show',
                                base.IMAGE)

    def test_wrong_password_list(self):
        self.assertFailsCleanly('HTTP 401', '--os-password', 'wrong-%s'
                                % self.mark, 'rc', 'snapshot', 'list')

    def test_keystone_unreachable_list(self):
        url = 'http://127.0.0.1:%d/v3' % closed_port()
        self.assertFailsCleanly('127.0.0.1', '--os-auth-url', url, 'rc',
                                'snapshot', 'list')

    def test_keystone_unreachable_create(self):
        url = 'http://127.0.0.1:%d/v3' % closed_port()
        self.assertFailsCleanly('127.0.0.1', '--os-auth-url', url, 'rc',
                                'snapshot', 'create', 'anything')


class SnapshotCatalogueTest(CatalogueTest):
    """A volume-backed snapshot of the test project (``snap_id``), one
    whose volume snapshot was deleted behind its back (``ghost_id``) and
    one whose volume snapshot is in error (``broken_id``)."""

    @classmethod
    def make_fixture(cls):
        cls.make_snapshot()
        cls.make_broken_snapshots()

    @classmethod
    def make_snapshot(cls):
        made = cls.made
        cls.admin_conn = connect(ADMIN_CLOUD)
        cls.other_project = connect(base.OTHER_CLOUD).current_project_id
        cls.volume = made.volume('%s-vol' % cls.mark)
        good = made.volume_snapshot(cls.volume, '%s-vsnap' % cls.mark)
        cls.vsnap_id = good.id
        cls.snap_name = '%s-snap' % cls.mark
        cls.snap_id = made.image(nova_snapshot_body(cls.snap_name,
                                                    [good.id]))

    def fitting_flavor(self):
        """The suite's flavor (``RCSNAP_FLAVOR``, as every server the suite
        boots): any flavor fits the fixture snapshot (volume-backed,
        ``min_disk`` 1, ``min_ram`` 0).  The test is skipped when the
        cloud has no such flavor."""
        flavor = self.made.conn.compute.find_flavor(base.FLAVOR,
                                                    ignore_missing=True)
        if flavor is None:
            self.skipTest('no flavor %r on this cloud to launch the test '
                          'snapshot with (set RCSNAP_FLAVOR)' % base.FLAVOR)
        return flavor.name

    @classmethod
    def make_broken_snapshots(cls):
        made = cls.made
        gone = made.volume_snapshot(cls.volume, '%s-gone' % cls.mark)
        cls.ghost_id = made.image(nova_snapshot_body(
            '%s-ghost' % cls.mark, [gone.id]))
        made.delete_volume_snapshot(gone)
        broken = made.volume_snapshot(cls.volume, '%s-broken' % cls.mark)
        cls.admin_conn.block_storage.reset_snapshot_status(broken, 'error')
        cls.broken_id = made.image(nova_snapshot_body(
            '%s-broken' % cls.mark, [broken.id]))
        cls.broken_vsnap_id = broken.id


class TestSharing(SnapshotCatalogueTest):

    def share(self, snapshot, *args, **kwargs):
        return self.assertFailsCleanly(
            kwargs.pop('expected'), 'rc', 'snapshot', 'share', snapshot,
            *args, **kwargs)

    def test_volume_backed_without_copy(self):
        line = self.share(self.snap_id, '--project', self.other_project,
                          expected='is volume-backed')
        self.assertIn(self.vsnap_id, line)

    def test_with_itself(self):
        me = self.made.conn.current_project_id
        self.share(self.snap_id, '--project', me, '--copy',
                   expected='cannot be shared with itself')

    def test_unknown_project_name(self):
        self.share(self.snap_id, '--project', '%s-noproj' % self.mark,
                   '--copy', expected='%s-noproj' % self.mark)

    def test_name_without_copy(self):
        self.share(self.snap_id, '--project', self.other_project,
                   '--name', 'x', expected='apply only with --copy')

    def test_timeout_not_positive(self):
        self.share(self.snap_id, '--project', self.other_project, '--copy',
                   '--timeout', '0', expected='--timeout must be a positive')

    def test_copy_volume_snapshot_deleted_behind_its_back(self):
        self.share(self.ghost_id, '--project', self.other_project, '--copy',
                   expected='is missing')

    def test_copy_volume_snapshot_in_error(self):
        line = self.share(self.broken_id, '--project', self.other_project,
                          '--copy', expected='is error, not available')
        self.assertIn(self.broken_vsnap_id, line)

    def test_snapshot_of_another_project(self):
        self.assertFailsCleanly("'%s'" % self.snap_id, 'rc', 'snapshot',
                                'share', self.snap_id, '--project',
                                self.other_project, cloud=base.OTHER_CLOUD)

    def test_accept_not_shared_with_me(self):
        self.assertFailsCleanly("'%s'" % self.snap_id, 'rc', 'snapshot',
                                'accept', self.snap_id,
                                cloud=base.OTHER_CLOUD)

    def test_accept_my_own(self):
        self.assertFailsCleanly('is owned by this project', 'rc',
                                'snapshot', 'accept', self.snap_id)

    def test_unshare_unknown_project(self):
        self.assertFailsCleanly('%s-noproj' % self.mark, 'rc', 'snapshot',
                                'unshare', self.snap_id, '--project',
                                '%s-noproj' % self.mark)


class TestPublic(SnapshotCatalogueTest):
    """A snapshot made public by the administrator."""

    @classmethod
    def make_fixture(cls):
        cls.make_snapshot()
        cls.admin_conn.image.update_image(cls.snap_id, visibility='public')

    def test_share_public(self):
        self.assertFailsCleanly('is public', 'rc', 'snapshot', 'share',
                                self.snap_id, '--project',
                                self.other_project, '--copy')

    def test_unshare_public(self):
        self.assertFailsCleanly('is public', 'rc', 'snapshot', 'unshare',
                                self.snap_id, '--all')

    def test_delete_public_without_force(self):
        self.assertFailsCleanly(self.snap_id, 'rc', 'snapshot', 'delete',
                                self.snap_id)


class TestQuotas(SnapshotCatalogueTest):
    """The administrator lowers a quota of the test project for a moment,
    so that the next volume or server is refused: nothing else may run in
    that project meanwhile (``tools/run-tests`` runs this class alone)."""

    @classmethod
    def make_fixture(cls):
        cls.make_snapshot()

    def volume_limit_at_usage(self):
        """The volume limit that refuses one more volume: Cinder's own
        count of what is in use and reserved.

        Cinder decides with its usage counters, not by counting volumes,
        and refuses (HTTP 400) a limit below them. The counters drift from
        what exists (they run ahead when a deletion is not counted back),
        so the real count, from a listing, is not the limit: it goes into
        the test's details, to tell a drift from a failure.
        """
        project_id = self.made.conn.current_project_id
        quota = self.admin_conn.block_storage.get_quota_set(project_id,
                                                            usage=True)
        counted = (quota.usage.get('volumes', 0)
                   + quota.reservation.get('volumes', 0))
        real = len(list(self.made.conn.block_storage.volumes()))
        self.addDetail('volume usage', content.text_content(
            'listed %d, Cinder counts %d (in use %s, reserved %s), '
            'limit %s' % (real, counted, quota.usage.get('volumes'),
                          quota.reservation.get('volumes'),
                          quota.volumes)))
        return quota.volumes, counted

    def test_copy_quota_exceeded(self):
        """The admin lowers the volume quota to what is in use; the
        temporary volume is refused and nothing is left."""
        project_id = self.made.conn.current_project_id
        block = self.admin_conn.block_storage
        limit, used = self.volume_limit_at_usage()
        self.addCleanup(block.update_quota_set, project_id, volumes=limit)
        block.update_quota_set(project_id, volumes=used)
        self.assertFailsCleanly(
            'Quota exceeded', 'rc', 'snapshot', 'share', self.snap_id,
            '--project', self.other_project, '--copy')

    def test_launch_quota_exceeded(self):
        """The admin forces the instance quota to 0 for the test."""
        flavor = self.fitting_flavor()
        project_id = self.made.conn.current_project_id
        compute = self.admin_conn.compute
        quota = compute.get_quota_set(project_id)
        self.addCleanup(compute.update_quota_set, project_id,
                        instances=quota.instances)
        compute.update_quota_set(project_id, instances=0, force=True)
        self.assertFailsCleanly(
            'Quota exceeded', 'rc', 'snapshot', 'launch', self.snap_id,
            '--no-network', '--flavor', flavor)


class TestInterrupt(SnapshotCatalogueTest):
    """Ctrl-C in the middle of a long command removes what it made."""

    @classmethod
    def make_fixture(cls):
        cls.make_snapshot()

    def test_ctrl_c_during_share_copy(self):
        """The temporary volume goes. Should the command not stop, the copy
        it makes is named with the class's mark: the sweep removes it."""
        before = self.inventory.take()
        code, err = base.interrupt_on(
            'Creating temporary volume', 'rc', 'snapshot', 'share',
            self.snap_id, '--copy', '--project', self.other_project)
        self.assertEqual(130, code, err)
        self.assertNotIn('Traceback', err)
        self.assertIn('Deleted temporary volume', err)
        self.assertUnchanged(before, settle=SETTLE)


class TestLaunch(SnapshotCatalogueTest):
    """``launch`` and ``flavors``: everything refused before the POST."""

    @classmethod
    def make_fixture(cls):
        super().make_fixture()
        cls.big_id = cls.made.image({
            'name': '%s-big' % cls.mark, 'disk_format': 'raw',
            'container_format': 'bare', 'image_type': 'snapshot',
            'instance_uuid': str(uuid.uuid4()), 'min_disk': BIG_DISK,
            'min_ram': BIG_RAM})

    def launch(self, expected, snapshot, *args, **kwargs):
        return self.assertFailsCleanly(
            expected, 'rc', 'snapshot', 'launch', snapshot, '--no-network',
            *args, **kwargs)

    def launch_fitting(self, expected, *args):
        """Launch the fixture snapshot with a flavor that fits it."""
        return self.launch(expected, self.snap_id, '--flavor',
                           self.fitting_flavor(), *args)

    def test_unknown_snapshot(self):
        self.launch("'%s-nope'" % self.mark, '%s-nope' % self.mark)

    def test_ordinary_image(self):
        self.launch('is not an instance snapshot', base.IMAGE)

    def test_volume_snapshot_deleted_behind_its_back(self):
        self.launch('cannot be launched', self.ghost_id)

    def test_volume_snapshot_in_error(self):
        self.launch('cannot be launched', self.broken_id)

    def test_unknown_flavor(self):
        self.launch("No flavor with a name or ID of '%s-flv'" % self.mark,
                    self.snap_id, '--flavor', '%s-flv' % self.mark)

    def test_flavor_too_small(self):
        flavor = self.find_flavor(
            'with less than %d MiB of RAM or less than %d GiB of disk, too '
            'small for the test snapshot' % (BIG_RAM, BIG_DISK),
            lambda f: (f.ram or 0) < BIG_RAM or (f.disk or 0) < BIG_DISK)
        self.launch('Flavor %s cannot launch snapshot' % flavor, self.big_id,
                    '--flavor', flavor)

    def test_unknown_key(self):
        self.launch_fitting("'%s-key'" % self.mark, '--key-name',
                            '%s-key' % self.mark)

    def test_unknown_network(self):
        self.assertFailsCleanly('network', 'rc', 'snapshot', 'launch',
                                self.snap_id, '--flavor',
                                self.fitting_flavor(),
                                '--network', '%s-net' % self.mark)

    def test_flavors_unknown_snapshot(self):
        self.assertFailsCleanly("'%s-nope'" % self.mark, 'rc', 'snapshot',
                                'flavors', '%s-nope' % self.mark)

    def test_ctrl_c_during_launch_wait(self):
        """The server is what ``launch`` was meant to create: after Ctrl-C
        it and its root volume are the only difference (then removed)."""
        before = self.inventory.take()
        name = '%s-ctrlc' % self.mark
        code, err = base.interrupt_on(
            'Server ', 'rc', 'snapshot', 'launch', self.snap_id, '--flavor',
            self.fitting_flavor(), '--no-network', '--name', name, '--wait')
        compute = self.made.conn.compute
        servers = [compute.wait_for_server(s, status='ACTIVE',
                                           failures=['ERROR'],
                                           wait=base.TIMEOUT)
                   for s in compute.servers(name=name) if s.name == name]
        volumes = [v['id'] for s in servers for v in s.attached_volumes]
        for volume_id in volumes:  # cleanups run last first: servers go
            self.addCleanup(self.delete_volume, volume_id)
        for server in servers:
            self.addCleanup(self.delete_server, server.id)
        self.assertEqual(130, code, err)
        self.assertNotIn('Traceback', err)
        self.assertEqual(1, len(servers), servers)
        after = self.inventory.take()
        for kind, ids in (('server', [s.id for s in servers]),
                          ('volume', volumes)):
            for ident in ids:
                after.pop((base.CLOUD, kind, ident), None)
        self.assertEqual([], inventory.Inventory.diff(before, after,
                                                      self.mark))
