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

"""Volumes made from Cinder backups, each recorded in a rollback ledger.

Cinder 3.47 makes a volume straight from a backup (``POST /volumes`` with
``backup_id``); an older Cinder gets an empty volume, then ``POST
/backups/{id}/restore`` into it.
"""

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import interrupts
from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import waits
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

#: The Cinder microversion that makes a volume from a backup.
FROM_BACKUP = '3.47'

#: Statuses a volume being restored does not come back from.
RESTORE_FAILED = ('error', 'error_restoring', 'deleting')


def _post(conn, url, body, microversion=None):
    response = conn.block_storage.post(url, json=body,
                                       microversion=microversion)
    try:
        sdk_exc.raise_from_response(response)
    except sdk_exc.HttpException as exc:
        raise errors.refused(exc, _('Cinder refused the volume: %s'))
    return response.json()


def make_volume(conn, backup_id, body, direct, ledger, deadline):
    """Make one volume from a backup, its ``POST /volumes`` ``body``
    otherwise (``direct``: Cinder takes ``backup_id``, 3.47); its ID (in
    the ledger)."""
    body = dict(body)
    if direct:
        body['backup_id'] = backup_id
    with interrupts.held():
        volume = _post(conn, '/volumes', {'volume': body},
                       FROM_BACKUP if direct else None)
        volume_id = volume['volume']['id']
        ledger.made('volume', volume_id)
    if direct:
        return volume_id
    wait_available(conn, [volume_id], deadline)
    _post(conn, '/backups/%s/restore' % backup_id,
          {'restore': {'volume_id': volume_id}})
    return volume_id


def wait_available(conn, volume_ids, deadline, reporter=None):
    """Until each volume is ``available``, within one
    :class:`waits.Deadline`, each wait's progress said through the
    ``reporter`` (None: silent)."""
    for volume_id in volume_ids:
        waits.until_status(
            deadline, waits.cinder(_('Volume %s') % volume_id),
            lambda ident=volume_id: reads.or_none(
                conn.block_storage.get_volume, ident), ('available',),
            RESTORE_FAILED, reporter and reporter.progress(
                _('Restoring volume %s') % volume_id))
