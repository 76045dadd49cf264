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

"""``rc snapshot restore`` against a real Nova, Neutron and Cinder.

A volume-backed server with a data volume, a port the user made, a port
Nova made and a floating IP on the Nova port is restored: the new server
has the old one's name, fixed IPs and floating IP, a root volume made from
the snapshot's root volume snapshot, and the data volume as asked; the old
one is stopped and renamed. Then ``--data-volumes current --delete-old``
moves the data volume and deletes the server it replaces. An image-backed
server is rebuilt and keeps its ID. A restore that fails (the instance
quota is full: ``TestRestoreFails`` runs alone) puts the old server back.

The tests of fixed IPs and floating IPs are skipped where the project has
no network of its own (the others then restore a server without one);
the floating IP part where no external network is visible
(``RCSNAP_EXTERNAL_NETWORK`` names one).
"""

import os

from openstack import exceptions as sdk_exc

from tests.functional import base
from tests.functional import inventory

EXTERNAL = os.environ.get('RCSNAP_EXTERNAL_NETWORK')


class RestoreTest(base.FunctionalTest):

    #: Whether the class's tests need a network of the project's own (they
    #: check fixed IPs, ports or floating IPs). The others run without
    #: one too, on a server that has no network.
    NETWORKED = True

    def setUp(self):
        super().setUp()
        self.conn = base.connection()
        self.network, why = None, 'the cloud has no Networking service'
        if self.conn.config.get_endpoint_from_catalog('network'):
            own = list(self.conn.network.networks(
                project_id=self.conn.current_project_id))
            if base.NETWORK:
                own = [n for n in own if base.NETWORK in (n.name, n.id)]
            self.network = own[0] if own else None
            why = ('project %s has no network of its own: a restore that '
                   'keeps fixed IPs is not tested' % base.CLOUD)
        if self.network is None and self.NETWORKED:
            self.skipTest(why)

    def external_network(self):
        if EXTERNAL:
            return self.conn.network.find_network(EXTERNAL,
                                                  ignore_missing=False)
        found = list(self.conn.network.networks(is_router_external=True))
        if not found:
            self.skipTest('no external network is visible: set '
                          'RCSNAP_EXTERNAL_NETWORK')
        return found[0]

    def make_server(self, with_floating_ip=True):
        """A volume-backed server with a data volume, a port the user made
        and one Nova makes; a floating IP on the Nova port. Where the
        project has no network, a server without one (no port, no
        floating IP)."""
        if self.network is None:
            return self.make_server_without_network()
        net = self.conn.network
        port = net.create_port(network_id=self.network.id,
                               name='%s-port' % self.prefix)
        self.addCleanup(net.delete_port, port.id, ignore_missing=True)
        root = self.create_volume(1, bootable=True)
        data = self.create_volume(1, image=None)
        compute = self.conn.compute
        server = compute.create_server(
            name='%s-vm' % self.prefix, flavor_id=compute.find_flavor(
                base.FLAVOR, ignore_missing=False).id,
            networks=[{'port': port.id}, {'uuid': self.network.id}],
            block_device_mapping=base.volume_mapping(root.id, data.id))
        self.addCleanup(self.delete_server, server.id)
        server = base.wait_for_status(compute.get_server, server.id,
                                      'ACTIVE')
        fip = None
        if with_floating_ip:
            nova_port = next(p for p in net.ports(device_id=server.id)
                             if p.id != port.id)
            fip = net.create_ip(
                floating_network_id=self.external_network().id,
                port_id=nova_port.id)
            self.addCleanup(net.delete_ip, fip.id, ignore_missing=True)
        return server, port, data, fip

    def make_server_without_network(self):
        root = self.create_volume(1, bootable=True)
        data = self.create_volume(1, image=None)
        server = self.boot('%s-vm' % self.prefix, base.FLAVOR,
                           block_device_mapping=base.volume_mapping(
                               root.id, data.id))
        return server, None, data, None

    def addresses(self, server_id):
        """{port ID: [fixed IPs]} of a server, from Neutron ({} where the
        project has no network)."""
        if self.network is None:
            return {}
        return {p.id: sorted(ip['ip_address'] for ip in p.fixed_ips)
                for p in self.conn.network.ports(device_id=server_id)}

    def restore(self, *args):
        rows = self.rc('restore', *args, '--yes', '--timeout',
                       str(base.TIMEOUT))
        by_kind = {}
        for row in rows:
            by_kind.setdefault(row['Resource'], []).append(row)
        new = by_kind['server'][0]['New']
        if new != by_kind['server'][0]['Old']:
            # The server first, then its volumes: one removal does both.
            self.addCleanup(base.remove_all, self.conn, servers=[new],
                            volumes=[r['New'] for r in rows if r[
                                'Resource'].endswith('volume') and r['New']])
        return by_kind

    def snapshot_of(self, snap, boot_index):
        return next(d['snapshot_id'] for d in snap['volume_snapshots']
                    if (d['boot_index'] == 0) == (boot_index == 0))


