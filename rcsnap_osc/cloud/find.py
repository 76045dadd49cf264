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

"""Finding what a command names: an image, a server, an instance snapshot
(by ID, else by exact name; an ambiguous name is refused with the IDs),
and an instance snapshot with its volume snapshots, Glance and Cinder asked
at the same time.

Every ``openstack`` run has a new token, and a service validates a token
it has not seen with Keystone before it answers: the first Cinder request
of a run pays for that. Sent once the image has come back (the volume
snapshots' IDs are in its mapping), it adds that validation to the wait;
here the first Cinder request starts together with the Glance request:

* by name, Cinder's listing of the volume snapshots Nova names
  ``snapshot for <name>`` (one request, whatever their number): its
  records are used when their IDs are in the image's mapping, and the
  others are fetched by ID, in parallel, as before;
* by ID, one cheap listing (``limit=1``) whose only use is to have Cinder
  validate the token while Glance answers.

That Cinder request runs on a daemon thread, after Cinder's version
discovery (Cinder answers ``/v3/`` only with a token, so discovery made
before the Glance request would put the validation back in line): a
snapshot that needs nothing from Cinder (image-backed, refused, not
found) does not wait for it, and neither does the process when it exits.
"""

import concurrent.futures
import dataclasses
import re
import threading

from openstack import exceptions as sdk_exc

from oslo_utils import uuidutils
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

from rcsnap_osc.cloud import discovery
from rcsnap_osc.cloud import reads
from rcsnap_osc.core import snapshots

#: The name Nova gives the volume snapshots of a snapshot named ``%s``
#: (``nova.compute.api.API.snapshot_volume_backed``).
NOVA_NAME = 'snapshot for %s'

#: The name of the threads :func:`background` starts.
THREAD_NAME = 'rcsnap-early'


def find_image(conn, name_or_id, hidden=False, **query):
    """An image by ID or exact name, in at most one round trip per guess
    (``image.find_image`` GETs a name as an ID first: one more).

    A name that does not look like an ID is listed straight away (Glance
    filters names exactly); an ambiguous name lists the matching IDs.
    With ``hidden``, a name Glance's default listing does not hold is
    looked for among the hidden images (the recycle bin): one more
    listing, on a miss only.
    """
    image = reads.or_none(conn.image.get_image, name_or_id) if (
        uuidutils.is_uuid_like(name_or_id)) else None
    if image is not None:
        return reads.image_record(image)
    matches = reads.list_images(conn, name=name_or_id, **query)
    if hidden and not matches:
        matches = reads.list_images(conn, name=name_or_id, os_hidden='true',
                                    **query)
    return only_match(_('image'), name_or_id, matches,
                      [i['id'] for i in matches])


def find_snapshot_image(conn, name_or_id, **query):
    """An instance snapshot; any other image is refused by name."""
    image = find_image(conn, name_or_id, **query)
    if not snapshots.is_instance_snapshot(image):
        raise errors.Refused(
            _("Image %(name)s (%(id)s) is not an instance snapshot.") % {
                'name': image.get('name'), 'id': image['id']})
    return image


def find_server(conn, name_or_id):
    """A server by ID or exact name; an ambiguous name lists the IDs.

    Kept rather than ``compute.find_server``: that one GETs a name as an
    ID first, one round trip more, and Nova filters names by regex.
    """
    server = reads.or_none(conn.compute.get_server, name_or_id) if (
        uuidutils.is_uuid_like(name_or_id)) else None
    if server is not None:
        return server
    # Nova filters names by regular expression: anchor it, then keep the
    # exact matches only.
    pattern = '^%s$' % re.escape(name_or_id)
    matches = [s for s in conn.compute.servers(name=pattern)
               if s.name == name_or_id]
    return only_match(_('server'), name_or_id, matches,
                      [s.id for s in matches])


def only_match(kind, name_or_id, matches, ids):
    """The one match of a lookup by name; none, or several, is an error
    that names the thing (and lists the IDs to choose from)."""
    if not matches:
        raise errors.Refused(
            _("No %(kind)s with a name or ID of '%(name)s' exists.") % {
                'kind': kind, 'name': name_or_id})
    if len(matches) > 1:
        raise errors.Refused(
            _("More than one %(kind)s is named '%(name)s': %(ids)s; use an "
              "ID.") % {'kind': kind, 'name': name_or_id,
                        'ids': ', '.join(ids)})
    return matches[0]


def background(call):
    """``call()`` on a daemon thread: a Future of its result. Kept rather
    than :func:`reads.parallel`'s pool, whose threads the interpreter joins
    at exit: an answer nobody needs must not keep the command waiting."""
    future = concurrent.futures.Future()

    def run():
        future.set_running_or_notify_cancel()
        try:
            future.set_result(call())
        except BaseException as exc:  # handed to whoever asks for it
            future.set_exception(exc)

    thread = threading.Thread(target=run, name=THREAD_NAME, daemon=True)
    thread.start()
    return future


def warm(conn):
    """One cheap authenticated Cinder request: Cinder validates the token
    (and caches the validation) while it answers. Not retried: a GET by
    ID that follows says what is wrong with Cinder."""
    conn.block_storage.get('/snapshots', params={'limit': 1},
                           connect_retries=0, status_code_retries=0)


def named(conn, name):
    """The caller's volume snapshots called ``name``, in one listing (Cinder
    filters names exactly): {id: record}."""
    return {s['id']: s for s in reads.paginate(
        conn.block_storage, '/snapshots/detail', 'snapshots',
        {'name': name, 'limit': reads.PAGE_SIZE})}


