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

"""What the commands show of archives (``rc snapshot archive``): an
archive's rows, and what a retention archived of what it keeps."""

from rcsnap_osc.core import snapshots
from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import deletion_rows


def _backup_text(disk, dry_run):
    kind = (_('incremental on backup %s') % disk.parent_backup
            if disk.incremental else _('full'))
    size = snapshots.format_gib(disk.size_gib)
    return (_('would back up (%(kind)s, %(size)s)') if dry_run else
            _('available (%(kind)s, %(size)s)')) % {'kind': kind,
                                                    'size': size}


def rows(results, dry_run):
    """The image, each backup and each volume snapshot of every archive."""
    shown = []
    for result in results:
        image = result.archive.image
        shown.append((image['id'], _('image'), image.get('name') or '',
                      _('would archive') if dry_run else _('archived')))
        made = {m.disk.snapshot_id: m.backup_id for m in result.made}
        for disk in result.archive.disks:
            shown.append((made.get(disk.snapshot_id, ''), _('backup'),
                          disk.device_name or '',
                          _backup_text(disk, dry_run)))
        shown.extend(deletion_rows.delete_rows(result.outcomes, dry_run))
    return shown


def kept_rows(archiving, kept, dry_run):
    """``kept`` (the kept rows of a pruning), each with what its
    :class:`rcsnap_osc.retention.plan.Archiving` made of it (None:
    nothing) and its archive's rows after it."""
    if archiving is None:
        return list(kept)
    results = {r.archive.image['id']: r for r in archiving.results or ()}
    previews = ({r.archive.image['id']: r for r in archiving.previews}
                if dry_run else {})
    shown = []
    for row in kept:
        image_id = row[0]
        if image_id in archiving.refused:
            shown.append(row[:3] + (_(
                '%(kept)s; not archived: %(why)s') % {
                'kept': row[3], 'why': archiving.refused[image_id]},))
        elif image_id in results:
            shown.append(row[:3] + (_('%s; archived') % row[3],))
            shown += rows([results[image_id]], False)[1:]
        elif image_id in previews:
            shown.append(row[:3] + (_('%s; would archive') % row[3],))
            shown += rows([previews[image_id]], True)[1:]
        else:
            shown.append(row)
    return shown


def archived_ids(pruning):
    """The IDs of the snapshots a pruning archived."""
    archiving = pruning.archiving
    kept = {image['id'] for image, _why in pruning.choice.kept}
    return [r.archive.image['id'] for r in (
        archiving.results if archiving else None) or ()
        if r.archive.image['id'] in kept]
