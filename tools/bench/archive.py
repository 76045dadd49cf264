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

"""The archive rows: ``rc snapshot archive --wait`` of a 1 GiB volume
full of random bytes, ``--full`` against incremental (the volume
unchanged since the last backup), wall time and bytes written.

The fixture: a 1 GiB raw image of random bytes, a volume made from it
(Cinder copies the bytes), and for each run a volume snapshot of it with
an image that refers to it as Nova writes one. Bytes written are read
from the backup driver's files where ``--backup-dir`` names them (the
local cloud: ``.localcloud/cinder/backups``), else not shown. Everything
is removed at the end, the backups newest first (an incremental one
before the backup it builds on).
"""

import json
import os
import subprocess
import time
import uuid

import openstack

import fixtures

GiB = 1024 ** 3


def _size(path):
    if not path or not os.path.isdir(path):
        return None
    return sum(os.path.getsize(os.path.join(d, f))
               for d, _dirs, files in os.walk(path) for f in files)


class Archive:

    def __init__(self, args, venv):
        self.args = args
        self.venv = venv
        self.conn = openstack.connect(cloud=args.cloud)
        self.prefix = 'rcsnap-bench-archive-%s' % uuid.uuid4().hex[:6]
        self.images, self.volume = [], None

    def make_volume(self):
        fixtures.say('archive: uploading a 1 GiB image of random bytes')
        image = self.conn.image.create_image(
            name=self.prefix + '-data', disk_format='raw',
            container_format='bare', data=os.urandom(GiB))
        self.images.append(image.id)
        volume = self.conn.block_storage.create_volume(
            size=1, image_id=image.id, name=self.prefix + '-vol')
        self.volume = volume.id
        self.conn.block_storage.wait_for_status(volume, 'available',
                                                wait=self.args.timeout)

    def snapshot(self, tag):
        block = self.conn.block_storage
        snap = block.create_snapshot(volume_id=self.volume, force=True,
                                     name='snapshot for %s' % tag)
        block.wait_for_status(snap, 'available', wait=self.args.timeout)
        mapping = json.dumps([{
            'boot_index': 0, 'device_name': '/dev/vda',
            'source_type': 'snapshot', 'destination_type': 'volume',
            'snapshot_id': snap.id, 'volume_size': 1,
            'delete_on_termination': False}])
        response = self.conn.image.post('/images', json={
            'name': '%s-%s' % (self.prefix, tag), 'disk_format': 'raw',
            'container_format': 'bare', 'visibility': 'private',
            'bdm_v2': 'True', 'block_device_mapping': mapping,
            'root_device_name': '/dev/vda'})
        image_id = response.json()['id']
        self.images.append(image_id)
        return image_id

    def archive(self, image_id, *flags):
        before = _size(self.args.backup_dir)
        argv = self.venv.argv('--os-cloud', self.args.cloud, 'rc',
                              'snapshot', 'archive', image_id, '--wait',
                              *flags, '-f', 'json')
        started = time.monotonic()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        took = time.monotonic() - started
        after = _size(self.args.backup_dir)
        return took, None if before is None else after - before

    def remove(self):
        block = self.conn.block_storage
        for image_id in self.images:
            self.conn.image.delete_image(image_id, ignore_missing=True)
        ours = [b for b in block.backups(details=True)
                if (b.metadata or {}).get('rcsnap_image_id') in self.images]
        for backup in sorted(ours, key=lambda b: b.created_at,
                             reverse=True):
            block.delete_backup(backup.id, ignore_missing=True)
            block.wait_for_delete(backup, wait=self.args.timeout)
        for snap in block.snapshots(volume_id=self.volume):
            block.delete_snapshot(snap.id, ignore_missing=True)
            block.wait_for_delete(snap, wait=self.args.timeout)
        if self.volume:
            block.delete_volume(self.volume, ignore_missing=True)


def _median(values):
    return sorted(values)[len(values) // 2]


def rows(table, args, venv, seconds):
    """Full against incremental archives of the same 1 GiB volume, each
    ``args.archive_runs`` times, alternately: wall time and bytes."""
    made = Archive(args, venv)
    try:
        made.make_volume()
        full, incremental = [], []
        for n in range(args.archive_runs):
            full.append(made.archive(made.snapshot('full-%d' % n),
                                     '--full'))
            incremental.append(made.archive(made.snapshot('inc-%d' % n)))
        a = _median([t for t, _ in incremental])
        b = _median([t for t, _ in full])
        table.add('Wall time: rc snapshot archive --wait of a 1 GiB volume, '
                  'incremental (unchanged) vs --full', seconds(a),
                  seconds(b), a / b, '<= 0.20', a / b <= 0.2)
        if full[0][1] is not None:
            a = _median([w for _, w in incremental])
            b = _median([w for _, w in full])
            table.add('Bytes written by the backup driver: the same',
                      '%d' % a, '%d' % b, a / b, '<= 0.05', a / b <= 0.05)
    finally:
        made.remove()
