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

"""A qcow2 image's guest disk as a Python file object: the header, the
L1 and L2 tables, and each cluster, plain, zero or compressed (deflate,
or zstd when the ``zstandard`` module is there), read from the file
object below: only the clusters asked for, and their tables.

Kept rather than libqcow: its Python binding returns zeros for some
compressed clusters written by qemu-img 7.
"""

import functools
import struct
import zlib

from rcsnap_osc.cloud import ranged
from rcsnap_osc.errors import Refused
from rcsnap_osc.i18n import _

MAGIC = b'QFI\xfb'

_HEADER = struct.Struct('>4sIQIIQIIQQIIQ')
_COPIED = 1 << 63
_COMPRESSED = 1 << 62
_OFFSET = ((1 << 56) - 1) & ~0x1ff
_ZERO = 1


class Qcow2(ranged.ReadOnlyFile):
    """The guest disk of the qcow2 image in ``f`` (a seekable file)."""

    def __init__(self, f):
        super().__init__()
        self._f = f
        f.seek(0)
        head = f.read(112)
        (magic, version, backing, _bsize, cluster_bits, size, crypt,
         l1_size, l1_offset, _rc, _rcc, _nsnap, _snaps) = _HEADER.unpack(
            head[:_HEADER.size])
        if magic != MAGIC:
            raise Refused(_('Not a qcow2 image.'))
        if backing:
            raise Refused(_('The qcow2 image has a backing file: it cannot '
                            'be read alone.'))
        if crypt:
            raise Refused(_('The qcow2 image is encrypted.'))
        self._zstd = False
        if version >= 3 and len(head) >= 105:
            header_length = struct.unpack('>I', head[100:104])[0]
            self._zstd = header_length > 104 and head[104] == 1
        self._bits = cluster_bits
        self._cluster = 1 << cluster_bits
        self._size = size
        f.seek(l1_offset)
        self._l1 = struct.unpack('>%dQ' % l1_size, f.read(8 * l1_size))
        self._pos = 0

    def read(self, size=-1):
        return self.read_blocks(size, self._cluster, self._read_cluster)

    @functools.lru_cache(maxsize=64)
    def _l2(self, offset):
        self._f.seek(offset)
        return struct.unpack('>%dQ' % (self._cluster // 8),
                             self._f.read(self._cluster))

    @functools.lru_cache(maxsize=32)
    def _read_cluster(self, index):
        per_table = self._cluster // 8
        l1_index, l2_index = divmod(index, per_table)
        l2_offset = (self._l1[l1_index] & _OFFSET
                     if l1_index < len(self._l1) else 0)
        if not l2_offset:
            return bytes(self._cluster)
        entry = self._l2(l2_offset)[l2_index]
        if entry & _COMPRESSED:
            return self._compressed(entry)
        offset = entry & _OFFSET
        if entry & _ZERO or not offset:
            return bytes(self._cluster)
        self._f.seek(offset)
        return self._f.read(self._cluster).ljust(self._cluster, b'\0')

    def _compressed(self, entry):
        shift = 62 - (self._bits - 8)
        offset = entry & ((1 << shift) - 1)
        sectors = ((entry >> shift) & ((1 << (self._bits - 8)) - 1)) + 1
        self._f.seek(offset)
        data = self._f.read(sectors * 512 - (offset & 511))
        if self._zstd:
            try:
                import zstandard
            except ImportError:
                raise Refused(_('The qcow2 image is compressed with zstd, '
                                'and the zstandard module is missing.'))
            out = zstandard.ZstdDecompressor().decompressobj().decompress(
                data)
        else:
            out = zlib.decompressobj(-12).decompress(data, self._cluster)
        return out[:self._cluster].ljust(self._cluster, b'\0')
