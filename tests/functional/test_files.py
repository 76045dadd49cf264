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

"""``rc snapshot files list|get|find`` against the local cloud: disks with
real filesystems, made by ``tools/diskimage.py`` from a known tree and
uploaded as image-backed snapshots (raw and qcow2; ext4 in GPT, XFS in
GPT, XFS in an LVM logical volume in GPT), and volume-backed snapshots of
servers booted from volumes made from them. Every file got back is
compared (sha256) with what was put into the image; the temporary volume
and image of a volume-backed read are gone after success, failure and
Ctrl-C.
"""

import hashlib
import os
import subprocess
import sys
import tempfile
import time

from testtools import content

from tests.functional import base

DISKIMAGE = os.path.join(base.TOP, 'tools', 'diskimage.py')

#: The disks: name -> diskimage.py arguments.
DISKS = {
    'ext4': ['--fs', 'ext4'],
    'xfs': ['--fs', 'xfs'],
    'lvm': ['--fs', 'xfs', '--lvm'],
}

#: Seconds Cinder and Glance get to finish the deletes asked at Ctrl-C.
SETTLE = 60


def make_tree(root):
    """The files put into every image; their sha256 by path."""
    files = {
        'etc/hostname': b'files-test\n',
        'etc/fstab': b'/dev/vda1 / ext4 defaults 0 1\n',
        'data/results/run-1.csv': os.urandom(200 * 1024),
        'data/results/nested/run-2.csv': os.urandom(5000),
    }
    for path, data in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, 'wb') as f:
            f.write(data)
    os.symlink('/etc/hostname', os.path.join(root, 'data', 'link'))
    return {'/' + p: hashlib.sha256(d).hexdigest() for p, d in files.items()}


def tree_digests(root, under=''):
    """sha256 of each file below ``root``, by path from it."""
    found = {}
    for top, _dirs, names in os.walk(root):
        for name in names:
            full = os.path.join(top, name)
            if os.path.islink(full):
                continue
            with open(full, 'rb') as f:
                found[under + '/' + os.path.relpath(full, root)] = (
                    hashlib.sha256(f.read()).hexdigest())
    return found


