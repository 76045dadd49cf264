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

"""The new server of a restore, as ``POST /servers`` asks for it: pure,
from a :class:`rcsnap_osc.restore.plan.Plan`."""

from rcsnap_osc.core import archives
from rcsnap_osc.core import snapshots
from rcsnap_osc.i18n import _
from rcsnap_osc.restore import lineage
from rcsnap_osc.restore import plan


def _entries(restore: plan.Plan) -> dict:
    """The snapshot's mapping entries by volume snapshot ID."""
    return {ref.snapshot_id: entry
            for entry in snapshots.mapping_of(restore.found.summary.image)
            for ref in snapshots.volume_refs([entry])}


def block_devices(restore: plan.Plan, volume_types: bool = False,
                  transient: bool = False) -> list[dict]:
    """The new server's ``block_device_mapping_v2``: the root volume and
    the data volumes from their volume snapshots, each deleted with the
    server as the snapshot records (its type kept with ``volume_types``,
    microversion 2.67), and the moved volumes, never deleted with it (a
    failed restore deletes the new server: the user's data must stay).

    With ``transient`` (microversion 2.85 lets it be changed later) the
    new volumes are deleted with the server until the restore is done:
    a rollback that deletes the server takes the volumes Nova was still
    making too; :func:`kept_on_termination` says which to set back."""
    entries = _entries(restore)
    mapping = []
    for step in restore.volumes:
        bdm = {'boot_index': 0 if step.role == 'root' else -1,
               'destination_type': 'volume'}
        if step.moved:
            bdm.update(uuid=step.moved, source_type='volume',
                       delete_on_termination=False)
        elif step.backup:  # the volume made from it, once made
            bdm.update(uuid=None, source_type='volume', delete_on_termination=(
                bool(entries.get(step.snapshot_id, {}).get(
                    'delete_on_termination'))))
        else:
            entry = entries.get(step.snapshot_id, {})
            bdm.update(uuid=step.snapshot_id, source_type='snapshot',
                       delete_on_termination=transient or bool(
                           entry.get('delete_on_termination')))
            if step.size_gib:
                bdm['volume_size'] = step.size_gib
            if volume_types and entry.get('volume_type'):
                bdm['volume_type'] = entry['volume_type']
        mapping.append(bdm)
    return mapping


def backup_volume(restore: plan.Plan, step: plan.VolumeStep) -> dict:
    """The ``POST /volumes`` body of a new volume made from the backup
    of an archived snapshot's disk: its size and recorded volume type."""
    record = next(r for r in archives.records(restore.found.summary.image)
                  if r.backup_id == step.backup)
    body = {'name': volume_name(restore, step),
            'size': step.size_gib, 'description': _(
            'Restored from backup %(backup)s of archived snapshot '
            '%(snap)s') % {'backup': step.backup,
                           'snap': restore.found.summary.image['id']}}
    if record.volume_type:
        body['volume_type'] = record.volume_type
    return body


def volume_name(restore: plan.Plan, step: plan.VolumeStep) -> str:
    """The name of a new volume: the server's, then its device's
    (``analysis-vm-vdb``), made from a backup or a volume snapshot."""
    return '%s-%s' % (restore.server['name'],
                      (step.device or step.role).rsplit('/', 1)[-1])


def snapshot_volume(restore: plan.Plan, step: plan.VolumeStep) -> dict:
    """The name and description of a new volume Nova made from a volume
    snapshot (Nova names none): set once the server has it."""
    return {'name': volume_name(restore, step), 'description': _(
        'Restored from volume snapshot %(vs)s of instance snapshot '
        '%(snap)s') % {'vs': step.snapshot_id,
                       'snap': restore.found.summary.image['id']}}


def with_backup_volumes(attrs: dict, restore: plan.Plan,
                        made: dict[str, str]) -> dict:
    """``attrs`` with the volumes made from the backups (``made``: volume
    snapshot ID -> volume ID) in the mapping, in the plan's order."""
    mapping = [dict(bdm) for bdm in attrs['block_device_mapping']]
    for bdm, step in zip(mapping, restore.volumes):
        if step.backup:
            bdm['uuid'] = made[step.snapshot_id]
    return dict(attrs, block_device_mapping=mapping)


def kept_on_termination(restore: plan.Plan) -> list[str]:
    """The volume snapshots whose new volumes the snapshot records as
    kept when the server is deleted."""
    entries = _entries(restore)
    return [step.snapshot_id for step in restore.volumes
            if not step.moved and not entries.get(
                step.snapshot_id, {}).get('delete_on_termination')]


def networks(restore: plan.Plan) -> list[dict]:
    """The new server's ``networks``, in the old one's interface order."""
    found = []
    for step in restore.ports:
        if step.how == plan.MOVE:
            found.append({'port': step.port['id']})
        elif step.how == plan.SAME:
            found.append({'uuid': step.port['network_id'],
                          'fixed_ip': step.addresses[0]})
        else:
            found.append({'uuid': step.port['network_id']})
    return found


def server_attrs(restore: plan.Plan, flavor_id: str,
                 volume_types: bool = False, transient: bool = False
                 ) -> dict:
    """The SDK attributes of the new server's ``POST /servers``: the old
    one's name, flavor, key pair, metadata, tags, zone, server group and
    the security groups of the ports Nova made."""
    server = restore.server
    attrs = {'name': server['name'], 'flavor_id': flavor_id,
             'block_device_mapping': block_devices(restore, volume_types,
                                                   transient),
             'networks': networks(restore) or 'none'}
    groups = sorted({g for step in restore.ports if step.how != plan.MOVE
                     for g in step.port.get('security_groups') or ()})
    if groups:
        attrs['security_groups'] = [{'name': g} for g in groups]
    attrs['metadata'] = dict(server.get('metadata') or {})
    attrs['metadata'][lineage.RESTORED_FROM] = lineage.lineage(server)
    for key, name in (('key_name', 'key_name'), ('tags', 'tags'),
                      ('availability_zone', 'OS-EXT-AZ:availability_zone')):
        if server.get(name):
            attrs[key] = server[name]
    server_groups = server.get('server_groups') or ()
    if server_groups:
        attrs['scheduler_hints'] = {'group': server_groups[0]}
    return attrs
