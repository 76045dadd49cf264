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

"""The pure decisions of ``rc snapshot files``: what a volume holds,
which one is read, the paths asked for and where they land."""

import os
import stat

import testtools

from rcsnap_osc import errors
from rcsnap_osc.files import plan


def head(at, magic, size=4096):
    data = bytearray(size)
    data[at:at + len(magic)] = magic
    return bytes(data)


class TestSniff(testtools.TestCase):

    def test_kinds(self):
        for data, kind in (
                (head(1080, b'\x53\xef'), plan.EXT),
                (head(0, b'XFSB'), plan.XFS),
                (head(512, b'LABELONE'), plan.LVM),
                (head(0, b'LABELONE'), plan.LVM),
                (head(3, b'NTFS    '), 'ntfs'),
                (head(3, b'-FVE-FS-'), 'bitlocker'),
                (head(0, b'LUKS\xba\xbe'), 'luks'),
                (head(4086, b'SWAPSPACE2'), 'swap'),
                (head(82, b'FAT32'), 'vfat'),
                (bytes(4096), None)):
            self.assertEqual(kind, plan.sniff(data))
        self.assertEqual('btrfs', plan.sniff_far(b'_BHRfS_M'))
        self.assertIsNone(plan.sniff_far(bytes(8)))


class TestChoose(testtools.TestCase):

    def test_first_readable(self):
        self.assertEqual(1, plan.choose(
            [('1', 'vfat'), ('2', plan.EXT), ('3', plan.XFS)], None))

    def test_named(self):
        found = [('1', plan.EXT), ('vg0/root', plan.XFS)]
        self.assertEqual(1, plan.choose(found, 'vg0/root'))
        self.assertEqual(0, plan.choose(found, '1'))

    def test_nothing_readable_names_what_was_found(self):
        error = self.assertRaises(errors.Refused, plan.choose,
                                  [('1', 'vfat'), ('2', 'ntfs'), ('3', None)],
                                  None)
        self.assertEqual(
            'No filesystem this command reads (ext2/3/4, XFS) on the disk: '
            'found 1: FAT, 2: NTFS, 3: no filesystem known.', str(error))
        error = self.assertRaises(errors.Refused, plan.choose,
                                  [('', 'luks')], None)
        self.assertIn('whole disk: a LUKS encrypted volume', str(error))

    def test_named_unreadable_or_missing(self):
        found = [('1', 'ntfs'), ('2', plan.EXT)]
        self.assertEqual(
            'Partition 1 holds NTFS, which this command cannot read (it '
            'reads ext2/3/4, XFS).',
            str(self.assertRaises(errors.Refused, plan.choose, found, '1')))
        self.assertEqual(
            'No partition 3 on the disk: found 1: NTFS, 2: ext2/3/4.',
            str(self.assertRaises(errors.Refused, plan.choose, found, '3')))

    def test_check_partition(self):
        self.assertEqual('2', plan.check_partition('02'))
        self.assertEqual('vg0/root', plan.check_partition('vg0/root'))
        for bad in ('0', '-1', 'x', 'a/b/c', 'vg/', '../x', ''):
            self.assertRaises(ValueError, plan.check_partition, bad)


class TestPaths(testtools.TestCase):

    def test_split(self):
        self.assertEqual([], plan.split_path('/'))
        self.assertEqual(['etc', 'hosts'], plan.split_path('etc//./hosts'))
        self.assertEqual(['etc'], plan.split_path('/etc/'))
        self.assertEqual('/etc/hosts', plan.join(['etc', 'hosts']))

    def test_dot_dot_is_refused(self):
        error = self.assertRaises(errors.Refused, plan.split_path,
                                  '/etc/../root')
        self.assertEqual("Path /etc/../root: '..' is not allowed; give the "
                         "path from the filesystem's root.", str(error))

    def test_names_from_the_snapshot_stay_one_component(self):
        for bad in ('..', '.', '', 'a/b', 'a\0b'):
            error = self.assertRaises(errors.Refused, plan.local_path,
                                      '/out', ['data', bad])
            self.assertIn('it would leave the output directory', str(error))
        self.assertEqual('/out/data/caf\udce9',
                         plan.local_path('/out', ['data', 'caf\udce9']))

    def test_inside(self):
        root = self.useFixture(__import__('fixtures').TempDir()).path
        os.mkdir(os.path.join(root, 'in'))
        os.symlink('/tmp', os.path.join(root, 'out'))
        self.assertTrue(plan.inside(root, os.path.join(root, 'in')))
        self.assertFalse(plan.inside(root, os.path.join(root, 'out')))
        self.assertFalse(plan.inside(root, os.path.join(root, '..')))

    def test_matches(self):
        self.assertTrue(plan.matches('*.conf', '/etc/ssh/sshd.conf'))
        self.assertFalse(plan.matches('*.conf', '/etc/conf.d'))
        self.assertTrue(plan.matches('/etc/*.conf', '/etc/ssh/sshd.conf'))
        self.assertTrue(plan.matches('etc/ssh/*', '/etc/ssh/sshd.conf'))
        self.assertFalse(plan.matches('/var/*', '/etc/x'))

    def test_non_utf8_names(self):
        self.assertEqual('caf\\xe9', plan.printable('caf\udce9'))
        self.assertEqual('café', plan.printable('café'))
        entry = (b'\x0c\x00\x00\x00' + (16).to_bytes(2, 'little') +
                 b'\x04\x01caf\xe9\x00\x00\x00\x00' +
                 b'\x0d\x00\x00\x00' + (12).to_bytes(2, 'little') +
                 b'\x04\x01abcd' + b'\x00\x00\x00\x00' +
                 (12).to_bytes(2, 'little') + b'\x00\x00' + bytes(4))
        self.assertEqual({12: 'caf\udce9', 13: 'abcd'},
                         plan.ext_names(entry))


class TestEntry(testtools.TestCase):

    def test_rows(self):
        entry = plan.Entry('/data/link', 'symlink', 13,
                           stat.S_IFLNK | 0o777, 0, 0, 1714564800.0,
                           '/etc/hostname')
        self.assertEqual(('/data/link -> /etc/hostname', 'symlink', 13),
                         entry.row(False))
        self.assertEqual(('/data/link -> /etc/hostname', 'symlink', 13,
                          'lrwxrwxrwx', '0:0', '2024-05-01T12:00:00Z'),
                         entry.row(True))
        self.assertEqual('fifo', plan.kind_of(stat.S_IFIFO))
