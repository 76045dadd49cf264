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

"""What ``rc snapshot files`` does: pure decisions. Which filesystem a
volume holds (from its first bytes), which volume to read, the paths
asked for inside the snapshot and where each lands under ``--output``,
and the rows the commands print. Refusals are one line each.
"""

import dataclasses
import datetime
import fnmatch
import os
import stat

from rcsnap_osc.errors import Refused
from rcsnap_osc.i18n import _

EXT = 'ext'
XFS = 'xfs'
LVM = 'lvm'

#: The filesystems the commands read.
READABLE = (EXT, XFS)

#: What each kind is called in a refusal.
NAMES = {EXT: 'ext2/3/4', XFS: 'XFS', LVM: 'LVM', 'ntfs': 'NTFS',
         'luks': _('a LUKS encrypted volume'),
         'bitlocker': _('a BitLocker encrypted volume'),
         'swap': _('swap space'), 'vfat': 'FAT', 'btrfs': 'Btrfs',
         None: _('no filesystem known')}

#: Bytes of a file after which ``get`` shows its progress.
PROGRESS_FROM = 8 * 1024 * 1024


def sniff(head: bytes) -> str | None:
    """The kind of volume whose first 4096 bytes are ``head``, or None."""
    if head[1080:1082] == b'\x53\xef':
        return EXT
    if head[:4] == b'XFSB':
        return XFS
    if any(head[s * 512:s * 512 + 8] == b'LABELONE' for s in range(4)):
        return LVM
    if head[3:11] == b'NTFS    ':
        return 'ntfs'
    if head[3:11] == b'-FVE-FS-':
        return 'bitlocker'
    if head[:6] == b'LUKS\xba\xbe':
        return 'luks'
    if head[4086:4096] in (b'SWAPSPACE2', b'SWAP-SPACE'):
        return 'swap'
    if head[54:59] == b'FAT16' or head[54:59] == b'FAT12' or (
            head[82:87] == b'FAT32'):
        return 'vfat'
    return None


def sniff_far(magic: bytes) -> str | None:
    """Btrfs keeps its magic at 0x10040."""
    return 'btrfs' if magic == b'_BHRfS_M' else None


def _found(found: list[tuple[str, str | None]]) -> str:
    return ', '.join('%s: %s' % (label or _('whole disk'), NAMES.get(
        kind, kind)) for label, kind in found)


def choose(found: list[tuple[str, str | None]],
           partition: str | None) -> int:
    """The index in ``found`` ((label, kind) of each volume) to read: the
    one ``partition`` names, else the first with a filesystem we read."""
    readable = ', '.join(NAMES[k] for k in READABLE)
    if partition is None:
        for index, (_label, kind) in enumerate(found):
            if kind in READABLE:
                return index
        raise Refused(_('No filesystem this command reads (%(readable)s) on '
                        'the disk: found %(found)s.') % {
                            'readable': readable, 'found': _found(found)})
    for index, (label, kind) in enumerate(found):
        if label == partition:
            if kind not in READABLE:
                raise Refused(_(
                    'Partition %(part)s holds %(kind)s, which this command '
                    'cannot read (it reads %(readable)s).') % {
                        'part': partition, 'kind': NAMES.get(kind, kind),
                        'readable': readable})
            return index
    raise Refused(_('No partition %(part)s on the disk: found %(found)s.') % {
        'part': partition, 'found': _found(found)})


def check_partition(text: str) -> str:
    """``--partition``: a number from 1, or ``vg/lv``."""
    if text.isdigit() and int(text) >= 1:
        return str(int(text))
    parts = text.split('/')
    if len(parts) == 2 and all(parts) and '..' not in parts:
        return text
    raise ValueError(_('expected a partition number (1, 2, ...) or a '
                       'logical volume as vg/lv, got %r') % text)


