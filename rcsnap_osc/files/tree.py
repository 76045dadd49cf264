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

"""A snapshot's filesystem as paths and :class:`plan.Entry` rows, over
an opened libyal volume (pyfsext or pyfsxfs): look a path up, list a
directory, walk a tree. Symlinks are shown with their target and never
followed.
"""

import stat

from rcsnap_osc.errors import Refused
from rcsnap_osc.files import plan
from rcsnap_osc.i18n import _


class Tree:
    """The filesystem of one volume of a snapshot's disk."""

    def __init__(self, fs, snapshot, kind=plan.EXT, volume=None):
        self.fs = fs
        self.snapshot = snapshot
        self.kind = kind
        self.volume = volume

    def lookup(self, parts):
        """The entry at ``parts`` (from the root); a missing one refused,
        and so is a symlink on the way (never followed)."""
        item = self.fs.get_root_directory()
        for index, part in enumerate(parts):
            if stat.S_ISLNK(item.file_mode):
                raise Refused(_('%(path)s in snapshot %(snap)s is a '
                                'symbolic link: it is not followed.') % {
                                    'path': plan.join(parts[:index]),
                                    'snap': self.snapshot})
            child = None
            if stat.S_ISDIR(item.file_mode):
                child = dict(self.children(item)).get(part)
            if child is None:
                raise Refused(_('No such file or directory in snapshot '
                                '%(snap)s: %(path)s') % {
                                    'snap': self.snapshot,
                                    'path': plan.join(parts)})
            item = child
        return item

    def describe(self, item, path):
        mode = item.file_mode
        return plan.Entry(
            path=path, kind=plan.kind_of(mode), size=item.size, mode=mode,
            uid=item.owner_identifier, gid=item.group_identifier,
            mtime=item.get_modification_time_as_integer() / 1e9,
            target=(item.symbolic_link_target if stat.S_ISLNK(mode)
                    else None))

    def children(self, item):
        """(name, entry) of each entry of a directory, by name (libfsext's
        lookup by name fails on some directories: names are matched
        here)."""
        found, raw = [], None
        for child in item.sub_file_entries:
            try:
                name = child.name
            except OSError:
                # libyal reads names as UTF-8 only: other bytes are read
                # from the directory itself, kept as surrogates
                # (os.fsdecode) so that they are written back the same.
                if raw is None:
                    raw = self._raw_names(item)
                name = raw.get(child.inode_number)
                if name is None:
                    raise Refused(_(
                        'Cannot read the name of inode %(inode)d in snapshot'
                        ' %(snap)s: it is not UTF-8.') % {
                            'inode': child.inode_number,
                            'snap': self.snapshot})
            found.append((name, child))
        return sorted(found, key=lambda pair: pair[0])

    def _raw_names(self, item):
        """inode -> name of an ext directory's entries, from its blocks
        (linear entries; an htree's index blocks hold none)."""
        if self.kind != plan.EXT or self.volume is None:
            return {}
        blocks = b''
        for index in range(item.number_of_extents):
            offset, size, _flags = item.get_extent(index)
            self.volume.seek(offset)
            blocks += self.volume.read(size)
        return plan.ext_names(blocks)

    def walk(self, item, path, recursive=True):
        """(path, entry) of everything below a directory, depth first."""
        for name, child in self.children(item):
            child_path = path.rstrip('/') + '/' + name
            yield child_path, child
            if recursive and stat.S_ISDIR(child.file_mode):
                yield from self.walk(child, child_path)
