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

"""The openstacksdk calls behind ``rc snapshot flavors`` and ``launch``.

One listing per kind of thing (flavors, networks, security groups), GETs
in parallel where they are independent, and one-line CommandErrors.
"""

import concurrent.futures
import time

from openstack import exceptions as sdk_exc
from openstack import utils as sdk_utils
from osc_lib import exceptions

from rcsnap_osc import cloud
from rcsnap_osc import flavor_fit
from rcsnap_osc.i18n import _
from rcsnap_osc import snapshots

#: ``networks`` values Nova accepts instead of a list (microversion 2.37).
AUTO = 'auto'
NONE = 'none'

#: Volume statuses in which Cinder lets a volume be deleted.
DELETABLE = frozenset(('available', 'error', 'error_restoring',
                       'error_extending', 'error_managing'))


class LaunchFailed(exceptions.CommandError):
    """The server went to ERROR; ``server`` is its last SDK record."""

    def __init__(self, server):
        fault = server.fault or {}
        self.server = server
        self.fault = cloud._one_line(
            fault.get('message') or _('no fault recorded'))
        super().__init__(self.fault)


# -- looking things up -------------------------------------------------------

def list_flavors(conn):
    """Every flavor the caller can see, with details, in one listing."""
    return cloud.paginate(conn.compute, '/flavors/detail', 'flavors', {})


def _pick(items, name_or_id, kind):
    """One item by exact ID, else by exact name; one-line errors."""
    for item in items:
        if item.get('id') == name_or_id:
            return item
    matches = [i for i in items if i.get('name') == name_or_id]
    return cloud.only_match(kind, name_or_id, matches,
                            sorted(i['id'] for i in matches))


def find_flavor(flavors, name_or_id):
    return _pick(flavors, name_or_id, _('flavor'))


def has_networking(conn):
    """The token's catalog lists a Networking service (no request made)."""
    return bool(conn.config.get_endpoint_from_catalog('network'))


def _require_networking(conn, option):
    if not has_networking(conn):
        raise exceptions.CommandError(
            _('This cloud has no Networking service; %s cannot be used.')
            % option)


def find_networks(conn, names):
    """Network IDs for names or IDs, from one listing."""
    if not names:
        return []
    _require_networking(conn, '--network')
    listed = [{'id': n.id, 'name': n.name} for n in conn.network.networks()]
    return [_pick(listed, name, _('network'))['id'] for name in names]


def find_security_groups(conn, names):
    """Security group IDs for names or IDs, from one listing of the
    project's groups (IDs of groups shared with it are taken as given)."""
    if not names:
        return []
    _require_networking(conn, '--security-group')
    listed = [{'id': g.id, 'name': g.name} for g in
              conn.network.security_groups(
                  project_id=conn.current_project_id)]
    found = []
    for name in names:
        if cloud.is_uuid_like(name) and not any(
                g['id'] == name for g in listed):
            try:
                found.append(conn.network.get_security_group(name).id)
                continue
            except sdk_exc.NotFoundException:
                pass
        found.append(_pick(listed, name, _('security group'))['id'])
    return found


def check_keypair(conn, name):
    """The key pair exists for this user (one GET)."""
    if name is None:
        return
    try:
        conn.compute.get_keypair(name)
    except sdk_exc.NotFoundException:
        raise exceptions.CommandError(
            _("No key pair named '%s' exists for this user.") % name)


def ready_summary(conn, name_or_id):
    """The instance snapshot, refused unless it can be launched now."""
    image = cloud.find_snapshot(conn, name_or_id)
    ids = [ref.snapshot_id for ref in snapshots.volume_refs(
        snapshots.mapping_of(image))]
    volumes = cloud.get_volume_snapshots(conn, ids)
    done, failure, pending = snapshots.wait_state(image, volumes)
    label = '%s (%s)' % (image.get('name'), image['id'])
    if failure:
        raise exceptions.CommandError(
            _('Snapshot %(snap)s cannot be launched: %(why)s.') % {
                'snap': label, 'why': failure})
    if not done:
        raise exceptions.CommandError(
            _('Snapshot %(snap)s is not ready yet: %(pending)s; launch it '
              'once it is (rc snapshot create --wait waits for that).') % {
                'snap': label, 'pending': ', '.join(pending)})
    return snapshots.summarize(image, volumes)


