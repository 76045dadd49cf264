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

"""The SDK calls of ``rc snapshot archive``: gather, back up, wait,
record, then delete the volume snapshots.

Five listings made at once, whatever the number of snapshots (the images,
hidden ones apart, the volume snapshots, volumes and backups) and Cinder's
quota decide everything before a backup is made
(:mod:`rcsnap_osc.archive.plan`); :mod:`.backups` waits for the backups.
The backups are recorded in the one rollback ledger until the image
records them: a failure or Ctrl-C before then removes them and leaves the
volume snapshots as they were.
"""

import dataclasses

from openstack import exceptions as sdk_exc

from rcsnap_osc.archive import backups as backing
from rcsnap_osc.archive import plan as archive_plan
from rcsnap_osc.cloud import claims
from rcsnap_osc.cloud import discovery
from rcsnap_osc.cloud import interrupts
from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import removal
from rcsnap_osc.cloud import rollback
from rcsnap_osc.cloud import settings
from rcsnap_osc.cloud import volume_images
from rcsnap_osc.cloud import waits
from rcsnap_osc.core import archives
from rcsnap_osc.core import deletion
from rcsnap_osc.core import deletion_plan
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

#: What an archive deletes (an unarchived snapshot's source volumes too).
DELETED_KINDS = (deletion.VOLUME_SNAPSHOT, deletion.VOLUME)


@dataclasses.dataclass
class Made:
    """One backup made: its disk, its ID and its last known record."""

    disk: archive_plan.Disk
    backup_id: str
    record: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Result:
    """The archive of one snapshot: the plan, the backups made and what
    became of the volume snapshots (:class:`removal.Outcome`)."""

    archive: archive_plan.Archive
    made: list = dataclasses.field(default_factory=list)
    outcomes: list = dataclasses.field(default_factory=list)


def backup_service(conn):
    """Whether a cinder-backup service is up: True, False, or None where
    Cinder's policy hides its services (an admin's API by default)."""
    response = conn.block_storage.get('/os-services',
                                      params={'binary': 'cinder-backup'})
    if response.status_code in (403, 404):
        return None
    sdk_exc.raise_from_response(response)
    return any(s.get('state') == 'up' and s.get('status') == 'enabled'
               for s in response.json().get('services') or ())


@dataclasses.dataclass(frozen=True)
class Gathered:
    """What an archive is planned from: the project's images, volume
    snapshots and volumes, its backups, Cinder's quota, and whether a
    backup service is up (:func:`backup_service`)."""

    inventory: deletion_plan.Inventory
    backups: list
    quota: dict | None
    service: bool | None


def gather(conn):
    """The :class:`Gathered` of the project: seven requests made at
    once, whatever the number of snapshots (six where the cloud's
    clouds.yaml entry says whether it runs a backup service)."""
    setting = archive_plan.backup_service_setting(
        settings.plugin_settings(conn))
    conn.image.get_endpoint_data()
    discovery.cinder(conn)
    listed, backups, quota, service = reads.parallel([
        lambda: reads.listings(conn),
        lambda: reads.list_backups(conn),
        lambda: reads.cinder_quota(conn),
        lambda: backup_service(conn) if setting is None else setting,
    ])
    images, volume_snapshots, volumes = listed
    return Gathered(deletion_plan.Inventory(images, volume_snapshots,
                                            volumes), backups, quota, service)


def gather_and_plan(conn, request):
    """``(archives, backup service up)``: the archives of the named
    snapshots; the first that cannot be archived is refused, before
    anything is made."""
    gathered = gather(conn)
    plans = archive_plan.plan_archive(
        request.names, gathered.inventory, gathered.backups,
        conn.current_project_id, full=request.full)
    if gathered.service is False:
        raise backing.NoBackupService(_('%s; nothing was made.') %
                                      backing.NO_BACKUP_SERVICE)
    archive_plan.check_quota(gathered.quota, plans)
    return plans, gathered.service


