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

"""``rc snapshot files list|get|find`` over HTTP fakes that serve real
disk images with Glance's ranged answers: the requests (their exact
``Range`` headers), the output, the files written, and every refusal.

The images in ``tests/unit/data/files`` were made by
``tools/diskimage.py`` from one tree (``/etc/hostname``,
``/data/notes.bin``, ``/data/sub/deep.txt``, the symlinks ``/data/link``
-> ``/etc/hostname`` and ``/data/escape`` -> ``../../../../outside``, and
on ext4 ``/data/caf\\xe9``, a name that is not UTF-8): ext4 in a GPT
partition (raw, and qcow2 with compressed clusters), and XFS in an LVM
logical volume ``vg0/root`` in an MBR partition.
"""

import gzip
import hashlib
import json
import os

import fixtures

from tests.unit import base
from tests.unit import fakes

DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'data',
                        'files')
IMAGES = base.IMAGE_URL + '/v2/images'
IMAGE = '%s/%s' % (IMAGES, fakes.IMAGE_ID)
FILE = IMAGE + '/file'
COPY = '%s/%s' % (IMAGES, fakes.COPY_IMAGE_ID)
VOLUMES = base.VOLUME_URL + '/volumes'
TMP = '%s/%s' % (VOLUMES, fakes.TMP_VOLUME_ID)
SNAPS = base.VOLUME_URL + '/snapshots'

NOTES = b''.join(b'line %06d of the notes\n' % i for i in range(14000))
NOTES_MTIME = 1714564800


def disk(name):
    with gzip.open(os.path.join(DATA_DIR, name + '.gz')) as f:
        return f.read()


def glance_file(data, ignore_range=False):
    """GET .../file as Glance answers it: 206 with Content-Range for a
    satisfiable range, 416 past the end; 200 with everything when
    ``ignore_range``."""
    def answer(request, context):
        asked = request.headers.get('Range')
        context.headers['Content-Type'] = 'application/octet-stream'
        if not asked or ignore_range:
            return data
        start, end = (int(x) for x in asked.split('=')[1].split('-'))
        if start >= len(data):
            context.status_code = 416
            context.headers['Content-Type'] = 'text/html; charset=UTF-8'
            return (b'<html>\n <head>\n  <title>416 Request Range Not '
                    b'Satisfiable</title>\n </head>\n</html>')
        end = min(end, len(data) - 1)
        context.status_code = 206
        context.headers['Content-Range'] = 'bytes %d-%d/%d' % (
            start, end, len(data))
        return data[start:end + 1]
    return answer


class FilesTest(base.TestCommand):

    def setUp(self):
        super().setUp()
        self.out = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                'out')

    def serve(self, name='ext4-gpt.raw', **kwargs):
        data = disk(name)
        fakes.register_image(self.requests, fakes.image_backed_image(
            size=len(data), disk_format=name.rsplit('.', 1)[1]))
        self.requests.get(FILE, content=glance_file(data, **kwargs))
        return data

    def ranges(self):
        return [r.headers.get('Range') for r in self.requests.request_history
                if r.url.endswith('/file')]

    def files(self, *args):
        return self.run_cli('rc', 'snapshot', 'files', *args)


