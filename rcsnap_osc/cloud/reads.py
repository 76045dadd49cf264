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

"""Reads and listings: images, volume snapshots, volumes, members, the
quotas and the project's whole inventory.

Each function makes the fewest round trips the data allows: one listing
rather than one request per item, and independent GETs in parallel
(:func:`parallel`). SDK errors are left to the commands' one error boundary
(:mod:`rcsnap_osc.v1.base`). Generic: no feature module is imported here.
"""

import concurrent.futures

from openstack import exceptions as sdk_exc
from openstack import utils as sdk_utils

from rcsnap_osc.cloud import discovery
from rcsnap_osc.core import holds
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors

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


def or_none(get, *args):
    """``get(*args)``, or None when the service answers 404: the thing is
    gone (or was never there). Kept rather than the proxies'
    ``find_*(ignore_missing=True)``, which list by name when an ID is not
    found: one more request, and a name is never what is asked here."""
    try:
        return get(*args)
    except sdk_exc.NotFoundException:
        return None


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
        volume = or_none(proxy.get_volume, volume_id)
        return None if volume is None else volume.to_dict(
            computed=False, original_names=True)

    found = parallel([lambda i=i: fetch(i) for i in dict.fromkeys(ids)])
    return {v['id']: v for v in found if v}


#: The Cinder microversion of the listings: ``consumes_quota`` (3.65),
#: with ``group_snapshot_id`` (3.14) and ``user_id`` (3.41).
CINDER_LISTING = '3.65'


def cinder_microversion(conn):
    """:data:`CINDER_LISTING` where Cinder accepts it, else None (its
    discovery is cached)."""
    if sdk_utils.supports_microversion(conn.block_storage, CINDER_LISTING):
        return CINDER_LISTING
    return None


def paginate(proxy, path, key, params, microversion=None, enough=None):
    """Every item of a listing, following the service's own next links
    (until ``enough(items so far)`` says so, when given).

    Glance says ``next``, Cinder and Nova ``<key>_links``; the listing ends
    on a page with no such link, so a short listing costs one request.
    Kept rather than the SDK's resource pager: given a limit, that one asks
    once more for an empty page (``Resource._get_next_link``).
    """
    items = []
    url = path
    while url and not (enough and enough(items)):
        response = proxy.get(url, params=params, microversion=microversion)
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


def list_volume_snapshots(conn, **query):
    """All the caller's volume snapshots, in one paginated listing."""
    return {s['id']: s for s in paginate(
        conn.block_storage, '/snapshots/detail', 'snapshots',
        dict(query, limit=PAGE_SIZE), cinder_microversion(conn))}


def list_images(conn, **query):
    """Images in one paginated listing, as Glance-shaped dicts."""
    return paginate(conn.image, '/images', 'images',
                    dict(query, limit=PAGE_SIZE))


def summarize(conn, image):
    """An instance snapshot joined with its volume snapshots."""
    ids = [ref.snapshot_id for ref in snapshots.volume_refs(
        snapshots.mapping_of(image))]
    return snapshots.summarize(image, get_volume_snapshots(conn, ids))


def list_snapshots(conn, scope=None, name=None, filters=None, limit=None,
                   binned=False):
    """Instance snapshots with their real sizes, in two listings at most.

    ``scope`` is None (what Glance lists by default), ``mine`` or ``all``
    (:func:`list_shared_snapshots` lists the shared ones). The volume
    snapshot listing is skipped when no listed snapshot of this project is
    volume-backed: the volume snapshots of others are not ours to see.
    """
    images = list_snapshot_images(conn, scope, name, filters, limit,
                                  binned)
    ours = [i for i in images if i.get('owner') == conn.current_project_id]
    volumes = list_volume_snapshots(conn) if snapshots.volume_snapshot_ids(
        ours) else {}
    return [snapshots.summarize(i, volumes) for i in images]


