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

"""Claims: one run at a time holds a key (say, the retention of a server),
whatever host it runs on, with nothing but Glance.

The atomic step is Glance's: ``POST /v2/images`` with an ``id`` the client
chose is refused with 409 ("Image ID <id> already exists!") when an image
with that ID exists, and also when one existed: Glance never gives a
deleted image's ID out again. So a claim cannot be one fixed ID deleted on
release; it is a chain of generations, the image of generation ``n`` having
the ID ``uuid5(NAMESPACE, '<key>/<n>')``:

- the head of the chain is the listed claim image of the highest
  generation (one listing, by name, of hidden images);
- a head that is released or expired is taken by creating generation
  ``n + 1``: of two takers, Glance lets one create it and refuses the
  other (409), which then reads it and finds it held; the winner deletes
  the old head;
- a head still held names its holder (host, pid, user, since, until);
- the holder releases the claim by marking its image released rather than
  deleting it, so that the next run finds the generation to take in one
  listing; an image deleted by hand only costs the next run a walk up the
  chain (a 409 and a 404 per generation gone).

A claim is an empty private image (status ``queued``, no data), hidden
from image listings, that is not an instance snapshot
(:func:`rcsnap_osc.core.snapshots.is_instance_snapshot`): no command
lists, counts or deletes it as one. Its ``expires_at`` bounds what a run
that died (killed, host lost) holds: past it, the claim may be taken.
It is the holder's clock read by the taker's: clocks that differ move the
expiry by as much, never the exclusion, which is Glance's alone.

The requests are written by hand: here a 409 or a 404 is an answer, not
an error, and the SDK's ``create_image`` is an upload pipeline.
"""

import dataclasses
import datetime
import getpass
import os
import socket
import uuid

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import waits
from rcsnap_osc.core import dead_claims
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

#: The namespace of the claim images' IDs.
NAMESPACE = uuid.UUID('6f0b8a52-3c1e-5d0a-9b7e-2a4c1f8e6d35')

#: The property that makes an image a claim: its key.
KEY = dead_claims.KEY
GENERATION = 'rcsnap:claim_generation'
HOST = 'rcsnap:claim_host'
PID = 'rcsnap:claim_pid'
USER = 'rcsnap:claim_user'
STARTED = 'rcsnap:claim_started_at'
EXPIRES = dead_claims.EXPIRES
RELEASED = dead_claims.RELEASED

#: Seconds between two attempts to take a claim another run holds: not
#: a poll of something the cloud is making (:data:`waits.INTERVAL`) but
#: a lock retry, spaced so that waiting runs do not crowd Glance.
RETRY_INTERVAL = 5.0

#: Generations walked up at most in one attempt (claims deleted by hand).
MAX_WALK = 1000

PATCH_TYPE = 'application/openstack-images-v2.1-json-patch'


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(
        microsecond=0, tzinfo=None)


def stamp(when):
    return when.strftime('%Y-%m-%dT%H:%M:%SZ')


def parse(text):
    try:
        return datetime.datetime.strptime(text or '', '%Y-%m-%dT%H:%M:%SZ')
    except ValueError:
        return None


@dataclasses.dataclass(frozen=True)
class Claim:
    """What is claimed: ``key`` (one per thing guarded, e.g.
    ``retention:<server ID>``), the ``name`` of its images, and
    ``label``, how a sentence names it ("the retention of server X")."""

    key: str
    name: str
    label: str

    def image_id(self, generation):
        return str(uuid.uuid5(NAMESPACE, '%s/%d' % (self.key, generation)))


@dataclasses.dataclass
class Holder:
    """Who holds a claim, from its image's properties."""

    image: dict

    @property
    def generation(self):
        try:
            return int(self.image.get(GENERATION))
        except (TypeError, ValueError):
            return -1

    def free(self, when):
        """Whether the claim may be taken: released, or expired."""
        if self.image.get(RELEASED):
            return True
        expires = parse(self.image.get(EXPIRES))
        return expires is not None and expires <= when

    def __str__(self):
        return _('host %(host)s, pid %(pid)s, since %(since)s, until '
                 '%(until)s') % {
            'host': self.image.get(HOST, '?'),
            'pid': self.image.get(PID, '?'),
            'since': self.image.get(STARTED, '?'),
            'until': self.image.get(EXPIRES, '?')}


