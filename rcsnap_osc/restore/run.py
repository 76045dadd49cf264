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

"""The openstacksdk calls behind ``rc snapshot restore``.

:func:`prepare` reads what the plan needs, in three rounds of parallel
requests, and refuses before anything is changed; :func:`execute` does
the plan. A replacement runs inside one rollback ledger: each step on the
old server is written there with what takes it back
(:mod:`rcsnap_osc.restore.steps`), so that a failure, a timeout or Ctrl-C
puts the old server back as it was.
"""

import dataclasses
import datetime

from openstack import exceptions as sdk_exc
from openstack import utils as sdk_utils

from rcsnap_osc.cloud import find
from rcsnap_osc.cloud import from_backups
from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import rollback
from rcsnap_osc.cloud import waits
from rcsnap_osc.core import origin
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.restore import after
from rcsnap_osc.restore import attrs as restore_attrs
from rcsnap_osc.restore import lineage
from rcsnap_osc.restore import plan as restore_plan
from rcsnap_osc.restore import rows as restore_rows
from rcsnap_osc.restore import steps as restore_steps


def _record(resource):
    return resource.to_dict(computed=False, original_names=True)


def find_server(conn, image, volume_snapshots, name_or_id):
    """The server to restore: ``name_or_id``, else the one the snapshot
    was taken of (the one it records, else the one its root volume is
    attached to), or the server that replaced it in an earlier restore."""
    if name_or_id:
        return find.find_server(conn, name_or_id)
    ident = origin.recorded_server(image)
    if not ident:
        root = origin.root_volume_of(image, volume_snapshots)
        volumes = reads.get_volumes(conn, [root]) if root else {}
        ident = origin.attached_servers(volumes.values()).get(root)
    server = reads.or_none(conn.compute.get_server, ident) if ident else None
    if server is not None and not (server.metadata or {}).get(
            lineage.REPLACED_BY):
        return server
    if ident:
        later = lineage.successor(
            ident, [_record(s) for s in conn.compute.servers()])
        if later is not None:
            return conn.compute.get_server(later['id'])
    raise errors.Refused(_(
        'Snapshot %s names no server that still exists: say which one to '
        'restore with --server.') % restore_plan.label(image))


def neutron_port_quota(conn):
    """Neutron's ``port`` quota with usage (``{'limit', 'used',
    'reserved'}``), None where the cloud does not say."""
    response = conn.network.get(
        '/quotas/%s/details' % conn.current_project_id)
    if response.status_code in (403, 404):
        return None
    sdk_exc.raise_from_response(response)
    return (response.json().get('quota') or {}).get('port')


@dataclasses.dataclass(frozen=True)
class Room:
    """What the plan is checked against: Cinder's quota with usage,
    Neutron's port quota, the flavors, and whether the old server's key
    pair is this user's (None: it has none)."""

    cinder_quota: dict | None = None
    port_quota: dict | None = None
    flavors: list = ()
    key_found: bool | None = None


def gather(conn, request):
    """The :class:`restore_plan.Found` of a request and its
    :class:`Room`, in three rounds of parallel reads: the snapshot (and
    the server, when named); the server's volumes, ports and floating
    IPs, the flavors, the quotas, the key pair; the ports' networks. A
    rebuild needs the first round only."""
    if request.server:
        (image, volume_snapshots), server = reads.parallel([
            lambda: find.find_snapshot(conn, request.snapshot),
            lambda: find.find_server(conn, request.server)])
    else:
        image, volume_snapshots = find.find_snapshot(conn, request.snapshot)
        server = find_server(conn, image, volume_snapshots, None)
    known = dict(summary=snapshots.summarize(image, volume_snapshots),
                 server=_record(server), volume_snapshots=volume_snapshots,
                 project_id=conn.current_project_id)
    if known['summary'].type == snapshots.IMAGE_BACKED:
        return restore_plan.Found(ports=[], networks={}, floating_ips=[],
                                  volumes={}, **known), Room()
    attached = [v['id'] for v in server.attached_volumes or ()]
    calls = [
        lambda: reads.get_volumes(conn, attached),
        lambda: reads.paginate(conn.compute, '/flavors/detail', 'flavors',
                               {}),
        lambda: reads.cinder_quota(conn),
        lambda: _key_found(conn, server.key_name)]
    if conn.config.get_endpoint_from_catalog('network'):
        calls += [
            lambda: [_record(p) for p in conn.network.ports(
                device_id=server.id)],
            lambda: neutron_port_quota(conn),
            lambda: [_record(f) for f in conn.network.ips(
                project_id=conn.current_project_id)]]
    found = reads.parallel(calls) + [[], None, []][len(calls) - 4:]
    volumes, flavors, cinder_quota, key_found, ports, port_quota, fips = found
    port_ids = {p['id'] for p in ports}
    networks = {}
    if ports:
        networks = {n.id: _record(n) for n in conn.network.networks(
            id=sorted({p['network_id'] for p in ports}))}
    return restore_plan.Found(
        ports=ports, networks=networks, volumes=volumes,
        floating_ips=[f for f in fips if f.get('port_id') in port_ids],
        **known), Room(cinder_quota, port_quota, flavors, key_found)


