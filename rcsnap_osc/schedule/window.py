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

"""A schedule window: its claim, which one run at a time holds, and a
snapshot of it an earlier ``schedule run`` made and could not record (cut
short between the snapshot and its metadata write): found by the window
it records, and taken for this run's rather than made again."""

from rcsnap_osc.cloud import claims
from rcsnap_osc.cloud import reads
from rcsnap_osc.core import origin
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.schedule import plan

#: The states of a snapshot image that stands for its window.
STANDING = ('queued', 'saving', 'active')


def already_made(conn, rows, made):
    """Each due, claimed row whose window a snapshot of its server
    records already: its result set to ``made``, its ``image`` that one.
    One listing per window (Glance filters by the property), at once."""
    due = [r for r in rows if r.claim is not None and r.due is not None
           and r.due.due and not r.image]
    windows = sorted({plan.stamp(r.due.window) for r in due})
    listed = reads.parallel([lambda w=w: reads.list_images(
        conn, **{plan.WINDOW_PROPERTY: w}) for w in windows])
    found = {}
    for image in (i for images in listed for i in images):
        if (image.get('owner') == conn.current_project_id
                and image.get('status') in STANDING):
            found.setdefault((origin.recorded_server(image),
                              image.get(plan.WINDOW_PROPERTY)), image)
    for row in due:
        image = found.get((row.server.id, plan.stamp(row.due.window)))
        if image is not None:
            row.result, row.image = made, image['id']
            row.why = _('by an earlier run that did not record it')
    return [r for r in due if r.result == made]


def window_claim(server, start):
    when = plan.stamp(start)
    return claims.Claim(
        'schedule:%s:%s' % (server.id, when), 'rcsnap-lock-%s-%s' % (
            server.id, when), _('the %(when)s snapshot of server '
                                '%(server)s') % {'when': when, 'server':
                                                 server.name})


def release(conn, rows, reporter):
    """End the window claims: their images deleted."""
    for row in rows:
        if row.claim is not None:
            try:
                claims.delete(conn, row.claim.image['id'])
            except Exception as exc:
                if errors.explain(exc) is None:
                    raise
                reporter.say(_('Warning: could not delete the claim '
                               '%(id)s (%(why)s): it expires at '
                               '%(until)s.') % {
                    'id': row.claim.image['id'],
                    'why': errors.one_line(str(exc)),
                    'until': row.claim.image.get(claims.EXPIRES)})
