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

"""Volume-backed servers for the benchmark's snapshot-creation row, and
the snapshots the timed commands make of them."""

import json
import uuid

import openstack

import fixtures
import measure


class Servers:
    """``count`` servers, each booted from a blank bootable 1 GiB volume
    (Nova's fake driver needs nothing on it), in the ``cloud`` project,
    with ``flavor`` (default: the smallest flavor of the cloud: a
    volume-backed server does not use the flavor's disk)."""

    def __init__(self, cloud, count, flavor=None, timeout=900):
        self.conn = openstack.connect(cloud=cloud, connect_retries=5)
        self.count = count
        self.flavor = flavor
        self.timeout = timeout
        self.prefix = 'rcsnap-bench-%s' % uuid.uuid4().hex[:6]
        self.server_ids = []
        self.volume_ids = []

    def make(self):
        block, compute = self.conn.block_storage, self.conn.compute
        if self.flavor:
            flavor = compute.find_flavor(self.flavor, ignore_missing=False)
        else:
            flavor = min(compute.flavors(), key=lambda f: (
                f.ram or 0, f.vcpus or 0, f.disk or 0, f.name or ''))
        volumes = [block.create_volume(size=1, name='%s-root-%d' % (
            self.prefix, n)) for n in range(self.count)]
        self.volume_ids = [v.id for v in volumes]
        for volume in volumes:
            block.wait_for_status(volume, 'available', failures=['error'],
                                  wait=self.timeout)
            block.set_volume_bootable_status(volume, True)
        servers = [compute.create_server(
            name='%s-vm-%d' % (self.prefix, n), flavor_id=flavor.id,
            networks='none', block_device_mapping=[{
                'uuid': volume.id, 'source_type': 'volume',
                'destination_type': 'volume', 'boot_index': 0,
                'delete_on_termination': False}])
            for n, volume in enumerate(volumes)]
        self.server_ids = [s.id for s in servers]
        for server in servers:
            compute.wait_for_server(server, wait=self.timeout)
        fixtures.say('made %d volume-backed servers' % self.count)
        return self.server_ids

    def remove(self):
        compute, block = self.conn.compute, self.conn.block_storage
        for server_id in self.server_ids:
            compute.delete_server(server_id, ignore_missing=True)
        for server_id in self.server_ids:
            server = compute.find_server(server_id, ignore_missing=True)
            if server is not None:
                compute.wait_for_delete(server, wait=self.timeout)
        for volume_id in self.volume_ids:
            volume = block.find_volume(volume_id, ignore_missing=True)
            if volume is not None:
                block.wait_for_status(volume, 'available',
                                      failures=['error'], wait=self.timeout)
                block.delete_volume(volume_id, ignore_missing=True)
        self.server_ids = self.volume_ids = []


def create_then_delete(venv, cloud, argvs, ids_of):
    """Run the ``argvs`` (snapshot creations) one after the other; return
    their seconds. The snapshots they made are then deleted, untimed."""
    runs = [measure.run(argv) for argv in argvs]
    ids = [i for _secs, out, _err in runs for i in ids_of(json.loads(out))]
    if ids:
        measure.run(venv.argv('--os-cloud', cloud, 'rc', 'snapshot',
                              'delete', *ids, '--wait', '-f', 'json'))
    return sum(secs for secs, _out, _err in runs)
