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

"""The few openstacksdk calls the commands make.

Each function makes the fewest round trips the data allows: one listing
rather than one request per item, and independent GETs in parallel
(:func:`parallel`). SDK errors are left to the commands' one error boundary
(:mod:`rcsnap_osc.v1.base`). Generic: no feature module is imported here.
"""

import concurrent.futures
import re
import time

from openstack import exceptions as sdk_exc
from osc_lib import exceptions
from osc_lib import utils as osc_utils

from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc import snapshots

#: Largest page Glance and Cinder hand out by default (api_limit_max and
#: osapi_max_limit), so that a listing takes as few pages as it can.
PAGE_SIZE = 1000

#: Parallel requests at most (:func:`parallel`).
MAX_PARALLEL = 8

#: Volume statuses in which Cinder lets a volume be deleted.
VOLUME_DELETABLE = frozenset(('available', 'error', 'error_restoring',
                              'error_extending', 'error_managing'))


def parallel(calls):
    """Run independent zero-argument calls (GETs) at once; results in
    order. Build the proxies they share (``conn.image`` ...) first: proxy
    creation runs version discovery, once, not once per thread."""
    calls = list(calls)
    if len(calls) <= 1:
        return [call() for call in calls]
    with concurrent.futures.ThreadPoolExecutor(
            min(MAX_PARALLEL, len(calls))) as pool:
        return list(pool.map(lambda call: call(), calls))


def image_record(image):
    """A Glance-shaped flat dict from an SDK Image (properties inlined)."""
    record = image.to_dict(computed=False, original_names=True,
                           ignore_none=True)
    record.update(record.pop('properties', None) or {})
    record.setdefault('id', image.id)
    return record


def volume_snapshot_record(snapshot):
    """A Cinder-shaped dict from an SDK Snapshot (the API's own key names,
    e.g. ``os-extended-snapshot-attributes:project_id``)."""
    return snapshot.to_dict(computed=False, original_names=True)


def find_image(conn, name_or_id, **query):
    """An image by ID or exact name, in at most one round trip per guess
    (``image.find_image`` GETs a name as an ID first: one more).

    A name that does not look like an ID is listed straight away (Glance
    filters names exactly); an ambiguous name lists the matching IDs.
    """
    if osc_utils.is_uuid_like(name_or_id):
        try:
            return image_record(conn.image.get_image(name_or_id))
        except sdk_exc.NotFoundException:
            pass
    matches = list_images(conn, name=name_or_id, **query)
    return only_match(_('image'), name_or_id, matches,
                      [i['id'] for i in matches])


def find_snapshot(conn, name_or_id, **query):
    """An instance snapshot; any other image is refused by name."""
    image = find_image(conn, name_or_id, **query)
    if not snapshots.is_instance_snapshot(image):
        raise exceptions.CommandError(
            _("Image %(name)s (%(id)s) is not an instance snapshot.") % {
                'name': image.get('name'), 'id': image['id']})
    return image


def find_server(conn, name_or_id):
    """A server by ID or exact name; an ambiguous name lists the IDs.

    Kept rather than ``compute.find_server``: that one GETs a name as an
    ID first, one round trip more, and Nova filters names by regex.
    """
    if osc_utils.is_uuid_like(name_or_id):
        try:
            return conn.compute.get_server(name_or_id)
        except sdk_exc.NotFoundException:
            pass
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
        raise exceptions.CommandError(
            _("No %(kind)s with a name or ID of '%(name)s' exists.") % {
                'kind': kind, 'name': name_or_id})
    if len(matches) > 1:
        raise exceptions.CommandError(
            _("More than one %(kind)s is named '%(name)s': %(ids)s; use an "
              "ID.") % {'kind': kind, 'name': name_or_id,
                        'ids': ', '.join(ids)})
    return matches[0]


def get_volume_snapshots(conn, ids):
    """Volume snapshots by ID, fetched in parallel: {id: record}.

    IDs Cinder does not return (gone, or in another project) are absent.
    """
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    proxy = conn.block_storage
    # Version discovery once, here, rather than once in every thread.
    proxy.get_endpoint_data()

    def fetch(snapshot_id):
        try:
            return volume_snapshot_record(proxy.get_snapshot(snapshot_id))
        except (sdk_exc.NotFoundException, sdk_exc.ForbiddenException):
            return None

    found = parallel([lambda i=i: fetch(i) for i in ids])
    return {record['id']: record for record in found if record}


def get_volumes(conn, ids):
    """Volumes by ID, in parallel: {id: Cinder-shaped dict}."""
    proxy = conn.block_storage

    def fetch(volume_id):
        try:
            return proxy.get_volume(volume_id).to_dict(
                computed=False, original_names=True)
        except sdk_exc.NotFoundException:
            return None

    found = parallel([lambda i=i: fetch(i) for i in dict.fromkeys(ids)])
    return {v['id']: v for v in found if v}


def paginate(proxy, path, key, params):
    """Every item of a listing, following the service's own next links.

    Glance says ``next``, Cinder and Nova ``<key>_links``; the listing ends
    on a page with no such link, so a short listing costs one request.
    Kept rather than the SDK's resource pager: given a limit, that one asks
    once more for an empty page (``Resource._get_next_link``).
    """
    items = []
    url = path
    while url:
        response = proxy.get(url, params=params)
        sdk_exc.raise_from_response(response)
        body = response.json()
        items.extend(body.get(key) or [])
        url = body.get('next')
        if url and url.startswith('/v'):
            url = url[url.find('/', 1):]  # Glance's next includes /v2
        for link in body.get(key + '_links') or []:
            if link.get('rel') == 'next':
                url = link.get('href')
        params = None  # the next link carries the query
    return items


