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

"""What ``rc snapshot restore`` does, decided from what the reads found.

Pure: no HTTP. An image-backed server is rebuilt from the snapshot image
(Nova keeps its UUID, ports and volumes). A volume-backed one is replaced:
a new server with the old one's name, flavor, key pair, metadata, tags,
zone and group, a new root volume from the root volume snapshot, its data
volumes from their volume snapshots or moved from the old server, and its
addresses: a port the user made moves; a port Nova made gets a twin with
the same fixed IP on a network the project owns (Neutron lets only a
network's owner choose addresses), else a new address.
"""

import dataclasses

from rcsnap_osc.core import archives
from rcsnap_osc.core import quota
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

#: ``--data-volumes``: new ones from the snapshot, or the current ones.
SNAPSHOT = 'snapshot'
CURRENT = 'current'

REBUILD = 'rebuild'
REPLACE = 'replace'

#: What becomes of a port of the old server.
MOVE = 'move'
SAME = 'same address'
NEW = 'new address'


@dataclasses.dataclass(frozen=True)
class Request:
    """``rc snapshot restore``: the snapshot, ``server`` (None: the one
    it was taken of), ``data_volumes`` (:data:`SNAPSHOT` or
    :data:`CURRENT`), ``delete_old``, ``dry_run``, ``wait`` (seconds a rebuild
    is waited for; None: not) and ``timeout`` (seconds of each wait of a
    replacement)."""

    snapshot: str
    server: str | None = None
    data_volumes: str = SNAPSHOT
    delete_old: bool = False
    dry_run: bool = False
    wait: int | None = None
    timeout: int = 600


@dataclasses.dataclass(frozen=True)
class Found:
    """What the reads found: the snapshot's :class:`snapshots.Summary`,
    the server (a dict, Nova's names), its ports (Neutron's), the
    networks by ID, its floating IPs, its volumes by ID (Cinder's), the
    volume snapshots by ID and the caller's project ID."""

    summary: snapshots.Summary
    server: dict
    ports: list
    networks: dict
    floating_ips: list
    volumes: dict
    volume_snapshots: dict
    project_id: str


@dataclasses.dataclass(frozen=True)
class PortStep:
    """A port of the old server and what becomes of it (``how``, with
    ``why`` for a new address)."""

    port: dict
    network: str
    how: str
    why: str | None = None

    @property
    def addresses(self) -> list[str]:
        return [ip['ip_address'] for ip in self.port.get('fixed_ips') or ()]


@dataclasses.dataclass(frozen=True)
class VolumeStep:
    """A volume of the new server: ``role`` root or data, ``device``,
    made from volume snapshot ``snapshot_id`` (of an archived snapshot:
    from ``backup``, the backup its image records) or moved (``moved``,
    the old volume's ID); ``old``, the old server's volume it replaces."""

    role: str
    device: str | None
    size_gib: int | None
    snapshot_id: str | None = None
    moved: str | None = None
    old: str | None = None
    backup: str | None = None


@dataclasses.dataclass(frozen=True)
class Plan:
    """The whole restore, before anything is done."""

    kind: str
    found: Found
    kept_name: str | None
    ports: tuple = ()
    volumes: tuple = ()
    left_on_old: tuple = ()
    data_volumes: str = SNAPSHOT
    delete_old: bool = False

    @property
    def server(self) -> dict:
        return self.found.server

    @property
    def new_volumes(self) -> list[VolumeStep]:
        return [v for v in self.volumes if v.moved is None]

    @property
    def new_ports(self) -> int:
        return sum(1 for p in self.ports if p.how != MOVE)

    @property
    def moved_ports(self) -> list[str]:
        return [p.port['id'] for p in self.ports if p.how == MOVE]


def label(thing: dict) -> str:
    return '%s (%s)' % (thing.get('name'), thing['id'])


def kept_name(name: str, stamp: str) -> str:
    """The name the old server keeps: ``<name>-before-restore-<UTC>``."""
    return '%s-before-restore-%s' % (name, stamp)


