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
command calls; its decisions are in :mod:`rcsnap_osc.launch.plan`, the
wait for the server and the cleanup of a failed one in
:mod:`rcsnap_osc.launch.build`.
"""

import contextlib
import functools

from openstack import exceptions as sdk_exc
from openstack import utils as sdk_utils
from oslo_utils import uuidutils

from rcsnap_osc.cloud import find
from rcsnap_osc.cloud import reads
from rcsnap_osc.core import archives
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.launch import build as building
from rcsnap_osc.launch import plan as launch_plan
from rcsnap_osc.launch import volumes as launch_volumes


# -- looking things up -------------------------------------------------------

def list_flavors(conn):
    """Every flavor the caller can see, with details, in one listing."""
    return reads.paginate(conn.compute, '/flavors/detail', 'flavors', {})


def _pick(items, name_or_id, kind):
    """One item by exact ID, else by exact name; one-line errors."""
    for item in items:
        if item.get('id') == name_or_id:
            return item
    matches = [i for i in items if i.get('name') == name_or_id]
    return find.only_match(kind, name_or_id, matches,
                           sorted(i['id'] for i in matches))


def find_flavor(flavors, name_or_id):
    return _pick(flavors, name_or_id, _('flavor'))


def has_networking(conn):
    """The token's catalog lists a Networking service (no request made)."""
    return bool(conn.config.get_endpoint_from_catalog('network'))


