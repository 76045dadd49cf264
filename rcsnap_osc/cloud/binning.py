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


"""Binning what a :mod:`rcsnap_osc.core.deletion_plan` plan would delete,
instead of deleting it: the image's one JSON patch (hidden, protected, the
bin's record, what recover puts back), its deactivation, and the record in
the Cinder metadata of each volume snapshot and backup that would go with
it. Taking a snapshot out of the bin (:func:`recover`), and letting go of
it before a purge (:func:`release`). One failure does not stop the others:
each item gets its :class:`removal.Outcome`.
"""

import datetime

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import removal
from rcsnap_osc.cloud import settings
from rcsnap_osc.cloud import volume_images
from rcsnap_osc.core import binning
from rcsnap_osc.core import deletion
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

#: Cinder's first microversion with backup metadata.
BACKUP_METADATA = '3.43'


def now():
    """The time a bin's record starts from (naive UTC)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _try(call):
    """None when the call succeeds, else the one-line reason."""
    try:
        call()
    except sdk_exc.HttpException as exc:
        return '%s (HTTP %s)' % (errors.describe_detail(exc),
                                 exc.status_code)
    return None


def mark_volume_snapshot(conn, snapshot_id, metadata):
    """Add the bin's record to a volume snapshot's metadata (POST: the
    other keys stay)."""
    sdk_exc.raise_from_response(conn.block_storage.post(
        '/snapshots/%s/metadata' % snapshot_id,
        json={'metadata': metadata}))


def action(conn, image_id, name):
    """Glance's ``deactivate`` or ``reactivate`` of an image (the SDK's
    own reads nothing back either; this one raises the HTTP error)."""
    sdk_exc.raise_from_response(conn.image.post(
        '/images/%s/actions/%s' % (image_id, name)))


def replace_metadata(conn, kind, resource_id, metadata):
    """A volume snapshot's or backup's whole metadata (Cinder replaces a
    backup's in its PUT)."""
    if kind == deletion.BACKUP:
        response = conn.block_storage.put(
            '/backups/%s' % resource_id,
            json={'backup': {'metadata': metadata}},
            microversion=BACKUP_METADATA)
    else:
        response = conn.block_storage.put(
            '/snapshots/%s/metadata' % resource_id,
            json={'metadata': metadata})
    sdk_exc.raise_from_response(response)


def bin_plans(conn, plans, found, bin_record, progress=None):
    """Bin what the plans would delete: the outcomes, in plan order
    (``binned``, or ``fail`` with the reason; the rest as planned).
    ``found``: ``{ID: Glance or Cinder dict}`` of the images, volume
    snapshots and backups read."""
    outcomes = []
    for plan in plans:
        item = plan.image
        if item is None:  # orphaned volume snapshots: their record only
            outcomes += [_mark(conn, i, found, bin_record, None)
                         for i in plan.items]
            continue
        if item.action != deletion.DELETE:
            outcomes += removal.planned([plan])
            continue
        image = found[item.resource_id]
        failure = _try(lambda: volume_images.set_image_attributes(
            conn, image['id'], binning.image_attrs(image, bin_record)))
        if failure is None and binning.deactivates(image):
            failure = _try(lambda: conn.image.post(
                '/images/%s/actions/deactivate' % image['id']
            ).raise_for_status())
        outcomes.append(_outcome(item, failure, bin_record))
        for other in plan.items[1:]:
            outcomes.append(_mark(conn, other, found, bin_record, failure))
        if progress:
            progress(0, None)
    return outcomes


def _mark(conn, item, found, bin_record, image_failure):
    if item.action != deletion.DELETE:
        return removal.Outcome(item, item.action, item.reason)
    if image_failure:
        return removal.Outcome(item, deletion.KEEP, _(
            'image %s not binned') % item.images[0] if item.images else
            image_failure)
    if item.kind not in (deletion.VOLUME_SNAPSHOT, deletion.BACKUP):
        # A data image goes with its snapshot at the purge.
        return _outcome(item, None, bin_record)
    if item.kind == deletion.BACKUP:
        current = (found.get(item.resource_id) or {}).get('metadata') or {}
        failure = _try(lambda: replace_metadata(
            conn, item.kind, item.resource_id, dict(current, **bin_record)))
    else:
        failure = _try(lambda: mark_volume_snapshot(
            conn, item.resource_id, bin_record))
    return _outcome(item, failure, bin_record)


def _outcome(item, failure, bin_record):
    """Binned until the record's date, or failed for ``failure``."""
    if failure:
        return removal.Outcome(item, deletion.FAIL, failure)
    return removal.Outcome(item, binning.BINNED,
                           bin_record[binning.holds.BIN_UNTIL])


def recover(conn, image, now, marked):
    """Take one image out of the bin as it was: one JSON patch, its
    reactivation, then the record out of the metadata of ``marked``
    (``[(kind, Cinder dict)]``): the reasons of what failed."""
    attrs, remove = binning.recover_changes(image, now)
    failures = []
    if binning.reactivates(image):
        failure = _try(lambda: action(conn, image['id'], 'reactivate'))
        if failure:
            return [failure]
    volume_images.set_image_attributes(conn, image['id'], attrs, remove)
    for kind, resource in marked:
        failure = _try(lambda: replace_metadata(
            conn, kind, resource['id'],
            binning.unmarked(resource.get('metadata'))))
        if failure:
            failures.append(_('%(kind)s %(id)s: %(why)s') % {
                'kind': kind, 'id': resource['id'], 'why': failure})
    return failures


def release(conn, image):
    """Unprotect a binned image before its purge (Glance refuses, 403, to
    delete a protected image): None, or why it failed."""
    if not image.get('protected'):
        return None
    return _try(lambda: volume_images.set_image_attributes(
        conn, image['id'], {'protected': False}))


def release_plans(conn, plans, found):
    """The plans, each binned image to delete unprotected first
    (:func:`release`); one Glance refuses to unprotect fails, with the
    reason, and what would go with it stays."""
    released = []
    for plan in plans:
        item = plan.image
        image = found.get(item.resource_id) if item else None
        why = (image and item.action == deletion.DELETE
               and binning.holds.is_binned(image) and release(conn, image))
        released.append(binning.hold(plan, deletion.FAIL, why) if why
                        else plan)
    return released


def bin_or_purge(conn, plans, found, request, progress, done):
    """A retention's plans carried out: bin what they would delete;
    delete for real what is in the bin past its date (unprotected first):
    ``done(outcomes)``, in plan order. ``request``: its ``bin_days``
    (None: the cloud's; a tuple: the days of each plan), ``by``, ``wait``
    and ``now`` (None: now)."""
    def purged(plan):
        image = plan.image and found.get(plan.image.resource_id)
        return bool(image) and binning.holds.is_binned(image)

    each = (request.bin_days if isinstance(request.bin_days, tuple)
            else (request.bin_days,) * len(plans))
    to_bin = [(p, d) for p, d in zip(plans, each) if not purged(p)]
    to_purge = [p for p in plans if purged(p)]
    cloud = None if all(d for _p, d in to_bin) else binning.days_of(
        settings.plugin_settings(conn))
    start = request.now or now()
    binned = [o for p, d in to_bin for o in bin_plans(
        conn, [p], found, binning.record(start, request.by, d or cloud))]
    deleted = removal.remove(conn, release_plans(conn, to_purge, found),
                             request.wait, progress) if to_purge else []
    outcomes = []
    for plan in plans:
        source = deleted if purged(plan) else binned
        outcomes += source[:len(plan.items)]
        source[:len(plan.items)] = []
    done(outcomes)
