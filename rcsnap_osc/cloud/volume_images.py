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

"""Images of volume snapshots, made through temporary volumes: the
``share --copy`` pipeline (a standalone image of a volume-backed snapshot's
root disk) and ``launch --independent`` (an image of each volume, which the
new server's volumes are made from). On any failure or interrupt it removes
what it created, and says what it could not.
"""

import dataclasses

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import interrupts
from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import waits
from rcsnap_osc.core import copies
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

VOLUME_FAILED = frozenset(('error', 'error_restoring', 'error_extending',
                           'error_deleting', 'deleting'))

#: Glance's media type for JSON-patch image updates.
PATCH_TYPE = 'application/openstack-images-v2.1-json-patch'


class Waiter:
    """Polls until a state is reached, a failure seen or a deadline passed.

    Kept rather than the proxies' ``wait_for_status``: their callback gets
    a percentage, not the status our progress and errors name, and one
    deadline here spans every wait of the pipeline.

    ``progress(label)`` returns a callable taking ``(elapsed, pending)``.
    """

    def __init__(self, timeout, progress, interval=waits.INTERVAL):
        self.deadline = waits.Deadline(timeout, interval)
        self.interval = interval
        self.timeout = timeout
        self.progress = progress

    def until(self, subject, fetch, wanted, failed):
        """Poll ``fetch()`` (a resource, None when gone) until its status
        is in ``wanted``; return the resource. ``subject``: a
        :class:`waits.Subject`."""
        return waits.until_status(self.deadline, subject, fetch, wanted,
                                  failed, self.progress(subject.label))


def get_volume(conn, volume_id):
    """A volume, or None when it is gone."""
    return reads.or_none(conn.block_storage.get_volume, volume_id)


def get_image(conn, image_id):
    """An image, or None when it is gone."""
    return reads.or_none(conn.image.get_image, image_id)


def set_image_attributes(conn, image_id, attrs, remove=()):
    """Set image fields and properties in one JSON patch, and remove the
    properties named in ``remove`` (each must exist: Glance refuses the
    whole patch, 409, otherwise); the new image.

    Every change is an ``add``, which Glance takes for a property that
    exists as well as for a new one (the SDK's own diff says ``replace``
    for any attribute it knows of, which Glance refuses, 409, when the
    image does not have it).
    """
    patch = [{'op': 'remove', 'path': '/%s' % key}
             for key in sorted(set(remove) - set(attrs))]
    patch += [{'op': 'add', 'path': '/%s' % key, 'value': value}
              for key, value in sorted(attrs.items())]
    response = conn.image.patch(
        '/images/%s' % image_id, json=patch,
        headers={'Content-Type': PATCH_TYPE})
    sdk_exc.raise_from_response(response)
    return response.json()


def usable_volume_snapshots(conn, image, refs):
    """The volume snapshots a copy is made from (the root first), fetched
    at once; each must be there and available."""
    found = reads.get_volume_snapshots(conn, [r.snapshot_id for r in refs])
    usable = []
    for ref in refs:
        vsnap = found.get(ref.snapshot_id)
        which = (_('root volume snapshot') if ref is refs[0]
                 else _('volume snapshot'))
        if vsnap is None:
            raise errors.Refused(_(
                'Cannot copy snapshot %(snap)s: its %(which)s %(vsnap)s is '
                'missing (deleted, or not visible to this project).') % {
                    'snap': image['id'], 'which': which,
                    'vsnap': ref.snapshot_id})
        if vsnap.get('status') != 'available':
            raise errors.Refused(_(
                'Cannot copy snapshot %(snap)s: its %(which)s %(vsnap)s is '
                '%(status)s, not available.') % {
                    'snap': image['id'], 'which': which,
                    'vsnap': ref.snapshot_id, 'status': vsnap.get('status')})
        usable.append(vsnap)
    return usable


@dataclasses.dataclass(frozen=True)
class Source:
    """A volume snapshot to copy to an image, and what the copy gets."""

    snapshot_id: str
    size: int
    #: The image's name.
    name: str
    #: The temporary volume's description.
    description: str
    #: Fields and properties set on the image once active (None: none);
    #: or a callable that returns them given the IDs of every image the
    #: copy made, in order (a data image names the root copy's).
    attrs: dict | None = None
    #: The temporary volume's name (default: the image's, plus ``-tmp``).
    volume_name: str | None = None


def disk_sources(image, disks, purpose, description):
    """A :class:`Source` of each of an instance snapshot's ``disks``
    (``snapshot_id``, ``size_gib``), named after the image and
    ``purpose`` (``copy``, ``export``) with the disk's index."""
    return [Source(d['snapshot_id'], d['size_gib'], '%s-%s-%d' % (
        image.get('name') or image['id'], purpose, i), description)
        for i, d in enumerate(disks)]