def _require_networking(conn, option):
    if not has_networking(conn):
        raise errors.Refused(
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
        if uuidutils.is_uuid_like(name) and not any(
                g['id'] == name for g in listed):
            group = reads.or_none(conn.network.get_security_group, name)
            if group is not None:
                found.append(group.id)
                continue
        found.append(_pick(listed, name, _('security group'))['id'])
    return found


def check_keypair(conn, name):
    """The key pair exists for this user (one GET)."""
    if name is None:
        return
    try:
        conn.compute.get_keypair(name)
    except sdk_exc.NotFoundException:
        raise errors.Refused(
            _("No key pair named '%s' exists for this user.") % name)


def ready_summary(conn, name_or_id):
    """The instance snapshot, refused unless it can be launched now."""
    image, volumes = find.find_snapshot(conn, name_or_id)
    done, failure, pending = snapshots.wait_state(image, volumes)
    label = '%s (%s)' % (image.get('name'), image['id'])
    if archives.is_archived(image):
        return launch_volumes.archived_summary(image)
    if failure:
        raise errors.Refused(
            _('Snapshot %(snap)s cannot be launched: %(why)s.') % {
                'snap': label, 'why': failure})
    if not done:
        raise errors.Refused(
            _('Snapshot %(snap)s is not ready yet: %(pending)s; launch it '
              'once it is (rc snapshot create --wait waits for that).') % {
                'snap': label, 'pending': ', '.join(pending)})
    return snapshots.summarize(image, volumes)


def flavor_verdicts(conn, snapshot, size=None):
    """``rc snapshot flavors``: (summary, a verdict per flavor)."""
    image = find.find_snapshot_image(conn, snapshot)
    if archives.is_archived(image):
        summary = launch_volumes.archived_summary(image)
    else:
        summary = reads.summarize(conn, image)
    need = launch_plan.need_for(summary, size)
    return summary, launch_plan.verdicts(list_flavors(conn), need)


# -- launching ---------------------------------------------------------------

def supports(conn, microversion):
    """The compute API accepts this microversion (discovery is cached)."""
    return sdk_utils.supports_microversion(conn.compute, microversion)


def prepare(conn, snapshot, request):
    """Everything that can be refused before anything is created: returns
    the summary, its need, the flavor, ``attrs(images=None)``, the
    attributes of the request (:func:`launch_plan.server_attrs`), and the
    data images ``with_data_volumes`` makes volumes of."""
    summary = ready_summary(conn, snapshot)
    need = launch_plan.need_for(summary, request.size)
    label = launch_plan.label(summary.image)
    data = (find_data_images(conn, summary, label)
            if request.with_data_volumes else [])
    flavors = list_flavors(conn)
    if request.flavor:
        chosen = find_flavor(flavors, request.flavor)
        launch_plan.fit_or_refuse(flavors, chosen, need, label)
    else:
        chosen = launch_plan.smallest_fit(flavors, need, label)
    if request.no_network:
        nets = launch_plan.NONE
    elif request.networks:
        nets = find_networks(conn, request.networks)
    else:
        nets = launch_plan.AUTO if has_networking(conn) else launch_plan.NONE
    groups = find_security_groups(conn, request.security_groups)
    check_keypair(conn, request.key_name)
    explicit = summary.devices and launch_plan.explicit_mapping(
        request.size, request.delete_on_termination, request.independent)
    boot = launch_plan.Boot(
        name=request.name or summary.image.get('name'), networks=nets,
        key_name=request.key_name, security_groups=groups,
        availability_zone=request.availability_zone, size=request.size,
        delete_on_termination=request.delete_on_termination,
        volume_types=bool(explicit) and supports(conn, '2.67'),
        data_mapping=data and launch_volumes.data_mapping(
            summary.image, data, request.delete_on_termination))
    attrs = functools.partial(
        launch_plan.server_attrs, summary, need, chosen, boot)
    return summary, need, chosen, attrs, data


def find_data_images(conn, summary, label):
    """The data images of a ``share --copy --volumes all`` copy, every one
    there, active and proven its own (one listing); else refused."""
    from rcsnap_osc.core import copies

    if summary.type != snapshots.IMAGE_BACKED:
        raise errors.Refused(_(
            'Snapshot %s is volume-backed: its data volumes come with it. '
            '--with-data-volumes launches a copy shared with "rc snapshot '
            'share --copy --volumes all".') % label)
    image = summary.image
    found = []
    if copies.data_count(image):
        found = copies.data_images(image, reads.list_images(
            conn, **{copies.COPY_PROPERTY: image['id']}))
    launch_volumes.check_data_images(image, found, label)
    return found


def launch(conn, snapshot, request, reporter):
    """Launch a server from a snapshot once :func:`prepare` let it
    through; with ``wait`` (seconds), until it is ACTIVE. A server that
    goes to ERROR is deleted with the volumes made for it, unless
    ``keep_failed``. With ``independent`` (which needs ``wait``), the
    volumes are made from images of the volume snapshots
    (:func:`volume_images.copy_then`), removed once the server is built. With
    ``with_data_volumes``, a copy's data images become volumes too.
    Returns the fields of the launch output.
    """
    from rcsnap_osc.cloud import volume_images

    say, wait = reporter.say, request.wait
    summary, need, flavor, attrs, data = prepare(conn, snapshot, request)
    if not request.flavor:  # said once nothing else can refuse
        say(_('Using flavor %(name)s (%(id)s), the smallest that fits.')
            % {'name': flavor['name'], 'id': flavor['id']})
    if summary.type == snapshots.IMAGE_BACKED and (
            request.independent or request.delete_on_termination) and (
                not data):
        say(_('Snapshot %s is image-backed: the server gets no volume from '
              'it and does not depend on it; launching it as it is.')
            % launch_plan.label(summary.image))
    temporary, backed = [], None
    if archives.is_archived(summary.image):
        from rcsnap_osc.launch import backups

        backed = backups.launch_from_backups(conn, summary, need, attrs,
                                             request, reporter)
        server = backed[2]
        if wait is not None:
            wait = backed[3]
        attrs = functools.partial(launch_volumes.backup_attrs, attrs(),
                                  backed[1])
    elif request.independent and summary.devices:
        waiter = volume_images.Waiter(wait, reporter.progress)
        images, server = launch_from_copies(conn, summary, attrs, waiter,
                                            reporter)
        attrs = functools.partial(attrs, images=images)
        temporary = list(images.values())
        wait = waiter.deadline.left
    else:
        server = create_server(conn, attrs())
    body = attrs()
    planned = (launch_volumes.planned_backup_volumes(summary, backed[1])
               if backed else launch_volumes.planned_volumes(
                   summary, body.get('block_device_mapping') or
                   launch_plan.block_devices(summary, need.root_gib)))
    if data:
        planned += launch_volumes.planned_data_volumes(
            data, body['block_device_mapping'])
    kept, volumes, attached, ports = [], {}, {}, []
    if wait is not None:
        with _owned(backed, server, request, reporter):
            server = building.await_server(
                conn, server, wait, summary, reporter, building.Images(
                    temporary, [i['id'] for i in data], request.keep_failed))
        attached = {v.get('id'): v.get('delete_on_termination')
                    for v in server.attached_volumes or []}
        volumes = reads.get_volumes(conn, list(attached)) if planned else {}
        kept = volume_images.release_images(conn, temporary, reporter)
        if body.get('networks') != launch_plan.NONE:
            ports = server_ports(conn, server)
    rows = launch_volumes.launched_volumes(planned, volumes, attached)
    root = next((r for r in rows if r['boot_index'] == 0), {})
    return {
        'id': server.id, 'name': body['name'],
        'status': server.status or 'BUILD', 'flavor': flavor['name'],
        'snapshot_id': summary.image['id'],
        'snapshot_name': summary.image.get('name'),
        'type': archives.ARCHIVED_TYPE if backed else summary.type,
        'root_volume_id': root.get('id'),
        'root_volume_size': root.get('size_gib') if root.get('id') else None,
        'volumes': rows, 'kept_images': kept, 'ports': ports}


def _owned(backed, server, request, reporter):
    """The volumes an archived snapshot's launch made, while its server
    is built (:func:`backups.owned`)."""
    if not backed:
        return contextlib.nullcontext()
    from rcsnap_osc.launch import backups

    return backups.owned(backed[0], server, backed[1], request.keep_failed,
                         reporter)


def server_ports(conn, server):
    """The rows of a built server's ports (one GET), networks named from
    its addresses; none without a Networking service."""
    if not has_networking(conn):
        return []
    from rcsnap_osc.core import ports as launch_ports

    ports = [p.to_dict() for p in conn.network.ports(device_id=server.id)]
    return launch_ports.port_rows(ports, server.addresses)


def launch_from_copies(conn, summary, attrs, waiter, reporter):
    """``--independent``: copy each volume snapshot to a temporary image
    (:func:`volume_images.copy_then`), then create the server with volumes made
    from those images. Returns ({volume snapshot ID: image ID}, server).
    """
    from rcsnap_osc.cloud import rollback
    from rcsnap_osc.cloud import volume_images

    sources = []
    for device in summary.devices:
        image_name, volume_name = launch_volumes.temporary_names(
            attrs()['name'], device)
        sources.append(volume_images.Source(
            device.snapshot_id, device.size_gib, image_name,
            _('Temporary volume for an independent launch of snapshot %s')
            % summary.image['id'],
            launch_volumes.temporary_image_attributes(summary.image, device),
            volume_name))

    def create(images):
        made = {d.snapshot_id: i['id']
                for d, i in zip(summary.devices, images)}
        return made, create_server(conn, attrs(images=made))

    return volume_images.copy_then(
        rollback.Ledger(conn, reporter, waiter.interval), sources, 'raw',
        waiter,
        create)[1]


#: POST /servers (:func:`build.create_server`).
create_server = building.create_server

#: What the capabilities that launch (``verify --boot``) ask of it, and
#: the wait they do themselves (:mod:`rcsnap_osc.launch.build`).
Request = launch_plan.Request
wait_for_server = building.wait_for_server
LaunchFailed = building.LaunchFailed
