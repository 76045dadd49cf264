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

"""``rc snapshot copy --to-cloud`` into *another* cloud: its own Keystone
(token, catalogue, endpoints), region name, Glance and Cinder, named by
``RCSNAP_REMOTE_CLOUD`` (the local cloud's second cloud: ``remote-alpha``;
``tools/localcloud/localcloud --second start``). Without it every test
skips, saying so.

A volume-backed snapshot is copied as an image and as a volume-backed
snapshot, whose bytes and sizes are checked on the other cloud and which
launches there when that cloud has Nova; the target checks refuse before
anything is made on either side; a copy interrupted with Ctrl-C leaves
nothing on either side.
"""

import os
import time

from openstack import exceptions as sdk_exc
from testtools import content

from tests.functional import base
from tests.functional import inventory
from tests.functional import test_copy

REMOTE = base.REMOTE_CLOUD
#: An administrator of the other cloud, to make a volume type only it has
#: (unset, and not the local second cloud: the copy keeps default types).
REMOTE_ADMIN = os.environ.get('RCSNAP_REMOTE_ADMIN_CLOUD') or (
    'remote-admin' if REMOTE == 'remote-alpha' else None)
#: Seconds the clouds get to finish the deletes an interrupted copy asked.
SETTLE = 60


class TestCopyToRemoteCloud(test_copy.TestCopyToCloud):

    # The copy between two projects of one cloud and the import tests run
    # from their own modules.
    test_copy_volume_backed_to_other_project = None
    test_import_volume_types = None

    def setUp(self):
        if not REMOTE:
            self.skipTest('RCSNAP_REMOTE_CLOUD is not set: no second cloud '
                          'to copy to (tools/run-tests starts one with the '
                          'local cloud)')
        super().setUp()

    def keep(self):
        return tuple(self.fixtures.get('ids', ()))

    def volume_backed_snapshot(self):
        """One volume-backed snapshot of a server with a root and a data
        volume, made once for the tests of the class (which only read
        it)."""
        def make():
            snap = self.snapshot_server(self.server_with_data_volume())
            return snap
        snap = self.class_fixture('snap', make)
        conn = base.connection()
        ids = {snap['id']}
        for disk in snap['volume_snapshots']:
            ids.add(disk['snapshot_id'])
            vsnap = conn.block_storage.get_snapshot(disk['snapshot_id'])
            ids.add(vsnap.volume_id)
        for server in conn.compute.servers():
            if (server.name or '').startswith(type(self).class_mark):
                ids.add(server.id)
                ids.update(v['id'] for v in server.attached_volumes)
        type(self).fixtures['ids'] = ids
        return snap

    @classmethod
    def tearDownClass(cls):
        try:
            snap = cls.fixtures.get('snap')
            if snap and REMOTE:
                conn = base.connection()
                servers = [s for s in conn.compute.servers()
                           if (s.name or '').startswith(cls.class_mark)]
                conn.image.delete_image(snap['id'], ignore_missing=True)
                base.remove_all(conn, servers=[s.id for s in servers])
                base.remove_all(conn, volume_snapshots=[
                    d['snapshot_id'] for d in snap['volume_snapshots']])
        finally:
            super().tearDownClass()

    def launch_on_remote(self, snapshot_id, volumes):
        """Launch the copy on the other cloud, if it has Nova."""
        conn = base.connection(REMOTE)
        try:
            conn.compute.get_endpoint()
        except sdk_exc.SDKException as exc:
            self.addDetail('launch', content.text_content(
                'not launched: %s has no compute service (%s)'
                % (REMOTE, exc)))
            return
        server = '%s-l' % self.prefix
        self.addCleanup(self.delete_launched, server, REMOTE)
        launched = self.rc('launch', snapshot_id, '--name', server,
                           '--wait', '--timeout', str(base.TIMEOUT),
                           '--no-network', cloud=REMOTE)
        self.assertEqual('ACTIVE', launched['status'])
        self.assertEqual(volumes, len(launched['volumes']))

    def assertRegionsDiffer(self):
        """The two clouds are two Keystones: the region names differ."""
        here = base.connection().config.get_region_name()
        there = base.connection(REMOTE).config.get_region_name()
        self.assertNotEqual(here, there)

    def remote_volume_type(self):
        """A volume type only the other cloud has, removed at cleanup
        (after the volumes of it); None without RCSNAP_REMOTE_ADMIN_CLOUD.
        """
        if not REMOTE_ADMIN:
            return None
        admin = inventory.connect(REMOTE_ADMIN).block_storage
        made = admin.create_type(name='%s-type' % self.prefix)
        self.addCleanup(admin.delete_type, made.id)
        return made.name

    def test_copy_as_volume_backed_then_launch(self):
        """In a volume type of the other cloud's own, where an
        administrator entry of it makes one."""
        self.assertRegionsDiffer()
        sha, disk_format = self.image_sha256()
        snap = self.volume_backed_snapshot()
        volume_type = self.remote_volume_type()
        name = '%s-copied' % self.prefix
        self.addCleanup(self.delete_imported, name, REMOTE)
        copied = self.rc('copy', snap['id'], '--to-cloud', REMOTE,
                         '--as', 'volume-backed', '--name', name,
                         '--disk-format', 'raw',
                         '--timeout', str(base.TIMEOUT),
                         *(['--volume-type', volume_type] if volume_type
                           else []))
        if volume_type:
            for volume_id in copied['volumes']:
                self.assertEqual(volume_type, base.connection(
                    REMOTE).block_storage.get_volume(volume_id).volume_type)
        self.assertEqual('volume-backed', copied['type'])
        self.assertEqual(REMOTE, copied['cloud'])
        self.assertEqual(2, len(copied['volumes']))
        shown = self.rc('show', copied['id'], cloud=REMOTE)
        source = self.rc('show', snap['id'])
        self.assertEqual(source['size_gib'], shown['size_gib'])
        self.assertEqual(
            [d['size_gib'] for d in source['volume_snapshots']],
            [d['size_gib'] for d in shown['volume_snapshots']])
        if disk_format == 'raw':
            self.assertEqual(sha, self.volume_sha256(copied['volumes'][0],
                                                     REMOTE))
        self.launch_on_remote(copied['id'], 2)

    def test_copy_as_image_then_launch(self):
        sha, disk_format = self.image_sha256()
        root = self.create_volume(1, bootable=True)
        server = self.boot('%s-vm' % self.prefix, self.flavor_for_volume(1),
                           block_device_mapping=base.volume_mapping(
                               root.id))
        snap = self.snapshot_server(server)
        name = '%s-copied' % self.prefix
        self.addCleanup(self.delete_imported, name, REMOTE)
        copied = self.rc('copy', snap['id'], '--to-cloud', REMOTE,
                         '--as', 'image', '--name', name,
                         '--disk-format', 'raw',
                         '--timeout', str(base.TIMEOUT))
        self.assertEqual('image-backed', copied['type'])
        self.assertEqual([], copied['volumes'])
        conn = base.connection(REMOTE)
        image = conn.image.get_image(copied['id'])
        self.assertEqual('active', image.status)
        self.assertEqual(conn.current_project_id, image.owner)
        if disk_format == 'raw':
            digest = test_copy.hashlib.sha256()
            response = conn.image.get('/images/%s/file' % image.id,
                                      stream=True)
            for chunk in response.iter_content(1024 * 1024):
                digest.update(chunk)
            self.assertEqual(sha, digest.hexdigest())
        self.launch_on_remote(copied['id'], 0)

    def assertRefusedCleanly(self, expected, *args):
        """``copy`` to the other cloud exits 1 with one line naming the
        problem, and neither cloud changed."""
        snap = self.volume_backed_snapshot()
        before = base.projects().take()
        line = self.assertFailsCleanly(
            expected, 'rc', 'snapshot', 'copy', snap['id'], '--to-cloud',
            REMOTE, '--name', '%s-refused' % self.prefix, *args)
        self.assertEqual([], self.changes(before))
        return line

    def changes(self, before):
        """What changed since ``before``: on this cloud, what the test made
        (named with its prefix) and what a copy of the class's snapshot
        made (temporary volumes and images, named after the snapshot);
        on the other cloud, anything (only these tests use it). Other
        resources of this cloud are left out: other work uses it."""
        after = base.projects().take()
        marks = (self.prefix, type(self).class_mark)

        def ours(key, entry):
            return entry is not None and (
                key[0] == REMOTE or any(m in entry.owner for m in marks))

        keys = {key for key in set(before) | set(after)
                if ours(key, before.get(key)) or ours(key, after.get(key))}
        old = {k: v for k, v in before.items() if k in keys}
        new = {k: v for k, v in after.items() if k in keys}
        return sorted(set(inventory.Inventory.diff(old, new, self.prefix) +
                          inventory.Inventory.diff(old, new, marks[1])))

    def test_missing_volume_type_refused_before_any_write(self):
        line = self.assertRefusedCleanly(
            'Volume type %s-nosuch does not exist in the target project'
            % self.prefix, '--as', 'volume-backed', '--volume-type',
            '%s-nosuch' % self.prefix)
        self.assertIn(REMOTE, line)

    def test_region_the_other_cloud_lacks_refused_before_any_write(self):
        """The first cloud's region name is none of the other cloud's:
        refused before anything is made."""
        here = base.connection().config.get_region_name()
        line = self.assertRefusedCleanly(REMOTE, '--to-region', here,
                                         '--as', 'volume-backed')
        self.assertIn(here, line)

    def test_ctrl_c_leaves_nothing_on_either_side(self):
        """Ctrl-C once the first disk's image is on the other cloud: the
        temporary volumes and images here and what was made there are
        deleted."""
        snap = self.volume_backed_snapshot()
        before = base.projects().take()
        name = '%s-ctrlc' % self.prefix
        self.addCleanup(self.delete_imported, name, REMOTE)
        code, err = base.interrupt_on(
            'Uploaded temporary image', 'rc', 'snapshot', 'copy', snap['id'],
            '--to-cloud', REMOTE, '--as', 'volume-backed', '--name', name,
            '--disk-format', 'raw', '--timeout', str(base.TIMEOUT))
        self.addDetail('stderr', content.text_content(err))
        self.assertEqual(130, code, err)
        self.assertNotIn('Traceback', err)
        # Cinder deletes a volume some seconds after it is told to.
        deadline = time.monotonic() + SETTLE
        for interval in base.intervals():
            diff = self.changes(before)
            if not diff or time.monotonic() >= deadline:
                break
            time.sleep(interval)
        self.assertEqual([], diff)
