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

"""The server a snapshot came from: the one it records, else the one its
root volume is attached to. Pure: ``show``, ``list``, ``prune``, ``usage``
and ``create --keep`` attribute snapshots this one way.

Nova records the server on image-backed snapshots only (``instance_uuid``);
a volume-backed snapshot records none. ``rc snapshot create`` writes
:data:`SERVER_PROPERTY` on every snapshot it makes; for the others the
server is derived from the volume the root volume snapshot was taken of,
when that volume is attached to a server.
"""

import collections.abc

from rcsnap_osc.core import snapshots

#: The image property ``rc snapshot create`` records the server's ID in.
SERVER_PROPERTY = 'rcsnap:server_id'
#: The metadata key of a server made by a restore: the IDs of the servers
#: it replaced, the latest first (as many as Nova's 255 characters hold).
RESTORED_FROM = 'rcsnap:restored_from'
#: The metadata key of a server a restore replaced: the server that did.
REPLACED_BY = 'rcsnap:replaced_by'


def attached_servers(volumes: collections.abc.Iterable[dict]
                     ) -> dict[str, str]:
    """Volume id -> the server it is attached to (the first one)."""
    found: dict[str, str] = {}
    for volume in volumes:
        for attachment in volume.get('attachments') or ():
            if attachment.get('server_id'):
                found.setdefault(volume['id'], attachment['server_id'])
    return found


def recorded_server(image: dict) -> str | None:
    """The server ID a snapshot records: ours (:data:`SERVER_PROPERTY`),
    else Nova's ``instance_uuid`` (image-backed ones); None otherwise."""
    return image.get(SERVER_PROPERTY) or image.get('instance_uuid') or None


def root_volume_of(image: dict,
                   volume_snapshots: dict[str, dict]) -> str | None:
    """The ID of the volume a volume-backed snapshot's root volume
    snapshot was taken of, or None (not visible, or image-backed).

    :param volume_snapshots: the caller's volume snapshots by id.
    """
    root = snapshots.root_entry(snapshots.mapping_of(image))
    if not root or not root.get('snapshot_id'):
        return None
    found = volume_snapshots.get(root['snapshot_id'])
    return (found or {}).get('volume_id') or None


def server_of(image: dict, volume_snapshots: dict[str, dict],
              attached: dict[str, str]) -> str | None:
    """The ID of the server a snapshot was made of, or None: the one it
    records, else the one its root volume is attached to.

    :param volume_snapshots: the caller's volume snapshots by id.
    :param attached: :func:`attached_servers` of the caller's volumes.
    """
    recorded = recorded_server(image)
    if recorded:
        return recorded
    return attached.get(
        root_volume_of(image, volume_snapshots))  # type: ignore[arg-type]


def owned_snapshots(images: collections.abc.Iterable[dict],
                    project_id: str) -> list[dict]:
    """This project's instance snapshots, newest first, each once."""
    seen: dict[str, dict] = {}
    for image in images:
        if (image.get('owner') == project_id
                and snapshots.is_instance_snapshot(image)):
            seen.setdefault(image['id'], image)
    return sorted(seen.values(), key=lambda i: (
        i.get('created_at') or '', i['id']), reverse=True)


def lineage(server: dict,
            servers: collections.abc.Iterable[dict] = ()) -> tuple[str, ...]:
    """The IDs of the servers whose snapshots count as ``server``'s: its
    own, then those restores replaced it with (its :data:`RESTORED_FROM`,
    latest first), then any of ``servers`` (listed, with metadata) whose
    :data:`REPLACED_BY` names one of them (a chain longer than Nova's 255
    characters). A server a restore replaced since counts only its own."""
    metadata = server.get('metadata') or {}
    if metadata.get(REPLACED_BY):
        return (server['id'],)
    ids = [server['id']] + [
        i for i in (metadata.get(RESTORED_FROM) or '').split()
        if i != server['id']]
    listed = list(servers)
    grown = True
    while grown:
        grown = False
        for other in listed:
            by = (other.get('metadata') or {}).get(REPLACED_BY)
            if by in ids and other['id'] not in ids:
                ids.append(other['id'])
                grown = True
    return tuple(ids)


def snapshots_of(server_id: str, images: collections.abc.Iterable[dict],
                 project_id: str, volume_snapshots: dict[str, dict],
                 volumes: collections.abc.Iterable[dict],
                 replaced: collections.abc.Iterable[str] = ()) -> list[dict]:
    """This project's snapshots of the server, newest first, and of the
    servers it ``replaced`` (:func:`lineage`)."""
    attached = attached_servers(volumes)
    ids = {server_id, *replaced}
    return [i for i in owned_snapshots(images, project_id)
            if server_of(i, volume_snapshots, attached) in ids]
