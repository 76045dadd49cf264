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


"""What ``recover`` and ``bin purge`` are asked, and which snapshots of
the bin they act on: pure decisions over Glance- and Cinder-shaped dicts.
"""

import dataclasses
import datetime

from rcsnap_osc.core import archives
from rcsnap_osc.core import binning
from rcsnap_osc.core import deletion
from rcsnap_osc.core import holds
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _


@dataclasses.dataclass(frozen=True)
class Request:
    """What ``recover`` or ``bin purge`` was asked: the snapshots named
    (none: the whole bin, ``purge`` only), those binned at least
    ``older_than`` seconds ago (None: any), and for a purge ``wait``
    seconds for the volume snapshots to go (None: do not wait)."""

    names: tuple = ()
    older_than: int | None = None
    dry_run: bool = False
    wait: int | None = None


def resolve(names, images, project_id):
    """The binned images the names give, in order; refused, before any
    write, for a name that is not a snapshot in this project's bin."""
    found = []
    for name in names:
        image, error = deletion.resolve(name, images)
        if image is None:
            raise errors.Refused(_('Snapshot %(name)s: %(why)s.') % {
                'name': name, 'why': error})
        if not holds.is_binned(image) or image.get('owner') != project_id:
            raise errors.Refused(_(
                'Snapshot %s is not in the recycle bin.') % name)
        if image not in found:
            found.append(image)
    return found


def chosen(request, images, project_id, now):
    """The binned snapshots a purge acts on: those named, else the whole
    bin of the project; with ``older_than``, those binned that long ago
    at least."""
    if request.names:
        found = resolve(request.names, images, project_id)
    else:
        found = [i for i in images if holds.is_binned(i)
                 and i.get('owner') == project_id]
    if request.older_than is None:
        return found
    limit = now - datetime.timedelta(seconds=request.older_than)
    return [i for i in found
            if (holds.parse_stamp(i.get(holds.BINNED_AT)) or now) <= limit]


def refuse_locked(images, now):
    """Refuse the purge, before any write, when a snapshot is locked."""
    for image in images:
        why = binning.lock_reason(image, now)
        if why:
            raise errors.Refused(_(
                'Snapshot %(name)s (%(id)s) is %(why)s: nothing was '
                'purged.') % {'name': image.get('name'), 'id': image['id'],
                              'why': why})


def marked(image, volume_snapshots, backups):
    """``[(kind, Cinder dict)]``: the image's volume snapshots and
    backups that carry the bin's record."""
    refs = snapshots.volume_snapshot_ids([image])
    found = [(deletion.VOLUME_SNAPSHOT, volume_snapshots[sid])
             for sid in refs if sid in volume_snapshots
             and binning.is_marked(volume_snapshots[sid])]
    ids = archives.backup_ids([image])
    return found + [(deletion.BACKUP, b) for b in backups
                    if b['id'] in ids and binning.is_marked(b)]


def binned_orphans(request, images, volume_snapshots, now):
    """The delete plans of ``bin purge`` without names for the orphaned
    volume snapshots ``delete --orphans`` binned: only those carrying the
    bin's record in their metadata that no image (hidden ones too)
    refers to, binned ``older_than`` ago at least."""
    if request.names:
        return []
    referred = set(snapshots.volume_snapshot_ids(images))
    limit = now - datetime.timedelta(seconds=request.older_than or 0)
    return [deletion.Plan(s.get('name') or s['id'], (deletion.Item(
        s['id'], deletion.VOLUME_SNAPSHOT, s.get('name'), deletion.DELETE),))
        for s in volume_snapshots.values()
        if binning.is_marked(s) and s['id'] not in referred
        and (holds.parse_stamp(s['metadata'][holds.BINNED_AT]) or now)
        <= limit]