class TestRestoreVolumeBacked(RestoreTest):

    def test_restore_keeps_name_addresses_and_floating_ip(self):
        server, port, data, fip = self.make_server()
        before = self.addresses(server.id)
        snap = self.snapshot_server({'id': server.id})

        planned = self.rc('restore', snap['id'], '--dry-run')
        self.assertEqual('(to be made)', planned[0]['New'])
        self.assertEqual('ACTIVE',
                         self.conn.compute.get_server(server.id).status)

        done = self.restore(snap['id'])
        new_id = done['server'][0]['New']
        self.assertNotEqual(server.id, new_id)
        new = self.conn.compute.get_server(new_id)
        self.assertEqual(('ACTIVE', server.name), (new.status, new.name))
        self.assertEqual(sorted(before.values()),
                         sorted(self.addresses(new_id).values()))
        self.assertEqual(new_id, self.conn.network.get_port(
            port.id).device_id)
        moved = self.conn.network.get_ip(fip.id)
        self.assertIn(moved.port_id, self.addresses(new_id))
        volumes = {v['id'] for v in new.attached_volumes}
        # Kept when the server is deleted, as the snapshot records (they
        # were deleted with it only while the restore could fail).
        self.assertEqual({False}, {v['delete_on_termination']
                                   for v in new.attached_volumes})
        root = self.conn.block_storage.get_volume(
            done['root volume'][0]['New'])
        self.assertIn(root.id, volumes)
        self.assertEqual(self.snapshot_of(snap, 0), root.snapshot_id)
        new_data = done['data volume'][0]['New']
        self.assertEqual(self.snapshot_of(snap, 1),
                         self.conn.block_storage.get_volume(
                             new_data).snapshot_id)
        old = self.conn.compute.get_server(server.id)
        self.assertEqual('SHUTOFF', old.status)
        self.assertTrue(old.name.startswith(
            '%s-before-restore-' % server.name), old.name)
        self.assertIn(data.id, {v['id'] for v in old.attached_volumes})

        # Again, from the same snapshot: the server it replaced is found
        # by default, the current data volume moves, and --delete-old
        # deletes the replaced server with its root volume (made from the
        # snapshot: nothing else depends on it).
        again = self.restore(snap['id'], '--data-volumes', 'current',
                             '--delete-old')
        self.assertEqual(new_id, again['server'][0]['Old'])
        newest = self.conn.compute.get_server(again['server'][0]['New'])
        self.assertEqual(server.name, newest.name)
        self.assertIn(new_data, {v['id'] for v in newest.attached_volumes})
        self.assertEqual(sorted(before.values()),
                         sorted(self.addresses(newest.id).values()))
        self.assertIn(self.conn.network.get_ip(fip.id).port_id,
                      self.addresses(newest.id))
        self.assertRaises(sdk_exc.NotFoundException,
                          self.conn.compute.get_server, new_id)
        self.assertEqual('deleted (--delete-old)',
                         again['old root volume'][0]['Note'])
        self.assertRaises(sdk_exc.NotFoundException,
                          self.conn.block_storage.get_volume, root.id)


class TestRestoreImageBacked(base.FunctionalTest):

    def test_rebuild_keeps_the_server(self):
        server = self.create_image_backed_server()
        snap = self.snapshot_server({'id': server.id})
        rows = self.rc('restore', snap['id'], '--yes', '--wait',
                       '--timeout', str(base.TIMEOUT))
        self.assertEqual((server.id, server.id),
                         (rows[0]['Old'], rows[0]['New']))
        after = base.connection().compute.get_server(server.id)
        self.assertEqual(('ACTIVE', server.name), (after.status, after.name))
        self.assertEqual(snap['id'], after.image['id'])


class TestRestoreFails(RestoreTest):
    """Runs alone (tests/functional/alone.txt): the instance quota of the
    test project is full for a moment."""

    def test_failed_restore_puts_the_old_server_back(self):
        server, port, data, fip = self.make_server()
        before = self.addresses(server.id)
        snap = self.snapshot_server({'id': server.id})
        volumes = {v.id for v in self.conn.block_storage.volumes()}
        admin = inventory.connect(os.environ.get(
            'RCSNAP_ADMIN_CLOUD', 'local-admin')).compute
        project_id = self.conn.current_project_id
        quota = admin.get_quota_set(project_id)
        self.addCleanup(admin.update_quota_set, project_id,
                        instances=quota.instances)
        admin.update_quota_set(project_id, instances=0, force=True)
        proc = base.run('rc', 'snapshot', 'restore', snap['id'], '--yes',
                        parse=False, check=False)
        self.assertEqual(1, proc.returncode, proc.stdout + proc.stderr)
        self.assertNotIn('Traceback', proc.stderr)
        self.assertNotIn('Warning', proc.stderr)
        lines = proc.stderr.strip().splitlines()
        self.assertIn('The restore failed: putting server %s (%s) back as '
                      'it was.' % (server.name, server.id), lines)
        self.assertTrue(lines[-1].startswith(
            'Quota exceeded: Quota exceeded for instances'), lines[-1])
        old = self.conn.compute.get_server(server.id)
        self.assertEqual(('ACTIVE', server.name), (old.status, old.name))
        self.assertEqual(before, self.addresses(server.id))
        self.assertEqual(fip.port_id, self.conn.network.get_ip(
            fip.id).port_id)
        self.assertEqual(sorted([data.id] + [
            v['id'] for v in server.attached_volumes if v['id'] != data.id]),
            sorted(v['id'] for v in old.attached_volumes))
        self.assertEqual(volumes,
                         {v.id for v in self.conn.block_storage.volumes()})