class TestFiles(base.FunctionalTest):

    def disks(self):
        """{(kind, format): image ID} of the uploaded disks, and the
        tree's digests; made once for the class."""
        def make():
            work = tempfile.mkdtemp()
            self.addCleanup(subprocess.call, ['rm', '-rf', work])
            tree = os.path.join(work, 'tree')
            digests = make_tree(tree)
            images = {}
            for kind, args in DISKS.items():
                for fmt in ('raw', 'qcow2'):
                    out = os.path.join(work, '%s.%s' % (kind, fmt))
                    subprocess.run(
                        [sys.executable, DISKIMAGE, out, '--tree', tree,
                         '--size', '40'] + args +
                        (['--qcow2'] if fmt == 'qcow2' else []), check=True)
                    with open(out, 'rb') as f:
                        images[kind, fmt] = self.create_image({
                            'name': '%s-%s-%s' % (self.prefix, kind, fmt),
                            'disk_format': fmt, 'container_format': 'bare',
                            'visibility': 'private', 'min_disk': 1,
                            'image_type': 'snapshot'}, data=f.read())
            return images, digests
        return self.class_fixture('disks', make)

    def check_reads(self, snapshot):
        """list / and /etc, get a file and a directory: the bytes put in."""
        _images, digests = self.disks()
        names = [r['Path'] for r in self.rc('files', 'list', snapshot)]
        self.assertIn('/etc', names)
        self.assertIn('/data', names)
        rows = self.rc('files', 'list', snapshot, '/etc', '--long')
        self.assertEqual(['/etc/fstab', '/etc/hostname'],
                         [r['Path'] for r in rows])
        self.assertEqual('-rw-r--r--', rows[1]['Mode'])
        out = tempfile.mkdtemp()
        self.addCleanup(subprocess.call, ['rm', '-rf', out])
        rows = self.rc('files', 'get', snapshot, '/etc/hostname',
                       '/data/results', '--recursive', '--output', out)
        self.assertIn('/data/results/nested/run-2.csv',
                      [r['Path'] for r in rows])
        got = tree_digests(os.path.join(out, 'results'), '/data/results')
        got['/etc/hostname'] = tree_digests(out)['/hostname']
        self.assertEqual({p: d for p, d in digests.items()
                          if p.startswith(('/data/results', '/etc/host'))},
                         got)
        found = self.rc('files', 'find', snapshot, '*.csv')
        self.assertEqual(['/data/results/nested/run-2.csv',
                          '/data/results/run-1.csv'],
                         sorted(r['Path'] for r in found))

    def test_image_backed_raw_and_qcow2(self):
        images, _digests = self.disks()
        for (kind, fmt), image_id in sorted(images.items()):
            self.addDetail('disk', content.text_content(
                '%s %s %s' % (kind, fmt, image_id)))
            self.check_reads(image_id)

    def test_a_path_that_does_not_exist(self):
        images, _digests = self.disks()
        self.assertFailsCleanly(
            'No such file or directory in snapshot', 'rc', 'snapshot',
            'files', 'list', images['ext4', 'raw'], '/etc/nope')

    def test_a_disk_with_no_filesystem_it_knows(self):
        data = bytearray(2 * 1024 * 1024)
        data[3:11] = b'NTFS    '
        image_id = self.create_image({
            'name': '%s-ntfs' % self.prefix, 'disk_format': 'raw',
            'container_format': 'bare', 'visibility': 'private',
            'image_type': 'snapshot'}, data=bytes(data))
        self.assertFailsCleanly(
            'No filesystem this command reads (ext2/3/4, XFS) on the disk: '
            'found whole disk: NTFS.', 'rc', 'snapshot', 'files', 'list',
            image_id)

    def test_a_server_snapshot_of_the_base_image(self):
        """Nova's own snapshot of a server booted from the local cloud's
        base image (a GPT disk with ext4 since tools/localcloud made it
        so; a cloud started before holds other bytes: skipped there)."""
        conn = base.connection()
        image = conn.image.find_image(base.IMAGE, ignore_missing=False)
        head = conn.image.get('/images/%s/file' % image.id, stream=True,
                              headers={'Range': 'bytes=512-519'})
        if head.status_code != 206 or head.content != b'EFI PART':
            self.skipTest('%s is not a GPT disk (a cloud started before '
                          'the base image had a filesystem)' % base.IMAGE)
        server = self.create_image_backed_server()
        snap = self.snapshot_server({'id': server.id})
        out = tempfile.mkdtemp()
        self.addCleanup(subprocess.call, ['rm', '-rf', out])
        self.rc('files', 'get', snap['id'], '/etc/hostname', '--output', out)
        with open(os.path.join(out, 'hostname'), 'rb') as f:
            self.assertEqual(b'base-image\n', f.read())

    # -- volume-backed --------------------------------------------------------

    def volume_backed(self, kind):
        images, _digests = self.disks()
        server = self.create_server(volume_size=1, image=images[kind, 'raw'])
        return self.snapshot_server({'id': server.id})

    def temporaries(self, snap_id):
        """The temporary volume and image a read of ``snap_id`` makes."""
        conn = base.connection()
        name = 'rcsnap-files-%s' % snap_id
        return ([('image', i.id) for i in conn.image.images(name=name)] +
                [('volume', v.id) for v in conn.block_storage.volumes(
                    name=name + '-tmp')])

    def test_volume_backed_ext4_and_lvm(self):
        for kind in ('ext4', 'lvm'):
            snap = self.volume_backed(kind)
            self.check_reads(snap['id'])
            self.assertEqual([], self.temporaries(snap['id']))
            # The copy's progress, then the one error line, exit 1.
            proc = self.rc('files', 'get', snap['id'], '/nope', '--output',
                           tempfile.gettempdir(), parse=False, check=False)
            self.assertEqual(1, proc.returncode, proc.stderr)
            self.assertNotIn('Traceback', proc.stderr)
            self.assertIn('No such file or directory in snapshot',
                          proc.stderr.strip().splitlines()[-1])
            self.assertIn('Deleted temporary volume', proc.stderr)
            self.assertEqual([], self.temporaries(snap['id']))

    def test_volume_backed_ctrl_c_leaves_nothing(self):
        snap = self.volume_backed('ext4')
        code, err = base.interrupt_on('Uploading volume', 'rc', 'snapshot',
                                      'files', 'list', snap['id'], '/etc')
        self.addDetail('stderr', content.text_content(err))
        self.assertEqual(130, code, err)
        self.assertNotIn('Traceback', err)
        deadline = time.monotonic() + SETTLE
        for interval in base.intervals():
            left = self.temporaries(snap['id'])
            if not left or time.monotonic() >= deadline:
                break
            time.sleep(interval)
        self.assertEqual([], left)
