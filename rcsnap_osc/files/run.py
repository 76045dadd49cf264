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

"""``rc snapshot files list|get|find``: a snapshot's files, read with
ranged reads of its image (:mod:`rcsnap_osc.cloud.ranged`), never the
whole disk.

An image-backed snapshot is read straight from Glance. A volume-backed
one's root volume snapshot goes through a temporary volume and a
temporary image (:mod:`rcsnap_osc.cloud.volume_images`), both in the
command's rollback ledger: removed after the command, on failure and on
Ctrl-C. An archived snapshot is refused: it is read once unarchived.
"""

import contextlib
import stat

from rcsnap_osc.cloud import find
from rcsnap_osc.cloud import ranged
from rcsnap_osc.cloud import rollback
from rcsnap_osc.cloud import volume_images
from rcsnap_osc.core import archives
from rcsnap_osc.core import copies
from rcsnap_osc.core import snapshots
from rcsnap_osc.errors import Refused
from rcsnap_osc.files import disk
from rcsnap_osc.files import plan
from rcsnap_osc.files import tree as tree_mod
from rcsnap_osc.files import write
from rcsnap_osc.i18n import _


def snapshot_image(conn, name_or_id):
    """The snapshot's image; an archived one or another image refused."""
    image = find.find_image(conn, name_or_id)
    if archives.is_archived(image):
        raise Refused(_(
            'Snapshot %(name)s (%(id)s) is archived: its files are read once '
            'it is back, with `openstack rc snapshot unarchive %(id)s`.') % {
                'name': image.get('name'), 'id': image['id']})
    if not snapshots.is_instance_snapshot(image):
        raise Refused(
            _("Image %(name)s (%(id)s) is not an instance snapshot.") % {
                'name': image.get('name'), 'id': image['id']})
    return image


def _temporary_image(conn, image, waiter, reporter, ledger):
    """The root disk of a volume-backed snapshot as a temporary raw
    image (recorded in ``ledger``)."""
    ref = copies.root_ref(image)
    vsnap, = volume_images.usable_volume_snapshots(conn, image, [ref])
    source = volume_images.Source(
        vsnap['id'], vsnap['size'], 'rcsnap-files-%s' % image['id'],
        _('Temporary volume to read files of snapshot %s') % image['id'])
    made, = volume_images.to_images(conn, [source], 'raw', waiter, reporter,
                                    ledger)
    return made


@contextlib.contextmanager
def opened(conn, request, reporter):
    """The snapshot's :class:`tree_mod.Tree`, for the block; what it made
    is removed when the block ends, however it ends."""
    image = snapshot_image(conn, request.snapshot)
    waiter = volume_images.Waiter(request.timeout, reporter.progress)
    ledger = rollback.Ledger(conn, reporter, waiter.interval)
    with ledger:
        source = image
        if snapshots.snapshot_type(image) == snapshots.VOLUME_BACKED:
            source = _temporary_image(conn, image, waiter, reporter, ledger)
        counter = ranged.Counter()
        data = ranged.RangedFile(
            ranged.glance_fetch(conn, source['id'], counter),
            source.get('size') or 0)
        raw = disk.unwrap(data)
        _label, kind, fs, volume = disk.open_filesystem(
            raw, request.partition)
        yield tree_mod.Tree(fs, image.get('name') or image['id'], kind,
                            volume)
        reporter.say(_('Read %(bytes)s of a %(size)s disk in %(n)d '
                       'requests') % {
                           'bytes': snapshots.format_size(counter.bytes),
                           'n': counter.requests,
                           'size': snapshots.format_size(raw.get_size())})
    if source is not image:
        volume_images.release_images(conn, [source['id']], reporter)
        ledger.forget(source['id'])


def list_files(conn, request, reporter):
    """The entries at ``request.paths[0]`` (a directory's, recursively
    with ``recursive``; a file's own), as :class:`plan.Entry`."""
    parts = plan.split_path(request.paths[0])
    with opened(conn, request, reporter) as tree:
        item = tree.lookup(parts)
        path = plan.join(parts)
        if not stat.S_ISDIR(item.file_mode):
            return [tree.describe(item, path)]
        return [tree.describe(child, child_path) for child_path, child in
                tree.walk(item, path, request.recursive)]


def find_files(conn, request, reporter):
    """The entries below ``request.paths[0]`` that match
    ``request.pattern`` (:func:`plan.matches`)."""
    parts = plan.split_path(request.paths[0])
    with opened(conn, request, reporter) as tree:
        path = plan.join(parts)
        return [tree.describe(child, child_path) for child_path, child in
                tree.walk(tree.lookup(parts), path)
                if plan.matches(request.pattern, child_path)]


def get_files(conn, request, reporter, stderr):
    """Write each of ``request.paths`` under ``request.output``; the
    rows of what was written."""
    wanted = [plan.split_path(p) for p in request.paths]
    with opened(conn, request, reporter) as tree:
        plans = write.plan_writes(tree, wanted, request)
        return write.write_all(tree, plans, request, stderr)
