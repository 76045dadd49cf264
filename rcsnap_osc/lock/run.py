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

"""``lock`` and ``unlock``: the snapshots found (in the recycle bin too),
every decision made before the first write, then one image PATCH each
(:func:`volume_images.set_image_attributes`); and the lock a schedule
policy puts on the snapshots it makes (:func:`lock_made`)."""

from rcsnap_osc.cloud import find
from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import report
from rcsnap_osc.cloud import volume_images
from rcsnap_osc.core import holds
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.lock import plan


def who(conn):
    """Who locks: the user's name in the token, else its ID (no request:
    the token is at hand)."""
    access = conn.session.auth.get_access(conn.session)
    return access.username or access.user_id


def found(conn, names):
    """The snapshots named, by ID or name (a binned one too), looked up
    at once; an unknown one is refused before anything changes. Each
    once, in the order named."""
    conn.image.get_endpoint_data()  # discovery once, not once a thread
    images = reads.parallel([
        lambda n=n: find.find_snapshot_image(conn, n, hidden=True)
        for n in names])
    return list({i['id']: i for i in images}.values())


def lock(conn, request, reporter):
    """Lock the snapshots of ``request`` until ``request.until``: the
    images as they are now."""
    at = plan.now()
    by = who(conn)
    return apply(conn, [plan.lock(i, request.until, at, by)
                        for i in found(conn, request.snapshots)], reporter)


def unlock(conn, request, reporter):
    """Unlock the snapshots of ``request`` (every one refused, and none
    changed, when one cannot be unlocked): the images as they are now."""
    at = plan.now()
    return apply(conn, [plan.unlock(i, at, request.force)
                        for i in found(conn, request.snapshots)], reporter)


def apply(conn, changes, reporter):
    """One PATCH per change that changes anything, in order;
    ``reporter.made`` hears what is done so far after each."""
    done = []
    for change in changes:
        if change.note:
            reporter.say(change.note)
        if change.attrs or change.remove:
            volume_images.set_image_attributes(
                conn, change.image['id'], change.attrs, change.remove)
        done.append(plan.after(change))
        reporter.made(list(done))
    return done


def lock_made(conn, results, durations, reporter):
    """A schedule policy's ``lock``: lock each snapshot just made of the
    servers ``durations`` names ({server ID: ``30d``}) for that long from
    now. A lock that fails is said on stderr; the snapshot stands."""
    at = plan.now()
    todo = [r for r in results if r.summary is not None and r.error is None
            and durations.get(r.server.id)]
    by = who(conn) if todo else None
    for result in todo:
        image = result.summary.image
        until = plan.parse_until(durations[result.server.id], at)
        try:
            apply(conn, [plan.lock(image, until, at, by)],
                  report.Forwarding(reporter))
        except Exception as exc:  # the snapshot is made: say, go on
            line = errors.explain(exc)
            if line is None:
                raise
            reporter.say(_('Snapshot %(snap)s was not locked: %(why)s') % {
                'snap': plan.label(image), 'why': line})
            continue
        reporter.say(_('Snapshot %(snap)s locked until %(until)s.') % {
            'snap': plan.label(image), 'until': holds.stamp(until)})
