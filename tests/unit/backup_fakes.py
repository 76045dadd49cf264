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

"""Cinder's backup API as Cinder 29 answers it (the local cloud, with its
cinder-backup service and Cinder's posix driver, and without it): the
bodies and the errors, copied from its answers."""

from tests.unit import base
from tests.unit import fakes

BACKUPS = base.VOLUME_URL + '/backups'
ROOT_BACKUP_ID = '31f72774-9044-4f54-9a21-151ab3493932'
DATA_BACKUP_ID = '61246705-d3be-4b98-bb1c-52329489de61'
OLD_BACKUP_ID = '252fbfdd-7a02-4dc1-8dd0-971696b6f2c2'

#: 413 where the ``backups`` quota is used up.
OVER_BACKUPS = {'overLimit': {
    'code': 413, 'message': 'BackupLimitExceeded: Maximum number of '
    'backups allowed (6) exceeded', 'retryAfter': '0'}}

#: 413 where the ``backup_gigabytes`` quota is.
OVER_BACKUP_GIGABYTES = {'overLimit': {
    'code': 413, 'message': 'VolumeBackupSizeExceedsAvailableQuota: '
    'Requested backup exceeds allowed Backup gigabytes quota. Requested '
    '1G, quota is 6G and 6G has been consumed.', 'retryAfter': '0'}}

#: 413 to POST /volumes where the volume does not fit in ``gigabytes``.
OVER_GIGABYTES = {'overLimit': {
    'code': 413, 'message': 'VolumeSizeExceedsAvailableQuota: Requested '
    'volume or snapshot exceeds allowed gigabytes quota. Requested 5G, '
    'quota is 20G and 18G has been consumed.', 'retryAfter': '0'}}

#: 400 to the DELETE of a backup a newer incremental one builds on.
INCREMENTAL_EXISTS = {'badRequest': {
    'code': 400, 'message': 'Invalid backup: Incremental backups exist '
    'for this backup.'}}

#: The ``fail_reason`` of a backup where no cinder-backup service is up:
#: Cinder accepts the POST (202), its scheduler then finds no service.
NO_SERVICE_REASON = 'Service not found for creating backup.'

#: 404 to the DELETE of a backup where no cinder-backup service is up.
NO_SERVICE_DELETE = {'itemNotFound': {
    'code': 404, 'message': 'Service cinder-backup could not be found.'}}

#: The ``fail_reason`` of a backup the driver failed (the volume driver
#: could not attach the volume snapshot).
DRIVER_REASON = ("Invalid input received: Connector doesn't have required "
                 "information: initiator")

#: GET /os-services for a project member: an admin's API.
SERVICES_FORBIDDEN = {'forbidden': {
    'code': 403, 'message': "Policy doesn't allow "
    "volume_extension:services:index to be performed."}}


def backup(backup_id=ROOT_BACKUP_ID, status='available',
           snapshot_id=fakes.ROOT_SNAP_ID, volume_id=fakes.ROOT_VOLUME_ID,
           image_id=fakes.IMAGE_ID, **fields):
    """A backup (3.64 detail view) made by ``archive`` for ``image_id``."""
    body = {
        'id': backup_id, 'status': status, 'size': 10,
        'object_count': 0 if status != 'available' else 1,
        'availability_zone': 'nova',
        'container': '%s/%s/%s' % (backup_id[:2], backup_id[2:4],
                                   backup_id),
        'created_at': '2026-12-02T05:39:45.000000',
        'updated_at': '2026-12-02T05:39:46.000000',
        'name': 'archive of analysis-vm-snap /dev/vda',
        'description': 'Archived disk of instance snapshot %s' % image_id,
        'fail_reason': None, 'volume_id': volume_id,
        'links': [{'rel': 'self', 'href': '%s/%s' % (BACKUPS, backup_id)}],
        'is_incremental': False, 'has_dependent_backups': False,
        'snapshot_id': snapshot_id,
        'data_timestamp': '2026-11-20T10:15:29.000000',
        'metadata': {'rcsnap_image_id': image_id} if image_id else {}}
    body.update(fields)
    return body


def created(backup_id, name='archive of analysis-vm-snap /dev/vda'):
    """Cinder's 202 answer to POST /backups."""
    return {'json': {'backup': {'id': backup_id, 'name': name, 'links': [
        {'rel': 'self', 'href': '%s/%s' % (BACKUPS, backup_id)}]}},
        'status_code': 202}


def services(*states):
    """GET /os-services?binary=cinder-backup, as an admin sees it."""
    return {'json': {'services': [{
        'binary': 'cinder-backup', 'host': 'localcloud', 'zone': 'nova',
        'status': 'enabled', 'state': state,
        'updated_at': '2026-12-02T05:39:46.000000', 'disabled_reason': None}
        for state in states]}}


def register_backup_states(requests, backup_id, *bodies):
    """GET a backup: one answer per poll, the last one repeated; None
    answers 404 (gone)."""
    answers = []
    for body in bodies:
        if body is None:
            answers.append({'status_code': 404,
                            'json': fakes.not_found('Backup', backup_id)})
        else:
            answers.append({'json': {'backup': body}})
    requests.get('%s/%s' % (BACKUPS, backup_id), answers)


#: The volumes ``launch`` of an archived snapshot makes from its backups.
ROOT_RESTORED_ID = 'fc4c344b-9498-4f04-b5a3-422647456c0b'
DATA_RESTORED_ID = '6340ccad-da4a-412c-8da3-b932e1cc72bf'


def restored_volume(volume_id=ROOT_RESTORED_ID, status='available',
                    backup_id=ROOT_BACKUP_ID, size=10,
                    name='analysis-vm-snap-vda'):
    """A volume made from a backup (3.47), as GET /volumes/{id} shows it:
    no ``snapshot_id``; Cinder names the backup in its metadata once
    restored."""
    body = fakes.volume(volume_id, status=status, size=size, snapshot_id=None,
                        name=name, volume_type='__DEFAULT__')
    body['description'] = (
        'Restored from backup %s of archived snapshot %s' % (
            backup_id, fakes.IMAGE_ID))
    if status == 'available':
        body['metadata'] = {'src_backup_id': backup_id}
    return body


def volume_created(volume_id=ROOT_RESTORED_ID, **fields):
    """Cinder's 202 answer to POST /volumes (status ``creating``)."""
    return {'status_code': 202, 'json': {'volume': dict(
        restored_volume(volume_id, status='creating', **fields),
        bootable='false')}}


def restore_accepted(backup_id, volume_id, name):
    """Cinder's 202 answer to POST /backups/{id}/restore."""
    return {'status_code': 202, 'json': {'restore': {
        'backup_id': backup_id, 'volume_id': volume_id,
        'volume_name': name}}}


def register_restored_states(requests, volume_id, *statuses, **fields):
    """GET a volume made from a backup: one answer per poll, the last one
    repeated; None answers 404 (gone)."""
    answers = []
    for status in statuses:
        if status is None:
            answers.append({'status_code': 404,
                            'json': fakes.not_found('Volume', volume_id)})
        else:
            answers.append({'json': {'volume': restored_volume(
                volume_id, status=status, **fields)}})
    requests.get('%s/volumes/%s' % (base.VOLUME_URL, volume_id), answers)