def list_snapshot_images(conn, scope=None, name=None, filters=None,
                         limit=None, binned=False):
    """The instance snapshots :func:`list_snapshots` lists, in one
    listing: those in the recycle bin (hidden images) when ``binned``,
    else none of them. ``filters``: more of Glance's filters (image
    properties, ``marker``); ``limit``: the first that many snapshots,
    the listing's pages asked for only until they are there."""
    query = dict(filters or {})
    if binned:
        query['os_hidden'] = 'true'
    if name:
        query['name'] = name
    if scope == 'mine':
        query['owner'] = conn.current_project_id
    elif scope == 'all':
        query.update(visibility='all')

    def wanted(image):
        return (snapshots.is_instance_snapshot(image)
                and holds.is_binned(image) == binned)

    def enough(images):
        return limit is not None and sum(map(wanted, images)) >= limit
    found = [i for i in paginate(conn.image, '/images', 'images',
                                 dict(query, limit=PAGE_SIZE), enough=enough)
             if wanted(i)]
    return found if limit is None else found[:limit]


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


def list_members(conn, image_id):
    return paginate(conn.image, '/images/%s/members' % image_id,
                    'members', None)


def list_volumes(conn, **query):
    """The caller's volumes (each with the ``snapshot_id`` it came from)."""
    return paginate(conn.block_storage, '/volumes/detail', 'volumes',
                    dict(query, limit=PAGE_SIZE), cinder_microversion(conn))


def list_backups(conn, **query):
    """The caller's Cinder backups (each with the ``snapshot_id`` it was
    made from); none where the cloud has no backup API or hides it (404,
    403)."""
    try:
        return paginate(conn.block_storage, '/backups/detail', 'backups',
                        dict(query, limit=PAGE_SIZE),
                        cinder_microversion(conn))  # metadata: 3.43
    except (sdk_exc.NotFoundException, sdk_exc.ForbiddenException):
        return []


def listings(conn):
    """``(images, volume snapshots by id, volumes)``: four listings at
    once (hidden images apart, as Glance wants)."""
    conn.image.get_endpoint_data()
    discovery.cinder(conn)
    shown, hidden, volume_snapshots, volumes = parallel([
        lambda: list_images(conn, visibility='all'),
        lambda: list_images(conn, visibility='all', os_hidden='true'),
        lambda: list_volume_snapshots(conn),
        lambda: list_volumes(conn),
    ])
    images = list({i['id']: i for i in shown + hidden}.values())
    return images, volume_snapshots, volumes


def quota_listings(conn, volumes=None):
    """``(volume snapshots, volumes)`` of the project, what Cinder counts
    in its quota (:func:`rcsnap_osc.core.quota.counted`): listed at once;
    ``volumes`` when they are listed already."""
    discovery.cinder(conn)
    volume_snapshots, volumes = parallel([
        lambda: list_volume_snapshots(conn),
        lambda: list_volumes(conn) if volumes is None else volumes])
    return list(volume_snapshots.values()), volumes


def cinder_quota(conn, project_id=None):
    """Cinder's ``quota_set`` with usage, of the caller's project unless
    ``project_id``; None where the cloud hides it (403)."""
    response = conn.block_storage.get(
        '/os-quota-sets/%s' % (project_id or conn.current_project_id),
        params={'usage': 'True'})
    if response.status_code == 403:
        return None
    sdk_exc.raise_from_response(response)
    return response.json().get('quota_set')


def glance_usage(conn):
    """Glance's unified-limit usage (``{}`` where it enforces none, or
    has no such API)."""
    response = conn.image.get('/info/usage')
    if response.status_code in (403, 404):
        return {}
    sdk_exc.raise_from_response(response)
    return response.json().get('usage') or {}


#: What :func:`read_back` says of a thing that is gone.
GONE = 'gone'

#: Statuses that mean the thing is gone, or going (its delete accepted).
_GOING = frozenset(('deleted', 'deleting', 'pending_delete', 'DELETED'))


def read_back(conn, kind, ident):
    """What became of a thing a removal failed on: :data:`GONE`, else its
    status; None when it cannot be read (the warning then says what the
    removal met)."""
    get = {'image': lambda: conn.image.get_image(ident),
           'server': lambda: conn.compute.get_server(ident),
           'volume': lambda: conn.block_storage.get_volume(ident),
           'volume snapshot': lambda: conn.block_storage.get_snapshot(ident),
           'backup': lambda: conn.block_storage.get_backup(ident)}[kind]
    try:
        status = get().status
    except Exception as exc:
        if errors.explain(exc) is None:
            raise
        return GONE if errors.is_gone(exc) else None
    return GONE if status in _GOING else status