def list_volume_snapshots(conn):
    """All the caller's volume snapshots, in one paginated listing."""
    return {s['id']: s for s in paginate(
        conn.block_storage, '/snapshots/detail', 'snapshots',
        {'limit': PAGE_SIZE})}


def list_images(conn, **query):
    """Images in one paginated listing, as Glance-shaped dicts."""
    return paginate(conn.image, '/images', 'images',
                    dict(query, limit=PAGE_SIZE))


def summarize(conn, image):
    """An instance snapshot joined with its volume snapshots."""
    ids = [ref.snapshot_id for ref in snapshots.volume_refs(
        snapshots.mapping_of(image))]
    return snapshots.summarize(image, get_volume_snapshots(conn, ids))


def list_snapshots(conn, scope=None, name=None):
    """Instance snapshots with their real sizes, in two listings at most.

    ``scope`` is None (what Glance lists by default), ``mine`` or ``all``
    (:func:`list_shared_snapshots` lists the shared ones). The volume
    snapshot listing is skipped when no listed snapshot of this project is
    volume-backed: the volume snapshots of others are not ours to see.
    """
    images = list_snapshot_images(conn, scope, name)
    ours = [i for i in images if i.get('owner') == conn.current_project_id]
    volumes = list_volume_snapshots(conn) if snapshots.volume_snapshot_ids(
        ours) else {}
    return [snapshots.summarize(i, volumes) for i in images]


def list_snapshot_images(conn, scope=None, name=None):
    """The instance snapshots :func:`list_snapshots` lists, in one
    listing."""
    query = {}
    if name:
        query['name'] = name
    if scope == 'mine':
        query['owner'] = conn.current_project_id
    elif scope == 'all':
        query.update(visibility='all')
    return [i for i in list_images(conn, **query)
            if snapshots.is_instance_snapshot(i)]


def snapshot_members(conn, image):
    """The members of a snapshot this project owns: [{'member_id',
    'status'}], asked of Glance only when the image is shared; None when
    another project owns it (its members are not ours to see)."""
    if image.get('owner') != conn.current_project_id:
        return None
    if image.get('visibility') != 'shared':
        return []
    return image_members(conn, image['id'])


def image_members(conn, image_id):
    """An image's members as [{'member_id', 'status'}], in one request."""
    return [{'member_id': m.member_id, 'status': m.status}
            for m in conn.image.members(image_id)]


def show_snapshot(conn, name_or_id):
    """An instance snapshot's summary, and its members (None when another
    project owns it)."""
    image = find_snapshot(conn, name_or_id)
    return summarize(conn, image), snapshot_members(conn, image)


def wait_for_snapshot(conn, image_id, timeout, progress=None, interval=2.0,
                      clock=time.monotonic, sleep=time.sleep, settled=None):
    """Wait until the image is active and its volume snapshots available.

    Polls only what is still pending. ``progress(elapsed, pending)`` is
    called after every poll. Returns the final image record; raises
    CommandError on failure or when ``timeout`` seconds pass. ``settled``,
    a dict, receives the available volume snapshots' records by ID.
    """
    start = clock()
    image = None
    settled = {} if settled is None else settled
    while True:
        if image is None or image.get('status') != 'active':
            try:
                image = image_record(conn.image.get_image(image_id))
            except sdk_exc.NotFoundException:
                raise exceptions.CommandError(
                    _('Snapshot %s failed: its image was deleted.')
                    % image_id)
        wanted = [ref.snapshot_id for ref in snapshots.volume_refs(
            snapshots.mapping_of(image)) if ref.snapshot_id not in settled]
        states = dict(settled)
        states.update(get_volume_snapshots(conn, wanted))
        settled.update({k: v for k, v in states.items()
                        if v.get('status') == 'available'})
        done, failure, pending = snapshots.wait_state(image, states)
        if failure:
            raise exceptions.CommandError(
                _('Snapshot %(id)s failed: %(why)s.') % {
                    'id': image_id, 'why': failure})
        elapsed = clock() - start
        if done:
            return image
        if elapsed >= timeout:
            raise exceptions.CommandError(
                _('Timed out after %(secs)d s waiting for snapshot %(id)s: '
                  '%(pending)s.') % {'secs': timeout, 'id': image_id,
                                     'pending': ', '.join(pending)})
        if progress:
            progress(elapsed, pending)
        sleep(interval)


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
        raise exceptions.CommandError(_(
            "Nova's answer to the snapshot request was lost (%(why)s) and "
            "no snapshot %(name)s of server %(server)s appeared: none was "
            "made; run the command again.") % {
                'why': errors.describe(exc), 'name': name,
                'server': server.name}) from exc


def image_made_anyway(conn, name, properties, timeout=10.0, interval=2.0,
                      clock=None, sleep=None):
    """The ID of the image a create request whose answer was lost made
    after all (found by its name and ``properties``), or None once
    ``timeout`` seconds have shown none: a write is checked, never
    repeated blindly."""
    clock, sleep = clock or time.monotonic, sleep or time.sleep
    deadline = clock() + timeout
    while True:
        found = list_images(conn, name=name, **properties)
        if found:
            return max(found, key=lambda i: i.get('created_at') or '')['id']
        if clock() >= deadline:
            return None
        sleep(interval)
