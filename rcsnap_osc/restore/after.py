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

"""What a replacement does once the new server is the user's: the new
volumes kept on termination as the snapshot records, the old server told
which server replaced it, and with ``--delete-old`` the old server deleted.
A failure here is said (a warning line, or the command's last line after
its rows): nothing is rolled back any more.
"""

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import waits
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.restore import attrs as restore_attrs
from rcsnap_osc.restore import lineage


def finish(steps, restore, attrs, made, request):
    """The steps after the hand-over; the failure to report, or None."""
    conn, reporter = steps.conn, steps.reporter
    old, server_id = restore.server, made.server['id']
    if any(b['delete_on_termination'] and b['source_type'] == 'snapshot'
           for b in attrs['block_device_mapping']):
        _keep_on_termination(steps, restore, server_id, made)
    try:
        conn.compute.set_server_metadata(old['id'], **{
            lineage.REPLACED_BY: server_id})
    except sdk_exc.SDKException as exc:
        reporter.say(errors.not_undone(
            _('record on server %(old)s that %(new)s replaced it') % {
                'old': old['id'], 'new': server_id}, errors.describe(exc),
            'openstack server set --property %s=%s %s' % (
                lineage.REPLACED_BY, server_id, old['id'])))
    _name_volumes(steps, restore, made)
    failure = None
    if request.delete_old:
        try:
            made.old = delete_old(conn, restore, steps, reporter)
        except (sdk_exc.SDKException, errors.Refused) as exc:
            failure = _(
                'Restored, but the old server %(id)s was not deleted '
                '(%(why)s): delete it with `openstack server delete '
                '%(id)s`.') % {'id': old['id'], 'why': errors.describe(exc)}
            made.old = [(_('old server'), old['id'], failure)]
    return failure


def _name_volumes(steps, restore, made):
    """Name the volumes Nova made from volume snapshots as those made from
    backups are named; one that cannot be named is said."""
    for step in restore.volumes:
        volume_id = made.volumes.get(step.snapshot_id)
        if step.backup or step.moved or not volume_id:
            continue
        body = restore_attrs.snapshot_volume(restore, step)
        try:
            steps.conn.block_storage.update_volume(volume_id, **body)
        except sdk_exc.SDKException as exc:
            steps.reporter.say(errors.not_undone(
                _('name volume %s') % volume_id, errors.describe(exc),
                'openstack volume set --name %s %s' % (
                    body['name'], volume_id)))


def _keep_on_termination(steps, restore, server_id, made):
    """The new volumes were deleted with the server while the restore
    could fail: give those the snapshot keeps their own setting back."""
    conn, reporter = steps.conn, steps.reporter
    for snapshot_id in restore_attrs.kept_on_termination(restore):
        volume_id = made.volumes.get(snapshot_id)
        if not volume_id:
            continue
        try:
            conn.compute.update_volume_attachment(
                server_id, volume_id, delete_on_termination=False)
        except sdk_exc.SDKException as exc:
            reporter.say(errors.not_undone(
                _('keep volume %s when the server is deleted') % volume_id,
                errors.describe(exc),
                'openstack server volume update --preserve-on-termination '
                '%s %s' % (server_id, volume_id)))


def delete_old(conn, restore, steps, reporter):
    """Delete the old server, then its old root volume where nothing
    else needs it: ``[(kind, ID, note)]``."""
    old = restore.server['id']
    reporter.say(_('Deleting the old server %s') % old)
    conn.compute.delete_server(old)
    steps.settle(waits.Subject(waits.NOVA, _('Old server %s') % old),
                 lambda: reads.or_none(conn.compute.get_server, old),
                 lambda s: s is None)
    done = [(_('old server'), old, _('deleted (--delete-old)'))]
    root = next((v.old for v in restore.volumes if v.role == 'root'), None)
    if root:
        done.append((_('old root volume'), root,
                     _delete_volume(conn, steps, root)))
    return done


def _delete_volume(conn, steps, volume_id):
    """Delete the old root volume unless a volume snapshot depends on it
    (Cinder would refuse): what became of it."""
    block = conn.block_storage
    volume = steps.settle(
        waits.cinder(_('Volume %s') % volume_id),
        lambda: reads.or_none(block.get_volume, volume_id),
        lambda v: v is None or v.status not in ('in-use', 'detaching'))
    if volume is None:
        return _('deleted with the old server')
    if volume.attachments:
        return _('kept: attached to another server')
    held = sorted(s.id for s in block.snapshots(volume_id=volume_id))
    if held:
        return _('kept: volume snapshot(s) %s depend on it') % ', '.join(held)
    try:
        block.delete_volume(volume_id)
    except sdk_exc.HttpException as exc:
        return _('kept: %s') % errors.describe_detail(exc)
    return _('deleted (--delete-old)')
