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

"""Deleting what a :mod:`rcsnap_osc.core.deletion_plan` plan says, safely:
the images first, then the data images, volume snapshots and backups
whose images are all gone, then the source volumes once their volume
snapshots are gone; then, if asked, waiting for the volume snapshots to
go. One failed delete does not stop the others: each item gets its
:class:`Outcome`. ``delete``, ``archive``, ``unarchive`` and a retention
delete through it.
"""

import dataclasses

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import waits
from rcsnap_osc import constants
from rcsnap_osc.core import deletion
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

DELETED = 'deleted'
DELETING = 'deleting'


@dataclasses.dataclass
class Outcome:
    """What became of one planned :class:`deletion.Item`."""

    item: deletion.Item
    state: str
    reason: str | None = None

    @property
    def failed(self):
        return self.state in (deletion.FAIL, deletion.REFUSE)


def _try(call, conn=None, item=None):
    """None when the call succeeds or the thing is gone already (404,
    Glance's "deleted to deleted"), else the one-line reason it failed:
    one failed delete does not stop the others. A refusal (4xx) of the
    delete of ``item`` is read back: gone is no failure, and a state its
    owner cannot delete it in is named."""
    try:
        call()
    except sdk_exc.HttpException as exc:
        if errors.is_gone(exc):
            return None
        if item is not None and exc.status_code and exc.status_code < 500:
            status = reads.read_back(conn, item.kind, item.resource_id)
            if status is reads.GONE:
                return None
            stuck = errors.undeletable(item.kind, item.resource_id, status)
            if stuck:
                return _('status is %s') % stuck
        return '%s (HTTP %s)' % (errors.describe_detail(exc),
                                 exc.status_code)
    except Exception as exc:
        if errors.explain(exc) is None:
            raise
        return errors.describe(exc)
    return None


def remove(conn, plans, wait, progress=None, done=None):
    """Delete what the plans say, then wait up to ``wait`` seconds (None:
    do not wait): the outcomes; ``done(outcomes)`` once something is
    deleted."""
    outcomes = execute(conn, plans, progress=progress)
    if done:
        done(outcomes)
    if wait is not None:
        wait_until_gone(conn, outcomes, wait, progress=progress)
    return outcomes


def planned(plans):
    """Outcomes of the plans, with nothing done."""
    return [Outcome(item, item.action, item.reason)
            for plan in plans for item in plan.items]


def execute(conn, plans, keep_images=False, progress=None):
    """Delete the planned images, then the data images and volume
    snapshots whose images are all gone, then the source volumes of
    those (:func:`_delete_sources`). Returns an :class:`Outcome` per
    item, in plan order; volume snapshots are ``deleting`` until
    :func:`wait_until_gone`. ``keep_images`` (archive): as if the images
    were gone, they stay."""
    outcomes = {}
    gone = {p.image.resource_id for p in plans if p.image and keep_images}
    for plan in () if keep_images else plans:
        item = plan.image
        if item is None or item.action != deletion.DELETE:
            continue
        failure = _try(lambda: conn.image.delete_image(
            item.resource_id, ignore_missing=False))
        if failure:
            outcomes[id(item)] = Outcome(item, deletion.FAIL, failure)
        else:
            gone.add(item.resource_id)
            outcomes[id(item)] = Outcome(item, DELETED)
    for plan in plans:
        for item in () if keep_images else plan.data_images:
            if item.action != deletion.DELETE:
                continue
            if item.images[0] not in gone:
                outcomes[id(item)] = Outcome(
                    item, deletion.KEEP,
                    _('image %s not deleted') % item.images[0])
                continue
            failure = _try(lambda: conn.image.delete_image(
                item.resource_id, ignore_missing=True))
            outcomes[id(item)] = Outcome(
                item, deletion.FAIL if failure else DELETED, failure)
        for item in plan.volume_snapshots + plan.backups:
            if item.action == deletion.DELETE:
                outcomes[id(item)] = _delete_volume_snapshot(conn, item,
                                                             gone)
        _delete_sources(conn, plan, outcomes, gone, progress)
    return [outcomes.get(id(item)) or Outcome(item, item.action, item.reason)
            for plan in plans for item in plan.items]


