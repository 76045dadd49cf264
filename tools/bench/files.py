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

"""The benchmark's files rows: ``rc snapshot files get`` of a 1 MiB file
from a 1 GiB disk (ext4 in a GPT partition, made by
``tools/diskimage.py``; mostly zeros) against ``openstack image save`` of
the whole image: bytes read, requests and time, one run of each side.
For a volume-backed snapshot of the same disk the temporary copy's time
is told apart from the reads.

Everything made (the image, the volume, its snapshot, the snapshot
image, the files) is removed, also after Ctrl-C.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import openstack
from openstack import exceptions as sdk_exc

import fixtures
import measure

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
MiB = 1024 ** 2
#: The plugin's own line: what its ranged reads cost.
READ = re.compile(r'Read ([\d.]+) (\w+) of a [\d.]+ \w+ disk in (\d+) '
                  r'requests')
UNITS = {'B': 1, 'KiB': 1024, 'MiB': MiB, 'GiB': 1024 * MiB}


def api_requests(stderr):
    """The API requests a ``--debug`` run logged (no auth, discovery)."""
    count = 0
    for line in stderr.splitlines():
        found = measure.REQUEST.search(line)
        if found and measure.classify(*found.groups()) == 'api':
            count += 1
    return count


class Files:

    def __init__(self, venv, cloud, timeout):
        self.venv = venv
        self.cloud = cloud
        self.timeout = timeout
        self.conn = openstack.connect(cloud=cloud, connect_retries=5)
        self.prefix = 'rcsnap-bench-files-%s' % uuid.uuid4().hex[:6]
        self.scratch = tempfile.mkdtemp(prefix='rcsnap-bench-')
        self.images, self.volumes, self.vsnaps = [], [], []

    def osc(self, *args):
        return self.venv.argv('--os-cloud', self.cloud, *args)

    def disk(self):
        """A 1 GiB disk holding /data/big.bin (1 MiB): (path, sha256)."""
        tree = os.path.join(self.scratch, 'tree')
        os.makedirs(os.path.join(tree, 'data'))
        data = os.urandom(MiB)
        with open(os.path.join(tree, 'data', 'big.bin'), 'wb') as f:
            f.write(data)
        path = os.path.join(self.scratch, 'disk.raw')
        subprocess.run([sys.executable, os.path.join(TOP, 'tools',
                                                     'diskimage.py'),
                        path, '--tree', tree, '--size', '1024'], check=True)
        return path, hashlib.sha256(data).hexdigest()

    def upload(self, path, **props):
        response = self.conn.image.post('/images', json=dict({
            'name': self.prefix, 'disk_format': 'raw',
            'container_format': 'bare', 'visibility': 'private'}, **props))
        sdk_exc.raise_from_response(response)
        image_id = response.json()['id']
        self.images.append(image_id)
        with open(path, 'rb') as f:
            response = self.conn.image.put(
                '/images/%s/file' % image_id, data=f,
                headers={'Content-Type': 'application/octet-stream'})
        sdk_exc.raise_from_response(response)
        return image_id

    def volume_backed(self, image_id):
        block = self.conn.block_storage
        volume = block.create_volume(size=1, image_id=image_id,
                                     name=self.prefix + '-vol')
        self.volumes.append(volume.id)
        block.wait_for_status(volume, 'available', failures=['error'],
                              wait=self.timeout)
        vsnap = block.create_snapshot(volume_id=volume.id,
                                      name=self.prefix + '-vsnap')
        self.vsnaps.append(vsnap.id)
        block.wait_for_status(vsnap, 'available', failures=['error'],
                              wait=self.timeout)
        body = fixtures.snapshot_image_body(self.prefix + '-snap',
                                            [vsnap.id], 1)
        response = self.conn.image.post('/images', json=body)
        sdk_exc.raise_from_response(response)
        self.images.append(response.json()['id'])
        return response.json()['id']

    def get(self, snap_id, wanted):
        """``files get`` with --debug: (seconds, bytes, data requests, API
        requests); the file must be the one put in."""
        out = tempfile.mkdtemp(dir=self.scratch)
        secs, _out, err = measure.run(measure.debug(self.osc(
            'rc', 'snapshot', 'files', 'get', snap_id, '/data/big.bin',
            '--output', out)))
        with open(os.path.join(out, 'big.bin'), 'rb') as f:
            if hashlib.sha256(f.read()).hexdigest() != wanted:
                raise RuntimeError('files get returned other bytes')
        found = READ.search(err)
        read = float(found.group(1)) * UNITS[found.group(2)]
        return secs, read, int(found.group(3)), api_requests(err)

    def save(self, image_id):
        path = os.path.join(self.scratch, 'saved.img')
        secs, _out, err = measure.run(measure.debug(self.osc(
            'image', 'save', image_id, '--file', path)))
        size = os.path.getsize(path)
        os.unlink(path)
        return secs, size, api_requests(err)

    def timed_copy(self, snap_id):
        """``files get`` of a volume-backed snapshot: (seconds until the
        temporary image is ready, seconds in all)."""
        out = tempfile.mkdtemp(dir=self.scratch)
        argv = self.osc('rc', 'snapshot', 'files', 'get', snap_id,
                        '/data/big.bin', '--output', out)
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True,
                                stdin=subprocess.DEVNULL)
        copied = None
        for line in proc.stderr:
            if 'Deleted temporary volume' in line and copied is None:
                copied = time.perf_counter() - start
        if proc.wait() != 0 or copied is None:
            raise RuntimeError('files get of %s failed' % snap_id)
        return copied, time.perf_counter() - start

    def remove(self):
        block = self.conn.block_storage
        for image_id in self.images:
            self.conn.image.delete_image(image_id, ignore_missing=True)
        for vsnap_id in self.vsnaps:
            found = block.find_snapshot(vsnap_id, ignore_missing=True)
            if found is not None:
                block.delete_snapshot(found)
                block.wait_for_delete(found, wait=self.timeout)
        for volume_id in self.volumes:
            block.delete_volume(volume_id, ignore_missing=True)
        shutil.rmtree(self.scratch, ignore_errors=True)
        fixtures.say('removed the files fixtures')


def rows(table, args, venv, seconds):
    """Add the files rows to ``table`` (one run of each side)."""
    bench = Files(venv, args.cloud, args.timeout)
    try:
        path, wanted = bench.disk()
        disk = os.path.getsize(path)
        fixtures.say('uploading the 1 GiB disk')
        image_id = bench.upload(path, image_type='snapshot')
        a_secs, a_bytes, a_reads, a_api = bench.get(image_id, wanted)
        b_secs, b_bytes, b_api = bench.save(image_id)
        table.add('Bytes read: files get of 1 MiB vs image save, 1 GiB '
                  'disk', '%.1f MiB' % (a_bytes / MiB),
                  '%.0f MiB' % (b_bytes / MiB), a_bytes / b_bytes,
                  '<= 0.02', a_bytes <= 0.02 * disk)
        table.add('Requests: files get (ranged GETs + API) vs image save',
                  '%d + %d' % (a_reads, a_api - a_reads), '%d' % b_api)
        table.add('Wall time: files get of 1 MiB vs image save, 1 GiB '
                  'image-backed', seconds(a_secs), seconds(b_secs),
                  a_secs / b_secs, '<= 0.10', a_secs <= 0.1 * b_secs)
        snap_id = bench.volume_backed(image_id)
        copied, total = bench.timed_copy(snap_id)
        table.add('Wall time: files get, volume-backed: temporary copy vs '
                  'reads and cleanup', seconds(copied),
                  seconds(total - copied))
    finally:
        bench.remove()
