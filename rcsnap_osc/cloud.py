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
rather than one request per item, and independent GETs in parallel. Errors
leave this module as one-line :class:`osc_lib.exceptions.CommandError`.
"""

import concurrent.futures
import functools
import re
import time

from keystoneauth1 import exceptions as ksa_exc
from openstack import exceptions as sdk_exc
from osc_lib import exceptions

from rcsnap_osc.i18n import _
from rcsnap_osc import share_plan
from rcsnap_osc import snapshots

#: Largest page Glance and Cinder hand out by default (api_limit_max and
#: osapi_max_limit), so that a listing takes as few pages as it can.
PAGE_SIZE = 1000

#: Parallel GETs at most, when fetching the volume snapshots of one image.
MAX_PARALLEL = 8

_TAGS = re.compile(r'<[^>]*>')
_UUID = re.compile(r'^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$')


def is_uuid_like(value):
    return bool(_UUID.match(value or ''))


def describe(exc):
    """One line that says what went wrong, for any SDK or auth failure."""
    if isinstance(exc, ksa_exc.Unauthorized):
        return _('Authentication failed: the cloud refused the credentials '
                 '(HTTP 401)')
    if isinstance(exc, (ksa_exc.ConnectFailure, ksa_exc.ConnectTimeout,
                        ksa_exc.DiscoveryFailure)):
        return _('Cannot reach the cloud: %s') % _one_line(exc)
    if isinstance(exc, ksa_exc.EndpointNotFound):
        return _('The cloud has no endpoint for a service we need: %s') % (
            _one_line(exc))
    if isinstance(exc, sdk_exc.HttpException):
        detail = describe_detail(exc)
        if is_quota_error(exc):
            return _('Quota exceeded: %s') % detail
        return _('%(method)s %(url)s failed (HTTP %(code)s): %(detail)s') % {
            'method': exc.method or 'request', 'url': exc.url or '',
            'code': exc.status_code, 'detail': detail}
    return _one_line(exc)


def describe_detail(exc):
    """The service's own words from an HTTP error, on one line.

    Nova wraps them as ``{"conflictingRequest": {"message": ...}}``, Glance
    and Cinder as ``{"message": ...}`` or ``{"itemNotFound": {...}}``.
    """
    message = None
    try:
        body = exc.response.json()
    except Exception:  # Glance answers some errors in HTML
        body = None
        text = getattr(exc.response, 'text', None)
        if text and text.strip():
            message = text
    if isinstance(body, dict):
        if isinstance(body.get('message'), str):
            message = body['message']
        elif len(body) == 1:
            inner = next(iter(body.values()))
            if isinstance(inner, dict) and isinstance(
                    inner.get('message'), str):
                message = inner['message']
    return _one_line(_TAGS.sub(' ', message or exc.details or exc.message))


def is_quota_error(exc):
    text = ('%s %s' % (exc.details or '', exc.message or '')).lower()
    return exc.status_code in (403, 413) and 'quota' in text


def _one_line(value):
    return ' '.join(str(value).split())


def translate_errors(func):
    """Turn SDK and keystoneauth exceptions into one-line CommandErrors."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except exceptions.CommandError:
            raise
        except (sdk_exc.SDKException, ksa_exc.ClientException) as exc:
            raise exceptions.CommandError(describe(exc)) from exc
    return wrapper


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
    """An image by ID or exact name, in at most one round trip per guess.

    A name that does not look like an ID is listed straight away (Glance
    filters names exactly); an ambiguous name lists the matching IDs.
    """
    if is_uuid_like(name_or_id):
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
    """A server by ID or exact name; an ambiguous name lists the IDs."""
    if is_uuid_like(name_or_id):
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

    if len(ids) == 1:
        found = [fetch(ids[0])]
    else:
        workers = min(MAX_PARALLEL, len(ids))
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            found = list(pool.map(fetch, ids))
    return {record['id']: record for record in found if record}


def paginate(proxy, path, key, params):
    """Every item of a listing, following the service's own next links.

    Glance says ``next``, Cinder and Nova ``<key>_links``; the listing ends
    on a page with no such link, so a short listing costs one request (the
    SDK's own pager asks once more for an empty page).
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
    project_id = conn.current_project_id
    query = {}
    if name:
        query['name'] = name
    if scope == 'mine':
        query['owner'] = project_id
    elif scope == 'all':
        query.update(visibility='all')
    images = [i for i in list_images(conn, **query)
              if snapshots.is_instance_snapshot(i)]
    ours = [i for i in images if i.get('owner') == project_id]
    volumes = list_volume_snapshots(conn) if snapshots.volume_snapshot_ids(
        ours) else {}
    return [snapshots.summarize(i, volumes) for i in images]


def list_shared_snapshots(conn, name=None):
    """Snapshots other projects shared with this one, with this project's
    member status of each: [(summary, status)].

    Glance does not say a member's status in an image listing, so there is
    one listing per status (in parallel): three requests however many
    snapshots there are.
    """
    project_id = conn.current_project_id
    conn.image.get_endpoint()  # endpoint discovery once, before threads
    query = {'visibility': 'shared'}
    if name:
        query['name'] = name

    def listing(status):
        return list_images(conn, member_status=status, **query)

    statuses = share_plan.MEMBER_STATUSES
    with concurrent.futures.ThreadPoolExecutor(len(statuses)) as pool:
        listings = dict(zip(statuses, pool.map(listing, statuses)))
    member_status = share_plan.member_statuses(listings)
    images = {}
    for status in statuses:
        for image in listings[status]:
            if (image.get('owner') != project_id
                    and snapshots.is_instance_snapshot(image)):
                images.setdefault(image['id'], image)
    return [(snapshots.summarize(image, {}), member_status[image_id])
            for image_id, image in images.items()]


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


def create_server_snapshot(conn, server, name, metadata=None):
    """Nova createImage; returns the new image's ID."""
    return server.create_image(conn.compute, name, metadata or None)


def wait_for_snapshot(conn, image_id, timeout, progress=None, interval=2.0,
                      clock=time.monotonic, sleep=time.sleep):
    """Wait until the image is active and its volume snapshots available.

    Polls only what is still pending. ``progress(elapsed, pending)`` is
    called after every poll. Returns the final image record; raises
    CommandError on failure or when ``timeout`` seconds pass.
    """
    start = clock()
    image = None
    settled = {}
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
