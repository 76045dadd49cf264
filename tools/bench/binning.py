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


"""The recycle bin's row: ``rc snapshot delete`` (to the bin) against
``rc snapshot delete --purge --yes --wait`` (deleted for good) of the
same kind of snapshot, in one run: wall time (goal: at most half) and
API requests (goal: no more).

The fixture: a blank 1 GiB volume and, for each delete, a volume
snapshot of it with an image that refers to it as Nova writes one.
Everything is removed at the end, the binned images unprotected first.
"""

import json
import subprocess
import time
import uuid

import openstack

import fixtures
import measure


class Bin:

    def __init__(self, args, venv):
        self.args = args
        self.venv = venv
        self.conn = openstack.connect(cloud=args.cloud)
        self.prefix = 'rcsnap-bench-bin-%s' % uuid.uuid4().hex[:6]
        self.images, self.volume = [], None

    def make_volume(self):
        volume = self.conn.block_storage.create_volume(
            size=1, name=self.prefix + '-vol')
        self.volume = volume.id
        self.conn.block_storage.wait_for_status(volume, 'available',
                                                wait=self.args.timeout)

    def snapshot(self, tag):
        block = self.conn.block_storage
        snap = block.create_snapshot(volume_id=self.volume, force=True,
                                     name='snapshot for %s' % tag)
        block.wait_for_status(snap, 'available', wait=self.args.timeout)
        mapping = json.dumps([fixtures.mapping_entry(snap.id, 0,
                                                     '/dev/vda', 1)])
        response = self.conn.image.post('/images', json={
            'name': '%s-%s' % (self.prefix, tag), 'disk_format': 'raw',
            'container_format': 'bare', 'visibility': 'private',
            'bdm_v2': 'True', 'block_device_mapping': mapping,
            'root_device_name': '/dev/vda'})
        image_id = response.json()['id']
        self.images.append(image_id)
        return image_id

    def argv(self, image_id, *flags):
        return self.venv.argv('--os-cloud', self.args.cloud, 'rc',
                              'snapshot', 'delete', image_id, *flags,
                              '-f', 'json')

    def timed(self, argv):
        started = time.monotonic()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        return time.monotonic() - started

    def remove(self):
        block = self.conn.block_storage
        for image_id in self.images:
            try:
                self.conn.image.update_image(image_id, is_protected=False)
            except openstack.exceptions.NotFoundException:
                continue
            self.conn.image.delete_image(image_id, ignore_missing=True)
        for snap in block.snapshots(volume_id=self.volume):
            block.delete_snapshot(snap.id, ignore_missing=True)
            block.wait_for_delete(snap, wait=self.args.timeout)
        if self.volume:
            block.delete_volume(self.volume, ignore_missing=True)


def _median(values):
    return sorted(values)[len(values) // 2]


def rows(table, args, venv, seconds):
    """``delete`` to the bin against ``delete --purge --wait``, each
    ``args.bin_runs`` times, alternately."""
    made = Bin(args, venv)
    try:
        made.make_volume()
        binned, purged = [], []
        for n in range(args.bin_runs):
            binned.append(made.timed(made.argv(made.snapshot('bin-%d' % n))))
            purged.append(made.timed(made.argv(
                made.snapshot('purge-%d' % n), '--purge', '--yes',
                '--wait')))
        a, b = _median(binned), _median(purged)
        table.add('Wall time: rc snapshot delete to the bin vs delete '
                  '--purge --wait (volume-backed, 1 GiB)', seconds(a),
                  seconds(b), a / b, '<= 0.50', a / b <= 0.5)
        bin_calls = measure.count_requests([made.argv(made.snapshot(
            'bin-count'))])['api']
        purge_calls = measure.count_requests([made.argv(made.snapshot(
            'purge-count'), '--purge', '--yes', '--wait')])['api']
        table.add('API requests: the same', '%d' % bin_calls,
                  '%d' % purge_calls, bin_calls / purge_calls, '<= 1.00',
                  bin_calls <= purge_calls)
    finally:
        made.remove()
