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

"""Which claims are dead: pure decisions, no cliff, no HTTP.

A claim (:mod:`rcsnap_osc.cloud.claims`) is an empty hidden image named
``rcsnap-lock-...``. A run that dies (killed, host lost) leaves its claim
held until its ``expires_at``; a window claim (``schedule:<server ID>:
<window>``) is then taken over only by a run of the same window, and a
retention claim (``retention:<server ID>``) stays, released or not, as the
head of its chain for the server's next run: forever once the server is
gone. Such a claim holds no data; it is deleted outright, never binned.

A claim is dead when no run can hold it any more: a window claim whose
expiry has passed (or that was released), a retention claim of a server
that is gone whose expiry has passed or that was released. A claim not
expired and not released is never dead: a run may hold it now.
"""

import dataclasses
import datetime

from rcsnap_osc.i18n import _

#: The properties of a claim image (written by ``cloud/claims.py``).
KEY = 'rcsnap:claim'
EXPIRES = 'rcsnap:claim_expires_at'
RELEASED = 'rcsnap:claim_released_at'

#: The prefixes of the two kinds of claim keys.
WINDOW = 'schedule'
RETENTION = 'retention'

#: The kind of a claim in a deletion's rows.
KIND = 'claim'


def parse(text):
    """A claim's stamp as a naive UTC datetime; None when unreadable."""
    try:
        return datetime.datetime.strptime(text or '', '%Y-%m-%dT%H:%M:%SZ')
    except ValueError:
        return None


@dataclasses.dataclass(frozen=True)
class DeadClaim:
    """A claim no run holds or can hold: its image, and why."""

    image: dict
    kind: str
    server_id: str

    @property
    def id(self):
        return self.image['id']

    @property
    def name(self):
        return self.image.get('name')

    @property
    def expires(self):
        return self.image.get(EXPIRES)

    @property
    def reason(self):
        """What it is, the server it names, its expiry, and what to do."""
        what = (_('claim of a dead run: the window %(window)s of server '
                  '%(server)s') if self.kind == WINDOW else
                _('claim of a dead run: the retention of server %(server)s, '
                  'which is gone'))
        state = (_('released at %s') % self.image[RELEASED]
                 if self.image.get(RELEASED) else
                 _('expired at %s') % self.expires)
        return _('%(what)s, %(state)s; it holds no data: "delete '
                 '--orphans" deletes it outright') % {
            'what': what % {'server': self.server_id,
                            'window': window_of(self.image)},
            'state': state}


def window_of(image):
    """The window stamp a window claim's key names ('' for others)."""
    parts = (image.get(KEY) or '').split(':', 2)
    return parts[2] if len(parts) == 3 else ''


def free(image, now):
    """Whether no run holds the claim: released, or its expiry passed
    (an unreadable expiry is held: never guessed dead)."""
    if image.get(RELEASED):
        return True
    expires = parse(image.get(EXPIRES))
    return expires is not None and expires <= now


def _ours(image, project_id):
    """Whether ``project_id`` owns the image (None: any project does)."""
    return project_id is None or image.get('owner') == project_id


def find_dead(images, project_id, now, server_ids=None):
    """The project's dead claims among ``images`` (the hidden ones are
    enough), oldest first.

    :param project_id: None for every project's (an admin's listing).
    :param now: a naive UTC datetime.
    :param server_ids: the IDs of the project's servers (of every project
        with no ``project_id``); None when they are unknown: then no
        retention claim is dead.
    """
    found = []
    for image in images:
        kind, _sep, rest = (image.get(KEY) or '').partition(':')
        if (not _ours(image, project_id) or not rest
                or not (image.get('name') or '').startswith('rcsnap-lock-')
                or not free(image, now)):
            continue
        server_id = rest.split(':', 1)[0]
        if kind == WINDOW or (kind == RETENTION and server_ids is not None
                              and server_id not in server_ids):
            found.append(DeadClaim(image, kind, server_id))
    return sorted(found, key=lambda c: (c.image.get('created_at') or '',
                                        c.id))


def has_retention(images, project_id, now):
    """Whether any of the project's claims is a retention claim no run
    holds (only then are its servers worth listing)."""
    return any(_ours(image, project_id) and (
        image.get(KEY) or '').startswith(RETENTION + ':') and free(image, now)
        for image in images)
