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
in parallel where they are independent. :func:`launch` is what the launch
command calls; its decisions are in :mod:`rcsnap_osc.launch_plan`.
"""

import time

from openstack import exceptions as sdk_exc
from openstack import utils as sdk_utils
from osc_lib import exceptions
from osc_lib import utils as osc_utils

from rcsnap_osc import cloud
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc import launch_plan
from rcsnap_osc import snapshots

#: Seconds the cleanup of a failed launch waits for what it deletes.
CLEANUP_TIMEOUT = 300


class LaunchFailed(exceptions.CommandError):
    """The server went to ERROR; ``server`` is its last SDK record."""

    def __init__(self, server):
        fault = server.fault or {}
        self.server = server
        self.fault = errors.one_line(
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
        if osc_utils.is_uuid_like(name) and not any(
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


def flavor_verdicts(conn, snapshot, size=None):
    """``rc snapshot flavors``: (summary, a verdict per flavor)."""
    summary = cloud.summarize(conn, cloud.find_snapshot(conn, snapshot))
    need = launch_plan.need_for(summary, size)
    return summary, launch_plan.verdicts(list_flavors(conn), need)


# -- launching ---------------------------------------------------------------

def supports(conn, microversion):
    """The compute API accepts this microversion (discovery is cached)."""
    return sdk_utils.supports_microversion(conn.compute, microversion)


def prepare(conn, snapshot, flavor=None, name=None, networks=(),
            no_network=False, key_name=None, security_groups=(),
            availability_zone=None, size=None):
    """Everything that can be refused before the POST: returns the
    summary, its need, the flavor and the attributes of the request."""
    summary = ready_summary(conn, snapshot)
    need = launch_plan.need_for(summary, size)
    label = launch_plan.label(summary.image)
    flavors = list_flavors(conn)
    if flavor:
        chosen = find_flavor(flavors, flavor)
        launch_plan.fit_or_refuse(flavors, chosen, need, label)
    else:
        chosen = launch_plan.smallest_fit(flavors, need, label)
    if no_network:
        nets = launch_plan.NONE
    elif networks:
        nets = find_networks(conn, networks)
    else:
        nets = launch_plan.AUTO if has_networking(conn) else launch_plan.NONE
    groups = find_security_groups(conn, security_groups)
    check_keypair(conn, key_name)
    attrs = launch_plan.server_attrs(
        summary, chosen, name or summary.image.get('name'), nets, size=size,
        key_name=key_name, security_groups=groups,
        availability_zone=availability_zone,
        volume_types=size is not None and supports(conn, '2.67'))
    return summary, need, chosen, attrs


def launch(conn, snapshot, wait=None, keep_failed=False, say=None,
           progress=None, **options):
    """Launch a server from a snapshot once :func:`prepare` let it
    through; with ``wait`` (seconds), until it is ACTIVE. A server that
    goes to ERROR is deleted with the volumes made for it, unless
    ``keep_failed``. Returns the fields of the launch output.
    """
    summary, need, flavor, attrs = prepare(conn, snapshot, **options)
    if not options.get('flavor'):  # said once nothing else can refuse
        say(_('Using flavor %(name)s (%(id)s), the smallest that fits.')
            % {'name': flavor['name'], 'id': flavor['id']})
    server = create_server(conn, attrs)
    volume = None
    if wait is not None:
        try:
            server = wait_for_server(
                conn, server.id, wait,
                progress=progress and progress(server.id))
        except LaunchFailed as failed:
            raise exceptions.CommandError(
                failure(conn, failed, summary, keep_failed)) from failed
        except KeyboardInterrupt:
            # Nova goes on building: say what is there, and how to remove
            # it, rather than leave it unsaid.
            say(_('Interrupted: server %(id)s is still being built; '
                  '`openstack server delete %(id)s` removes it.') % {
                      'id': server.id})
            raise
        volume = root_volume(conn, server, need)
    return {
        'id': server.id, 'name': attrs['name'],
        'status': server.status or 'BUILD', 'flavor': flavor['name'],
        'snapshot_id': summary.image['id'],
        'snapshot_name': summary.image.get('name'), 'type': summary.type,
        'root_volume_id': volume and volume['id'],
        'root_volume_size': volume and volume.get('size')}


def failure(conn, failed, summary, keep_failed):
    """The one line a failed launch ends with, after the cleanup."""
    server = failed.server
    text = _('Server %(id)s went to ERROR: %(fault)s') % {
        'id': server.id, 'fault': failed.fault}
    if keep_failed:
        return text + _('; kept it (--keep-failed).')
    try:
        deleted, left = remove_failed(conn, server, summary)
    except Exception as exc:
        if errors.translate(exc) is None:
            raise
        return text + _('; cleaning up failed: %s') % errors.describe(exc)
    text += _('; deleted the server')
    if deleted:
        text += _(' and volume(s) %s') % ', '.join(deleted)
    if left:
        text += _('; could not delete %s') % ', '.join(left)
    return text + '.'


def create_server(conn, attrs):
    """POST /servers; quota errors name the quota."""
    try:
        return conn.compute.create_server(**attrs)
    except sdk_exc.HttpException as exc:
        if errors.is_quota_error(exc):
            raise exceptions.CommandError(
                _('Quota exceeded: %s') % errors.describe_detail(exc))
        raise exceptions.CommandError(
            _('Nova refused the server: %s') % errors.describe_detail(exc))


# -- after the request -------------------------------------------------------

def attached_volume_ids(server):
    return [v.get('id') for v in server.attached_volumes or []
            if v.get('id')]


def volumes_from(conn, server, summary):
    """The server's volumes that were made from this snapshot's volume
    snapshots: the proof that this launch created them."""
    ours = {d.snapshot_id for d in summary.devices}
    if not ours:
        return {}
    volumes = cloud.get_volumes(conn, attached_volume_ids(server))
    return {i: v for i, v in volumes.items() if v.get('snapshot_id') in ours}


def wait_for_server(conn, server_id, timeout, progress=None, interval=2.0,
                    clock=time.monotonic, sleep=time.sleep):
    """Poll until ACTIVE; raise :class:`LaunchFailed` on ERROR and a
    CommandError when the server vanishes or ``timeout`` seconds pass.

    Kept rather than ``compute.wait_for_server``: its callback gets a
    percentage, not the status and task state our progress lines show.
    """
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


def remove_failed(conn, server, summary, timeout=CLEANUP_TIMEOUT,
                  interval=2.0, clock=time.monotonic, sleep=time.sleep):
    """Delete a failed server, then the volumes it got from our snapshot.

    Returns ``(deleted volume IDs, leftover descriptions)``.
    """
    volumes = volumes_from(conn, server, summary)
    conn.compute.delete_server(server.id)
    try:
        conn.compute.wait_for_delete(server, interval=interval, wait=timeout)
    except sdk_exc.ResourceTimeout:
        return [], [_('server %s (still deleting)') % server.id] + [
            _('volume %s') % v for v in volumes]
    deleted = []
    pending = dict(volumes)
    # Several volumes, each until it is gone or deletable: no SDK wait
    # does that.
    deadline = clock() + timeout
    while True:
        states = cloud.get_volumes(conn, list(pending))
        for volume_id in list(pending):
            status = states.get(volume_id, {}).get('status')
            if status in cloud.VOLUME_DELETABLE:
                conn.block_storage.delete_volume(volume_id,
                                                 ignore_missing=True)
            if status is None or status in cloud.VOLUME_DELETABLE:
                deleted.append(volume_id)
                del pending[volume_id]
        if not pending or clock() >= deadline:
            break
        sleep(interval)
    return deleted, [_('volume %s') % v for v in pending]


def root_volume(conn, server, need):
    """The server's root volume (made from the root volume snapshot)."""
    if not need.root_snapshot_id:
        return None
    for volume in cloud.get_volumes(
            conn, attached_volume_ids(server)).values():
        if volume.get('snapshot_id') == need.root_snapshot_id:
            return volume
    return None
