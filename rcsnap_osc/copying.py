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

"""The ``share --copy`` pipeline: a standalone image of a volume-backed
snapshot's root disk, made through a temporary volume. On any failure or
interrupt it removes what it created, and says what it could not.
"""

import time

from openstack import exceptions as sdk_exc
from osc_lib import exceptions

from rcsnap_osc import cloud
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc import share_plan
from rcsnap_osc import snapshots

#: Seconds between polls of a volume or image in the --copy pipeline.
POLL_INTERVAL = 2.0

#: Seconds the cleanup waits for a busy temporary volume to settle.
CLEANUP_TIMEOUT = 300

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

    def __init__(self, timeout, progress, clock=None, sleep=None,
                 interval=POLL_INTERVAL):
        self.clock = clock or time.monotonic
        self.sleep = sleep or time.sleep
        self.interval = interval
        self.start = self.clock()
        self.deadline = self.start + timeout
        self.timeout = timeout
        self.progress = progress

    def until(self, label, fetch, wanted, failed):
        """Poll ``fetch()`` (a resource, None when gone) until its status
        is in ``wanted``; return the resource."""
        report = self.progress(label)
        while True:
            found = fetch()
            status = 'deleted' if found is None else found.status
            if status in wanted:
                return found
            if status in failed:
                raise exceptions.CommandError(
                    _('%(what)s is %(status)s.') % {'what': label,
                                                    'status': status})
            elapsed = self.clock() - self.start
            report(elapsed, [status])
            if self.clock() >= self.deadline:
                raise exceptions.CommandError(_(
                    'Timed out after %(secs)d s waiting for %(what)s '
                    '(%(status)s).') % {'secs': self.timeout, 'what': label,
                                        'status': status})
            self.sleep(self.interval)


def get_volume(conn, volume_id):
    """A volume, or None when it is gone."""
    try:
        return conn.block_storage.get_volume(volume_id)
    except sdk_exc.NotFoundException:
        return None


def get_image(conn, image_id):
    """An image, or None when it is gone."""
    try:
        return conn.image.get_image(image_id)
    except sdk_exc.NotFoundException:
        return None


def set_image_attributes(conn, image_id, attrs):
    """Set image fields and properties in one JSON patch; the new image.

    Every change is an ``add``, which Glance takes for a property that
    exists as well as for a new one (the SDK's own diff says ``replace``
    for any attribute it knows of, which Glance refuses, 409, when the
    image does not have it).
    """
    patch = [{'op': 'add', 'path': '/%s' % key, 'value': value}
             for key, value in sorted(attrs.items())]
    response = conn.image.patch(
        '/images/%s' % image_id, json=patch,
        headers={'Content-Type': PATCH_TYPE})
    sdk_exc.raise_from_response(response)
    return response.json()


def root_volume_snapshot(conn, image):
    """The root volume snapshot a copy is made from; it must be usable."""
    root = share_plan.root_ref(image)
    found = cloud.get_volume_snapshots(conn, [root.snapshot_id]).get(
        root.snapshot_id)
    if found is None:
        raise exceptions.CommandError(_(
            'Cannot copy snapshot %(snap)s: its root volume snapshot '
            '%(vsnap)s is missing (deleted, or not visible to this project).')
            % {'snap': image['id'], 'vsnap': root.snapshot_id})
    if found.get('status') != 'available':
        raise exceptions.CommandError(_(
            'Cannot copy snapshot %(snap)s: its root volume snapshot '
            '%(vsnap)s is %(status)s, not available.') % {
                'snap': image['id'], 'vsnap': root.snapshot_id,
                'status': found.get('status')})
    return found


def copy_snapshot(conn, image, name, disk_format, waiter, say, then=None):
    """Make a standalone image of a volume-backed snapshot's root disk.

    A temporary volume is made from the root volume snapshot, uploaded to
    a new image by Cinder, and deleted; the image gets the snapshot's boot
    properties. ``then(copy)`` (the sharing) runs before success is
    declared: on any failure or interrupt until it returns, the temporary
    volume and the new image are deleted. Returns (copy record, result of
    ``then``).
    """
    vsnap = root_volume_snapshot(conn, image)
    made = {}
    finished = False
    try:
        volume = conn.block_storage.create_volume(
            snapshot_id=vsnap['id'], size=vsnap['size'],
            name='%s-tmp' % name,
            description=_('Temporary volume for a copy of snapshot %s')
            % image['id'])
        made['volume'] = volume.id
        say(_('Creating temporary volume %(vol)s from volume snapshot '
              '%(vsnap)s') % {'vol': volume.id, 'vsnap': vsnap['id']})
        waiter.until(_('Volume %s') % volume.id,
                     lambda: get_volume(conn, volume.id),
                     ('available',), VOLUME_FAILED)
        upload = conn.block_storage.upload_volume_to_image(
            volume.id, name, disk_format=disk_format,
            container_format='bare')
        made['image'] = upload['image_id']
        say(_('Uploading volume %(vol)s to image %(image)s') % {
            'vol': volume.id, 'image': made['image']})
        uploaded = waiter.until(_('Image %s') % made['image'],
                                lambda: get_image(conn, made['image']),
                                ('active',), snapshots.IMAGE_FAILED)
        say(_('Image %s is active') % made['image'])
        copy = set_image_attributes(
            conn, uploaded.id,
            share_plan.copy_attributes(image, vsnap['size']))
        waiter.until(_('Volume %s') % volume.id,
                     lambda: get_volume(conn, volume.id),
                     ('available',), VOLUME_FAILED)
        conn.block_storage.delete_volume(volume.id)
        del made['volume']
        say(_('Deleted temporary volume %s') % volume.id)
        result = then(copy) if then else None
        finished = True
        return copy, result
    finally:
        if not finished:
            clean_up(conn, made, say, waiter)


def clean_up(conn, made, say, waiter):
    """Delete what a failed copy created; say what could not be deleted.

    The image goes first: deleting it stops Cinder's upload, which frees
    the volume.
    """
    image_id = made.get('image')
    if image_id:
        try:
            conn.image.delete_image(image_id, ignore_missing=True)
            say(_('Deleted partial image %s') % image_id)
        except Exception as exc:  # the original error matters more
            say(_('Warning: could not delete image %(id)s (%(why)s): '
                  'delete it with `openstack image delete %(id)s`.') % {
                      'id': image_id, 'why': errors.describe(exc)})
    volume_id = made.get('volume')
    if volume_id:
        try:
            settled = Waiter(CLEANUP_TIMEOUT, lambda label: _silent,
                             clock=waiter.clock, sleep=waiter.sleep,
                             interval=waiter.interval)
            volume = settled.until(
                _('Volume %s') % volume_id,
                lambda: get_volume(conn, volume_id),
                cloud.VOLUME_DELETABLE | {'deleted', 'deleting'}, ())
            if volume is not None and volume.status in cloud.VOLUME_DELETABLE:
                conn.block_storage.delete_volume(volume_id,
                                                 ignore_missing=True)
            say(_('Deleted temporary volume %s') % volume_id)
        except Exception as exc:  # the original error matters more
            say(_('Warning: could not delete temporary volume %(id)s '
                  '(%(why)s): delete it with `openstack volume delete '
                  '%(id)s`.') % {'id': volume_id, 'why': errors.describe(exc)})


def _silent(elapsed, pending):
    pass