class Held(errors.Refused):
    """Another run holds the claim: the one line that says who."""

    def __init__(self, claim, holder, waited=None):
        self.claim = claim
        self.holder = holder
        if waited is None:
            text = _('Another run holds %(what)s (%(holder)s): nothing was '
                     'done; --wait-lock waits for it.')
        else:
            text = _('Another run still holds %(what)s (%(holder)s) after '
                     '%(secs)d s of --wait-lock: nothing was done.')
        super().__init__(text % {'what': claim.label, 'holder': holder,
                                 'secs': waited or 0})


def properties(claim, generation, ttl, started=None):
    started = started or now()
    return {
        KEY: claim.key, GENERATION: str(generation),
        HOST: socket.gethostname(), PID: str(os.getpid()),
        USER: getpass.getuser(), STARTED: stamp(started),
        EXPIRES: stamp(started + datetime.timedelta(seconds=ttl))}


def _error(response):
    sdk_exc.raise_from_response(response)


def head(conn, claim):
    """The :class:`Holder` of the highest generation listed, or None."""
    response = conn.image.get('/images', params={
        'name': claim.name, 'os_hidden': 'true'})
    _error(response)
    found = [Holder(i) for i in response.json().get('images', [])
             if i.get(KEY) == claim.key
             and i.get('owner') == conn.current_project_id]
    return max(found, key=lambda h: h.generation) if found else None


def create(conn, claim, generation, ttl):
    """POST the image of ``generation``: its :class:`Holder`, or None
    when Glance refuses it (409: it exists or existed)."""
    body = {'id': claim.image_id(generation), 'name': claim.name,
            'visibility': 'private', 'os_hidden': True}
    body.update(properties(claim, generation, ttl))
    response = conn.image.post('/images', json=body)
    if response.status_code == 409:
        return None
    _error(response)
    return Holder(response.json())


def read(conn, claim, generation):
    """The :class:`Holder` of ``generation``, or None when it is gone."""
    response = conn.image.get('/images/%s' % claim.image_id(generation))
    if response.status_code == 404:
        return None
    _error(response)
    return Holder(response.json())


def delete(conn, image_id):
    response = conn.image.delete('/images/%s' % image_id)
    if response.status_code not in (404, 409):
        _error(response)


def take(conn, claim, ttl, listed=True):
    """One attempt: the :class:`Holder` that is us once the claim is
    ours; :class:`Held` when another run holds it. Without ``listed``,
    the chain is walked from generation 0 without a listing (a key that
    is new each time, such as a window's, has no longer chain)."""
    found = head(conn, claim) if listed else None
    generation = -1 if found is None else found.generation
    for _step in range(MAX_WALK):
        if found is not None and not found.free(now()):
            raise Held(claim, found)
        generation += 1
        mine = create(conn, claim, generation, ttl)
        if mine is not None:
            if generation > 0:
                delete(conn, claim.image_id(generation - 1))
            return mine
        found = read(conn, claim, generation)
    raise errors.Refused(_('Cannot find the claim of %s: more than %d '
                           'generations are gone.') % (claim.label,
                                                       MAX_WALK))


def hold(conn, claim, ttl, wait=None, reporter=None):
    """Take the claim, for ``ttl`` seconds at most; while another run
    holds it, try again every :data:`RETRY_INTERVAL` seconds for up to
    ``wait`` seconds (None: not at all), saying who holds it after each
    attempt through the ``reporter``. :class:`Held` when it is still
    held."""
    deadline = waits.Deadline(wait or 0, RETRY_INTERVAL)
    progress = reporter and reporter.progress(_('Waiting'))
    for _tick in waits.ticks(deadline):
        try:
            return take(conn, claim, ttl)
        except Held as held:
            if wait is None:
                raise
            if deadline.passed:
                raise Held(claim, held.holder, deadline.timeout)
            if progress:
                progress(deadline.elapsed, [
                    _('%(what)s held (%(holder)s)') % {
                        'what': claim.label, 'holder': held.holder}])


def release(conn, mine):
    """Mark our claim released (a claim taken over since, gone, is no
    more ours: nothing to do). None, or the warning line saying until
    when the others wait."""
    try:
        response = conn.image.patch(
            '/images/%s' % mine.image['id'], json=[{
                'op': 'add', 'path': '/' + RELEASED,
                'value': stamp(now())}],
            headers={'Content-Type': PATCH_TYPE})
        if response.status_code in (200, 404):
            return None
        why = 'HTTP %s' % response.status_code
    except Exception as exc:
        if errors.explain(exc) is None:
            raise
        why = errors.one_line(errors.describe(exc))
    return _('Warning: could not release the claim %(id)s (%(why)s): '
             'other runs wait for it until %(until)s.') % {
        'id': mine.image['id'], 'why': why,
        'until': mine.image.get(EXPIRES)}
