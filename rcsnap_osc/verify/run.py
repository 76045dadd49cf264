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

"""``rc snapshot verify``: the reads, the checks of each level
(:mod:`rcsnap_osc.verify.checks`), the record on each image.

The default level costs the same requests for one snapshot or fifty:
the images (one GET for one snapshot, else one listing), one listing of
the volume snapshots (when one is volume-backed) and one of the backups
(when one is archived), made at once; then one PATCH per snapshot, its
record.
"""

import datetime

from rcsnap_osc.cloud import find
from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import volume_images
from rcsnap_osc.core import archives
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.verify import checks
from rcsnap_osc.verify import plan

#: What a verification is asked (for the capabilities that verify).
Request = plan.Request


def find_images(conn, names):
    """The instance snapshots named, in order, each once: one GET for one
    name, else one listing (a name the listing does not hold, a hidden
    image, is looked up alone)."""
    names = list(dict.fromkeys(names))
    if len(names) == 1:
        return [find.find_snapshot_image(conn, names[0])]
    listed = reads.list_images(conn)
    by_id = {i['id']: i for i in listed}
    found = {}
    for name in names:
        image = by_id.get(name)
        if image is None:
            matches = [i for i in listed if i.get('name') == name]
            image = find.only_match(_('image'), name, matches,
                                    [i['id'] for i in matches]) if (
                matches) else find.find_image(conn, name)
        if not snapshots.is_instance_snapshot(image):
            raise errors.Refused(
                _('Image %(name)s (%(id)s) is not an instance snapshot.') % {
                    'name': image.get('name'), 'id': image['id']})
        found.setdefault(image['id'], image)
    return list(found.values())


def listings(conn, images):
    """``(volume snapshots, backups)`` by ID, each listed once, at once,
    and only when a snapshot needs it."""
    calls = []
    if any(snapshots.volume_snapshot_ids([i]) for i in images
           if not archives.is_archived(i)):
        calls.append(lambda: reads.list_volume_snapshots(conn))
    else:
        calls.append(dict)
    if any(archives.is_archived(i) for i in images):
        calls.append(lambda: {b['id']: b for b in reads.list_backups(conn)})
    else:
        calls.append(dict)
    if len([c for c in calls if c is not dict]) > 1:
        conn.block_storage.get_endpoint_data()  # discovery once
    return reads.parallel(calls)


def verify(conn, request, reporter, now=None):
    """Verify each snapshot of ``request`` (:class:`plan.Request`) at its
    levels and record the result on its image; the :class:`plan.Row` of
    each, in order. Whatever a check makes is removed before the next one
    (an interrupt included)."""
    images = find_images(conn, request.names)
    volume_snapshots, backups = listings(conn, images)
    rows = []
    for image in images:
        rows.append(one(conn, image, request, reporter, volume_snapshots,
                        backups, now))
        reporter.made(rows)
    return rows


def verifier(launcher):
    """A verification for another capability (``schedule run``):
    ``check(conn, image ID, level, reporter, now)`` gives the problems
    found (none: ok), the result recorded on the image. ``launcher``:
    the launch capability's ``run`` module (:class:`plan.Request`)."""
    def check(conn, image_id, level, reporter, now):
        request = plan.Request(names=(image_id,), data=level == plan.DATA,
                               boot=level == plan.BOOT, launcher=launcher)
        return verify(conn, request, reporter, now=now)[0].problems
    return check


def one(conn, image, request, reporter, volume_snapshots, backups,
        now=None):
    """The :class:`plan.Row` of one snapshot, recorded on its image."""
    row = plan.Row(image, plan.DEFAULT)
    row.problems = plan.default_problems(image, volume_snapshots, backups,
                                         conn.current_project_id)
    deeper = request.data or request.boot
    if deeper and archives.is_archived(image):
        reporter.say(_('Snapshot %s is archived: its backups are checked; '
                       'its data and a boot are checked once it is '
                       'unarchived.') % plan.label(image))
    elif deeper and not row.problems:
        summary = snapshots.summarize(image, volume_snapshots)
        row.level = request.level
        if request.data:
            row.problems += (
                checks.volumes(conn, summary, request.timeout, reporter)
                if summary.devices else
                checks.image_data(conn, image, reporter))
        if request.boot and not row.problems:
            row.problems += checks.drill(conn, summary, request, reporter)
    for problem in row.problems:
        reporter.say(_('Snapshot %(snap)s: %(problem)s') % {
            'snap': plan.label(image), 'problem': problem})
    row.recorded = record(conn, row, now, reporter)
    return row


def record(conn, row, now, reporter):
    """One PATCH of the image: the verification's properties. Another
    project's image is not ours to write: said, not recorded."""
    if row.image.get('owner') != conn.current_project_id:
        reporter.say(_('Snapshot %s belongs to another project: the result '
                       'is not recorded on it.') % plan.label(row.image))
        return False
    now = now or datetime.datetime.now(datetime.timezone.utc)
    props = plan.record(now, row.level, row.problems)
    row.image = dict(row.image, **props)
    volume_images.set_image_attributes(conn, row.image['id'], props)
    return True