def discover(conn):
    """Cinder's version discovery (the SDK makes the proxy once), in one
    request (:func:`discovery.cinder`). Cinder answers its versioned root
    (``/v3/``) only with a token: that request already has Cinder
    validate it."""
    discovery.cinder(conn)


def start_cinder(conn, name_or_id, listing=True):
    """Cinder's first requests, started now on one thread: version
    discovery, then the listing of the volume snapshots Nova would have
    named after ``name_or_id`` (a name; with ``listing``), else the
    warm-up. No other thread uses Cinder before this one is done."""
    if listing and not uuidutils.is_uuid_like(name_or_id):
        call = lambda: named(conn, NOVA_NAME % name_or_id)  # noqa: E731
    else:
        call = lambda: warm(conn)  # noqa: E731
    return background(lambda: discover(conn) or call())


def early_records(future):
    """The early listing's records, waiting for it; {} when it was only the
    warm-up or failed (the GETs by ID that follow say what is wrong)."""
    try:
        found = future.result()
    except Exception:
        return {}
    return found if isinstance(found, dict) else {}


def find_snapshot(conn, name_or_id, **query):
    """An instance snapshot (:func:`find_snapshot_image`) and its volume
    snapshots by ID (absent when gone or not visible): ``(image, {id:
    record})``, with Cinder's first request made beside Glance's.

    Requests: the image (a listing by name), one Cinder request started at
    the same time, and a GET for each volume snapshot the listing did not
    hold: 1 + k by ID at most, 2 by name when the names are Nova's.
    """
    return _found_by_name(conn, name_or_id, None, **query)[:2]


def _found_by_name(conn, name_or_id, beside, **query):
    """:func:`find_snapshot`, and ``beside(image)`` asked at once with the
    volume snapshots the early listing did not hold."""
    early = start_cinder(conn, name_or_id)
    image = find_snapshot_image(conn, name_or_id, **query)
    ids = [ref.snapshot_id for ref in snapshots.volume_refs(
        snapshots.mapping_of(image))]
    listed = early_records(early) if ids else {}
    found = {i: listed[i] for i in ids if i in listed}
    more, answer = _with(lambda: reads.get_volume_snapshots(
        conn, [i for i in ids if i not in found]), beside, image)
    found.update(more)
    return image, found, answer


def _with(call, beside, image):
    """``(call(), beside(image))``, asked at once; None for no ``beside``."""
    if beside is None:
        return call(), None
    return tuple(reads.parallel([call, lambda: beside(image)]))


#: The early volume listing of :func:`find_snapshot_and_volumes`: one page
#: of this size, newest first. Enough for most projects; a root volume past
#: it costs the GET it saves elsewhere.
VOLUME_PAGE = 100


@dataclasses.dataclass(frozen=True)
class VolumePage:
    """The first page of the caller's volumes: ``records`` by ID;
    ``complete`` when it is the whole listing (a volume absent from it is
    gone or not visible)."""
    records: dict
    complete: bool


def volume_page(conn):
    """:class:`VolumePage`, in one request (not retried: the GETs that
    follow say what is wrong with Cinder)."""
    response = conn.block_storage.get(
        '/volumes/detail', params={'limit': VOLUME_PAGE},
        connect_retries=0, status_code_retries=0)
    sdk_exc.raise_from_response(response)
    body = response.json()
    more = any(link.get('rel') == 'next'
               for link in body.get('volumes_links') or ())
    return VolumePage({v['id']: v for v in body.get('volumes') or ()},
                      not more)


def find_snapshot_and_volumes(conn, name_or_id, hidden=False, beside=None):
    """:func:`find_snapshot`, plus, by ID, a :class:`VolumePage` (else None):
    Cinder's early request is then the first page of the caller's volumes
    in place of the warm-up, so that the volume a root volume snapshot was
    taken of (and the server it is attached to) is known when the volume
    snapshots are, without a round trip after theirs. ``beside(image)``
    (show's members) is asked at once with the volume snapshots; its
    answer comes last (None without it)."""
    if not uuidutils.is_uuid_like(name_or_id):
        image, found, answer = _found_by_name(conn, name_or_id, beside,
                                              hidden=hidden)
        return image, found, None, answer
    discovered = threading.Event()

    def early_requests():
        try:
            discover(conn)
        finally:
            discovered.set()
        return volume_page(conn)

    early = background(early_requests)
    image = find_snapshot_image(conn, name_or_id)
    ids = [ref.snapshot_id for ref in snapshots.volume_refs(
        snapshots.mapping_of(image))]
    if not ids:
        return image, {}, None, beside and beside(image)
    # After Cinder's discovery (no other thread uses Cinder before it is
    # done), beside the page if it is still on its way.
    discovered.wait()
    found, answer = _with(lambda: reads.get_volume_snapshots(conn, ids),
                          beside, image)
    try:
        page = early.result()
    except Exception:  # the GETs by ID said what is wrong, if anything
        page = None
    return image, found, page, answer


def find_snapshot_warm(conn, name_or_id, **query):
    """:func:`find_snapshot_image`, with Cinder validating the token at the
    same time: for a caller whose Cinder requests come later."""
    start_cinder(conn, name_or_id, listing=False)
    return find_snapshot_image(conn, name_or_id, **query)


def servers_named(listed, names_or_ids):
    """The servers ``names_or_ids`` names, each once, from a listing
    (an ID first, else a name; unknown or ambiguous ones refused)."""
    chosen = {}
    for wanted in dict.fromkeys(names_or_ids):
        matches = [s for s in listed if s.id == wanted] or [
            s for s in listed if s.name == wanted]
        server = only_match(_('server'), wanted, matches,
                            [s.id for s in matches])
        chosen.setdefault(server.id, server)
    return list(chosen.values())
