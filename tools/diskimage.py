#!/usr/bin/env python3
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

"""Disk images with real filesystems, made without root or loop devices.

    python tools/diskimage.py OUT --tree DIR [--fs ext4|xfs]
        [--table gpt|mbr|none] [--lvm] [--size MIB] [--qcow2]

The files of DIR become the filesystem (ext4: ``mke2fs -d`` at an
offset; XFS: ``mkfs.xfs -p`` with a protofile, in a file then copied in).
The partition table is written by ``sgdisk`` (GPT) or here (MBR);
with ``--lvm`` the partition is an LVM2 physical volume whose label and
metadata are written here (volume group ``vg0``, logical volume
``root``), since the lvm2 tools need device-mapper. ``--qcow2``
converts the result with ``qemu-img convert -c`` (compressed clusters).
Needs e2fsprogs, xfsprogs, gdisk and qemu-utils (Debian).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import uuid
import zlib

MiB = 1024 * 1024
#: Where the partition (or the physical volume's data) starts.
START = MiB
#: The physical volume's data area starts this far into it (as lvm2).
PE_START = MiB
EXTENT = 4 * MiB


def _run(*argv, env=None):
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, **(env or {})))


def _protofile(tree, out):
    """mkfs.xfs's protofile of the files below ``tree``."""
    lines = ['/dev/null', '0 0', 'd--755 0 0']

    def walk(path):
        for name in sorted(os.listdir(path)):
            full = os.path.join(path, name)
            st = os.lstat(full)
            mode = '%03o' % (st.st_mode & 0o777)
            if os.path.islink(full):
                lines.append('%s l--%s 0 0 %s' % (name, mode,
                                                  os.readlink(full)))
            elif os.path.isdir(full):
                lines.append('%s d--%s 0 0' % (name, mode))
                walk(full)
                lines.append('$')
            else:
                lines.append('%s ---%s 0 0 %s' % (name, mode, full))
    walk(tree)
    lines.append('$')
    with open(out, 'wb') as f:
        f.write(os.fsencode('\n'.join(lines) + '\n'))