def plan_each(conn, image_ids):
    """``(archives, {image ID: why not}, backup service up)``: each
    snapshot planned on its own from one :func:`gather`, so that one
    that cannot be archived leaves the others (what a retention
    archives); those that do not fit in the quota together are none."""
    gathered = gather(conn)
    plans, refused = [], {}
    for image_id in image_ids:
        try:
            plans += archive_plan.plan_archive(
                [image_id], gathered.inventory, gathered.backups,
                conn.current_project_id)
        except errors.Refused as exc:
            refused[image_id] = str(exc)
    try:
        if plans and gathered.service is False:
            raise backing.NoBackupService(_('%s.') %
                                          backing.NO_BACKUP_SERVICE)
        archive_plan.check_quota(gathered.quota, plans)
    except errors.Refused as exc:
        refused.update((p.image['id'], str(exc)) for p in plans)
        plans = []
    return plans, refused, gathered.service


def _create(conn, plan, disk):
    backup = conn.block_storage.create_backup(
        volume_id=disk.volume_id, snapshot_id=disk.snapshot_id,
        is_incremental=disk.incremental,  # sent as 'incremental'
        name='archive of %s %s' % (plan.image.get('name') or
                                   plan.image['id'],
                                   disk.device_name or disk.snapshot_id),
        description=_('Archived disk of instance snapshot %s') %
        plan.image['id'],
        metadata={archives.BACKUP_IMAGE_KEY: plan.image['id']})
    return backup.id


def _taken_up(conn, made, timeout):
    """Where Cinder's services are hidden: wait, at most
    :data:`backing.TAKE_UP_SECONDS`, until a backup service took the
    first backup (it sets its availability zone) before the others are
    asked for, so that a cloud without one fails one disk."""
    def fetch():
        return conn.block_storage.get_backup(made.backup_id)
    seconds = min(timeout, backing.TAKE_UP_SECONDS)
    try:
        return waits.until(waits.Deadline(seconds), waits.cinder(
            _('Backup %s') % made.backup_id), fetch,
            lambda backup: (backup.availability_zone or
                            backup.status != 'creating')
        ).to_dict(computed=False)
    except errors.Refused:
        raise backing.NotTakenUp(backing.NOT_TAKEN_UP % {
            'id': made.backup_id, 'secs': seconds})


def back_up(conn, plans, request, reporter, service=True):
    """Make and wait for every backup, then have each image record its
    own: the :class:`Result` of each plan. Rolled back on any failure.
    ``service`` None: whether a backup service runs is not known."""
    results = [Result(p) for p in plans]
    try:
        return _back_up(conn, results, request, reporter, service)
    except backing.NoBackupService:
        _say_stuck(conn, [m.disk for r in results for m in r.made],
                   reporter.say)
        raise


def _say_stuck(conn, disks, say):
    """Cinder's scheduler, finding no backup service, leaves the volume
    snapshot ``backing-up`` (Cinder 29): one true warning each."""
    states = reads.get_volume_snapshots(conn, [d.snapshot_id for d in disks])
    for disk in disks:
        status = (states.get(disk.snapshot_id) or {}).get('status')
        if status and status != archive_plan.AVAILABLE:
            say(_('Warning: Cinder left volume snapshot %(id)s %(status)s: '
                  'ask an operator to reset it with `openstack volume '
                  'snapshot set --state available %(id)s` (admin only).')
                % {'id': disk.snapshot_id, 'status': status})


def _back_up(conn, results, request, reporter, service):
    with rollback.Ledger(conn, reporter) as ledger:
        for result in results:
            for disk in result.archive.disks:
                with interrupts.held():
                    backup_id = _create(conn, result.archive, disk)
                    ledger.made('backup', backup_id)
                result.made.append(Made(disk, backup_id))
                if service is None:
                    try:
                        taken = _taken_up(conn, result.made[-1],
                                          request.timeout)
                    except backing.NotTakenUp:
                        # Not deletable yet: said, not waited for.
                        ledger.forget(backup_id)
                        reporter.say(backing.STILL_CREATING %
                                     {'id': backup_id})
                        raise
                    backing.check(result.made[-1], taken)
                    service = True
        backing.wait_for_backups(
            conn, [m for r in results for m in r.made], request.timeout,
            reporter.progress(_('Backing up')))
        when = claims.stamp(claims.now())
        for result in results:
            ids = {m.disk.snapshot_id: m.backup_id for m in result.made}
            image = result.archive.image
            with ledger.handing_over(ids.values(), lambda i=image, b=ids: (
                    _records(conn, i['id'], b.values()))):
                volume_images.set_image_attributes(
                    conn, image['id'], archives.properties(
                        archives.kept_records(image) +
                        archive_plan.disk_records(result.archive, ids), when),
                    remove=archives.source_keys(image))
    return results