def _key_found(conn, name):
    """Whether this user has the key pair (None: no key pair named)."""
    if not name:
        return None
    return reads.or_none(conn.compute.get_keypair, name) is not None


def prepare(conn, request):
    """Everything that can be refused before anything is changed: the
    :class:`restore_plan.Plan` and the new server's attributes (None for
    a rebuild)."""
    found, room = gather(conn, request)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime(
        '%Y%m%dT%H%M%SZ')
    restore = restore_plan.decide(found, request, stamp)
    if restore.kind == restore_plan.REBUILD:
        return restore, None
    restore_plan.check_quota(restore, room.cinder_quota, room.port_quota)
    flavor = _flavor_id(restore.server, room.flavors)
    if room.key_found is False:
        raise errors.Refused(_(
            "Server %(server)s has key pair '%(key)s', which this user "
            "does not have: the new server could not get it.") % {
                'server': restore.server['name'],
                'key': restore.server.get('key_name')})
    return restore, restore_attrs.server_attrs(
        restore, flavor,
        sdk_utils.supports_microversion(conn.compute, '2.67'),
        sdk_utils.supports_microversion(conn.compute, '2.85'))


def _flavor_id(server, flavors):
    """The old server's flavor, from the listing: by ID (Nova before
    2.47), else by its original name."""
    flavor = server.get('flavor') or {}
    for item in flavors:
        if item['id'] == flavor.get('id') or item['name'] == flavor.get(
                'original_name'):
            return item['id']
    raise errors.Refused(_(
        'The flavor of server %(server)s (%(flavor)s) is no longer offered '
        'to this project: the new server cannot have it.') % {
            'server': server['name'],
            'flavor': flavor.get('original_name') or flavor.get('id')})


def planned_rows(restore):
    """The rows of the plan before anything is done: old -> new for each
    resource (:mod:`rcsnap_osc.restore.rows`)."""
    if restore.kind == restore_plan.REBUILD:
        return restore_rows.rebuild_rows(restore)
    return restore_rows.replace_rows(restore)


def execute(conn, restore, attrs, request, reporter):
    """Do the plan: ``(rows of the output, failure or None)``; a failure
    after the new server is handed over is said after the rows."""
    if restore.kind == restore_plan.REBUILD:
        return rebuild(conn, restore, request, reporter), None
    return replace(conn, restore, attrs, request, reporter)


def rebuild(conn, restore, request, reporter):
    """Nova rebuilds the server from the snapshot image; with ``wait``,
    until it is back in the state it was in."""
    server = restore.server
    started = waits.CLOCK.now()
    rebuilt = conn.compute.rebuild_server(
        server['id'], image=restore.found.summary.image['id'])
    unreachable = None
    if request.wait is not None:
        steps = restore_steps.Steps(conn, None, reporter, request.wait)
        status = server['status'] if server['status'] in (
            'ACTIVE', 'SHUTOFF') else 'ACTIVE'
        rebuilt = steps.server_is(server['id'], status)
        unreachable = waits.CLOCK.now() - started
    return restore_rows.rebuild_rows(restore, rebuilt, unreachable)


