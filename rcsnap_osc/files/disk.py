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

"""A disk image's filesystem, opened through libyal's readers over a
Python file object: qcow2 (our own reader) or raw, then a GPT (pyvsgpt) or MBR
(pyvsmbr) partition table, LVM logical volumes (pyvslvm), and ext2/3/4
(pyfsext) or XFS (pyfsxfs). Each layer is a file object over the one
below, so only the blocks the filesystem asks for are read.

The libraries are imported here only, when a command opens a disk.
"""

from rcsnap_osc.cloud import ranged
from rcsnap_osc.files import plan
from rcsnap_osc.files import qcow2


class View(ranged.ReadOnlyFile):
    """A libyal object with ``read_buffer_at_offset`` (a logical
    volume), or a byte range of a file object, as a Python file object
    for the next layer."""

    def __init__(self, source, size, offset=0):
        super().__init__()
        self._source = source
        self._size = size
        self._offset = offset
        self._pos = 0

    def read(self, size=-1):
        size = self.wanted(size)
        if not size:
            return b''
        at = self._offset + self._pos
        if hasattr(self._source, 'read_buffer_at_offset'):
            data = self._source.read_buffer_at_offset(size, at)
        else:
            self._source.seek(at)
            data = self._source.read(size)
        self._pos += len(data)
        return data


def _peek(f, offset, size):
    f.seek(offset)
    return f.read(size)


def unwrap(f):
    """The raw disk of ``f``: itself, or the guest disk of a qcow2
    (:mod:`rcsnap_osc.files.qcow2`)."""
    if _peek(f, 0, 4) == qcow2.MAGIC:
        return qcow2.Qcow2(f)
    return f


def volumes(disk):
    """Each volume of a disk, in order, as (label, number, file object):
    its GPT or MBR partitions, or the whole disk; an LVM physical volume
    among them gives its logical volumes, labelled ``vg/lv``."""
    size = disk.get_size()
    found = []
    table = None
    if _peek(disk, 512, 8) == b'EFI PART':
        import pyvsgpt
        table = pyvsgpt.volume()
    elif _peek(disk, 510, 2) == b'\x55\xaa' and plan.sniff(
            _peek(disk, 0, 4096)) is None:
        import pyvsmbr
        table = pyvsmbr.volume()
    if table is not None:
        table.open_file_object(disk)
        for index in range(table.get_number_of_partitions()):
            part = table.get_partition(index)
            found.append((str(index + 1), View(disk, part.get_size(),
                                               part.get_volume_offset())))
    else:
        found.append(('', View(disk, size)))
    result = []
    for label, view in found:
        if plan.sniff(_peek(view, 0, 4096)) == plan.LVM:
            result.extend(_logical_volumes(view))
        else:
            result.append((label, view))
    return result


def _logical_volumes(view):
    import pyvslvm

    handle = pyvslvm.handle()
    handle.open_file_object(view)
    handle.open_physical_volume_files_as_file_objects([view])
    group = handle.get_volume_group()
    return [('%s/%s' % (group.name, lv.name), View(lv, lv.get_size()))
            for lv in group.logical_volumes]


def identify(view):
    """The kind of filesystem on a volume (:func:`plan.sniff`)."""
    head = _peek(view, 0, 4096)
    kind = plan.sniff(head)
    if kind is None and view.get_size() > 0x10040 + 8:
        kind = plan.sniff_far(_peek(view, 0x10040, 8))
    return kind


def open_filesystem(disk, partition=None):
    """(label, kind, filesystem, volume) of the volume of ``disk`` chosen by
    ``partition`` (a number, ``vg/lv``, or None: the first with a
    filesystem we read); refused in one line otherwise."""
    found = [(label, identify(view), view) for label, view in volumes(disk)]
    label, kind, view = found[plan.choose(
        [(lb, k) for lb, k, _v in found], partition)]
    if kind == plan.EXT:
        import pyfsext
        fs = pyfsext.volume()
    else:
        import pyfsxfs
        fs = pyfsxfs.volume()
    fs.open_file_object(view)
    return label, kind, fs, view
