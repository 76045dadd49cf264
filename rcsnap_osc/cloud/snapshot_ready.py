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

"""A new instance snapshot becoming usable: its image active and each of
its volume snapshots available, polled through :mod:`waits`.

What "usable" means is read from the snapshot itself (its block device
mapping, :func:`snapshots.wait_state`), which is why this is a read of
the snapshot and not a mechanic of the waits.
"""

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import waits
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _


def wait_for_snapshot(conn, image_id, timeout, reporter=None,
                      interval=waits.INTERVAL, sleep=None, settled=None):
    """Wait until the image is active and its volume snapshots available.

    Polls only what is still pending, saying what is after every poll
    through the ``reporter`` (None: silent). Returns the final image
    record; raises Refused on failure or when ``timeout`` seconds pass.
    ``settled``, a dict, receives the available volume snapshots' records
    by ID.
    """
    deadline = waits.Deadline(timeout, interval, sleep)
    progress = reporter and reporter.progress(_('Snapshot %s') % image_id)
    image = None
    settled = {} if settled is None else settled
    for _tick in waits.ticks(deadline):
        known = image is not None and image.get('status') == 'active'
        if not known:
            found = deadline.poll(waits.GLANCE,
                                  lambda: _image_of(conn, image_id))
            known = found is not waits.UNKNOWN
            image = found if known else image
        done, pending = (False, []) if image is None else _settling(
            conn, deadline, image, settled)
        if not known:
            done, pending = False, [
                _('image %s') % deadline.note(waits.GLANCE)] + pending[1:]
        if done:
            return image
        if deadline.passed:
            raise deadline.expired(_('snapshot %s') % image_id, _(
                'Timed out after %(secs)d s waiting for snapshot %(id)s: '
                '%(pending)s.') % {'secs': timeout, 'id': image_id,
                                   'pending': ', '.join(pending)})
        if progress:
            progress(deadline.elapsed, pending)


def _image_of(conn, image_id):
    try:
        return reads.image_record(conn.image.get_image(image_id))
    except sdk_exc.NotFoundException:
        raise errors.Refused(
            _('Snapshot %s failed: its image was deleted.') % image_id)


def _settling(conn, deadline, image, settled):
    """``(done, pending)`` of a new snapshot's image and volume snapshots
    (those not ``settled`` yet polled); its failure is refused."""
    wanted = [ref.snapshot_id for ref in snapshots.volume_refs(
        snapshots.mapping_of(image)) if ref.snapshot_id not in settled]
    found = deadline.poll(
        waits.CINDER, lambda: reads.get_volume_snapshots(conn, wanted))
    if found is waits.UNKNOWN:
        found = {i: {'status': deadline.note(waits.CINDER)} for i in wanted}
    states = dict(settled)
    states.update(found)
    settled.update({k: v for k, v in states.items()
                    if v.get('status') == 'available'})
    done, failure, pending = snapshots.wait_state(image, states)
    if failure:
        raise errors.Refused(_('Snapshot %(id)s failed: %(why)s.') % {
            'id': image['id'], 'why': failure})
    return done, pending
