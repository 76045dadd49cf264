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

"""The restore rows: ``rc snapshot restore --wait`` against ``rc snapshot
launch --wait`` of the same snapshot, wall time and HTTP requests.

The fixture is one volume-backed server (a blank bootable 1 GiB root
volume, as :mod:`servers` makes them, and a blank 1 GiB data volume), of
the smallest flavor by RAM the cloud lists, with one port Nova makes on a
network of the project's own (none when the project has none), and one
``rc snapshot create --wait`` of it.

Each restore (*A*) targets the server the previous one made; the server
it replaced (stopped, renamed, kept) is deleted untimed with its volumes,
except the fixture's first ones, which the snapshot depends on. The
timed run is the restore a user waits for: no ``--delete-old``, as a
launch deletes nothing either. Each launch (*B*) gets a port on the same
network; its server and volumes are deleted untimed, and waited for,
before the next run. Everything is removed at the end, also on failure
and Ctrl-C: what was recorded, and any server named with the fixture's
prefix or volume made from the snapshot's volume snapshots.
"""

import json
import signal
import uuid

import openstack

import fixtures
import measure


def add_arguments(parser):
    parser.add_argument('--restores', metavar='<n>', type=int, default=3,
                        help='timed runs of each side of the restore rows '
                             '(default: 3; 0 leaves the rows out)')


def smallest_flavor(conn):
    """The flavor with the least RAM (then vCPUs, then disk)."""
    flavors = sorted(conn.compute.flavors(),
                     key=lambda f: (f.ram, f.vcpus, f.disk, f.name))
    if not flavors:
        raise RuntimeError('the cloud lists no flavor')
    return flavors[0]


def own_network(conn):
    """A network of the project's own with a subnet, or None."""
    found = sorted((n for n in conn.network.networks(
        project_id=conn.current_project_id)
        if n.subnet_ids and not n.is_router_external),
        key=lambda n: n.name)
    return found[0] if found else None


