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

"""``rc snapshot flavors|launch`` against a real cloud: every flavor marked
as fitting launches to ACTIVE, every other one is refused before anything
is created, and Nova agrees."""

import json
import os
import tempfile

from tests.functional import base


class LaunchTest(base.FunctionalTest):

    def show(self, *args):
        """``openstack <args> -f json``, or None when it fails (gone)."""
        proc = self.openstack(*args, '-f', 'json', parse=False,
                              check=False)
        return json.loads(proc.stdout) if proc.returncode == 0 else None

    def remove(self, kind, resource_id):
        """Delete a volume or volume snapshot once it is free to go, and
        wait until it is gone."""
        def gone():
            found = self.show(*kind, 'show', resource_id)
            if found is None:
                return True
            if found['status'] in ('available', 'error'):
                self.openstack(*kind, 'delete', resource_id, parse=False,
                               check=False)
            return False
        base.wait_for('%s %s deleted' % (' '.join(kind), resource_id), gone)

    def remove_volume(self, volume_id):
        self.remove(('volume',), volume_id)

    def snapshot(self, server):
        """``rc snapshot create --wait``; removed at cleanup, image first,
        then its volume snapshots."""
        snap = self.rc('create', server['id'], '--name',
                       '%s-snap' % self.prefix, '--wait', '--timeout',
                       str(base.TIMEOUT))

        def remove():
            self.openstack('image', 'delete', snap['id'], parse=False,
                           check=False)
            for device in snap.get('volume_snapshots') or []:
                self.remove(('volume', 'snapshot'), device['snapshot_id'])
        self.addCleanup(remove)
        return snap

    def create_blank_server(self, size=1, flavor=base.FLAVOR):
        """A server booted from a new, blank, bootable volume (the compute
        driver needs no image on it)."""
        volume = self.openstack('volume', 'create', '--size', str(size),
                                '%s-vol' % self.prefix)
        self.addCleanup(self.remove_volume, volume['id'])
        base.wait_for('volume %s' % volume['id'], lambda: self._settled(
            self.openstack('volume', 'show', volume['id']), 'available'))
        self.openstack('volume', 'set', '--bootable', volume['id'],
                       parse=False)
        nic = ['--network', base.NETWORK] if base.NETWORK else [
            '--nic', 'none']
        server = self.openstack('server', 'create', '--flavor', flavor,
                                '--volume', volume['id'], '--wait', *nic,
                                '%s-vm' % self.prefix)
        self.addCleanup(self.delete_server, server['id'])
        return server

    def snapshot_image(self, min_disk=20, min_ram=1024):
        """An image-backed snapshot: an image holding the disk, uploaded
        with the property Nova gives a server snapshot, so that the tests
        run where the compute driver cannot snapshot too."""
        name = '%s-isnap' % self.prefix
        with tempfile.NamedTemporaryFile() as data:
            data.write(os.urandom(1024 * 1024))
            data.flush()
            image = self.openstack(
                'image', 'create', '--disk-format', 'raw',
                '--container-format', 'bare', '--file', data.name,
                '--min-disk', str(min_disk), '--min-ram', str(min_ram),
                '--property', 'image_type=snapshot', '--private', name)
        self.addCleanup(self.openstack, 'image', 'delete', image['id'],
                        parse=False, check=False)
        return self.rc('show', image['id'])

    def network_args(self):
        return ['--network', base.NETWORK] if base.NETWORK else [
            '--no-network']

    def launch(self, snap, *args):
        """``rc snapshot launch --wait``; the server and the volumes it got
        from the snapshot are removed at cleanup."""
        self.launched = getattr(self, 'launched', 0) + 1
        name = self.last_name = '%s-l%d' % (self.prefix, self.launched)
        proc = self.rc('launch', snap['id'], '--name', name, '--wait',
                       '--timeout', str(base.TIMEOUT), *self.network_args(),
                       *args, '-f', 'json', parse=False, check=False)
        if proc.returncode == 0:
            server = json.loads(proc.stdout)
            self.addCleanup(self.delete_launched, server['id'])
        else:
            self.addCleanup(self.delete_servers_named, name)
        return proc

    def delete_launched(self, server_id):
        server = self.show('server', 'show', server_id) or {}
        volumes = [v['id'] for v in server.get('volumes_attached') or []]
        self.delete_server(server_id)
        for volume_id in volumes:
            self.remove_volume(volume_id)

    def delete_servers_named(self, name):
        for server in self.servers_named(name):
            self.delete_launched(server['ID'])

    def servers_named(self, name):
        return [s for s in self.openstack('server', 'list', '--name',
                                          '^%s$' % name) or []]

    def fits(self, snap, *args):
        rows = self.rc('flavors', snap['id'], '--all', *args)
        return ([r for r in rows if r['Fits'] == 'yes'],
                [r for r in rows if r['Fits'] == 'no'])

    def assertLaunches(self, snap, flavor, *args):
        proc = self.launch(snap, '--flavor', flavor['ID'], *args)
        self.assertEqual(0, proc.returncode, proc.stderr)
        server = json.loads(proc.stdout)
        self.assertEqual('ACTIVE', server['status'])
        self.assertEqual(flavor['Name'], server['flavor'])
        self.assertEqual(snap['id'], server['snapshot_id'])
        return server

    def assertRefused(self, snap, flavor, *args):
        proc = self.launch(snap, '--flavor', flavor['ID'], *args)
        self.assertEqual(1, proc.returncode, proc.stdout)
        self.assertEqual('', proc.stdout)
        lines = proc.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), proc.stderr)
        self.assertIn('Flavor %s cannot launch snapshot' % flavor['Name'],
                      lines[0])
        self.assertNotIn('Traceback', proc.stderr)
        self.assertEqual([], self.servers_named(self.last_name))


