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

"""``rc snapshot launch --independent`` and ``--delete-on-termination``
against a real cloud: a server launched independently keeps running while
its snapshot is deleted completely, and one launched with
``--delete-on-termination`` leaves no volume behind when it is deleted."""

import json

from openstack import exceptions as sdk_exc

from tests.functional import base


class TestLaunchIndependent(base.FunctionalTest):

    def sweep(self):
        """The test's own cleanups removed everything it made, the
        temporary volumes and images of the launches included: the sweep
        finds nothing of it in the projects' inventory."""
        swept = base.sweep(base.projects(), self.prefix, self.keep())
        self.assertEqual([], swept)

    def network_args(self):
        return ['--network', base.NETWORK] if base.NETWORK else [
            '--no-network']

    def volume_backed_snapshot(self):
        """A snapshot of a server booted from a 1 GiB volume with a 1 GiB
        data volume, with a flavor whose disk is at most 1 GiB: the
        snapshot's min_disk (the flavor's disk) lets it launch on 1 GiB."""
        server = self.create_server(1, data_volume_size=1, image=None,
                                    flavor=self.flavor_for_volume(1))
        snap = self.snapshot_server(server)
        self.assertEqual(2, len(snap['volume_snapshots']))
        return snap

    def launch(self, snap, *args):
        """``rc snapshot launch --wait -f json``; the server and the
        volumes it was given are removed at cleanup, whatever happened."""
        name = '%s-l' % self.prefix
        self.addCleanup(self.delete_launched, name)
        proc = base.run('rc', 'snapshot', 'launch', snap['id'], '--name',
                        name, '--wait', '--timeout', str(base.TIMEOUT),
                        *self.network_args(), *args, '-f', 'json',
                        parse=False, check=False)
        self.assertEqual(0, proc.returncode, proc.stderr)
        return json.loads(proc.stdout), proc.stderr

    def delete_launched(self, name):
        conn = base.connection()
        servers = [s for s in conn.compute.servers() if s.name == name]
        base.remove_all(conn, servers=[s.id for s in servers], volumes=[
            v['id'] for s in servers for v in s.attached_volumes])

    def temporary_leftovers(self, server_name):
        """Images and volumes named after the launch's temporary ones."""
        conn = base.connection()
        images = [i.id for i in conn.image.images(visibility='all')
                  if (i.name or '').startswith(server_name + '-')]
        images += [i.id for i in conn.image.images(visibility='all',
                                                   os_hidden=True)
                   if (i.name or '').startswith(server_name + '-')]
        volumes = [v.id for v in conn.block_storage.volumes()
                   if (v.name or '').startswith(server_name + '-')]
        return images + volumes

    def test_independent_server_outlives_its_snapshot(self):
        snap = self.volume_backed_snapshot()
        vsnaps = {d['snapshot_id'] for d in snap['volume_snapshots']}
        launched, err = self.launch(snap, '--independent', '--size', '2')
        self.assertEqual('ACTIVE', launched['status'])
        self.assertEqual([], launched['kept_images'])
        self.assertEqual(2, len(launched['volumes']), launched)
        block = base.connection().block_storage
        for row in launched['volumes']:
            self.assertFalse(row['depends_on_snapshot'], row)
            self.assertTrue(row['made_from'].startswith('image '), row)
            self.assertIn(row['volume_snapshot'], vsnaps)
            volume = block.get_volume(row['id'])
            self.assertIsNone(volume.snapshot_id)
            self.assertEqual('in-use', volume.status)
        self.assertEqual(launched['volumes'][0]['id'],
                         launched['root_volume_id'])
        self.assertEqual(2, launched['root_volume_size'])
        self.assertIn('Deleted temporary image', err)
        self.assertEqual([], self.temporary_leftovers(launched['name']))

        rows = self.rc('delete', '--purge', '--yes',
                       snap['id'], '--wait', '--timeout',
                       str(base.TIMEOUT))
        self.assertEqual({'deleted'}, {r['Result'] for r in rows}, rows)
        self.assertEqual(3, len(rows))
        for ident in vsnaps:
            self.assertRaises(sdk_exc.NotFoundException, block.get_snapshot,
                              ident)
        server = base.connection().compute.get_server(launched['id'])
        self.assertEqual('ACTIVE', server.status)

    def test_delete_on_termination_leaves_no_volume(self):
        snap = self.volume_backed_snapshot()
        launched, _ = self.launch(snap, '--delete-on-termination')
        self.assertEqual('ACTIVE', launched['status'])
        ids = [row['id'] for row in launched['volumes']]
        self.assertEqual(2, len(ids), launched)
        for row in launched['volumes']:
            self.assertTrue(row['delete_on_termination'], row)
            self.assertTrue(row['depends_on_snapshot'], row)
        self.openstack('server', 'delete', '--wait', launched['id'],
                       parse=False)
        block = base.connection().block_storage

        def gone():
            for ident in ids:
                try:
                    block.get_volume(ident)
                    return False
                except sdk_exc.NotFoundException:
                    pass
            return True
        base.wait_for('volumes of %s deleted' % launched['id'], gone)

    def test_image_backed_is_launched_as_it_is(self):
        snap = self.upload_snapshot(min_disk=1)
        launched, err = self.launch(snap, '--independent',
                                    '--delete-on-termination')
        self.assertEqual('ACTIVE', launched['status'])
        self.assertEqual([], launched['volumes'])
        self.assertIn('is image-backed: the server gets no volume from it',
                      err)