def filesystem(kind, tree, image, offset, size):
    """Write a filesystem of ``size`` bytes at ``offset`` in ``image``."""
    if kind == 'ext4':
        _run('mke2fs', '-q', '-F', '-t', 'ext4', '-d', tree,
             '-E', 'offset=%d' % offset, image, '%dk' % (size // 1024))
        return
    with tempfile.TemporaryDirectory() as tmp:
        proto, fs = os.path.join(tmp, 'proto'), os.path.join(tmp, 'fs')
        _protofile(tree, proto)
        with open(fs, 'wb') as f:
            f.truncate(size)
        # Small filesystems are refused (300 MB) unless in a test setup.
        _run('mkfs.xfs', '-q', '-f', '-p', proto, fs,
             env={'TEST_DIR': '1', 'TEST_DEV': '1', 'QA_CHECK_FS': '1'})
        _copy_sparse(fs, image, offset)


def _copy_sparse(src, dst, offset):
    with open(src, 'rb') as f, open(dst, 'r+b') as g:
        at = 0
        for chunk in iter(lambda: f.read(MiB), b''):
            if chunk.count(0) != len(chunk):
                g.seek(offset + at)
                g.write(chunk)
            at += len(chunk)


def _crc(data, initial=0xf597a6cf):
    """lvm2's CRC: zlib's polynomial, its own start, no final xor."""
    return zlib.crc32(data, initial ^ 0xffffffff) ^ 0xffffffff


def _lvm_id():
    text = uuid.uuid4().hex[:32]
    return text, '-'.join((text[:6], text[6:10], text[10:14], text[14:18],
                           text[18:22], text[22:26], text[26:]))


def physical_volume(image, offset, size):
    """Write an LVM2 label and metadata at ``offset`` (a partition of
    ``size`` bytes); the offset and size of its logical volume."""
    pv_raw, pv_id = _lvm_id()
    extents = (size - PE_START) // EXTENT
    text = ('vg0 {\nid = "%s"\nseqno = 1\nformat = "lvm2"\n'
            'status = ["RESIZEABLE", "READ", "WRITE"]\nflags = []\n'
            'extent_size = %d\nmax_lv = 0\nmax_pv = 0\nmetadata_copies = 0\n'
            '\nphysical_volumes {\n\npv0 {\nid = "%s"\ndevice = "/dev/vda1"\n'
            'status = ["ALLOCATABLE"]\nflags = []\ndev_size = %d\n'
            'pe_start = %d\npe_count = %d\n}\n}\n\nlogical_volumes {\n\n'
            'root {\nid = "%s"\nstatus = ["READ", "WRITE", "VISIBLE"]\n'
            'flags = []\nsegment_count = 1\n\nsegment1 {\nstart_extent = 0\n'
            'extent_count = %d\n\ntype = "striped"\nstripe_count = 1\n\n'
            'stripes = [\n"pv0", 0\n]\n}\n}\n}\n}\n'
            'contents = "Text Format Volume Group"\nversion = 1\n\n'
            'description = ""\n\ncreation_host = "rcsnap"\n'
            'creation_time = 0\n\0') % (
                _lvm_id()[1], EXTENT // 512, pv_id, size // 512,
                PE_START // 512, extents, _lvm_id()[1], extents)
    text = text.encode()
    mda_start, mda_size = 4096, PE_START - 4096
    label = bytearray(512)
    header = bytearray(512)
    header[0:32] = pv_raw.encode()
    header[32:40] = size.to_bytes(8, 'little')
    # data areas, then metadata areas, each list ended by a zero pair
    areas = [(PE_START, 0), (0, 0), (mda_start, mda_size), (0, 0)]
    for i, (a, b) in enumerate(areas):
        header[40 + 16 * i:48 + 16 * i] = a.to_bytes(8, 'little')
        header[48 + 16 * i:56 + 16 * i] = b.to_bytes(8, 'little')
    label[0:8] = b'LABELONE'
    label[8:16] = (1).to_bytes(8, 'little')
    label[20:24] = (32).to_bytes(4, 'little')
    label[24:32] = b'LVM2 001'
    label[32:] = header[:480]
    label[16:20] = _crc(bytes(label[20:])).to_bytes(4, 'little')
    mda = bytearray(512)
    mda[4:20] = b' LVM2 x[5A%r0N*>'
    mda[20:24] = (1).to_bytes(4, 'little')
    mda[24:32] = mda_start.to_bytes(8, 'little')
    mda[32:40] = mda_size.to_bytes(8, 'little')
    mda[40:48] = (512).to_bytes(8, 'little')
    mda[48:56] = len(text).to_bytes(8, 'little')
    mda[56:60] = _crc(text).to_bytes(4, 'little')
    mda[0:4] = _crc(bytes(mda[4:])).to_bytes(4, 'little')
    with open(image, 'r+b') as f:
        f.seek(offset + 512)
        f.write(label)
        f.seek(offset + mda_start)
        f.write(mda + text)
    return offset + PE_START, extents * EXTENT


def mbr(image, start, length, kind):
    """An MBR with one primary partition (LBA only: CHS all 0xff)."""
    entry = (b'\0' + b'\xff' * 3 + bytes([kind]) + b'\xff' * 3
             + (start // 512).to_bytes(4, 'little')
             + (length // 512).to_bytes(4, 'little'))
    with open(image, 'r+b') as f:
        f.seek(440)
        f.write(uuid.uuid4().bytes[:4] + b'\0\0' + entry + bytes(48)
                + b'\x55\xaa')


def build(out, tree, fs='ext4', table='gpt', lvm=False, size_mib=64,
          qcow2=False):
    size = size_mib * MiB
    raw = out + '.raw' if qcow2 else out
    with open(raw, 'wb') as f:
        f.truncate(size)
    start, length = 0, size
    if table == 'gpt':
        start, length = START, size - START - MiB
        _run('sgdisk', '-n', '1:%d:+%dK' % (START // 512, length // 1024),
             '-t', '1:%s' % ('8e00' if lvm else '8300'), raw)
    elif table == 'mbr':
        start, length = START, size - START
        mbr(raw, start, length, 0x8e if lvm else 0x83)
    if lvm:
        start, length = physical_volume(raw, start, length)
    filesystem(fs, tree, raw, start, length)
    if qcow2:
        _run('qemu-img', 'convert', '-c', '-O', 'qcow2', raw, out)
        os.unlink(raw)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out')
    parser.add_argument('--tree', required=True)
    parser.add_argument('--fs', choices=('ext4', 'xfs'), default='ext4')
    parser.add_argument('--table', choices=('gpt', 'mbr', 'none'),
                        default='gpt')
    parser.add_argument('--lvm', action='store_true')
    parser.add_argument('--size', type=int, default=64, metavar='MIB')
    parser.add_argument('--qcow2', action='store_true')
    args = parser.parse_args(argv)
    build(args.out, args.tree, args.fs, args.table, args.lvm, args.size,
          args.qcow2)


if __name__ == '__main__':
    sys.exit(main())