def check_target(summary: snapshots.Summary, server: dict,
                 project_id: str) -> None:
    """Refuse a server of another project, or a type that differs from
    the snapshot's (a rebuild takes an image-backed one, a replacement a
    volume-backed one)."""
    if server.get('tenant_id', project_id) != project_id:
        raise errors.Refused(_('Server %s is not in this project.')
                             % label(server))
    image_backed = bool((server.get('image') or {}).get('id'))
    snap = label(summary.image)
    if summary.type == snapshots.IMAGE_BACKED and not image_backed:
        raise errors.Refused(_(
            'Snapshot %(snap)s is image-backed and server %(server)s boots '
            'from a volume: restore rebuilds only image-backed servers from '
            'image-backed snapshots; use rc snapshot launch.') % {
                'snap': snap, 'server': label(server)})
    if summary.type != snapshots.IMAGE_BACKED and image_backed:
        raise errors.Refused(_(
            'Snapshot %(snap)s is volume-backed and server %(server)s boots '
            'from an image: use rc snapshot launch.') % {
                'snap': snap, 'server': label(server)})


def is_nova_made(port: dict) -> bool:
    """Nova names no port it makes; a port with a name was made by a user
    (and survives its server). A nameless one is taken as Nova's: it is
    never detached, so nothing is lost if it was not."""
    return not port.get('name')


def port_steps(found: Found) -> list[PortStep]:
    """What becomes of each port, in the server's interface order."""
    from rcsnap_osc.core import ports

    order = ports.network_names(found.server.get('addresses'))
    steps = []
    for port in sorted(found.ports, key=lambda p: order.get(
            p.get('mac_address'), (len(order), None))[0]):
        network = found.networks.get(port['network_id']) or {}
        name = network.get('name') or port['network_id']
        ips = port.get('fixed_ips') or ()
        if not is_nova_made(port):
            steps.append(PortStep(port, name, MOVE))
        elif network.get('project_id') != found.project_id:
            steps.append(PortStep(port, name, NEW, _(
                'network %s is not this project\'s: only its owner may '
                'choose addresses on it') % name))
        elif len(ips) != 1:
            steps.append(PortStep(port, name, NEW, _(
                'Nova takes one fixed address a port; this one has %d')
                % len(ips)))
        else:
            steps.append(PortStep(port, name, SAME))
    return steps


def root_volume(found: Found) -> str | None:
    """The old server's root volume: the one the snapshot's root volume
    snapshot was taken of, when attached, else the one on the snapshot's
    root device."""
    devices = found.summary.devices
    root = next((d for d in devices if d.boot_index == 0), None)
    attached = found.volumes
    if root is not None:
        source = _taken_of(found, root.snapshot_id)
        if source in attached:
            return source
    device = (root.device_name if root else None) or '/dev/vda'
    for volume_id, volume in attached.items():
        for attachment in volume.get('attachments') or ():
            if (attachment.get('server_id') == found.server['id']
                    and attachment.get('device') == device):
                return volume_id
    return None


def _taken_of(found: Found, snapshot_id: str) -> str | None:
    """The volume a volume snapshot was taken of (of an archived one, as
    its image records)."""
    return (found.volume_snapshots.get(snapshot_id) or {}).get(
        'volume_id') or _records(found).get(snapshot_id, _NO_RECORD)[2]


_NO_RECORD = (None, None, None)


def _records(found: Found) -> dict:
    """``{volume snapshot ID: (backup ID, size, volume ID)}`` of an
    archived snapshot's disks ({} for any other)."""
    return {r.snapshot_id: (r.backup_id, r.size_gib, r.volume_id)
            for r in archives.current(found.summary.image)
            if archives.is_archived(found.summary.image)}