class TestLaunchVolumeBacked(LaunchTest):

    def test_flavors_and_launch_agree_with_size(self):
        server = self.create_blank_server(1)
        snap = self.snapshot(server)
        self.assertEqual('volume-backed', snap['type'])
        root = snap['volume_snapshots'][0]
        size = max(snap['min_disk'] or 0, root['size_gib'])

        fit, unfit = self.fits(snap, '--size', str(size))
        self.assertTrue(fit, unfit)
        for flavor in fit:
            self.assertIn('flavor disk not used', flavor['Why'])
            launched = self.assertLaunches(snap, flavor, '--size', str(size))
            self.assertEqual(size, launched['root_volume_size'])
            volume = self.openstack('volume', 'show',
                                    launched['root_volume_id'])
            self.assertEqual(root['snapshot_id'], volume['snapshot_id'])
            self.assertEqual(size, volume['size'])
            self.delete_launched(launched['id'])  # keep within quota
        for flavor in unfit:
            self.assertRefused(snap, flavor, '--size', str(size))

    def test_inherited_min_disk_is_refused_without_size(self):
        server = self.create_blank_server(1)
        snap = self.snapshot(server)
        if (snap['min_disk'] or 0) <= 1:
            self.skipTest('the snapshot did not inherit a min_disk')
        fit, unfit = self.fits(snap)
        self.assertEqual([], fit)
        for flavor in unfit:
            self.assertIn('root volume 1 GiB < min_disk %d GiB'
                          % snap['min_disk'], flavor['Why'])
        line = self.assertFailsCleanly(
            'No flavor can launch snapshot', 'rc', 'snapshot', 'launch',
            snap['id'], *self.network_args())
        self.assertIn('--size %d' % snap['min_disk'], line)

    def test_size_below_the_snapshot_is_refused(self):
        server = self.create_blank_server(2)
        snap = self.snapshot(server)
        self.assertFailsCleanly(
            '--size 1 GiB is smaller than the root volume snapshot (2 GiB)',
            'rc', 'snapshot', 'launch', snap['id'], '--size', '1')


class TestLaunchImageBacked(LaunchTest):

    def test_flavors_and_launch_agree_and_nova_too(self):
        snap = self.snapshot_image()
        self.assertEqual('image-backed', snap['type'])
        fit, unfit = self.fits(snap)
        self.assertTrue(fit, unfit)
        self.assertTrue(unfit, fit)
        for flavor in fit:
            launched = self.assertLaunches(snap, flavor)
            self.assertIsNone(launched['root_volume_id'])
            self.delete_launched(launched['id'])  # keep within quota
        for flavor in unfit:
            self.assertRefused(snap, flavor)
            # Nova refuses it too: the pre-flight only says so first.
            name = '%s-nova-%s' % (self.prefix, flavor['ID'])
            self.addCleanup(self.delete_servers_named, name)
            proc = self.openstack(
                'server', 'create', '--flavor', flavor['ID'], '--image',
                snap['id'], *(['--network', base.NETWORK] if base.NETWORK
                              else ['--nic', 'none']), name,
                parse=False, check=False)
            self.assertNotEqual(0, proc.returncode, proc.stdout)
            self.assertIn('Client Error', proc.stderr)

    def test_default_flavor_is_the_smallest_that_fits(self):
        snap = self.snapshot_image()
        fit, _ = self.fits(snap)
        proc = self.launch(snap)
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertIn('Using flavor %s (%s), the smallest that fits.'
                      % (fit[0]['Name'], fit[0]['ID']), proc.stderr)
        self.assertEqual(fit[0]['Name'], json.loads(proc.stdout)['flavor'])


class TestLaunchErrors(LaunchTest):

    def test_unknown_things_are_one_line(self):
        snap = self.snapshot_image()
        self.assertFailsCleanly(
            "No flavor with a name or ID of 'no-such-flavor' exists.",
            'rc', 'snapshot', 'launch', snap['id'], '--flavor',
            'no-such-flavor')
        self.assertFailsCleanly(
            "No key pair named 'no-such-key' exists for this user.",
            'rc', 'snapshot', 'launch', snap['id'], '--key-name',
            'no-such-key', '--no-network')
        self.assertFailsCleanly(
            'is not an instance snapshot', 'rc', 'snapshot', 'launch',
            base.IMAGE)
