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

"""The output of ``rc snapshot restore``: one row per resource, old ->
new, with what became of it. Pure: the plan, and after the restore what
the cloud made (``Made``), give the rows; before, the new side says what
will be made.
"""

import dataclasses

from rcsnap_osc.i18n import _
from rcsnap_osc.restore import plan

#: The new side of a row before the restore is done.
TO_BE_MADE = '(to be made)'


@dataclasses.dataclass
class Made:
    """What a replacement made and did: the new server, its ports
    (Neutron's), its volumes by device, the floating IPs moved
    (``{floating IP ID: port ID}``), the seconds the server could not be
    reached, and what ``--delete-old`` removed or kept (``[(kind, ID,
    note)]``)."""

    server: dict | None = None
    ports: list = dataclasses.field(default_factory=list)
    volumes: dict = dataclasses.field(default_factory=dict)
    floating_ips: dict = dataclasses.field(default_factory=dict)
    unreachable: float | None = None
    old: list = dataclasses.field(default_factory=list)


def row(resource, old, new, note):
    return {'resource': resource, 'old': old, 'new': new, 'note': note}


def rebuild_rows(restore, server=None, unreachable=None):
    """A rebuild: the server keeps its ID, ports and volumes."""
    old = restore.server
    image = restore.found.summary.image
    rows = [row(_('server'), old['id'], server.id if server else old['id'],
                _('%(name)s rebuilt from image %(image)s: its local disk is '
                  'replaced; ID, name, ports, addresses, floating IPs and '
                  'attached volumes stay') % {
                      'name': old['name'], 'image': image['id']})]
    if unreachable is not None:
        rows.append(row(_('unreachable'), '', '%d s' % unreachable,
                        _('from the rebuild request until it was done')))
    return rows


def _addresses(port):
    return ', '.join(ip['ip_address'] for ip in port.get('fixed_ips') or ())


def _new_port(step, made):
    """The new server's port for a step, from what was made."""
    if step.how == plan.MOVE:
        return step.port
    same = [p for p in made.ports if p['network_id'] == step.port['network_id']
            and (step.how != plan.SAME or _addresses(p) == _addresses(
                step.port))]
    return same[0] if same else None


def replace_rows(restore, made=None):
    """A replacement, old -> new: server, volumes, ports, floating IPs,
    what stays on the old server, and the time it could not be
    reached."""
    old = restore.server
    done = made is not None
    made = made or Made()
    new_server = made.server or {}
    fate = _('; the old one is stopped and renamed %s') % restore.kept_name
    if restore.delete_old:
        fate += _(', then deleted once the new one is ACTIVE (--delete-old)')
    rows = [row(_('server'), old['id'], new_server.get('id', TO_BE_MADE),
                _('%s: the new server takes the name') % old['name'] + fate)]
    for step in restore.volumes:
        new = made.volumes.get(step.moved or step.snapshot_id,
                               step.moved if step.moved else TO_BE_MADE)
        if step.moved:
            note = _('data volume %s moved from the old server') % (
                step.device or '')
        else:
            note = (_('%(role)s volume, %(size)s GiB, from backup %(snap)s '
                      '(archived)') if step.backup else _(
                '%(role)s volume, %(size)s GiB, from volume snapshot '
                '%(snap)s')) % {'role': step.role, 'size': step.size_gib,
                                'snap': step.backup or step.snapshot_id}
            if step.old and (step.role != 'root' or not restore.delete_old):
                note += _('; the old one stays on the old server')
            elif step.old:
                note += _('; the old one is deleted with the old server, '
                          'unless a volume snapshot depends on it')
        rows.append(row(_('%s volume') % step.role, step.old or '', new,
                        note))
    for volume_id in restore.left_on_old:
        rows.append(row(_('data volume'), volume_id, '', _(
            'not in the snapshot: stays attached to the old server '
            '(--data-volumes current moves the current data volumes)')))
    rows.extend(_port_rows(restore, made, done))
    for kind, ident, note in made.old:
        rows.append(row(kind, ident, '', note))
    if made.unreachable is not None:
        rows.append(row(_('unreachable'), '', '%d s' % made.unreachable, _(
            'from stopping the old server until the new one was ACTIVE with '
            'its floating IPs')))
    return rows


def _port_rows(restore, made, done):
    rows = []
    for step in restore.ports:
        port = step.port
        new = _new_port(step, made) if done else None
        old_text = '%s (%s)' % (port['id'], _addresses(port))
        if new is None and step.how == plan.MOVE:
            new = port
        new_text = ('%s (%s)' % (new['id'], _addresses(new)) if new
                    else TO_BE_MADE)
        if step.how == plan.MOVE:
            note = _('on %s: the port moves, with its addresses and MAC') % (
                step.network)
        elif step.how == plan.SAME:
            note = _('on %s: a new port with the same address; the old port '
                     'gets another one') % step.network
        else:
            note = _('on %(net)s: a new port, a NEW address (%(why)s)') % {
                'net': step.network, 'why': step.why}
        rows.append(row(_('port'), old_text, new_text, note))
        for fip in restore.found.floating_ips:
            if fip['port_id'] != port['id']:
                continue
            target = new['id'] if new else TO_BE_MADE
            rows.append(row(_('floating IP'), '%s -> %s' % (
                fip['floating_ip_address'], port['id']), '%s -> %s' % (
                    fip['floating_ip_address'], target), _(
                        'moves with its port') if step.how == plan.MOVE
                else _('moves to the new port')))
    return rows