# -- the request -------------------------------------------------------------

def supports(conn, microversion):
    """The compute API accepts this microversion (discovery is cached)."""
    return sdk_utils.supports_microversion(conn.compute, microversion)


def block_devices(summary, size, volume_types=False):
    """``block_device_mapping_v2`` for ``--size``: the root volume from its
    snapshot at ``size`` GiB, then the other volumes as the image maps them.

    ``volume_types`` keeps each volume's recorded type (microversion 2.67).
    """
    refs = {ref.snapshot_id: entry for entry in snapshots.mapping_of(
        summary.image) for ref in snapshots.volume_refs([entry])}
    mapping = []
    for device in summary.devices:
        entry = refs.get(device.snapshot_id, {})
        bdm = {
            'boot_index': 0 if device.boot_index == 0 else -1,
            'uuid': device.snapshot_id,
            'source_type': 'snapshot',
            'destination_type': 'volume',
            'delete_on_termination': bool(
                entry.get('delete_on_termination')),
        }
        if device.boot_index == 0:
            bdm['volume_size'] = size
        elif entry.get('volume_size'):
            bdm['volume_size'] = entry['volume_size']
        if volume_types and entry.get('volume_type'):
            bdm['volume_type'] = entry['volume_type']
        mapping.append(bdm)
    return mapping


def server_attrs(summary, flavor, name, networks, size=None,
                 key_name=None, security_groups=(), availability_zone=None,
                 volume_types=False):
    """The SDK attributes of ``POST /servers`` (pure).

    ``networks`` is a list of network IDs, :data:`AUTO` or :data:`NONE`.
    Without ``size`` the server boots from ``imageRef`` and Nova builds the
    volumes from the image's own mapping; with it, from an explicit mapping.
    """
    attrs = {'name': name, 'flavor_id': flavor['id']}
    if size is None:
        attrs['image_id'] = summary.image['id']
    else:
        attrs['block_device_mapping'] = block_devices(summary, size,
                                                      volume_types)
    if isinstance(networks, str):
        attrs['networks'] = networks
    else:
        attrs['networks'] = [{'uuid': n} for n in networks]
    if key_name:
        attrs['key_name'] = key_name
    if security_groups:
        attrs['security_groups'] = [{'name': g} for g in security_groups]
    if availability_zone:
        attrs['availability_zone'] = availability_zone
    return attrs


def create_server(conn, attrs):
    """POST /servers; quota errors name the quota."""
    try:
        return conn.compute.create_server(**attrs)
    except sdk_exc.HttpException as exc:
        if cloud.is_quota_error(exc):
            raise exceptions.CommandError(
                _('Quota exceeded: %s') % cloud.describe_detail(exc))
        raise exceptions.CommandError(
            _('Nova refused the server: %s') % cloud.describe_detail(exc))


# -- after the request -------------------------------------------------------

def _parallel(fetch, ids):
    ids = list(dict.fromkeys(ids))
    if len(ids) <= 1:
        return [fetch(i) for i in ids]
    with concurrent.futures.ThreadPoolExecutor(
            min(cloud.MAX_PARALLEL, len(ids))) as pool:
        return list(pool.map(fetch, ids))


def attached_volume_ids(server):
    return [v.get('id') for v in server.attached_volumes or []
            if v.get('id')]


def get_volumes(conn, ids):
    """Volumes by ID, in parallel: {id: Cinder-shaped dict}."""
    proxy = conn.block_storage

    def fetch(volume_id):
        try:
            return proxy.get_volume(volume_id).to_dict(
                computed=False, original_names=True)
        except sdk_exc.NotFoundException:
            return None

    return {v['id']: v for v in _parallel(fetch, ids) if v}


def volumes_from(conn, server, summary):
    """The server's volumes that were made from this snapshot's volume
    snapshots: the proof that this launch created them."""
    ours = {d.snapshot_id for d in summary.devices}
    if not ours:
        return {}
    volumes = get_volumes(conn, attached_volume_ids(server))
    return {i: v for i, v in volumes.items() if v.get('snapshot_id') in ours}


