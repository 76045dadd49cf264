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

"""Which server a snapshot came from, and which of its snapshots to keep.

Pure functions over Glance- and Cinder-shaped dicts: no cliff, no HTTP.

Nova records the server on image-backed snapshots only (``instance_uuid``);
a volume-backed snapshot records none. ``rc snapshot create`` writes
:data:`SERVER_PROPERTY` on every snapshot it makes; for the others the
server is derived from the volume the root volume snapshot was taken of,
when that volume is attached to a server.
"""

import dataclasses
import re

from rcsnap_osc import delete_plan
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc import snapshots

#: The image property ``rc snapshot create`` records the server's ID in.
SERVER_PROPERTY = 'rcsnap:server_id'

#: Units of ``--older-than``: seconds each.
_UNITS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}
_DURATION = re.compile(r'^\s*(\d+)\s*([smhdw])\s*$')


def parse_duration(text):
    """``30d``, ``12h``, ``90m``, ``2w`` or ``45s`` in seconds; Refused
    otherwise."""
    found = _DURATION.match(text or '')
    if not found:
        raise errors.Refused(_(
            "Invalid duration '%s': give a number and a unit, s, m, h, d "
            "or w (e.g. 30d).") % text)
    return int(found.group(1)) * _UNITS[found.group(2)]


def attached_servers(volumes):
    """Volume id -> the server it is attached to (the first one)."""
    found = {}
    for volume in volumes:
        for attachment in volume.get('attachments') or ():
            if attachment.get('server_id'):
                found.setdefault(volume['id'], attachment['server_id'])
    return found


def recorded_server(image):
    """The server ID a snapshot records: ours (:data:`SERVER_PROPERTY`),
    else Nova's ``instance_uuid`` (image-backed ones); None otherwise."""
    return image.get(SERVER_PROPERTY) or image.get('instance_uuid') or None


def root_volume_of(image, volume_snapshots):
    """The ID of the volume a volume-backed snapshot's root volume
    snapshot was taken of, or None (not visible, or image-backed).

    :param volume_snapshots: the caller's volume snapshots by id.
    """
    root = snapshots.root_entry(snapshots.mapping_of(image))
    if not root or not root.get('snapshot_id'):
        return None
    found = volume_snapshots.get(root['snapshot_id'])
    return (found or {}).get('volume_id') or None


def server_of(image, volume_snapshots, attached):
    """The ID of the server a snapshot was made of, or None: the one it
    records, else the one its root volume is attached to.

    :param volume_snapshots: the caller's volume snapshots by id.
    :param attached: :func:`attached_servers` of the caller's volumes.
    """
    recorded = recorded_server(image)
    if recorded:
        return recorded
    return attached.get(root_volume_of(image, volume_snapshots))


def owned_snapshots(images, project_id):
    """This project's instance snapshots, newest first, each once."""
    seen = {}
    for image in images:
        if (image.get('owner') == project_id
                and snapshots.is_instance_snapshot(image)):
            seen.setdefault(image['id'], image)
    return sorted(seen.values(), key=lambda i: (
        i.get('created_at') or '', i['id']), reverse=True)


def snapshots_of(server_id, images, project_id, volume_snapshots, volumes):
    """This project's snapshots of the server, newest first."""
    attached = attached_servers(volumes)
    return [i for i in owned_snapshots(images, project_id)
            if server_of(i, volume_snapshots, attached) == server_id]


def newest_first(ordered, ids):
    """``ordered`` with the snapshots ``ids`` names moved to the front:
    a snapshot just made is the newest, even when another one was made
    in the same second (creation times have seconds only)."""
    ids = set(ids)
    return ([i for i in ordered if i['id'] in ids] +
            [i for i in ordered if i['id'] not in ids])


@dataclasses.dataclass(frozen=True)
class Choice:
    """The snapshots of one server: those to delete, and those kept with
    the reason."""

    delete: tuple
    kept: tuple  # (image, reason)


def choose(ordered, keep, project_id, members=None, older_than=None,
           now=None):
    """Which of a server's snapshots (newest first) to prune.

    All but the newest ``keep`` go, and with ``older_than`` (seconds)
    only those older than that. A snapshot ``delete`` would refuse
    (protected, shared with a project that accepted it) is kept with the
    reason: it still counts toward ``keep``.
    """
    if keep < 0:
        raise errors.Refused(_('--keep cannot be negative.'))
    members = members or {}
    delete, kept = [], []
    for index, image in enumerate(ordered):
        if index < keep:
            kept.append((image, _('one of the newest %d') % keep))
            continue
        if older_than is not None:
            age = snapshots.age_seconds(image, now)
            if age is None or age < older_than:
                kept.append((image, _('not older than --older-than')))
                continue
        refused = delete_plan.refusal(image, project_id,
                                      members.get(image['id']))
        if refused:
            kept.append((image, refused))
        else:
            delete.append(image)
    return Choice(tuple(delete), tuple(kept))


def candidates_needing_members(ordered, keep, project_id):
    """The snapshots past the newest ``keep`` whose member list decides
    whether they may go (shared ones)."""
    return [i['id'] for i in ordered[max(keep, 0):]
            if delete_plan.needs_members(i, project_id)]
