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

"""Nova's createImage, checked: a request whose answer was lost is
looked for, never repeated blindly.
"""

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import waits
from rcsnap_osc.core import origin
from rcsnap_osc.create import plan as create_plan
from rcsnap_osc import errors
from rcsnap_osc.i18n import _


def request_image(conn, server, name, metadata):
    """POST createImage; Nova's refusals become one line."""
    try:
        return create_image_checked(conn, server, name, metadata, {
            origin.SERVER_PROPERTY: server.id})
    except (sdk_exc.ConflictException, sdk_exc.BadRequestException) as exc:
        detail = errors.describe_detail(exc)
        if create_plan.is_quiesce_refusal(detail):
            raise errors.Refused(_(
                'Nova could not freeze the file systems of server '
                '%(server)s and its image requires it: %(why)s; no snapshot '
                'was made. Use --stop for a consistent snapshot.') % {
                    'server': server.name, 'why': detail})
        raise errors.Refused(
            _('Cannot snapshot server %(server)s now: %(why)s') % {
                'server': server.name, 'why': detail})


def create_image_checked(conn, server, name, metadata, properties):
    """Nova createImage; when its answer is lost (the connection dropped),
    check whether Nova made the image anyway (by its name and
    ``properties``, which ``metadata`` must hold) rather than ask again."""
    from keystoneauth1 import exceptions as ksa_exc

    try:
        return server.create_image(conn.compute, name, metadata)
    except ksa_exc.ConnectionError as exc:
        made = image_made_anyway(conn, name, properties)
        if made:
            return made
        raise errors.Refused(_(
            "Nova's answer to the snapshot request was lost (%(why)s) and "
            "no snapshot %(name)s of server %(server)s appeared: none was "
            "made; run the command again.") % {
                'why': errors.describe(exc), 'name': name,
                'server': server.name}) from exc


def image_made_anyway(conn, name, properties, timeout=10.0,
                      interval=waits.INTERVAL):
    """The ID of the image a create request whose answer was lost made
    after all (found by its name and ``properties``), or None once
    ``timeout`` seconds have shown none: a write is checked, never
    repeated blindly."""
    deadline = waits.Deadline(timeout, interval)
    for found in waits.polls(deadline, waits.GLANCE, lambda: reads.list_images(
            conn, name=name, **properties)):
        if found and found is not waits.UNKNOWN:
            return max(found, key=lambda i: i.get('created_at') or '')['id']
        if deadline.passed:
            unanswered = deadline.unanswered(_('snapshot %s') % name)
            if unanswered:
                raise errors.Refused(unanswered + '.')
            return None