def _delete_volume_snapshot(conn, item, gone):
    kept = [i for i in item.images if i not in gone]
    if kept:
        return Outcome(item, deletion.KEEP,
                       _('image %s not deleted') % ', '.join(kept))
    block = conn.block_storage
    call = (block.delete_backup if item.kind == deletion.BACKUP
            else block.delete_snapshot)
    failure = _try(lambda: call(item.resource_id, ignore_missing=False),
                   conn, item)
    return Outcome(item, deletion.FAIL if failure else DELETING, failure)


def _delete_sources(conn, plan, outcomes, gone, progress):
    """The plan's source volumes (``unarchive``), once its volume
    snapshots are gone: Cinder refuses to delete a volume that has one."""
    volumes = [i for i in plan.volumes if i.action == deletion.DELETE]
    if not volumes:
        return
    snaps = [outcomes[id(i)] for i in plan.volume_snapshots
             if id(i) in outcomes]
    wait_until_gone(conn, snaps, constants.CLEANUP_TIMEOUT, progress)
    stays = [o.item.resource_id for o in snaps if o.state != DELETED]
    for item in volumes:
        kept = [i for i in item.images if i not in gone]
        if kept or stays:
            outcomes[id(item)] = Outcome(item, deletion.KEEP, _(
                'image %s not deleted') % ', '.join(kept) if kept else _(
                'volume snapshot %s not deleted') % ', '.join(stays))
            continue
        failure = _try(lambda: conn.block_storage.delete_volume(
            item.resource_id, ignore_missing=False), conn, item)
        outcomes[id(item)] = Outcome(
            item, deletion.FAIL if failure else DELETING, failure)


def deletion_state(record):
    """``(done, failure)`` of a volume snapshot whose delete was accepted.

    Cinder marks it ``deleting`` before answering; a driver that cannot
    delete it puts it back to ``available`` (e.g. "snapshot is busy": a
    volume or clone depends on it) or to ``error_deleting``.
    """
    if record is None:
        return True, None
    status = record.get('status')
    if status == 'deleting':
        return False, None
    if status == 'available':
        return True, _('Cinder gave up: it is available again (busy: a '
                       'volume or clone may depend on it)')
    return True, _('Cinder gave up: status is %s') % status


def poll_volume_snapshots(conn, ids):
    """The state of these volume snapshots, in as few requests as can be:
    one GET for one snapshot, one listing for several (absent = gone)."""
    if len(ids) == 1:
        return reads.get_volume_snapshots(conn, ids)
    listed = reads.list_volume_snapshots(conn)
    return {sid: listed[sid] for sid in ids if sid in listed}


def wait_until_gone(conn, outcomes, timeout, progress=None,
                    interval=waits.INTERVAL):
    """Poll the ``deleting`` volume snapshots, then the ``deleting``
    volumes (an unarchived snapshot's sources), until each is gone or
    failed.

    Updates the outcomes in place: ``deleted``, or ``fail`` with the
    reason, a timeout included. ``progress(elapsed, pending)`` after every
    poll that leaves some pending.
    """
    deadline = waits.Deadline(timeout, interval)
    for kind, poll, label in (
            (deletion.VOLUME_SNAPSHOT, poll_volume_snapshots,
             'volume snapshot %s'),
            (deletion.VOLUME, reads.get_volumes, 'volume %s')):
        _wait_for(conn, [o for o in outcomes if o.item.kind == kind],
                  poll, label, deadline, timeout, progress)
    return outcomes


def _wait_for(conn, outcomes, poll, label, deadline, timeout, progress):
    pending = {o.item.resource_id: o for o in outcomes
               if o.state == DELETING}

    def settled(ident, record):
        done, failure = deletion_state(record)
        if not done:
            return _('deleting')
        pending[ident].state = deletion.FAIL if failure else DELETED
        pending[ident].reason = failure
        return None

    left = waits.until_each(
        deadline, waits.CINDER, lambda ids: poll(conn, ids), settled,
        pending, label, progress)
    for ident in left:
        pending[ident].state = deletion.FAIL
        pending[ident].reason = deadline.unanswered(label % ident) or _(
            'still deleting after %d s') % timeout