class TestList(FilesTest):

    def test_root_of_an_image_backed_raw_ext4(self):
        self.serve()
        rows = self.run_json('rc', 'snapshot', 'files', 'list',
                             fakes.IMAGE_ID)
        self.assertEqual([
            {'Path': '/data', 'Type': 'directory', 'Size': 0},
            {'Path': '/etc', 'Type': 'directory', 'Size': 0},
            {'Path': '/lost+found', 'Type': 'directory', 'Size': 0}],
            rows)
        calls = self.calls()
        self.assertEqual('GET %s' % IMAGE, calls[0])
        self.assertEqual(['GET %s' % FILE] * (len(calls) - 1), calls[1:])
        # Whole blocks of 128 KiB, the first ones alone, then further
        # ahead while the reads follow each other.
        self.assertEqual('bytes=0-131071', self.ranges()[0])
        self.assertLess(len(self.ranges()), 8)

    def test_long_shows_symlinks_and_names_that_are_not_utf8(self):
        self.serve()
        rows = self.run_json('rc', 'snapshot', 'files', 'list',
                             fakes.IMAGE_ID, '/data', '--long')
        by_path = {r['Path']: r for r in rows}
        self.assertEqual(
            ['/data/caf\\xe9', '/data/escape -> ../../../../outside',
             '/data/link -> /etc/hostname', '/data/notes.bin', '/data/sub'],
            sorted(by_path))
        self.assertEqual({'Path': '/data/notes.bin', 'Type': 'file',
                          'Size': len(NOTES), 'Mode': '-rw-r-----',
                          'Owner': '0:0', 'Modified': '2024-05-01T12:00:00Z'},
                         by_path['/data/notes.bin'])

    def test_recursive_on_xfs_in_lvm(self):
        self.serve('xfs-lvm-mbr.raw')
        rows = self.run_json('rc', 'snapshot', 'files', 'list',
                             fakes.IMAGE_ID, '/data', '--recursive',
                             '--partition', 'vg0/root')
        self.assertEqual(
            ['/data/escape -> ../../../../outside',
             '/data/link -> /etc/hostname', '/data/notes.bin', '/data/sub',
             '/data/sub/deep.txt'], [r['Path'] for r in rows])

    def test_qcow2_with_compressed_clusters(self):
        self.serve('ext4-gpt.qcow2')
        rows = self.run_json('rc', 'snapshot', 'files', 'list',
                             fakes.IMAGE_ID, '/etc/hostname')
        self.assertEqual([{'Path': '/etc/hostname', 'Type': 'file',
                           'Size': 14}], rows)

    def test_a_server_that_ignores_range_is_refused(self):
        self.serve(ignore_range=True)
        line = self.assertFails('refusing to download the whole disk',
                                'rc', 'snapshot', 'files', 'list',
                                fakes.IMAGE_ID)
        self.assertEqual(
            'The image service ignored a ranged read of image %s (HTTP 200 '
            'instead of 206): refusing to download the whole disk.' %
            fakes.IMAGE_ID, line)
        self.assertEqual(['bytes=0-131071'], self.ranges())

    def test_a_read_answered_503_is_retried(self):
        data = self.serve()
        self.requests.get(FILE, [
            {'status_code': 503, 'text': 'Service Unavailable'},
            {'content': glance_file(data)}])
        self.run_json('rc', 'snapshot', 'files', 'list', fakes.IMAGE_ID)
        self.assertEqual(['bytes=0-131071', 'bytes=0-131071'],
                         self.ranges()[:2])

    def test_a_missing_path(self):
        self.serve()
        self.assertFails(
            'No such file or directory in snapshot web-vm-snap: /data/nope',
            'rc', 'snapshot', 'files', 'list', fakes.IMAGE_ID, '/data/nope')

    def test_a_path_through_a_symlink_is_not_followed(self):
        self.serve()
        self.assertFails(
            '/data/link in snapshot web-vm-snap is a symbolic link: it is '
            'not followed.', 'rc', 'snapshot', 'files', 'list',
            fakes.IMAGE_ID, '/data/link/x')

    def test_dot_dot_is_refused_before_any_request(self):
        code, out, err = self.files('list', fakes.IMAGE_ID, '/etc/../root')
        self.assertEqual(1, code)
        self.assertIn("'..' is not allowed", err)
        self.assertEqual([], self.calls())

    def test_a_disk_with_no_filesystem_it_knows(self):
        data = bytearray(1024 * 1024)
        data[3:11] = b'NTFS    '
        fakes.register_image(self.requests, fakes.image_backed_image(
            size=len(data), disk_format='raw'))
        self.requests.get(FILE, content=glance_file(bytes(data)))
        self.assertFails(
            'No filesystem this command reads (ext2/3/4, XFS) on the disk: '
            'found whole disk: NTFS.', 'rc', 'snapshot', 'files', 'list',
            fakes.IMAGE_ID)

    def test_a_partition_that_is_not_there(self):
        self.serve()
        self.assertFails('No partition 2 on the disk: found 1: ext2/3/4.',
                         'rc', 'snapshot', 'files', 'list', fakes.IMAGE_ID,
                         '--partition', '2')

    def test_a_bad_partition_argument(self):
        self.assertBadArgument('expected a partition number', 'rc',
                               'snapshot', 'files', 'list', fakes.IMAGE_ID,
                               '--partition', '0')

    def test_an_archived_snapshot_is_refused(self):
        fakes.register_image(self.requests, fakes.volume_backed_image(
            rcsnap_archived_at='2026-11-21T10:00:00Z',
            rcsnap_archive_disks='1',
            rcsnap_archive_0_backup_id='5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
            rcsnap_archive_0_size_gib='1', rcsnap_archive_0_boot_index='0',
            block_device_mapping='[]'))
        self.assertFails('is archived: its files are read once it is back, '
                         'with `openstack rc snapshot unarchive',
                         'rc', 'snapshot', 'files', 'list', fakes.IMAGE_ID)

    def test_an_image_that_is_not_a_snapshot(self):
        fakes.register_image(self.requests, fakes.image())
        self.assertFails('is not an instance snapshot', 'rc', 'snapshot',
                         'files', 'list', fakes.IMAGE_ID)


class TestFind(FilesTest):

    def test_by_name_and_by_path(self):
        self.serve()
        rows = self.run_json('rc', 'snapshot', 'files', 'find',
                             fakes.IMAGE_ID, '*.txt')
        self.assertEqual(['/data/sub/deep.txt'], [r['Path'] for r in rows])
        rows = self.run_json('rc', 'snapshot', 'files', 'find',
                             fakes.IMAGE_ID, '/etc/*', '--long')
        self.assertEqual(['/etc/hostname'], [r['Path'] for r in rows])
        self.assertEqual('-rw-r--r--', rows[0]['Mode'])


