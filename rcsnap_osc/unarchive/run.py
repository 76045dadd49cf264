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

"""The SDK calls of ``rc snapshot unarchive``: gather, make the volumes
from the backups and a volume snapshot of each, rewrite the image, then
delete the backups.

The archive's seven listings, made at once, decide everything before a
volume is made (:mod:`rcsnap_osc.unarchive.plan`). The volumes and volume
snapshots are in the one rollback ledger until the image names them: a
failure or Ctrl-C before then removes them and leaves the snapshot
archived, its backups untouched.
"""

import dataclasses

from openstack import exceptions as sdk_exc
from openstack import utils as sdk_utils

from rcsnap_osc.archive import run as archive_run
from rcsnap_osc.cloud import from_backups
from rcsnap_osc.cloud import interrupts
from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import removal
from rcsnap_osc.cloud import rollback
from rcsnap_osc.cloud import volume_images
from rcsnap_osc.cloud import waits
from rcsnap_osc.core import archives
from rcsnap_osc.core import deletion
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.unarchive import plan as unarchiving


@dataclasses.dataclass
class Result:
    """The unarchive of one snapshot: the plan, the source volume and the
    volume snapshot made of each disk (by its recorded volume snapshot
    ID), and what became of the backups (:class:`removal.Outcome`)."""

    unarchive: unarchiving.Unarchive
    volumes: dict = dataclasses.field(default_factory=dict)
    snapshots: dict = dataclasses.field(default_factory=dict)
    outcomes: list = dataclasses.field(default_factory=list)


def gather_and_plan(conn, request):
    """The unarchives of the named snapshots; the first that cannot be
    unarchived is refused, before anything is made."""
    gathered = archive_run.gather(conn)
    plans = unarchiving.plan_unarchive(
        request.names, gathered.inventory.images, gathered.backups,
        conn.current_project_id, keep_backups=request.keep_backups)
    if gathered.service is False:
        raise errors.Refused(_(
            'This cloud runs no backup service (cinder-backup): the backups '
            'cannot be restored here; nothing was made.'))
    unarchiving.check_quota(gathered.quota, plans)
    return plans


def _backup_plan(result):
    """The deletion of the plan's backups: its image stays."""
    image = result.unarchive.image
    return deletion.Plan(result.unarchive.name, (deletion.Item(
        image['id'], deletion.IMAGE, image.get('name'), deletion.KEEP),
    ) + result.unarchive.backups)


def planned(plans):
    """The :class:`Result` of each plan, nothing made (``--dry-run``)."""
    return [Result(p, outcomes=[
        removal.Outcome(i, i.action, i.reason) for i in p.backups])
        for p in plans]


def _make_volumes(conn, results, ledger, deadline, reporter):
    direct = sdk_utils.supports_microversion(conn.block_storage,
                                             from_backups.FROM_BACKUP)
    for result in results:
        for record in result.unarchive.disks:
            result.volumes[record.snapshot_id] = from_backups.make_volume(
                conn, record.backup_id, unarchiving.volume_body(
                    result.unarchive, record), direct, ledger, deadline)
    from_backups.wait_available(
        conn, [v for r in results for v in r.volumes.values()], deadline,
        reporter)


def _make_snapshots(conn, results, ledger, deadline, reporter):
    for result in results:
        image = result.unarchive.image
        for old_id, volume_id in result.volumes.items():
            with interrupts.held():
                try:
                    made = conn.block_storage.create_snapshot(
                        volume_id=volume_id,
                        name='snapshot for %s' % (image.get('name') or
                                                  image['id']),
                        metadata={archives.BACKUP_IMAGE_KEY: image['id']})
                except sdk_exc.HttpException as exc:
                    raise errors.refused(exc, _(
                        'Cinder refused the volume snapshot: %s'))
                ledger.made('volume snapshot', made.id)
            result.snapshots[old_id] = made.id
    for snapshot_id in [s for r in results for s in r.snapshots.values()]:
        waits.until_status(
            deadline, waits.cinder(_('Volume snapshot %s') % snapshot_id),
            lambda ident=snapshot_id: reads.or_none(
                conn.block_storage.get_snapshot, ident),
            ('available',), snapshots.VOLUME_SNAPSHOT_FAILED,
            reporter.progress(_('Making volume snapshot %s') % snapshot_id))


def make(conn, plans, request, reporter):
    """Make the volumes and volume snapshots, then have each image name
    its own: a :class:`Result` each. Rolled back on any failure before
    an image names them; each image's, once it does, are the user's."""
    results = [Result(p) for p in plans]
    with rollback.Ledger(conn, reporter) as ledger:
        deadline = waits.Deadline(request.timeout)
        _make_volumes(conn, results, ledger, deadline, reporter)
        _make_snapshots(conn, results, ledger, deadline, reporter)
        for result in results:
            changes, remove = unarchiving.image_changes(
                result.unarchive, result.snapshots,
                list(result.volumes.values()))
            image_id = result.unarchive.image['id']
            with ledger.handing_over(
                    list(result.snapshots.values()) +
                    list(result.volumes.values()),
                    lambda i=image_id, r=result: _names(conn, i, r)):
                volume_images.set_image_attributes(conn, image_id, changes,
                                                   remove)
    return results


def _names(conn, image_id, result):
    """Whether the image, read again, names the volume snapshots made."""
    image = reads.image_record(conn.image.get_image(image_id))
    return set(result.snapshots.values()) <= set(
        snapshots.volume_snapshot_ids([image]))


def unarchive(conn, request, reporter):
    """Plan the :class:`unarchiving.Request`, then (unless ``dry_run``)
    make, rewrite the images and delete the backups that go: a
    :class:`Result` per snapshot. ``reporter.made(results)`` once the
    images name what was made."""
    plans = gather_and_plan(conn, request)
    if request.dry_run:
        return planned(plans)
    results = make(conn, plans, request, reporter)
    reporter.made(results)
    for result in results:
        result.outcomes = [o for o in removal.execute(
            conn, [_backup_plan(result)], keep_images=True)
            if o.item.kind == deletion.BACKUP]
    return results