class Fixture:
    """The server, its snapshot, and what restores and launches make."""

    def __init__(self, bench):
        self.bench = bench
        self.timeout = bench.args.timeout
        self.conn = openstack.connect(cloud=bench.args.cloud,
                                      connect_retries=5)
        self.prefix = 'rcsnap-bench-%s' % uuid.uuid4().hex[:6]
        self.network = None
        self.flavor = None
        self.original = []      # the first root and data volumes
        self.server_ids = []
        self.volume_ids = []    # made by restores and launches
        self.volume_snapshot_ids = []
        self.snapshot_id = None
        self.current = None     # the server the next restore targets

    # -- making ------------------------------------------------------------

    def make(self):
        block, compute = self.conn.block_storage, self.conn.compute
        self.flavor = smallest_flavor(self.conn)
        self.network = own_network(self.conn)
        root = block.create_volume(size=1, name='%s-root' % self.prefix)
        self.original.append(root.id)
        data = block.create_volume(size=1, name='%s-data' % self.prefix)
        self.original.append(data.id)
        for volume in (root, data):
            block.wait_for_status(volume, 'available', failures=['error'],
                                  wait=self.timeout)
        block.set_volume_bootable_status(root, True)
        server = compute.create_server(
            name='%s-vm' % self.prefix, flavor_id=self.flavor.id,
            networks=[{'uuid': self.network.id}] if self.network else 'none',
            block_device_mapping=[
                {'uuid': root.id, 'source_type': 'volume',
                 'destination_type': 'volume', 'boot_index': 0,
                 'delete_on_termination': False},
                {'uuid': data.id, 'source_type': 'volume',
                 'destination_type': 'volume', 'boot_index': -1,
                 'delete_on_termination': False}])
        self.server_ids.append(server.id)
        compute.wait_for_server(server, wait=self.timeout)
        self.current = server.id
        _secs, out, _err = measure.run(self.bench.osc(
            'rc', 'snapshot', 'create', server.id, '--wait'))
        self.snapshot_id = json.loads(out)['id']
        self.volume_snapshot_ids = [s.id for v in self.original
                                    for s in block.snapshots(volume_id=v)]
        fixtures.say('made server %s (flavor %s, %s) and snapshot %s' % (
            server.id, self.flavor.name, 'network %s' % self.network.name
            if self.network else 'no network', self.snapshot_id))

    def where(self):
        """The network, as the rows say it."""
        if self.network is None:
            return 'no port (the project has no network of its own)'
        return '1 port on %s' % self.network.name

    # -- the two sides -----------------------------------------------------

    def restore_argv(self):
        return self.bench.osc('rc', 'snapshot', 'restore', self.snapshot_id,
                              '--server', self.current, '--yes', '--wait')

    def launch_argv(self):
        network = (['--network', self.network.id] if self.network
                   else ['--no-network'])
        return self.bench.osc('rc', 'snapshot', 'launch', self.snapshot_id,
                              '--wait', '--name', '%s-launch' % self.prefix,
                              *network)

    def restored(self, out):
        """Record what a restore made; delete the server it replaced with
        its volumes (untimed), but the fixture's first ones."""
        rows = json.loads(out)
        old_volumes = []
        for row in rows:
            if row['Resource'] == 'server':
                old_server, self.current = row['Old'], row['New']
                self.server_ids.append(row['New'])
            elif row['Resource'] in ('root volume', 'data volume'):
                if row['New']:
                    self.volume_ids.append(row['New'])
                if row['Old'] and row['Old'] not in self.original:
                    old_volumes.append(row['Old'])
        if old_server != self.server_ids[0]:
            self.delete_servers([old_server])
            self.delete_volumes(old_volumes)
        return rows

    def launched(self, out):
        """Delete the launched server and its volumes (untimed)."""
        made = json.loads(out)
        self.server_ids.append(made['id'])
        ids = [v['id'] for v in made.get('volumes') or () if v.get('id')]
        self.volume_ids.extend(ids)
        self.delete_servers([made['id']])
        self.delete_volumes(ids)

    def restore(self):
        secs, out, _err = measure.run(self.restore_argv())
        self.restored(out)
        return secs

    def launch(self):
        secs, out, _err = measure.run(self.launch_argv())
        self.launched(out)
        return secs

    # -- removing ----------------------------------------------------------

    def delete_servers(self, ids):
        compute = self.conn.compute
        found = [s for s in (compute.find_server(i, ignore_missing=True)
                             for i in ids) if s is not None]
        for server in found:
            compute.delete_server(server.id, ignore_missing=True)
        for server in found:
            compute.wait_for_delete(server, wait=self.timeout)

    def delete_volumes(self, ids):
        block = self.conn.block_storage
        found = [v for v in (block.find_volume(i, ignore_missing=True)
                             for i in ids) if v is not None]
        for volume in found:
            if volume.status != 'available':
                block.wait_for_status(volume, 'available',
                                      failures=['error'], wait=self.timeout)
            block.delete_volume(volume.id, ignore_missing=True)
        for volume in found:
            block.wait_for_delete(volume, wait=self.timeout)

    def remove(self):
        """Servers, the volumes made from the snapshot, the snapshot, the
        first volumes; each step also when one before it failed (a failure
        is said, and fails the run)."""
        compute, block = self.conn.compute, self.conn.block_storage
        failed = []

        def step(what, call):
            try:
                call()
            except Exception as exc:
                fixtures.say('removing %s failed: %s' % (what, exc))
                failed.append(what)

        def servers():
            named = [s.id for s in compute.servers(name='^%s' % self.prefix)]
            self.delete_servers(sorted(set(self.server_ids + named)))

        def volumes():
            made = [v.id for v in block.volumes(details=True)
                    if v.snapshot_id in self.volume_snapshot_ids]
            self.delete_volumes(sorted(set(self.volume_ids + made)
                                       - set(self.original)))

        def snapshot():
            if self.snapshot_id:
                measure.run(self.bench.osc('rc', 'snapshot', 'delete',
                                           self.snapshot_id, '--wait'))

        step('servers', servers)
        step('volumes', volumes)
        step('snapshot %s' % self.snapshot_id, snapshot)
        step('volumes %s' % ', '.join(self.original),
             lambda: self.delete_volumes(self.original))
        if failed:
            self.bench.table.failed += 1
        else:
            fixtures.say('removed the restore fixture')


def rows(bench, args, requests_text):
    """Add the wall-time and request rows to ``bench.table``; the fixture
    is made before and removed after, also on failure or Ctrl-C."""
    if not args.restores:
        return
    fixture = Fixture(bench)
    try:
        fixture.make()
        a, b = measure.side_by_side(fixture.restore, fixture.launch,
                                    args.restores)
        outputs = []
        restore = measure.count_requests([fixture.restore_argv()], outputs)
        fixture.restored(outputs[-1])
        launch = measure.count_requests([fixture.launch_argv()], outputs)
        fixture.launched(outputs[-1])
    finally:
        handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            fixture.remove()
        finally:
            signal.signal(signal.SIGINT, handler)
    fixtures.say('rc snapshot restore --wait makes: %s'
                 % restore['calls'])
    fixtures.say('rc snapshot launch --wait makes: %s' % launch['calls'])
    what = ('rc snapshot restore --wait vs rc snapshot launch '
            '--wait of the same snapshot (volume-backed, 1 data volume, %s, '
            'flavor %s)' % (fixture.where(), fixture.flavor.name))
    bench.table.add('Wall time: %s' % what, '%.2f s' % a, '%.2f s' % b,
                    a / b, '<= 1.30', a / b <= 1.3)
    bench.table.add('HTTP requests: the same', requests_text(restore),
                    requests_text(launch), restore['api'] / launch['api'])