class TestGet(FilesTest):

    def get(self, *args):
        return self.files('get', fakes.IMAGE_ID, '--output', self.out,
                          *args)

    def assertNotes(self, path, mtime=NOTES_MTIME):
        with open(path, 'rb') as f:
            self.assertEqual(hashlib.sha256(NOTES).hexdigest(),
                             hashlib.sha256(f.read()).hexdigest())
        st = os.lstat(path)
        self.assertEqual(0o640, st.st_mode & 0o7777)
        if mtime:
            self.assertEqual(mtime, int(st.st_mtime))

    def test_a_file_keeps_its_mode_and_time(self):
        self.serve()
        code, out, err = self.get('/data/notes.bin', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([{'Path': '/data/notes.bin', 'Type': 'file',
                           'Size': len(NOTES), 'Written to':
                           os.path.join(self.out, 'notes.bin')}],
                         json.loads(out))
        self.assertNotes(os.path.join(self.out, 'notes.bin'))
        self.assertIn('Read ', err)

    def test_from_qcow2_and_xfs_in_lvm(self):
        # mkfs.xfs -p gives every file the time it was made at.
        for name, mtime in (('ext4-gpt.qcow2', NOTES_MTIME),
                            ('xfs-lvm-mbr.raw', 1796650451)):
            self.serve(name)
            code, _out, err = self.get('/data/notes.bin', '--force')
            self.assertEqual(0, code, err)
            self.assertNotes(os.path.join(self.out, 'notes.bin'), mtime)

    def test_a_directory_needs_recursive(self):
        self.serve()
        self.assertFails('/data is a directory: use --recursive', 'rc',
                         'snapshot', 'files', 'get', fakes.IMAGE_ID, '/data',
                         '--output', self.out)
        self.assertFalse(os.path.exists(self.out))

    def test_a_directory_with_symlinks_never_followed(self):
        self.serve()
        code, out, err = self.get('/data', '--recursive', '-f', 'json')
        self.assertEqual(0, code, err)
        data = os.path.join(self.out, 'data')
        self.assertEqual(['caf\udce9', 'escape', 'link', 'notes.bin', 'sub'],
                         sorted(os.listdir(data)))
        self.assertEqual('../../../../outside',
                         os.readlink(os.path.join(data, 'escape')))
        self.assertNotes(os.path.join(data, 'notes.bin'))
        with open(os.path.join(data, 'sub', 'deep.txt')) as f:
            self.assertEqual('nested\n', f.read())
        self.assertEqual(7, len(json.loads(out)))

    def test_nothing_is_overwritten_without_force(self):
        self.serve()
        os.makedirs(self.out)
        target = os.path.join(self.out, 'notes.bin')
        with open(target, 'w') as f:
            f.write('mine')
        self.assertFails('%s exists: use --force to overwrite it.' % target,
                         'rc', 'snapshot', 'files', 'get', fakes.IMAGE_ID,
                         '/etc/hostname', '/data/notes.bin', '--output',
                         self.out)
        self.assertEqual(['notes.bin'], os.listdir(self.out))
        self.assertEqual(0, self.get('/data/notes.bin', '--force')[0])
        self.assertNotes(target)

    def test_a_symlink_in_the_way_is_replaced_not_written_through(self):
        self.serve()
        outside = self.useFixture(fixtures.TempDir()).path
        os.makedirs(self.out)
        os.symlink(os.path.join(outside, 'victim'),
                   os.path.join(self.out, 'hostname'))
        self.assertEqual(0, self.get('/etc/hostname', '--force')[0])
        self.assertEqual([], os.listdir(outside))
        self.assertFalse(os.path.islink(os.path.join(self.out, 'hostname')))

    def test_a_directory_symlink_in_the_way(self):
        self.serve()
        outside = self.useFixture(fixtures.TempDir()).path
        os.makedirs(self.out)
        os.symlink(outside, os.path.join(self.out, 'data'))
        self.assertFails('%s exists: use --force' % os.path.join(
            self.out, 'data'), 'rc', 'snapshot', 'files', 'get',
            fakes.IMAGE_ID, '/data', '--recursive', '--output', self.out)
        code, _out, err = self.get('/data', '--recursive', '--force')
        self.assertEqual(0, code, err)
        self.assertEqual([], os.listdir(outside))
        self.assertFalse(os.path.islink(os.path.join(self.out, 'data')))

    def test_names_that_would_leave_the_output_are_refused(self):
        from rcsnap_osc.files import write

        class Tree:
            def lookup(self, parts):
                return Item()

            def describe(self, item, path):
                return None

            def walk(self, item, path):
                yield path + '/..', Item()

        class Item:
            file_mode = 0o40755

        from rcsnap_osc import errors
        from rcsnap_osc.files import plan
        error = self.assertRaises(
            errors.Refused, write.plan_writes, Tree(), [['data']],
            plan.Request('s', recursive=True, output=self.out))
        self.assertIn("Refusing the name '..'", str(error))
