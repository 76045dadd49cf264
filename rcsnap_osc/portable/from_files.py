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

"""``rc snapshot import``: the files of an export made an instance snapshot
of the current project again.

Every file is checked against the manifest (size and sha256) before
anything is made. ``--as image`` uploads the one disk as an instance
snapshot image. ``--as volume-backed`` uploads each disk to a temporary
image, makes a volume of it and a Cinder snapshot of the volume, then a
0-byte image whose ``block_device_mapping`` is written as Nova writes it;
the temporary images are deleted. The volumes stay: Cinder keeps a
snapshot's volume while the snapshot exists, as it keeps a snapshotted
server's. On any failure or interrupt, whatever was made is deleted.
"""

import dataclasses
import os
import sys

from openstack import exceptions as sdk_exc
from oslo_utils import uuidutils

from rcsnap_osc.cloud import interrupts
from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import rollback
from rcsnap_osc.cloud import transfer
from rcsnap_osc.cloud import volume_images
from rcsnap_osc.cloud import waits
from rcsnap_osc.core import archives
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.portable import manifest


def read(directory, stderr=sys.stderr):
    """The checked manifest of an export; every file is read and hashed
    (nothing is made in the cloud yet)."""
    path = os.path.join(directory, manifest.NAME)
    try:
        with open(path) as f:
            text = f.read()
    except OSError as exc:
        raise errors.Refused(_('Cannot read %(path)s: %(why)s') % {
            'path': path, 'why': exc.strerror or exc})
    document = manifest.load(text, directory)
    for disk in document['disks']:
        file_path = os.path.join(directory, disk['file'])
        size = (os.path.getsize(file_path) if os.path.isfile(file_path)
                else None)
        manifest.check_file(disk, size, None)
        meter = transfer.Meter(stderr, _('checking %s') % disk['file'], size,
                               quiet=True)
        manifest.check_file(disk, size, transfer.file_digest(
            file_path, meter=meter))
        meter.finish()
    return document


def create_image(conn, attrs, ledger):
    """A new queued image (POST /images) with these fields and
    properties, written on the ``ledger``; a Glance-shaped dict.

    Its ID is chosen here: when the answer never comes (Ctrl-C while
    Glance makes it), the ledger still knows which image to remove, and
    no other image can have that ID (or the caller chose it: ``id``)."""
    attrs = dict(attrs, id=attrs.get('id') or uuidutils.generate_uuid())
    try:
        response = conn.image.post('/images', json=attrs)
    except BaseException:  # cut short: Glance may have made it
        ledger.made('image', attrs['id'])
        raise
    sdk_exc.raise_from_response(response)
    ledger.made('image', attrs['id'])
    return response.json()


def upload_disk(conn, disk, name, ledger, put, attrs=None):
    """A new image holding a disk's data (``put(image_id, disk)`` sends
    it); its ID."""
    body = dict(attrs or {}, name=name, disk_format=disk['disk_format'],
                container_format=disk.get('container_format') or 'bare',
                visibility='private')
    image = create_image(conn, body, ledger)
    put(image['id'], disk)
    return image['id']


def volume_type_names(conn):
    """The names of the volume types this project can use (one listing)."""
    return [t.name for t in conn.block_storage.types()]


def volume_types(conn, disks, override=None):
    """The volume type of each disk's volume (None: the default), checked
    against the project's types: refused before anything is made. No
    request when no disk names a type and none is asked for."""
    if not override and not any(d.get('volume_type') for d in disks):
        return [None] * len(disks)
    return manifest.volume_types(disks, volume_type_names(conn), override)


def import_snapshot(conn, request):
    """Import an export (:class:`request.Request`: ``directory``, ``name``,
    ``kind``, ``volume_type``); return the new snapshot's Glance-shaped
    dict and the IDs of the volumes its volume snapshots were made of."""
    directory, stderr = request.directory, request.stderr
    document = read(directory, stderr)
    kind = manifest.import_kind(document, request.kind, request.volume_type)
    types = (volume_types(conn, document['disks'], request.volume_type)
             if kind == 'volume-backed' else None)

    def put(image_id, disk):
        transfer.upload(conn, image_id, os.path.join(directory, disk['file']),
                        disk['sha256'], stderr)
    return make_snapshot(conn, document, dataclasses.replace(
        request, kind=kind), put, types)