def _records(conn, image_id, backup_ids):
    """Whether the image, read again, records the backups made."""
    image = reads.image_record(conn.image.get_image(image_id))
    return set(backup_ids) <= {r.backup_id for r in archives.records(image)}


def settle_volume_snapshots(conn, results, timeout, interval=waits.INTERVAL):
    """Wait until the volume snapshots backed up are ``available`` again
    (Cinder sets them back once the backup is): the delete plan deletes
    none that is busy."""
    for result in results:
        for disk in result.archive.disks:
            waits.until_status(
                waits.Deadline(timeout, interval),
                waits.cinder(_('Volume snapshot %s') % disk.snapshot_id),
                lambda sid=disk.snapshot_id: conn.block_storage.get_snapshot(
                    sid), (archive_plan.AVAILABLE,), ('error', 'deleted'))


def archive(conn, request, reporter):
    """Plan the :class:`archive_plan.Request`, then (unless ``dry_run``)
    back up, record and delete the volume snapshots, waiting ``wait``
    seconds for them to go (None: do not wait): a :class:`Result` per
    snapshot. ``reporter.made(results)`` once the backups are recorded."""
    plans, service = gather_and_plan(conn, request)
    if request.dry_run:
        return planned(plans)
    return archive_planned(conn, plans, service, request, reporter)


def planned(plans):
    """The :class:`Result` of each plan, nothing made (``--dry-run``)."""
    return [Result(p, outcomes=[
        o for o in removal.planned([p.deletion])
        if o.item.kind in DELETED_KINDS]) for p in plans]


def archive_planned(conn, plans, service, request, reporter):
    """Back up, record and delete the volume snapshots of each plan (of
    :func:`gather_and_plan` or :func:`plan_each`): a :class:`Result`
    each."""
    results = back_up(conn, plans, request, reporter, service)
    reporter.made(results)
    settle_volume_snapshots(conn, results, request.timeout)
    for result in results:
        result.outcomes = [o for o in removal.execute(
            conn, [result.archive.deletion], keep_images=True)
            if o.item.kind in DELETED_KINDS]
        _record_kept_sources(conn, result, reporter)
    if request.wait is not None:
        removal.wait_until_gone(
            conn, [o for r in results for o in r.outcomes], request.wait,
            progress=reporter.progress(_('Deleting')))
    return results


def _record_kept_sources(conn, result, reporter):
    """The image records again the source volumes (of an unarchived
    snapshot) that were not deleted (in use, refused): so that it still
    names every volume it made, and ``delete`` removes them later."""
    kept = [o.item.resource_id for o in result.outcomes
            if o.item.kind == deletion.VOLUME
            and o.state not in (removal.DELETED, removal.DELETING)]
    if not kept:
        return
    image_id = result.archive.image['id']
    try:
        volume_images.set_image_attributes(
            conn, image_id, archives.source_properties(kept))
    except sdk_exc.SDKException as exc:
        reporter.say(errors.not_undone(
            _('record source volumes %(ids)s on image %(image)s') % {
                'ids': ', '.join(kept), 'image': image_id},
            errors.describe(exc), 'openstack image set %s %s' % (' '.join(
                '--property %s=%s' % item for item in sorted(
                    archives.source_properties(kept).items())), image_id)))


def archive_kept(conn, plans, service, wait, reporter):
    """:func:`archive_planned` of what a retention archives
    (:func:`plan_each`), waiting ``wait`` seconds for the volume snapshots
    (None: not)."""
    return archive_planned(conn, plans, service, archive_plan.Request(
        names=tuple(p.image['id'] for p in plans), wait=wait), reporter)