def to_images(conn, sources, disk_format, waiter, reporter, ledger):
    """An image of each :class:`Source`, in order (Glance-shaped dicts).

    A temporary volume is made from each volume snapshot (all at once),
    uploaded to a new image by Cinder, and deleted once the image is
    active. Whatever exists is recorded in the :class:`rollback.Ledger`,
    rolled back by the caller on failure; on success it holds the new
    images.
    """
    say = reporter.say
    volumes = []
    for source in sources:
        with interrupts.held():
            volume = conn.block_storage.create_volume(
                snapshot_id=source.snapshot_id, size=source.size,
                name=source.volume_name or '%s-tmp' % source.name,
                description=source.description)
            ledger.made('volume', volume.id, label=_('temporary volume'))
        volumes.append(volume.id)
        say(_('Creating temporary volume %(vol)s from volume snapshot '
              '%(vsnap)s') % {'vol': volume.id, 'vsnap': source.snapshot_id})
    uploads = []
    for source, volume_id in zip(sources, volumes):
        waiter.until(waits.cinder(_('Volume %s') % volume_id),
                     lambda: get_volume(conn, volume_id),
                     ('available',), VOLUME_FAILED)
        with interrupts.held():
            upload = conn.block_storage.upload_volume_to_image(
                volume_id, source.name, disk_format=disk_format,
                container_format='bare')
            ledger.made('image', upload['image_id'])
        uploads.append(upload['image_id'])
        say(_('Uploading volume %(vol)s to image %(image)s') % {
            'vol': volume_id, 'image': upload['image_id']})
    images = []
    for source, image_id in zip(sources, uploads):
        uploaded = waiter.until(waits.glance(_('Image %s') % image_id),
                                lambda: get_image(conn, image_id),
                                ('active',), snapshots.IMAGE_FAILED)
        say(_('Image %s is active') % image_id)
        attrs = (source.attrs(uploads) if callable(source.attrs)
                 else source.attrs)
        images.append(set_image_attributes(conn, image_id, attrs)
                      if attrs else reads.image_record(uploaded))
    for volume_id in volumes:
        waiter.until(waits.cinder(_('Volume %s') % volume_id),
                     lambda: get_volume(conn, volume_id),
                     ('available',), VOLUME_FAILED)
        delete_volume_checked(conn, volume_id)
        ledger.forget(volume_id)
        say(_('Deleted temporary volume %s') % volume_id)
    return images


def delete_volume_checked(conn, volume_id):
    """DELETE a volume; when the answer is lost (the connection dropped),
    look before asking again: a volume that is gone or being deleted was
    deleted by the first request."""
    from keystoneauth1 import exceptions as ksa_exc

    try:
        conn.block_storage.delete_volume(volume_id)
    except ksa_exc.ConnectionError:
        volume = get_volume(conn, volume_id)
        if volume is not None and volume.status != 'deleting':
            conn.block_storage.delete_volume(volume_id)


def copy_then(ledger, sources, disk_format, waiter, then):
    """:func:`to_images`, then ``then(images)``, in ``ledger`` (a
    rollback ledger: its connection, its reporter): on any failure or
    interrupt until it returns, the temporary volumes and the new images
    are deleted. Returns (images, result of ``then``)."""
    with ledger:
        images = to_images(ledger.conn, sources, disk_format, waiter,
                           ledger.reporter, ledger)
        return images, then(images)


@dataclasses.dataclass(frozen=True)
class Copy:
    """The copy :func:`copy_snapshot` makes: its ``name``, the
    ``disk_format`` of its images, and which ``volumes`` ('root' or
    'all')."""

    name: str
    disk_format: str = 'raw'
    volumes: str = 'root'


def copy_snapshot(ledger, image, target, waiter, then=None):
    """Make the ``target`` :class:`Copy` of a volume-backed snapshot: a
    standalone image of its root disk, with the snapshot's boot
    properties, and with ``volumes='all'`` one
    image of each data volume, marked as the copy's
    (:func:`copies.data_attributes`); ``then(copy, data images)`` (the
    sharing) runs before success is declared (:func:`copy_then`, in
    ``ledger``). Returns
    (copy record, data image records, result of ``then``).
    """
    refs = [copies.root_ref(image)]
    if target.volumes == 'all':
        refs += copies.left_out(image)
    found = usable_volume_snapshots(ledger.conn, image, refs)
    description = _('Temporary volume for a copy of snapshot %s') % (
        image['id'])
    sources = [Source(
        found[0]['id'], found[0]['size'], target.name, description,
        copies.copy_attributes(image, found[0]['size'], len(refs) - 1))]
    for index, (ref, vsnap) in enumerate(zip(refs[1:], found[1:])):
        sources.append(Source(
            vsnap['id'], vsnap['size'],
            copies.data_name(target.name, ref, index), description,
            lambda ids, ref=ref, size=vsnap['size'], index=index:
                copies.data_attributes(ref, size, ids[0], index)))
    (copy, *data), result = copy_then(
        ledger, sources, target.disk_format, waiter,
        lambda images: then(images[0], images[1:]) if then else None)
    return copy, data, result


def release_images(conn, image_ids, reporter):
    """Delete images a launch no longer needs; return those kept.

    A cloud whose store keeps volumes made from an image dependent on it
    (Ceph) refuses, 409, while they exist: such an image is kept, hidden
    from image lists (``os_hidden``), and said.
    """
    say, kept = reporter.say, []
    for image_id in image_ids:
        try:
            conn.image.delete_image(image_id, ignore_missing=True)
            say(_('Deleted temporary image %s') % image_id)
            continue
        except sdk_exc.HttpException as exc:
            if errors.is_gone(exc):  # deleted already
                say(_('Deleted temporary image %s') % image_id)
                continue
            why = errors.describe_detail(exc)
        try:
            set_image_attributes(conn, image_id, {'os_hidden': True})
        except sdk_exc.HttpException as exc:
            if errors.is_gone(exc):  # gone since it was refused
                say(_('Deleted temporary image %s') % image_id)
                continue
            say(_('Warning: kept temporary image %(id)s (%(why)s); delete '
                  'it with `openstack image delete %(id)s` once the '
                  'volumes made from it are deleted.') % {
                      'id': image_id, 'why': errors.describe_detail(exc)})
        else:
            say(_('Kept temporary image %(id)s, hidden: the cloud refused '
                  'to delete it (%(why)s); it goes once the volumes made '
                  'from it are deleted.') % {'id': image_id, 'why': why})
        kept.append(image_id)
    return kept