def replace(conn, restore, attrs, request, reporter):
    """The replacement, in one ledger: stop and rename the old server,
    free its addresses and volumes, build the new one, move the floating
    IPs; then, with ``delete_old``, delete the old server."""
    old = restore.server
    started = waits.CLOCK.now()
    made = restore_rows.Made()
    with rollback.Ledger(conn, reporter) as ledger:
        steps = restore_steps.Steps(conn, ledger, reporter, request.timeout)
        try:
            server = _cut_over(conn, restore, attrs, steps, made)
        except BaseException:
            reporter.say(_('The restore failed: putting server %s back as '
                           'it was.') % restore_plan.label(old))
            raise
        made.unreachable = waits.CLOCK.now() - started
        ledger.handed_over()
    # The new server is the user's now: what fails from here on is said,
    # and the rows are still printed.
    made.server = _record(server)
    failure = after.finish(steps, restore, attrs, made, request)
    return restore_rows.replace_rows(restore, made), failure


def _cut_over(conn, restore, attrs, steps, made):
    """The steps of a replacement, each written on the ledger: the new
    server, ACTIVE with its floating IPs."""
    old, reporter = restore.server, steps.reporter
    moved = {v.moved for v in restore.volumes if v.moved}
    restored = _from_backups(conn, restore, steps)
    if restored:
        attrs = restore_attrs.with_backup_volumes(attrs, restore, restored)
    reporter.say(_('Stopping server %s') % restore_plan.label(old))
    steps.stop(old)
    steps.rename(old, restore.kept_name)
    off_nova_ports = [f for f in restore.found.floating_ips
                      if f['port_id'] not in restore.moved_ports]
    for fip in off_nova_ports:
        steps.release_floating_ip(fip)
    for step in restore.ports:
        if step.how == restore_plan.SAME:
            steps.readdress(step)
        elif step.how == restore_plan.MOVE:
            steps.detach_port(old['id'], step.port['id'])
    for volume_id in sorted(moved):
        steps.detach_volume(old['id'], volume_id)
    reporter.say(_('Creating server %s') % attrs['name'])
    server = steps.create(attrs)
    server = steps.built(server, moved | set(restored.values()))
    made.ports, made.volumes = reads.parallel([
        lambda: [_record(p) for p in conn.network.ports(
            device_id=server.id)] if restore.ports else [],
        lambda: _new_volumes(conn, restore, server)])
    made.volumes.update(restored)
    for fip in off_nova_ports:
        port = _port_for(restore, fip, made.ports)
        steps.move_floating_ip(fip, port)
        made.floating_ips[fip['id']] = port['id']
    return server


def _from_backups(conn, restore, steps):
    """An archived snapshot's new volumes, made from its backups while
    the old server still runs, each in the ledger until the new server
    has it: {volume snapshot ID: volume ID}."""
    todo = [v for v in restore.volumes if v.backup]
    if not todo:
        return {}
    direct = sdk_utils.supports_microversion(conn.block_storage,
                                             from_backups.FROM_BACKUP)
    deadline = waits.Deadline(steps.timeout)
    made = {}
    for step in todo:
        made[step.snapshot_id] = from_backups.make_volume(
            conn, step.backup, restore_attrs.backup_volume(restore, step),
            direct, steps.ledger, deadline)
        steps.reporter.say(_('Making %(role)s volume %(id)s from backup '
                             '%(backup)s') % {
            'role': step.role, 'id': made[step.snapshot_id],
            'backup': step.backup})
    from_backups.wait_available(conn, list(made.values()), deadline,
                                steps.reporter)
    return made


def _port_for(restore, fip, ports):
    """The new server's port a floating IP of a Nova-made port goes to:
    on the same network, the same address where it was kept."""
    step = next(s for s in restore.ports if s.port['id'] == fip['port_id'])
    same = [p for p in ports if p['network_id'] == step.port['network_id']]
    kept = [p for p in same if [ip['ip_address'] for ip in p['fixed_ips']]
            == step.addresses]
    return (kept or same)[0]


def _new_volumes(conn, restore, server):
    """{volume snapshot ID, or moved volume ID: the new server's volume}."""
    ids = [v['id'] for v in server.attached_volumes or ()]
    found = {}
    for volume_id, volume in reads.get_volumes(conn, ids).items():
        key = volume.get('snapshot_id') if volume_id not in {
            v.moved for v in restore.volumes} else volume_id
        if key:  # none: made from a backup (known already)
            found.setdefault(key, volume_id)
    return found