def volume_steps(found: Found, data_volumes: str
                 ) -> tuple[list[VolumeStep], list[str]]:
    """The new server's volumes, and the old volumes that stay on the
    old server."""
    old_root = root_volume(found)
    if old_root is None:
        raise errors.Refused(_(
            'Cannot tell which volume server %s boots from; nothing was '
            'changed.') % label(found.server))
    steps, left, records = [], [], _records(found)
    for device in found.summary.devices:
        backup, size, _vol = records.get(device.snapshot_id, (
            None, device.size_gib, None))
        if device.boot_index == 0:
            size = max(size or 0, found.volumes[old_root].get('size') or 0)
            steps.append(VolumeStep('root', device.device_name, size,
                                    device.snapshot_id, old=old_root,
                                    backup=backup))
        elif data_volumes == SNAPSHOT:
            steps.append(VolumeStep(
                'data', device.device_name, size, device.snapshot_id,
                old=_data_volume_of(found, device), backup=backup))
    paired = {step.old for step in steps}
    for volume_id in sorted(found.volumes):
        if volume_id == old_root or volume_id in paired:
            continue
        if data_volumes == CURRENT:
            steps.append(VolumeStep(
                'data', _attached_device(found, volume_id),
                found.volumes[volume_id].get('size'), moved=volume_id,
                old=volume_id))
        else:
            left.append(volume_id)
    return steps, left


def _data_volume_of(found: Found, device: snapshots.Device) -> str | None:
    """The old server's volume a data volume snapshot stands for: the
    one it was taken of, else one an earlier restore made from it."""
    source = _taken_of(found, device.snapshot_id)
    if source in found.volumes:
        return source
    return next((i for i, v in sorted(found.volumes.items())
                 if v.get('snapshot_id') == device.snapshot_id), None)


def _attached_device(found: Found, volume_id: str) -> str | None:
    for attachment in found.volumes[volume_id].get('attachments') or ():
        if attachment.get('server_id') == found.server['id']:
            return attachment.get('device')
    return None


def decide(found: Found, request: Request, stamp: str) -> Plan:
    """The :class:`Plan` of a restore; refused before anything is done
    when it cannot be carried out."""
    check_target(found.summary, found.server, found.project_id)
    if archives.is_archived(found.summary.image) and len(_records(
            found)) != len(found.summary.devices):
        raise errors.Refused(_('Snapshot %s cannot be restored: its image '
                               'does not record a backup of each disk.')
                             % label(found.summary.image))
    if found.summary.missing and not archives.is_archived(
            found.summary.image):
        raise errors.Refused(_(
            'Snapshot %(snap)s cannot be restored: volume snapshot(s) %(ids)s '
            'are gone.') % {
                'snap': label(found.summary.image),
                'ids': ', '.join(d.snapshot_id
                                 for d in found.summary.missing)})
    if found.summary.type == snapshots.IMAGE_BACKED:
        return Plan(REBUILD, found, None)
    steps, left = volume_steps(found, request.data_volumes)
    return Plan(REPLACE, found, kept_name(found.server['name'], stamp),
                tuple(port_steps(found)), tuple(steps), tuple(left),
                request.data_volumes, request.delete_old)


def check_quota(restore: Plan, quota_set: dict | None,
                port_quota: dict | None) -> None:
    """Refuse a replacement the project has no room for: Cinder's
    ``volumes`` and ``gigabytes`` for the new volumes, Neutron's ``port``
    for the new ports (the old server keeps its own)."""
    new = restore.new_volumes
    amounts = {'volumes': len(new),
               'gigabytes': sum(v.size_gib or 0 for v in new)}
    exceeded = quota.over(quota_set, amounts)
    if exceeded:
        raise errors.Refused(_(
            "Cinder quota %(quotas)s: restoring server %(server)s needs "
            "%(count)d new volume(s), %(gib)d GiB; nothing was changed.") % {
                'quotas': quota.at(exceeded),
                'server': restore.server['name'],
                'count': amounts['volumes'], 'gib': amounts['gigabytes']})
    wanted = restore.new_ports
    exceeded = quota.over({'port': port_quota}, {'port': wanted})
    if exceeded:
        raise errors.Refused(_(
            "Neutron quota %(quotas)s: restoring server %(server)s needs "
            "%(wanted)d new port(s); nothing was changed.") % {
                'quotas': quota.at(exceeded),
                'server': restore.server['name'], 'wanted': wanted})
