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

"""The benchmark's transfer rows: ``export`` of a volume-backed snapshot
against the manual recipe of plain OSC, ``copy --to-cloud`` against
``export`` then ``import``, and the peak memory of ``export`` and ``copy``
at two disk sizes.

The snapshot measured is made here: a volume of N GiB of random bytes
(made from an uploaded image, so that every byte is real data), a volume
snapshot of it and a snapshot image that points at it as Nova writes one.
Everything, the files and what each timed run made in either project, is
removed, also after Ctrl-C.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import openstack
from openstack import exceptions as sdk_exc

import fixtures

GiB = 1024 ** 3
MiB = 1024 ** 2
#: The wait between two ``show`` of the manual recipe: the plugin's own
#: poll interval, so that neither side waits longer.
POLL = 2.0


def add_arguments(parser):
    parser.add_argument('--transfer-sizes', metavar='<GiB,GiB>',
                        default='1,4',
                        help='disk sizes of the transfer rows: timed at the '
                             'first, peak memory at each (default: 1,4; "" '
                             'leaves the rows out)')
    parser.add_argument('--transfer-runs', metavar='<n>', type=int,
                        default=2,
                        help='timed runs of each side of the transfer rows '
                             '(default: 2)')
    parser.add_argument('--target-cloud', metavar='<cloud>',
                        default='local-beta',
                        help='clouds.yaml entry copy --to-cloud and import '
                             'go to (default: local-beta)')


def sizes_of(args):
    return [int(s) for s in args.transfer_sizes.split(',') if s.strip()]


class RandomData:
    """``size`` random bytes for ``requests`` to send in chunks."""

    def __init__(self, size):
        self.left = size
        self.size = size

    def __len__(self):
        return self.size

    def read(self, _size=-1):
        chunk = os.urandom(min(MiB, self.left))
        self.left -= len(chunk)
        return chunk


def run(argv):
    """Run to completion: (seconds, stdout, peak resident memory in MiB
    of that process alone, from its own rusage). Fails loudly."""
    with tempfile.TemporaryFile('w+') as out, \
            tempfile.TemporaryFile('w+') as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
        # reaped here, not by Popen: wait4 gives this child's own rusage
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        except KeyboardInterrupt:
            # the command cleans up after its own Ctrl-C: let it
            proc.send_signal(signal.SIGINT)
            os.wait4(proc.pid, 0)
            raise
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError('%s exited %d: %s' % (
                ' '.join(argv), proc.returncode, err.read().strip()[-500:]))
        return seconds, out.read(), usage.ru_maxrss / 1024.0


class Transfer:
    """The snapshots measured (one per size) and what the runs made."""

    def __init__(self, venv, cloud, target, timeout=1800):
        self.venv = venv
        self.cloud = cloud
        self.target = target
        self.timeout = timeout
        self.conn = openstack.connect(cloud=cloud, connect_retries=5)
        self.other = openstack.connect(cloud=target, connect_retries=5)
        self.prefix = 'rcsnap-bench-%s' % uuid.uuid4().hex[:6]
        self.made = {'images': [], 'volumes': [], 'vsnaps': []}
        self.target_images = []
        self.scratch = tempfile.mkdtemp(prefix='rcsnap-bench-')
        self.snapshots = {}

    def osc(self, *args, cloud=None):
        return self.venv.argv('--os-cloud', cloud or self.cloud, *args,
                              '-f', 'json')

    # -- the snapshot measured ---------------------------------------------

    def snapshot(self, gib):
        """A volume-backed snapshot of a ``gib`` GiB volume of random
        bytes: its image ID."""
        if gib in self.snapshots:
            return self.snapshots[gib]
        block, image = self.conn.block_storage, self.conn.image
        name = '%s-%dg' % (self.prefix, gib)
        fixtures.say('uploading %d GiB of random bytes' % gib)
        response = image.post('/images', json={
            'name': name + '-data', 'disk_format': 'raw',
            'container_format': 'bare', 'visibility': 'private'})
        sdk_exc.raise_from_response(response)
        data_id = response.json()['id']
        self.made['images'].append(data_id)
        response = image.put('/images/%s/file' % data_id,
                             data=RandomData(gib * GiB),
                             headers={'Content-Type':
                                      'application/octet-stream'})
        sdk_exc.raise_from_response(response)
        volume = block.create_volume(size=gib, image_id=data_id,
                                     name=name + '-vol')
        self.made['volumes'].append(volume.id)
        block.wait_for_status(volume, 'available', failures=['error'],
                              wait=self.timeout)
        image.delete_image(data_id)
        self.made['images'].remove(data_id)
        vsnap = block.create_snapshot(volume_id=volume.id,
                                      name=name + '-vsnap')
        self.made['vsnaps'].append(vsnap.id)
        block.wait_for_status(vsnap, 'available', failures=['error'],
                              wait=self.timeout)
        body = fixtures.snapshot_image_body(name, [vsnap.id], gib)
        response = image.post('/images', json=body)
        sdk_exc.raise_from_response(response)
        snap_id = response.json()['id']
        self.made['images'].append(snap_id)
        response = image.put('/images/%s/file' % snap_id, data=b'',
                             headers={'Content-Type':
                                      'application/octet-stream'})
        sdk_exc.raise_from_response(response)
        fixtures.say('made a %d GiB volume-backed snapshot %s'
                     % (gib, snap_id))
        self.snapshots[gib] = snap_id
        return snap_id

    # -- the sides timed ---------------------------------------------------

    def export(self, snap_id):
        """``rc snapshot export``: (seconds, peak MiB); the files are
        removed afterwards, untimed."""
        where = os.path.join(self.scratch, 'export')
        seconds, _out, rss = run(self.osc(
            'rc', 'snapshot', 'export', snap_id, '--dir', where,
            '--disk-format', 'raw'))
        shutil.rmtree(where, ignore_errors=True)
        return seconds, rss

    def manual(self, snap_id, gib):
        """The manual recipe of plain OSC, each step its own command,
        waiting with ``show``: seconds."""
        vsnap = self.snapshot_ids(snap_id)[0]
        name = '%s-manual-%s' % (self.prefix, uuid.uuid4().hex[:4])
        path = os.path.join(self.scratch, 'manual.raw')
        start = time.perf_counter()
        volume = json.loads(run(self.osc(
            'volume', 'create', '--snapshot', vsnap, '--size', str(gib),
            name))[1])['id']
        self.made['volumes'].append(volume)
        self.poll(('volume', 'show', volume), 'available')
        upload = json.loads(run(self.osc(
            'image', 'create', '--volume', volume, '--disk-format', 'raw',
            name))[1])
        image_id = upload.get('image_id') or upload.get('id')
        self.made['images'].append(image_id)
        self.poll(('image', 'show', image_id), 'active')
        self.poll(('volume', 'show', volume), 'available')
        run(self.venv.argv('--os-cloud', self.cloud, 'image', 'save',
                           '--file', path, image_id))
        run(self.venv.argv('--os-cloud', self.cloud, 'image', 'delete',
                           image_id))
        self.made['images'].remove(image_id)
        run(self.venv.argv('--os-cloud', self.cloud, 'volume', 'delete',
                           volume))
        self.made['volumes'].remove(volume)
        seconds = time.perf_counter() - start
        os.unlink(path)
        return seconds

    def poll(self, show, status):
        deadline = time.monotonic() + self.timeout
        while True:
            found = json.loads(run(self.osc(*show))[1]).get('status')
            if found == status:
                return
            if 'error' in (found or '') or time.monotonic() > deadline:
                raise RuntimeError('%s: %s' % (' '.join(show), found))
            time.sleep(POLL)

    def copy(self, snap_id):
        """``rc snapshot copy --to-cloud``: (seconds, peak MiB); the new
        image on the target is removed afterwards, untimed."""
        seconds, out, rss = run(self.osc(
            'rc', 'snapshot', 'copy', snap_id, '--to-cloud', self.target,
            '--disk-format', 'raw', '--name', '%s-copied' % self.prefix))
        self.forget_target(json.loads(out)['id'])
        return seconds, rss

    def export_then_import(self, snap_id):
        where = os.path.join(self.scratch, 'export')
        start = time.perf_counter()
        run(self.osc('rc', 'snapshot', 'export', snap_id, '--dir', where,
                     '--disk-format', 'raw'))
        out = run(self.osc('rc', 'snapshot', 'import', where, '--name',
                           '%s-imported' % self.prefix,
                           cloud=self.target))[1]
        seconds = time.perf_counter() - start
        shutil.rmtree(where, ignore_errors=True)
        self.forget_target(json.loads(out)['id'])
        return seconds

    def forget_target(self, image_id):
        self.target_images.append(image_id)
        self.other.image.delete_image(image_id, ignore_missing=True)
        self.target_images.remove(image_id)

    def snapshot_ids(self, snap_id):
        image = self.conn.image.get_image(snap_id)
        return [e['snapshot_id'] for e in json.loads(
            image.properties['block_device_mapping'])]

    # -- removing ----------------------------------------------------------

    def remove(self):
        block = self.conn.block_storage
        for image_id in self.target_images:
            self.other.image.delete_image(image_id, ignore_missing=True)
        for image_id in self.made['images']:
            self.conn.image.delete_image(image_id, ignore_missing=True)
        for vsnap_id in self.made['vsnaps']:
            block.delete_snapshot(vsnap_id, ignore_missing=True)
        for vsnap_id in self.made['vsnaps']:
            found = block.find_snapshot(vsnap_id, ignore_missing=True)
            if found is not None:
                block.wait_for_delete(found, wait=self.timeout)
        for volume_id in self.made['volumes']:
            volume = block.find_volume(volume_id, ignore_missing=True)
            if volume is not None:
                block.wait_for_status(volume, 'available',
                                      failures=['error'], wait=self.timeout)
                block.delete_volume(volume_id, ignore_missing=True)
        self.made = {'images': [], 'volumes': [], 'vsnaps': []}
        self.target_images = []
        shutil.rmtree(self.scratch, ignore_errors=True)
        fixtures.say('removed the transfer fixtures')


def rows(table, args, venv, side_by_side, seconds):
    """Add the transfer rows to ``table``; ``side_by_side`` and
    ``seconds`` are the benchmark's own (A, B alternately; medians)."""
    sizes = sizes_of(args)
    if not sizes:
        return
    transfer = Transfer(venv, args.cloud, args.target_cloud)
    try:
        first = sizes[0]
        snap = transfer.snapshot(first)
        rss = {'export': {}, 'copy': {}}

        def export():
            secs, rss['export'][first] = transfer.export(snap)
            return secs

        def copy():
            secs, rss['copy'][first] = transfer.copy(snap)
            return secs

        a, b = side_by_side(export, lambda: transfer.manual(snap, first),
                            args.transfer_runs)
        table.add('Wall time: rc snapshot export vs the manual recipe, %d '
                  'GiB volume-backed' % first,
                  seconds(a), seconds(b), a / b, '<= 0.90', a / b <= 0.9)
        a, b = side_by_side(copy, lambda: transfer.export_then_import(snap),
                            args.transfer_runs)
        table.add('Wall time: rc snapshot copy --to-cloud vs export then '
                  'import, %d GiB' % first, seconds(a), seconds(b), a / b,
                  '<= 0.70', a / b <= 0.7)
        for gib in sizes[1:]:
            big = transfer.snapshot(gib)
            rss['export'][gib] = transfer.export(big)[1]
            rss['copy'][gib] = transfer.copy(big)[1]
        for what in ('export', 'copy'):
            small, large = rss[what][first], rss[what][sizes[-1]]
            ok = (max(rss[what].values()) < 150
                  and large <= small * 1.05 + 2)
            table.add('Peak RSS: rc snapshot %s, %d GiB vs %d GiB' % (
                what, first, sizes[-1]), '%.1f MiB' % small,
                '%.1f MiB' % large, small / large,
                '< 150 MiB, not growing', ok)
    finally:
        transfer.remove()
