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

"""``rc snapshot export``: an instance snapshot out of the cloud, as disk
files and a ``manifest.json``.

An image-backed snapshot's data is streamed as it is. A volume-backed
one's volume snapshots go through the
:mod:`rcsnap_osc.cloud.volume_images` pipeline
(temporary volume, upload to a temporary image), each image is streamed,
and the temporaries are deleted; on any failure or interrupt too, while a
partial file stays for the next run to resume.
"""

import dataclasses
import os
import shutil

from rcsnap_osc.cloud import find
from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import rollback
from rcsnap_osc.cloud import transfer
from rcsnap_osc.cloud import volume_images
from rcsnap_osc.core import snapshots
from rcsnap_osc.i18n import _
from rcsnap_osc.portable import manifest


@dataclasses.dataclass
class Exported:
    """What an export wrote."""

    image: dict
    directory: str
    document: dict

    @property
    def files(self):
        return [d['file'] for d in self.document['disks']]

    @property
    def size(self):
        return sum(d['size'] for d in self.document['disks'])


def source_of(conn):
    """Where the snapshot comes from, for the manifest."""
    return {'region': conn.config.get_region_name('image') or None,
            'project_id': conn.current_project_id}


def gather(conn, name_or_id, disk_format, which):
    """The snapshot, its kind and the disks to export (nothing written)."""
    image = find.find_snapshot_image(conn, name_or_id)
    summary = reads.summarize(conn, image)
    if summary.type == snapshots.IMAGE_BACKED:
        disk = manifest.disk_entry(0, image.get('disk_format') or 'raw',
                                   boot_index=0,
                                   size_gib=image.get('min_disk') or None)
        needed = image.get('size') or 0
        return image, summary, [disk], needed
    manifest.check_exportable(summary)
    disks = manifest.volume_disks(image, summary.devices, disk_format, which)
    needed = sum((d['size_gib'] or 0) * snapshots.GiB for d in disks)
    return image, summary, disks, needed


def export(conn, request):
    """Export a snapshot (:class:`request.Request`: ``snapshot``,
    ``directory``, ``disk_format``, ``volumes``) into its directory;
    return :class:`Exported`.

    Refused before anything is made in the cloud when the directory lacks
    the free space the disks need at most.
    """
    directory, stderr = request.directory, request.stderr
    image, summary, disks, needed = gather(
        conn, request.snapshot, request.disk_format, request.volumes)
    os.makedirs(directory, exist_ok=True)
    have = sum(os.path.getsize(p) for p in (
        os.path.join(directory, d['file'] + transfer.PART) for d in disks)
        if os.path.exists(p))
    manifest.check_free_space(needed - have,
                              shutil.disk_usage(directory).free, directory)
    if summary.type == snapshots.IMAGE_BACKED:
        _fill(disks[0], *transfer.download(
            conn, image, os.path.join(directory, disks[0]['file']), stderr))
    else:
        sources = volume_images.disk_sources(
            image, disks, 'export',
            _('Temporary volume for an export of snapshot %s') % image['id'])

        def stream(images):
            for disk, made in zip(disks, images):
                _fill(disk, *transfer.download(
                    conn, made, os.path.join(directory, disk['file']),
                    stderr))
            volume_images.release_images(
                conn, [i['id'] for i in images], request.reporter)

        volume_images.copy_then(
            rollback.Ledger(conn, request.reporter, request.waiter.interval),
            sources,
            request.disk_format, request.waiter, stream)
    document = manifest.build(image, summary.type, source_of(conn), disks)
    with open(os.path.join(directory, manifest.NAME), 'w') as f:
        f.write(manifest.dumps(document))
    return Exported(image, directory, document)


def _fill(disk, size, sha256):
    disk['size'] = size
    disk['sha256'] = sha256