def wait_for_server(conn, server_id, timeout, progress=None, interval=2.0,
                    clock=time.monotonic, sleep=time.sleep):
    """Poll until ACTIVE; raise :class:`LaunchFailed` on ERROR and a
    CommandError when the server vanishes or ``timeout`` seconds pass."""
    start = clock()
    while True:
        try:
            server = conn.compute.get_server(server_id)
        except sdk_exc.NotFoundException:
            raise exceptions.CommandError(
                _('Server %s was deleted while it was being built.')
                % server_id)
        if server.status == 'ACTIVE':
            return server
        if server.status == 'ERROR':
            raise LaunchFailed(server)
        elapsed = clock() - start
        state = server.status
        if server.task_state:
            state = '%s (%s)' % (state, server.task_state)
        if elapsed >= timeout:
            raise exceptions.CommandError(
                _('Timed out after %(secs)d s waiting for server %(id)s, '
                  'still %(state)s; it was left as it is.') % {
                      'secs': timeout, 'id': server_id, 'state': state})
        if progress:
            progress(elapsed, [state])
        sleep(interval)


def _wait_until(probe, timeout, interval, clock, sleep):
    deadline = clock() + timeout
    while not probe():
        if clock() >= deadline:
            return False
        sleep(interval)
    return True


def remove_failed(conn, server, summary, timeout=300, interval=2.0,
                  clock=time.monotonic, sleep=time.sleep):
    """Delete a failed server, then the volumes it got from our snapshot.

    Returns ``(deleted volume IDs, leftover descriptions)``.
    """
    volumes = volumes_from(conn, server, summary)
    conn.compute.delete_server(server.id)

    def server_gone():
        try:
            conn.compute.get_server(server.id)
        except sdk_exc.NotFoundException:
            return True
        return False

    if not _wait_until(server_gone, timeout, interval, clock, sleep):
        return [], [_('server %s (still deleting)') % server.id] + [
            _('volume %s') % v for v in volumes]
    deleted, left = [], []
    pending = dict(volumes)

    def volumes_deleted():
        for volume_id in list(pending):
            status = get_volumes(conn, [volume_id]).get(volume_id, {}).get(
                'status')
            if status is None:
                deleted.append(volume_id)
                del pending[volume_id]
            elif status in DELETABLE:
                try:
                    conn.block_storage.delete_volume(volume_id)
                except sdk_exc.NotFoundException:
                    pass
                deleted.append(volume_id)
                del pending[volume_id]
        return not pending

    if not _wait_until(volumes_deleted, timeout, interval, clock, sleep):
        left = [_('volume %s') % v for v in pending]
    return deleted, left


def root_volume(conn, server, need):
    """The server's root volume (made from the root volume snapshot)."""
    if not need.root_snapshot_id:
        return None
    for volume in get_volumes(conn, attached_volume_ids(server)).values():
        if volume.get('snapshot_id') == need.root_snapshot_id:
            return volume
    return None


def fit_or_refuse(flavors, flavor, need, snapshot_label, shown=3):
    """The verdict for the chosen flavor, or a CommandError that names the
    smallest flavors that do fit."""
    verdict = flavor_fit.check(flavor, need)
    if verdict.fits:
        return verdict
    fits = flavor_fit.fitting(flavors, need)
    if fits:
        hint = _('flavors that fit: %s') % ', '.join(
            f['name'] for f in fits[:shown])
    else:
        hint = _('no flavor fits')
    raise exceptions.CommandError(
        _('Flavor %(flavor)s cannot launch snapshot %(snap)s: %(why)s; '
          '%(hint)s.') % {'flavor': flavor['name'], 'snap': snapshot_label,
                          'why': verdict.why, 'hint': hint})


def smallest_fit(flavors, need, snapshot_label):
    """The smallest flavor that fits, or a CommandError saying why none."""
    fits = flavor_fit.fitting(flavors, need)
    if fits:
        return fits[0]
    reasons = {flavor_fit.check(f, need).why for f in flavors}
    why = reasons.pop() if len(reasons) == 1 else _(
        'see rc snapshot flavors --all')
    raise exceptions.CommandError(
        _('No flavor can launch snapshot %(snap)s: %(why)s.') % {
            'snap': snapshot_label, 'why': why})
