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


"""The SDK calls of ``recover`` and ``bin purge``: the bin read from the
image listings (hidden ones apart: Glance leaves them out otherwise),
then each snapshot taken out of it (:mod:`rcsnap_osc.cloud.binning`), or
deleted through ``delete``'s one plan (:mod:`rcsnap_osc.delete.run`):
never an orphan.
"""

import dataclasses
import datetime

from rcsnap_osc.cloud import binning as bin_writes
from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import removal
from rcsnap_osc.core import archives
from rcsnap_osc.core import snapshots
from rcsnap_osc.delete import run as deleting
from rcsnap_osc.i18n import _
from rcsnap_osc.recycle import plan

RECOVERED = 'recovered'


@dataclasses.dataclass
class Recovered:
    """One snapshot recover acted on: ``failures`` say what did not go
    back (empty: all of it)."""

    image: dict
    failures: list


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def list_images(conn):
    """Every image the project sees, hidden ones too, in two listings."""
    shown, hidden = reads.parallel([
        lambda: reads.list_images(conn, visibility='all'),
        lambda: reads.list_images(conn, visibility='all', os_hidden='true'),
    ])
    return list({i['id']: i for i in shown + hidden}.values())


def recover(conn, request, reporter):
    """Take the named snapshots out of the bin, as they were: the list
    of :class:`Recovered`. Every name is checked before any write."""
    images = plan.resolve(request.names, list_images(conn),
                          conn.current_project_id)
    with_cinder = snapshots.volume_snapshot_ids(images)
    archived = any(archives.records(i) for i in images)
    calls = ([lambda: reads.list_volume_snapshots(conn)] * bool(with_cinder)
             + [lambda: reads.list_backups(conn)] * archived)
    listed = reads.parallel(calls) if calls else []
    volume_snapshots = listed[0] if with_cinder else {}
    backups = listed[-1] if archived else []
    if request.dry_run:
        return [Recovered(i, []) for i in images]
    now, done = now_utc(), []
    for image in images:
        done.append(Recovered(image, bin_writes.recover(
            conn, image, now, plan.marked(image, volume_snapshots,
                                          backups))))
        reporter.say(_('Recovered %(name)s (%(id)s)') % {
            'name': image.get('name'), 'id': image['id']})
    return done


def purge(conn, request, reporter):
    """Delete for real the bin's snapshots the request picks, through
    ``delete``'s plan, then (without names) the binned orphaned volume
    snapshots (:func:`plan.binned_orphans`): ``(plans, outcomes)``; a
    locked one refuses the whole purge before any write."""
    now = now_utc()
    listed = list_images(conn)
    images = plan.chosen(request, listed, conn.current_project_id, now)
    plan.refuse_locked(images, now)
    orphans = [] if request.names else plan.binned_orphans(
        request, listed, reads.list_volume_snapshots(conn), now)
    plans, outcomes = deleting.purge_named(
        conn, [i['id'] for i in images], request, reporter,
        listed) if images else ([], [])
    if orphans:
        outcomes = outcomes + (removal.planned(orphans) if request.dry_run
                               else removal.remove(conn, orphans,
                                                   request.wait))
    return plans + orphans, outcomes
