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


"""An operator's view across projects: the admin check and the listings
of every project, one per service.

Cinder and Glance do not refuse a member who asks for every project: Cinder
drops ``all_tenants`` and lists the caller's own (Cinder bug 1917574), and
Glance lists what the caller may see. A member's answer would pass for the
whole cloud's, so the roles of the token are checked first, without a
request.
"""

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import discovery
from rcsnap_osc.cloud import reads
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

ADMIN = 'admin'


def roles(conn):
    """The role names of the caller's token (read already: no request)."""
    access = conn.session.auth.get_access(conn.session)
    return sorted(access.role_names or ())


def needs_admin(option, found=None):
    """The one-line refusal of ``option`` to a caller without the admin
    role (``found``: its roles)."""
    return errors.Refused(_(
        '%(option)s needs the admin role%(roles)s.') % {
            'option': option,
            'roles': _(' (this token has: %s)') % ', '.join(found)
            if found else ''})


def require_admin(conn, option='--all-projects'):
    """Refuse ``option`` unless the token has the admin role."""
    found = roles(conn)
    if ADMIN not in found:
        raise needs_admin(option, found)


def project_names(conn):
    """{project ID: name} of every project, in one listing."""
    return {p.id: p.name for p in conn.identity.projects()}


def everything(conn, option='--all-projects'):
    """``(images, volume snapshots by id, volumes, backups, {project ID:
    name})`` of every project: six listings made at once, whatever the
    number of projects (the hidden images apart, as Glance wants). A 403
    (a policy stricter than the role) is the same one-line refusal."""
    require_admin(conn, option)
    conn.image.get_endpoint_data()
    discovery.cinder(conn)
    conn.identity.get_endpoint_data()
    try:
        shown, hidden, snaps, volumes, backups, names = reads.parallel([
            lambda: reads.list_images(conn, visibility='all'),
            lambda: reads.list_images(conn, visibility='all',
                                      os_hidden='true'),
            lambda: reads.list_volume_snapshots(conn, all_tenants=1),
            lambda: reads.list_volumes(conn, all_tenants=1),
            lambda: reads.list_backups(conn, all_tenants=1),
            lambda: project_names(conn),
        ])
    except sdk_exc.ForbiddenException:
        raise needs_admin(option)
    images = list({i['id']: i for i in shown + hidden}.values())
    return images, snaps, volumes, backups, names


def quotas(conn, project_ids):
    """{project ID: Cinder's quota set with usage}, read at once (eight at
    a time): Cinder has no read of every project's usage, so this is one
    request per project."""
    ids = list(project_ids)
    found = reads.parallel([lambda p=p: reads.cinder_quota(conn, p)
                            for p in ids])
    return dict(zip(ids, found))
