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

"""Waiting for what the cloud is still making: the one clock every poll
of the package reads and sleeps through, the deadline of one wait, and the
wait for a new instance snapshot.

Each poll loop keeps its own states and messages; the time it has, its
interval and its clock come from here. Tests run long waits at once by
swapping :data:`CLOCK` for a clock that moves only when a wait sleeps.
"""

import time

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import reads
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _


#: Seconds between two polls, unless a wait says otherwise.
INTERVAL = 2.0


class Clock:
    """The time the waits read (``now``) and sleep through (``sleep``)."""

    def now(self):
        return time.monotonic()

    def sleep(self, seconds):
        time.sleep(seconds)


#: The clock of every wait in the package.
CLOCK = Clock()


class Deadline:
    """The time one wait has: ``timeout`` seconds from now, polled every
    ``interval`` seconds. ``sleep`` replaces the clock's sleep for a wait
    that another thread may interrupt."""

    def __init__(self, timeout, interval=INTERVAL, sleep=None):
        self.timeout = timeout
        self.interval = interval
        self._sleep = sleep
        self.start = CLOCK.now()

    @property
    def elapsed(self):
        return CLOCK.now() - self.start

    @property
    def passed(self):
        return self.elapsed >= self.timeout

    @property
    def left(self):
        return max(0, self.timeout - self.elapsed)

    def pause(self):
        (self._sleep or CLOCK.sleep)(self.interval)


def until_status(deadline, label, fetch, wanted, failed=(), report=None):
    """Poll ``fetch()`` (a resource, None when gone) until its status is
    in ``wanted``: the resource. A status in ``failed``, or the
    :class:`Deadline` passing, is refused in one line that names
    ``label``; ``report(elapsed, [status])`` after each poll that goes on.
    """
    while True:
        found = fetch()
        status = 'deleted' if found is None else found.status
        if status in wanted:
            return found
        if status in failed:
            raise errors.Refused(
                _('%(what)s is %(status)s.') % {'what': label,
                                                'status': status})
        if report:
            report(deadline.elapsed, [status])
        if deadline.passed:
            raise errors.Refused(_(
                'Timed out after %(secs)d s waiting for %(what)s '
                '(%(status)s).') % {'secs': deadline.timeout, 'what': label,
                                    'status': status})
        deadline.pause()


def wait_for_snapshot(conn, image_id, timeout, progress=None,
                      interval=INTERVAL, sleep=None, settled=None):
    """Wait until the image is active and its volume snapshots available.

    Polls only what is still pending. ``progress(elapsed, pending)`` is
    called after every poll. Returns the final image record; raises
    Refused on failure or when ``timeout`` seconds pass. ``settled``,
    a dict, receives the available volume snapshots' records by ID.
    """
    deadline = Deadline(timeout, interval, sleep)
    image = None
    settled = {} if settled is None else settled
    while True:
        if image is None or image.get('status') != 'active':
            try:
                image = reads.image_record(conn.image.get_image(image_id))
            except sdk_exc.NotFoundException:
                raise errors.Refused(
                    _('Snapshot %s failed: its image was deleted.')
                    % image_id)
        wanted = [ref.snapshot_id for ref in snapshots.volume_refs(
            snapshots.mapping_of(image)) if ref.snapshot_id not in settled]
        states = dict(settled)
        states.update(reads.get_volume_snapshots(conn, wanted))
        settled.update({k: v for k, v in states.items()
                        if v.get('status') == 'available'})
        done, failure, pending = snapshots.wait_state(image, states)
        if failure:
            raise errors.Refused(
                _('Snapshot %(id)s failed: %(why)s.') % {
                    'id': image_id, 'why': failure})
        elapsed = deadline.elapsed
        if done:
            return image
        if elapsed >= timeout:
            raise errors.Refused(
                _('Timed out after %(secs)d s waiting for snapshot %(id)s: '
                  '%(pending)s.') % {'secs': timeout, 'id': image_id,
                                     'pending': ', '.join(pending)})
        if progress:
            progress(elapsed, pending)
        deadline.pause()
