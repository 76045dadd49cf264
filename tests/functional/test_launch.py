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

from openstack import exceptions as sdk_exc

from tests.functional import base


class LaunchTest(base.FunctionalTest):

    def volume_backed_snapshot(self, size=1):
        """A snapshot of a server booted from a blank volume of ``size``
        GiB, shared by the tests of the class (they only read it and
        launch from it)."""
        return self.class_fixture('snapshot-%d' % size, lambda: (
            self.snapshot_server(self.create_server(size, image=None))))

    def snapshot_image(self):
        """An image-backed snapshot that some flavors fit and some do not,
        shared by the tests of the class."""
        return self.class_fixture('image-backed', lambda: (
            self.upload_snapshot(min_disk=20, min_ram=1024)))

    def network_args(self):
        return ['--network', base.NETWORK] if base.NETWORK else [
            '--no-network']

    def launch(self, snap, *args):
        """``rc snapshot launch --wait``; the server and the volumes it got
        from the snapshot are removed at cleanup."""
        return self.launch_each(snap, [args])[0]

    def launch_each(self, snap, variants):
        """``rc snapshot launch --wait`` with each list of arguments in
        ``variants``, side by side (a launch mostly waits for Nova). The
        servers, and the volumes they got from the snapshot, are removed
        at cleanup, whatever the commands did."""
        names = []
        for _ in variants:
            self.launched = getattr(self, 'launched', 0) + 1
            names.append('%s-l%d' % (self.prefix, self.launched))
        procs = base.run_each([
            ('rc', 'snapshot', 'launch', snap['id'], '--name', name,
             '--wait', '--timeout', str(base.TIMEOUT), *self.network_args(),
             *args, '-f', 'json') for name, args in zip(names, variants)])
        self.addCleanup(self.delete_launched, names)
        for name, proc in zip(names, procs):
            proc.name = name
        return procs

    def delete_launched(self, names):
        """Remove the servers of these names, then their volumes."""
        conn = base.connection()
        servers = [s for s in conn.compute.servers() if s.name in names]
        base.remove_all(conn, servers=[s.id for s in servers], volumes=[
            v['id'] for s in servers for v in s.attached_volumes])

    def servers_named(self, name):
        return [s for s in base.connection().compute.servers()
                if s.name == name]

    def fits(self, snap, *args):
        rows = self.rc('flavors', snap['id'], '--all', *args)
        return ([r for r in rows if r['Fits'] == 'yes'],
                [r for r in rows if r['Fits'] == 'no'])

    def launch_flavors(self, snap, flavors, *args):
        """``launch_each`` with each flavor, and ``args``."""
        return self.launch_each(
            snap, [('--flavor', f['ID'], *args) for f in flavors])

    def assertLaunched(self, snap, flavor, proc):
        self.assertEqual(0, proc.returncode, proc.stderr)
        server = json.loads(proc.stdout)
        self.assertEqual('ACTIVE', server['status'])
        self.assertEqual(flavor['Name'], server['flavor'])
        self.assertEqual(snap['id'], server['snapshot_id'])
        return server

    def assertRefused(self, flavor, proc):
        self.assertEqual(1, proc.returncode, proc.stdout)
        self.assertEqual('', proc.stdout)
        lines = proc.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), proc.stderr)
        self.assertIn('Flavor %s cannot launch snapshot' % flavor['Name'],
                      lines[0])
        self.assertNotIn('Traceback', proc.stderr)
        self.assertEqual([], self.servers_named(proc.name))


class TestLaunchVolumeBacked(LaunchTest):

    def test_flavors_and_launch_agree_with_size(self):
        snap = self.volume_backed_snapshot(1)
        self.assertEqual('volume-backed', snap['type'])
        root = snap['volume_snapshots'][0]
        size = max(snap['min_disk'] or 0, root['size_gib'])

        fit, unfit = self.fits(snap, '--size', str(size))
        self.assertTrue(fit, unfit)
        procs = self.launch_flavors(snap, fit + unfit, '--size', str(size))
        block = base.connection().block_storage
        for flavor, proc in zip(fit, procs):
            self.assertIn('flavor disk not used', flavor['Why'])
            launched = self.assertLaunched(snap, flavor, proc)
            self.assertEqual(size, launched['root_volume_size'])
            volume = block.get_volume(launched['root_volume_id'])
            self.assertEqual(root['snapshot_id'], volume.snapshot_id)
            self.assertEqual(size, volume.size)
        for flavor, proc in zip(unfit, procs[len(fit):]):
            self.assertRefused(flavor, proc)

    def inherited_min_disk_snapshot(self):
        """A snapshot of a server booted from a 1 GiB volume with a flavor
        whose disk is larger (the snapshot inherits it as ``min_disk``):
        the class's, when ``RCSNAP_FLAVOR`` is such a flavor, else one
        booted with the smallest such flavor of the cloud."""
        snap = self.volume_backed_snapshot(1)
        if (snap['min_disk'] or 0) > 1:
            return snap
        flavor = self.find_flavor(
            'with a disk larger than 1 GiB (a snapshot of a server booted '
            'from 1 GiB with it inherits a larger min_disk)',
            lambda f: (f.disk or 0) > 1)
        snap = self.class_fixture('snapshot-inherited', lambda: (
            self.snapshot_server(self.create_server(1, image=None,
                                                    flavor=flavor))))
        if (snap['min_disk'] or 0) <= 1:
            self.skipTest('the snapshot of a server booted with flavor %s '
                          'did not inherit its disk as min_disk' % flavor)
        return snap

    def test_inherited_min_disk_is_refused_without_size(self):
        snap = self.inherited_min_disk_snapshot()
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
        snap = self.volume_backed_snapshot(2)
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
        procs = self.launch_flavors(snap, fit + unfit)
        for flavor, proc in zip(fit, procs):
            launched = self.assertLaunched(snap, flavor, proc)
            self.assertIsNone(launched['root_volume_id'])
        for flavor, proc in zip(unfit, procs[len(fit):]):
            self.assertRefused(flavor, proc)
            # Nova refuses it too: the pre-flight only says so first.
            name = '%s-nova-%s' % (self.prefix, flavor['ID'])
            self.addCleanup(self.delete_launched, [name])
            error = self.assertRaises(sdk_exc.HttpException, self.boot,
                                      name, flavor['ID'],
                                      image_id=snap['id'])
            self.assertEqual(4, error.status_code // 100, error)

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
