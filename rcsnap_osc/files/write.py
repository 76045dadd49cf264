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

"""``rc snapshot files get``: a snapshot's files written under
``--output``, with their mode and modification time.

Everything to write is planned first (names checked, what exists already
refused without ``--force``), so a refusal writes nothing. Nothing is
written outside the output directory: names are single components
(:func:`plan.check_name`), each parent is checked to resolve inside it,
files are opened with ``O_NOFOLLOW`` and a symlink in the way is
replaced, never written through; a symlink of the snapshot is made as a
symlink, never followed.
"""

import dataclasses
import os
import stat

from rcsnap_osc.cloud import transfer
from rcsnap_osc.errors import Refused
from rcsnap_osc.files import plan
from rcsnap_osc.i18n import _

CHUNK = 1024 * 1024


@dataclasses.dataclass
class Write:
    """One entry to write: where (``local``), what (``entry``, the libyal
    file entry), and how it is shown (``row``, a :class:`plan.Entry`)."""

    local: str
    entry: object
    row: plan.Entry


def plan_writes(tree, wanted, request):
    """The :class:`Write` of each path asked for and, with
    ``recursive``, of everything below a directory; refused before
    anything is written."""
    output = request.output
    writes = []
    for parts in wanted:
        item = tree.lookup(parts)
        path = plan.join(parts)
        if stat.S_ISDIR(item.file_mode) and not request.recursive:
            raise Refused(_('%s is a directory: use --recursive to get it '
                            'and what it holds.') % path)
        top = parts[-1:]
        writes.append(Write(plan.local_path(output, top), item,
                            tree.describe(item, path)))
        if stat.S_ISDIR(item.file_mode):
            for child_path, child in tree.walk(item, path):
                rel = top + child_path[len(path):].strip('/').split('/')
                writes.append(Write(plan.local_path(output, rel), child,
                                    tree.describe(child, child_path)))
    if not request.force:
        for one in writes:
            if os.path.lexists(one.local) and one.local != output:
                raise Refused(_('%s exists: use --force to overwrite it.')
                              % one.local)
    return writes


def write_all(tree, writes, request, stderr):
    """Write what :func:`plan_writes` planned; the rows written."""
    output = request.output
    os.makedirs(output, exist_ok=True)
    rows, directories = [], []
    for one in writes:
        if not plan.inside(output, os.path.dirname(one.local) or '.'):
            raise Refused(_('Refusing to write %s: it resolves outside the '
                            'output directory.') % one.local)
        kind = one.row.kind
        if kind == 'directory':
            if one.local != output:
                _make_directory(one.local)
            directories.append(one)
        elif kind == 'file':
            _clear(one.local)
            _write_file(one, stderr)
        elif kind == 'symlink':
            _clear(one.local)
            os.symlink(one.row.target, one.local)
            os.utime(one.local, (one.row.mtime, one.row.mtime),
                     follow_symlinks=False)
        else:
            stderr.write(_('Skipped %(path)s: a %(kind)s is not copied\n') %
                         {'path': one.row.path, 'kind': kind})
            continue
        rows.append(one.row.row(False) + (plan.printable(one.local),))
    for one in reversed(directories):
        os.chmod(one.local, stat.S_IMODE(one.row.mode))
        os.utime(one.local, (one.row.mtime, one.row.mtime))
    return rows


def _clear(path):
    """Remove a file or symlink in the way (only with --force: planned)."""
    if os.path.isdir(path) and not os.path.islink(path):
        raise Refused(_('%s is a directory: not replaced by a file.') % path)
    if os.path.lexists(path):
        os.unlink(path)


def _make_directory(path):
    if os.path.islink(path) or (os.path.lexists(path)
                                and not os.path.isdir(path)):
        os.unlink(path)
    os.makedirs(path, mode=0o700, exist_ok=True)


def _write_file(one, stderr):
    size = one.row.size
    meter = (transfer.Meter(stderr, one.row.path, size)
             if size >= plan.PROGRESS_FROM else None)
    fd = os.open(one.local, os.O_WRONLY | os.O_CREAT | os.O_EXCL |
                 os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, 'wb') as f:
        one.entry.seek_offset(0)
        left = size
        while left:
            data = one.entry.read_buffer(min(CHUNK, left))
            if not data:
                raise Refused(_('%s ended early in the snapshot.') % (
                    one.row.path))
            f.write(data)
            left -= len(data)
            if meter:
                meter.add(len(data))
        os.fchmod(f.fileno(), stat.S_IMODE(one.row.mode))
    if meter:
        meter.finish()
    os.utime(one.local, (one.row.mtime, one.row.mtime))