def split_path(text: str) -> list[str]:
    """The components of a path inside the snapshot (from its root; a
    leading ``/`` or none); ``..`` is refused, ``.`` and empty dropped."""
    parts = [p for p in text.split('/') if p not in ('', '.')]
    if '..' in parts:
        raise Refused(_("Path %s: '..' is not allowed; give the path from "
                        "the filesystem's root.") % text)
    return parts


def ext_names(blocks: bytes) -> dict[int, str]:
    """inode -> name of the linear ext directory entries in ``blocks``
    (inode, record length, name length, type, name), names decoded as
    the filesystem's bytes (surrogates for what is not UTF-8)."""
    names, at = {}, 0
    while at + 8 <= len(blocks):
        inode = int.from_bytes(blocks[at:at + 4], 'little')
        length = int.from_bytes(blocks[at + 4:at + 6], 'little')
        size = blocks[at + 6]
        if length < 8:
            break
        if inode:
            names[inode] = os.fsdecode(blocks[at + 8:at + 8 + size])
        at += length
    return names


def join(parts: list[str]) -> str:
    return '/' + '/'.join(parts)


def check_name(name: str, where: str) -> str:
    """A name read from the snapshot's filesystem, safe as one local path
    component."""
    if name in ('', '.', '..') or '/' in name or '\0' in name:
        raise Refused(_('Refusing the name %(name)r in %(where)s: it would '
                        'leave the output directory.') % {
                            'name': name, 'where': where})
    return name


def local_path(output: str, parts: list[str]) -> str:
    """Where ``parts`` (relative, each checked) lands under ``output``."""
    for part in parts:
        check_name(part, output)
    return os.path.join(output, *parts)


def inside(root: str, path: str) -> bool:
    """Whether ``path``, symlinks resolved, stays within ``root``."""
    root = os.path.realpath(root)
    return os.path.commonpath([root, os.path.realpath(path)]) == root


def matches(pattern: str, path: str) -> bool:
    """``find``: a pattern with a ``/`` matches the whole path, one
    without matches the name."""
    if '/' in pattern:
        return fnmatch.fnmatchcase(path, pattern if pattern.startswith('/')
                                   else '/' + pattern)
    return fnmatch.fnmatchcase(path.rsplit('/', 1)[-1], pattern)


def kind_of(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, 'directory'), (stat.S_ISREG, 'file'),
                       (stat.S_ISLNK, 'symlink'), (stat.S_ISCHR, 'char'),
                       (stat.S_ISBLK, 'block'), (stat.S_ISFIFO, 'fifo'),
                       (stat.S_ISSOCK, 'socket')):
        if test(mode):
            return name
    return 'unknown'


@dataclasses.dataclass(frozen=True)
class Entry:
    """One file of the snapshot's filesystem, as the commands show it."""

    path: str
    kind: str
    size: int
    mode: int
    uid: int
    gid: int
    mtime: float
    target: str | None = None

    def row(self, long: bool) -> tuple:
        shown = printable(self.path) + (
            ' -> %s' % printable(self.target) if self.target else '')
        if not long:
            return (shown, self.kind, self.size)
        return (shown, self.kind, self.size, stat.filemode(self.mode),
                '%d:%d' % (self.uid, self.gid), when(self.mtime))


def printable(name: str) -> str:
    """A name as it can be printed: bytes that are not UTF-8 as ``\\xNN``
    escapes."""
    return os.fsencode(name).decode('utf-8', 'backslashreplace')


def when(mtime: float) -> str:
    return datetime.datetime.fromtimestamp(
        mtime, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


COLUMNS = ('Path', 'Type', 'Size')
LONG_COLUMNS = COLUMNS + ('Mode', 'Owner', 'Modified')
GET_COLUMNS = ('Path', 'Type', 'Size', 'Written to')


@dataclasses.dataclass(frozen=True)
class Request:
    """What a files command was asked."""

    snapshot: str
    paths: tuple = ('/',)
    partition: str | None = None
    recursive: bool = False
    output: str = '.'
    force: bool = False
    pattern: str | None = None
    #: Seconds to wait for a volume-backed snapshot's temporary copy.
    timeout: int = 1800
