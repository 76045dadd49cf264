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

"""Cinder backups being made: waited for together, one that fails said
in one line with Cinder's reason, a cloud without a backup service told
apart from a refusal."""

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import waits
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

#: Why Cinder's scheduler puts a backup in ``error`` where no
#: cinder-backup service is up (Cinder 29: the POST is accepted first).
NO_SERVICE = 'service not found for creating backup'

#: The line said where the cloud runs no backup service.
NO_BACKUP_SERVICE = _('This cloud runs no backup service (cinder-backup): '
                      'snapshots cannot be archived here')

#: How long the first backup may wait for a backup service to take it,
#: where Cinder's services are hidden from the user: Cinder's scheduler
#: hands a backup to a service, or fails it, within seconds.
TAKE_UP_SECONDS = 60

#: The line said where no backup service took the first backup in time
#: (Cinder lets a member delete a backup only once it is available or in
#: error: the rollback says what it could not remove).
NOT_TAKEN_UP = _('No backup service (cinder-backup) took backup %(id)s '
                 'within %(secs)d s: this cloud seems to run none; '
                 'nothing else was backed up.')

#: Backup statuses that end a backup that is being made.
BACKUP_FAILED = frozenset(('error', 'deleting', 'deleted',
                           'error_deleting'))


class NoBackupService(errors.Refused):
    """No cinder-backup service is up."""


class NotTakenUp(NoBackupService):
    """No backup service took the first backup in time."""


#: What is said of a backup no service took: Cinder lets its owner delete
#: it only once it is available or in error.
STILL_CREATING = _('Warning: backup %(id)s is still creating: Cinder lets '
                   'it be deleted only once it is available or in error; '
                   'then delete it with `openstack volume backup delete '
                   '%(id)s`.')


def _poll_backups(conn, ids):
    """One GET for one backup, one listing for several (absent: gone)."""
    if len(ids) == 1:
        try:
            backup = conn.block_storage.get_backup(ids[0])
        except sdk_exc.NotFoundException:
            return {}
        return {backup.id: backup.to_dict(computed=False)}
    return {b['id']: b for b in reads.list_backups(conn) if b['id'] in ids}


def check(made, record):
    """The status of a backup (a dict; None: gone), refused when it
    failed: with Cinder's reason, in one line."""
    status = (record or {}).get('status', 'deleted')
    why = (record or {}).get('fail_reason') or ''
    if status in BACKUP_FAILED and NO_SERVICE in why.lower():
        raise NoBackupService(_('%s.') % NO_BACKUP_SERVICE)
    if status in BACKUP_FAILED:
        raise errors.Refused(_(
            'Backup %(id)s of volume snapshot %(snap)s is '
            '%(status)s%(why)s.') % {
            'id': made.backup_id, 'snap': made.disk.snapshot_id,
            'status': status,
            'why': ': %s' % errors.one_line(why) if why else ''})
    return status


def wait_for_backups(conn, made, timeout, progress=None,
                     interval=waits.INTERVAL):
    """Poll the backups until each is available; one that fails (its
    ``fail_reason``), goes, or the timeout is refused."""
    pending = {m.backup_id: m for m in made}

    def available(backup_id, record):
        status = check(pending[backup_id], record)
        pending[backup_id].record = record
        return None if status == 'available' else status

    deadline = waits.Deadline(timeout, interval)
    left = waits.until_each(
        deadline, waits.CINDER, lambda ids: _poll_backups(conn, ids),
        available, pending, 'backup %s', progress)
    if left:
        raise deadline.expired(_('the backups'), _(
            'Timed out after %(secs)d s waiting for the backups: '
            '%(pending)s.') % {'secs': timeout, 'pending': ', '.join(
                'backup %s %s' % item for item in left.items())})
