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

"""``schedule install --create-credential``: the Keystone application
credential the timer runs with, made, and the one it replaces deleted."""

import time

from openstack import exceptions as sdk_exc

from rcsnap_osc import errors
from rcsnap_osc.i18n import _

#: The role the application credential is limited to.
ROLE = 'member'


def create(conn, entry, region):
    """A Keystone application credential of the caller in the current
    project, limited to the :data:`ROLE` role: ``(ID, secret,
    clouds.yaml body)``. Named as the entry; where the credential it
    replaces has that name still (Keystone: 409), the UTC time is added."""
    def make(name):
        return conn.identity.create_application_credential(
            conn.current_user_id, name,
            description=_('openstack rc snapshot schedule run (clouds.yaml '
                          'entry %s)') % entry, roles=[{'name': ROLE}])
    try:
        made = make(entry)
    except sdk_exc.ConflictException:
        made = make('%s-%s' % (
            entry, time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())))
    body = {'auth_type': 'v3applicationcredential',
            'auth': {'auth_url': conn.session.auth.auth_url,
                     'application_credential_id': made.id},
            'identity_api_version': 3}
    if region:
        body['region_name'] = region
    return made.id, made.secret, body


def replace(conn, old):
    """Delete the application credential ``old`` the entry named: what
    became of it, one line."""
    try:
        conn.identity.delete_application_credential(
            conn.current_user_id, old, ignore_missing=False)
    except sdk_exc.NotFoundException:
        return _('%s was already gone') % old
    except sdk_exc.SDKException as exc:
        return errors.not_undone(
            _('delete application credential %s') % old,
            errors.describe(exc),
            'openstack application credential delete %s' % old)
    return _('%s deleted') % old