def make_snapshot(conn, document, request, put, types=None):
    """An instance snapshot made of a manifest's disks
    (:class:`request.Request`: ``name``, ``kind``), whose data
    ``put(image_id, disk)`` uploads; (Glance-shaped dict, volume IDs).
    ``types`` are the volume types of a volume-backed one's volumes
    (:func:`volume_types`; None: each the cloud's default).

    Whatever was made is deleted on any failure or interrupt.
    """
    kind = manifest.import_kind(document, request.kind)
    types = types or [None] * len(document['disks'])
    name = (request.name or document['snapshot'].get('name')
            or 'imported-snapshot')
    request = dataclasses.replace(request, name=name, kind=kind)
    say = request.say
    volumes = []
    with rollback.Ledger(conn, request.reporter,
                         request.waiter.interval) as ledger:
        if kind == 'image':
            image_id = upload_disk(
                conn, document['disks'][0], name, ledger, put,
                manifest.image_attributes(document, name))
            say(_('Uploaded image %s') % image_id)
        else:
            image_id = _volume_backed(conn, document, request, ledger, put,
                                      types)
            volumes = ledger.ids('volume')
        image = volume_images.get_image(conn, image_id)
    return reads.image_record(image), volumes


def _volume_backed(conn, document, request, ledger, put, types):
    name, waiter, say = request.name, request.waiter, request.say
    disks = document['disks']
    uploads = []
    for index, disk in enumerate(disks):
        image_id = upload_disk(conn, disk, '%s-import-%d' % (name, index),
                               ledger, put)
        uploads.append(image_id)
        say(_('Uploaded temporary image %s') % image_id)
    volumes = []
    # The snapshot's image ID, chosen now: its volumes name it (metadata)
    # and it records them, as unarchive does, so that delete removes them.
    snapshot_id = uuidutils.generate_uuid()
    for index, (disk, image_id) in enumerate(zip(disks, uploads)):
        extra = {'volume_type': types[index]} if types[index] else {}
        with interrupts.held():
            volume = conn.block_storage.create_volume(
                image_id=image_id, size=manifest.disk_gib(disk),
                name='%s-disk-%d' % (name, index),
                description=_('Volume of imported snapshot %s') % name,
                metadata={archives.BACKUP_IMAGE_KEY: snapshot_id}, **extra)
            ledger.made('volume', volume.id, label=_('temporary volume'))
        volumes.append(volume.id)
        say(_('Creating volume %(vol)s from image %(image)s') % {
            'vol': volume.id, 'image': image_id})
    vsnaps = []
    for index, volume_id in enumerate(volumes):
        waiter.until(waits.cinder(_('Volume %s') % volume_id),
                     lambda: volume_images.get_volume(conn, volume_id),
                     ('available',), volume_images.VOLUME_FAILED)
        with interrupts.held():
            vsnap = conn.block_storage.create_snapshot(
                volume_id=volume_id, name='snapshot for %s' % name)
            ledger.made('volume snapshot', vsnap.id)
        vsnaps.append(vsnap.id)
        say(_('Creating volume snapshot %(snap)s of volume %(vol)s') % {
            'snap': vsnap.id, 'vol': volume_id})
    for vsnap_id in vsnaps:
        waiter.until(waits.cinder(_('Volume snapshot %s') % vsnap_id),
                     lambda: reads.or_none(conn.block_storage.get_snapshot,
                                           vsnap_id), ('available',),
                     snapshots.VOLUME_SNAPSHOT_FAILED)
    image = create_image(conn, dict(
        manifest.volume_backed_attributes(document, name, vsnaps, types),
        id=snapshot_id, disk_format='raw', container_format='bare',
        visibility='private', **archives.source_properties(volumes)),
        ledger)
    transfer.put_data(conn, image['id'], b'')  # as Nova does
    say(_('Made snapshot image %s') % image['id'])
    kept = volume_images.release_images(conn, uploads, request.reporter)
    for image_id in uploads:
        if image_id not in kept:
            ledger.forget(image_id)
    return image['id']
