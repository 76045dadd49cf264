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

"""Response bodies shaped exactly like the real services' (Nova 34,
Glance v2, Cinder v3), and helpers that register them on requests-mock."""

import http
import json
import re
import urllib.parse

from tests.unit import base

SERVER_ID = '9d4c6a2e-3b1f-4c8e-a5d7-1e2f3a4b5c6d'
IMAGE_ID = 'c2a7e3f1-5b6d-4e8a-9c0b-1d2e3f4a5b6c'
BASE_IMAGE_ID = '0f3e2d1c-4b5a-4968-8776-a5b4c3d2e1f0'
ROOT_SNAP_ID = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d'
DATA_SNAP_ID = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e'
ROOT_VOLUME_ID = 'd4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70'
DATA_VOLUME_ID = 'e5f6a7b8-c9d0-4e1f-9a2b-3c4d5e6f7a81'
CREATED = '2026-11-20T10:15:30Z'


def bdm_entry(**fields):
    """One entry of Nova's ``block_device_mapping`` image property."""
    entry = {
        'attachment_id': None, 'boot_index': None, 'delete_on_termination':
        False, 'destination_type': 'volume', 'device_name': None,
        'device_type': 'disk', 'disk_bus': 'virtio', 'encrypted': None,
        'encryption_format': None, 'encryption_options': None,
        'encryption_secret_uuid': None, 'guest_format': None,
        'image_id': None, 'no_device': None, 'snapshot_id': None,
        'source_type': 'snapshot', 'tag': None, 'volume_id': None,
        'volume_size': None, 'volume_type': None,
    }
    entry.update(fields)
    return entry


def swap_entry():
    return bdm_entry(device_name='/dev/vdc', source_type='blank',
                     destination_type='local', guest_format='swap',
                     boot_index=-1, volume_size=1, delete_on_termination=True,
                     device_type='disk')


def root_entry(snapshot_id=ROOT_SNAP_ID, size=None):
    return bdm_entry(device_name='/dev/vda', boot_index=0,
                     snapshot_id=snapshot_id, volume_size=size)


def data_entry(snapshot_id=DATA_SNAP_ID, size=None):
    return bdm_entry(device_name='/dev/vdb', boot_index=None,
                     snapshot_id=snapshot_id, volume_size=size)


def image(image_id=IMAGE_ID, name='analysis-vm-snap', **fields):
    """A Glance v2 image body (a plain, non-snapshot image by default)."""
    body = {
        'id': image_id, 'name': name, 'status': 'active',
        'visibility': 'private', 'protected': False, 'os_hidden': False,
        'owner': base.PROJECT_ID, 'size': 41126400, 'virtual_size': None,
        'disk_format': 'qcow2', 'container_format': 'bare',
        'checksum': '443b7623e27ecf03dc9e01ee93f67afe',
        'os_hash_algo': 'sha512', 'os_hash_value': '6513f21e44aa3da349f2',
        'min_disk': 0, 'min_ram': 0, 'tags': [], 'created_at': CREATED,
        'updated_at': CREATED, 'self': '/v2/images/%s' % image_id,
        'file': '/v2/images/%s/file' % image_id, 'schema': '/v2/schemas/image',
    }
    body.update(fields)
    return body


def volume_backed_image(image_id=IMAGE_ID, name='analysis-vm-snap',
                        entries=None, **fields):
    """A snapshot of a volume-backed server exactly as Nova 34 writes it:
    size 0, raw, no image_type, the mapping as a JSON *string* with the swap
    entry first, min_disk from the original flavor."""
    if entries is None:
        entries = [swap_entry(), root_entry()]
    body = image(
        image_id, name, size=0, disk_format='raw', checksum=None,
        os_hash_algo=None, os_hash_value=None, min_disk=20, min_ram=0,
        bdm_v2='True', root_device_name='/dev/vda',
        block_device_mapping=json.dumps(entries),
        os_distro='ubuntu', hw_disk_bus='virtio', base_image_ref='',
        boot_roles='member,reader', owner_project_name='alpha',
        owner_user_name='alpha')
    body.update(fields)
    return body


def image_backed_image(image_id=IMAGE_ID, name='web-vm-snap', **fields):
    """A snapshot of an image-backed server: the image holds the bytes."""
    body = image(
        image_id, name, size=1181286400, image_type='snapshot',
        instance_uuid=SERVER_ID, base_image_ref=BASE_IMAGE_ID,
        image_location='snapshot', user_id=base.USER_ID, min_disk=20,
        min_ram=512, os_distro='ubuntu', owner_project_name='alpha',
        owner_user_name='alpha', boot_roles='member,reader')
    body.update(fields)
    return body


def volume_snapshot(snapshot_id=ROOT_SNAP_ID, size=10, status='available',
                    volume_id=ROOT_VOLUME_ID, **fields):
    """A Cinder v3 snapshot body (detail view)."""
    body = {
        'id': snapshot_id, 'name': 'snapshot for analysis-vm-snap',
        'description': None, 'status': status, 'size': size,
        'volume_id': volume_id, 'metadata': {}, 'created_at':
        '2026-11-20T10:15:29.000000', 'updated_at': None,
        'os-extended-snapshot-attributes:progress':
            '100%' if status == 'available' else '0%',
        'os-extended-snapshot-attributes:project_id': base.PROJECT_ID,
        'user_id': base.USER_ID, 'group_snapshot_id': None,
        'consumes_quota': True,
    }
    body.update(fields)
    return body


def server(server_id=SERVER_ID, name='analysis-vm', status='ACTIVE'):
    """A Nova 2.100 server body (the fields a snapshot needs)."""
    return {
        'id': server_id, 'name': name, 'status': status,
        'tenant_id': base.PROJECT_ID, 'user_id': base.USER_ID,
        'image': '', 'flavor': {'vcpus': 1, 'ram': 2048, 'disk': 20,
                                'ephemeral': 0, 'swap': 0,
                                'original_name': 'm1.small',
                                'extra_specs': {}},
        'addresses': {}, 'metadata': {}, 'created': CREATED,
        'updated': CREATED, 'OS-EXT-STS:task_state': None,
        'OS-EXT-STS:vm_state': 'active', 'OS-EXT-STS:power_state': 1,
        'os-extended-volumes:volumes_attached': [
            {'id': ROOT_VOLUME_ID, 'delete_on_termination': False}],
        'links': [], 'hostId': 'abc', 'locked': False, 'tags': [],
    }


QUOTA_URL = '%s/os-quota-sets/%s?usage=True' % (
    base.VOLUME_URL, base.PROJECT_ID)


def quota_set(snapshots=(3, 10), gigabytes=(24, -1), volumes=(2, 10),
              types=None):
    """Cinder's GET os-quota-sets/{project}?usage=True, as the local
    cloud's Cinder 29 answers it: ``limit``, ``in_use`` and
    ``reserved`` of every quota (no ``allocated``: that went with the
    nested quota driver), the per volume type ones ``<quota>_<type>``
    among them, in Cinder's order.

    :param types: {type name: {quota: (in use, limit)}}; the types not
        named are unlimited and in use as much as the totals.
    """
    def entry(used, limit):
        return {'limit': limit, 'in_use': used, 'reserved': 0}
    body = {
        'volumes': entry(*volumes), 'per_volume_gigabytes': entry(0, -1),
        'snapshots': entry(*snapshots), 'gigabytes': entry(*gigabytes),
        'backups': entry(0, 10), 'backup_gigabytes': entry(0, 1000)}
    for kind in ('__DEFAULT__', 'lvmdriver-1'):
        given = (types or {}).get(kind, {})
        for name, total in (('volumes', volumes), ('gigabytes', gigabytes),
                            ('snapshots', snapshots)):
            body['%s_%s' % (name, kind)] = entry(
                *given.get(name, (total[0] if kind == 'lvmdriver-1' else 0,
                                  -1)))
    body['groups'] = entry(0, 10)
    body['id'] = base.PROJECT_ID
    return {'quota_set': body}


def register_listed_use(requests, body, volumes=True):
    """Volume snapshot and volume listings in step with a quota set
    ``body``: as many volume snapshots of 1 GiB as its ``snapshots`` in
    use, and (unless not ``volumes``) one volume holding the rest of its
    ``gigabytes``; an empty recycle bin."""
    quota = body['quota_set']
    count = quota['snapshots']['in_use']
    register_volume_snapshot_list(requests, [
        volume_snapshot('%08d-0000-4000-8000-000000000000' % n, size=1)
        for n in range(count)])
    if volumes:
        register_volume_list(requests, [volume(
            size=quota['gigabytes']['in_use'] - count)])
    # The recycle bin, listed beside them (empty).
    register_image_list(requests, [], '?os_hidden=true')


#: Cinder's answer where its policy hides the quota from the project.
QUOTA_FORBIDDEN = {'forbidden': {
    'code': 403, 'message': "Policy doesn't allow "
    "volume_extension:quotas:show to be performed."}}


def register_quota(requests, body=None, **kwargs):
    """GET the project's Cinder quota with usage (``quota_set()`` unless
    ``body`` or ``kwargs`` say otherwise)."""
    requests.get(QUOTA_URL, **(kwargs or {'json': body or quota_set()}))


def glance_error(status, message):
    """Glance's error body, as the local cloud's Glance 33 answers with
    JSON: webob's status line as ``code``, its phrase as ``title``, and
    the explanation followed by webob's ``<br /><br />`` and newlines."""
    phrase = http.HTTPStatus(status).phrase
    return {'code': '%d %s' % (status, phrase), 'title': phrase,
            'message': '%s<br /><br />\n\n\n' % message}


#: The message of Nova's and Cinder's fault wrapper for an unexpected error.
ERRED = ('The server has either erred or is incapable of performing the '
         'requested operation.')


def server_fault(status=500):
    """Cinder's (and Nova's) answer to a request that failed inside the
    service: the fault wrapper's ``computeFault`` body."""
    return {'status_code': status, 'json': {'computeFault': {
        'code': status, 'message': ERRED}}}


def not_found(kind, ident):
    return {'itemNotFound': {'code': 404, 'message': '%s %s could not be '
                             'found.' % (kind, ident)}}


def register_image(requests, body):
    """GET the image; its member listing answers as Glance does for an
    image that is not ``shared`` (403) until :func:`register_members`."""
    requests.get('%s/v2/images/%s' % (base.IMAGE_URL, body['id']),
                 json=body)
    _images(requests)[body['id']] = body
    _register_member_listing(requests, body['id'], None)


def register_volume_snapshot(requests, body):
    requests.get('%s/snapshots/%s' % (base.VOLUME_URL, body['id']),
                 json={'snapshot': body})


def register_missing_volume_snapshot(requests, snapshot_id):
    requests.get('%s/snapshots/%s' % (base.VOLUME_URL, snapshot_id),
                 status_code=404,
                 json=not_found('Snapshot', snapshot_id))


def register_server(requests, body):
    requests.get('%s/servers/%s' % (base.COMPUTE_URL, body['id']),
                 json={'server': body})


def register_create_image(requests, server_id=SERVER_ID, image_id=IMAGE_ID,
                          **kwargs):
    """Nova createImage, answered as microversion >= 2.45 does."""
    if not kwargs:
        kwargs = {'status_code': 202, 'json': {'image_id': image_id}}
    requests.post('%s/servers/%s/action' % (base.COMPUTE_URL, server_id),
                  **kwargs)


def nova_error(kind, status, message):
    """Nova's error body, e.g. kind 'conflictingRequest' for 409."""
    return {kind: {'code': status, 'message': message}}


def register_image_list(requests, images, query=''):
    """One page of GET /v2/images (Glance's ``next`` link left out)."""
    requests.get('%s/v2/images%s' % (base.IMAGE_URL, query),
                 json={'images': images, 'first': '/v2/images',
                       'schema': '/v2/schemas/images'})


def register_volume_snapshot_list(requests, bodies):
    """GET /snapshots/detail, one page; Cinder's ``name`` filter keeps the
    snapshots of exactly that name."""
    def answer(request, context):
        # request.qs is lower-cased: Cinder compares names exactly
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.url).query)
        names = query.get('name')
        return {'snapshots': [b for b in bodies
                              if names is None or b.get('name') == names[0]]}

    requests.get('%s/snapshots/detail' % base.VOLUME_URL, json=answer)


# -- sharing -----------------------------------------------------------------

COPY_IMAGE_ID = 'f6a7b8c9-d0e1-4f2a-8b3c-4d5e6f7a8b92'
TMP_VOLUME_ID = 'a7b8c9d0-e1f2-4a3b-9c4d-5e6f7a8b9ca3'


def image_member(project_id, status='pending', image_id=IMAGE_ID):
    """A Glance v2 image member body."""
    return {'created_at': CREATED, 'updated_at': CREATED,
            'image_id': image_id, 'member_id': project_id,
            'schema': '/v2/schemas/member', 'status': status}


def _images(requests):
    """The image bodies registered on this requests-mock fixture, so that
    a member listing answers from the image's visibility at request time."""
    if not hasattr(requests, 'rcsnap_images'):
        requests.rcsnap_images = {}
    return requests.rcsnap_images


def members_forbidden(image_id):
    """Glance's answer to listing the members of an image that is not
    ``shared`` (private, public or community): 403, never an empty list."""
    return glance_error(403, 'Not allowed to list members for image %s: '
                        'Only shared images have members.' % image_id)


def _register_member_listing(requests, image_id, members, **kwargs):
    url = '%s/v2/images/%s/members' % (base.IMAGE_URL, image_id)
    if kwargs:
        requests.get(url, **kwargs)
        return

    def answer(request, context):
        body = _images(requests).get(image_id)
        if members is None or (body is not None
                               and body.get('visibility') != 'shared'):
            context.status_code = 403
            return members_forbidden(image_id)
        return {'members': members, 'schema': '/v2/schemas/members'}
    requests.get(url, json=answer)


def register_members(requests, image_id, members, **kwargs):
    """GET the members of an image. As in Glance, the listing is refused
    (403) while the registered image is not ``shared``."""
    _register_member_listing(requests, image_id, members, **kwargs)


def register_add_member(requests, image_id, **kwargs):
    """POST a member: answered with the new (pending) member, unless
    ``kwargs`` say otherwise."""
    url = '%s/v2/images/%s/members' % (base.IMAGE_URL, image_id)
    if not kwargs:
        def answer(request, context):
            return image_member(request.json()['member'], image_id=image_id)
        kwargs = {'json': answer}
    requests.post(url, **kwargs)


def register_image_update(requests, body, **kwargs):
    """PATCH an image: answered with ``body`` unless ``kwargs`` say
    otherwise."""
    requests.patch('%s/v2/images/%s' % (base.IMAGE_URL, body['id']),
                   **(kwargs or {'json': body}))


def volume(volume_id=TMP_VOLUME_ID, status='available', size=10,
           snapshot_id=ROOT_SNAP_ID, **fields):
    """A Cinder v3 volume body (detail view)."""
    body = {
        'id': volume_id, 'name': 'analysis-vm-snap-copy-tmp',
        'description': None, 'status': status, 'size': size,
        'snapshot_id': snapshot_id, 'source_volid': None, 'bootable': 'true',
        'attachments': [], 'availability_zone': 'nova', 'encrypted': False,
        'metadata': {}, 'multiattach': False, 'volume_type': 'lvmdriver-1',
        'user_id': base.USER_ID, 'created_at': '2026-11-20T11:00:00.000000',
        'updated_at': None, 'replication_status': None,
        'consistencygroup_id': None, 'group_id': None,
        'os-vol-tenant-attr:tenant_id': base.PROJECT_ID,
        'links': [],
    }
    body.update(fields)
    return body


def register_volume_states(requests, volume_id, *states, **kwargs):
    """GET a volume: one answer per poll, the last one repeated."""
    url = '%s/volumes/%s' % (base.VOLUME_URL, volume_id)
    if kwargs:
        requests.get(url, **kwargs)
        return
    requests.get(url, [{'json': {'volume': volume(volume_id, status=s)}}
                       for s in states])


def upload_answer(volume_id=TMP_VOLUME_ID, image_id=COPY_IMAGE_ID,
                  name='analysis-vm-snap-copy', disk_format='raw'):
    """Cinder's answer to os-volume_upload_image."""
    return {'os-volume_upload_image': {
        'id': volume_id, 'updated_at': '2026-11-20T11:00:05.000000',
        'status': 'uploading', 'display_description': None, 'size': 10,
        'volume_type': {'name': 'lvmdriver-1'}, 'image_id': image_id,
        'container_format': 'bare', 'disk_format': disk_format,
        'image_name': name, 'protected': False, 'visibility': 'private'}}


def keystone_projects(*projects):
    """GET /v3/projects body for (id, name) pairs."""
    return {'projects': [
        {'id': pid, 'name': name, 'domain_id': 'default',
         'description': '', 'enabled': True, 'is_domain': False,
         'parent_id': 'default', 'tags': [], 'options': {},
         'links': {'self': '%s/projects/%s' % (base.AUTH_URL, pid)}}
        for pid, name in projects],
        'links': {'self': base.AUTH_URL + '/projects', 'previous': None,
                  'next': None}}


# -- deleting ----------------------------------------------------------------

def register_volume_list(requests, bodies):
    """One page of GET /volumes/detail."""
    requests.get('%s/volumes/detail' % base.VOLUME_URL,
                 json={'volumes': bodies})


def backup(backup_id, snapshot_id=None, volume_id=ROOT_VOLUME_ID,
           **fields):
    """A Cinder v3 backup body (detail view), as Cinder 29 answers it."""
    body = {
        'id': backup_id, 'status': 'available', 'size': 10,
        'object_count': 0, 'availability_zone': 'nova',
        'container': 'volumebackups', 'created_at': CREATED,
        'updated_at': CREATED, 'name': 'nightly', 'description': None,
        'fail_reason': None, 'volume_id': volume_id, 'links': [],
        'is_incremental': False, 'has_dependent_backups': False,
        'snapshot_id': snapshot_id, 'data_timestamp': CREATED}
    body.update(fields)
    return body


def register_backup_list(requests, bodies=()):
    """One page of GET /backups/detail."""
    requests.get('%s/backups/detail' % base.VOLUME_URL,
                 json={'backups': list(bodies)})


def register_delete_image(requests, image_id=IMAGE_ID, **kwargs):
    """DELETE an image: Glance answers 204 unless ``kwargs`` say
    otherwise."""
    requests.delete('%s/v2/images/%s' % (base.IMAGE_URL, image_id),
                    **(kwargs or {'status_code': 204}))


def register_delete_volume_snapshot(requests, snapshot_id=ROOT_SNAP_ID,
                                    **kwargs):
    """DELETE a volume snapshot: Cinder answers 202 unless ``kwargs`` say
    otherwise."""
    requests.delete('%s/snapshots/%s' % (base.VOLUME_URL, snapshot_id),
                    **(kwargs or {'status_code': 202}))


def register_volume_snapshot_states(requests, snapshot_id, *states):
    """GET a volume snapshot: one answer per poll, the last one repeated;
    a state of None answers 404 (gone)."""
    answers = []
    for state in states:
        if state is None:
            answers.append({'status_code': 404,
                            'json': not_found('Snapshot', snapshot_id)})
        else:
            answers.append({'json': {'snapshot': volume_snapshot(
                snapshot_id, status=state)}})
    requests.get('%s/snapshots/%s' % (base.VOLUME_URL, snapshot_id), answers)


# -- launching ---------------------------------------------------------------

NEW_SERVER_ID = '3e9b1c2d-4f5a-4b6c-8d7e-9f0a1b2c3d4e'
NEW_VOLUME_ID = '6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c'
NETWORK_URL = 'http://neutron.example.org'
NETWORK_ID = '8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d'
SECURITY_GROUP_ID = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f'


def flavor(flavor_id, name, vcpus, ram, disk):
    """A Nova flavor as GET /flavors/detail lists it (microversion 2.1)."""
    return {
        'id': flavor_id, 'name': name, 'vcpus': vcpus, 'ram': ram,
        'disk': disk, 'swap': '', 'OS-FLV-EXT-DATA:ephemeral': 0,
        'OS-FLV-DISABLED:disabled': False, 'rxtx_factor': 1.0,
        'os-flavor-access:is_public': True,
        'links': [{'rel': 'self', 'href': '%s/flavors/%s' % (
            base.COMPUTE_URL, flavor_id)}],
    }


def local_flavors():
    """The local cloud's flavors, in Nova's (ID) order."""
    return [flavor('1', 'm1.tiny', 1, 512, 1),
            flavor('2', 'm1.small', 1, 2048, 20),
            flavor('3', 'm1.medium', 2, 4096, 40),
            flavor('4', 'm1.large', 4, 8192, 80),
            flavor('5', 'm1.xlarge', 8, 16384, 160),
            flavor('6', 'm1.volume', 1, 1024, 0)]


def register_flavor_list(requests, flavors=None):
    requests.get('%s/flavors/detail' % base.COMPUTE_URL,
                 json={'flavors': local_flavors() if flavors is None
                       else flavors})


def register_create_server(requests, server_id=NEW_SERVER_ID, **kwargs):
    """POST /servers, answered 202 as Nova does unless ``kwargs`` say
    otherwise."""
    if not kwargs:
        kwargs = {'status_code': 202, 'json': {'server': {
            'id': server_id, 'OS-DCF:diskConfig': 'MANUAL',
            'adminPass': 'Zq3pXm8sT2fk',
            'security_groups': [{'name': 'default'}],
            'links': [{'rel': 'self', 'href': '%s/servers/%s' % (
                base.COMPUTE_URL, server_id)}]}}}
    requests.post('%s/servers' % base.COMPUTE_URL, **kwargs)


def launched_server(status='ACTIVE', volume_ids=(), fault=None,
                    task_state=None, server_id=NEW_SERVER_ID,
                    name='analysis-vm-snap'):
    """A server built from a snapshot, as GET /servers/{id} shows it."""
    body = server(server_id, name, status)
    body['os-extended-volumes:volumes_attached'] = [
        {'id': v, 'delete_on_termination': False} for v in volume_ids]
    body['OS-EXT-STS:task_state'] = task_state
    body['OS-EXT-STS:vm_state'] = status.lower()
    if fault:
        body['fault'] = {'code': 500, 'created': CREATED, 'message': fault}
    return body


def register_server_states(requests, server_id, *bodies):
    """GET a server: one answer per poll, the last one repeated; None
    answers 404 (gone)."""
    answers = []
    for body in bodies:
        if body is None:
            answers.append({'status_code': 404,
                            'json': not_found('Instance', server_id)})
        else:
            answers.append({'json': {'server': body}})
    requests.get('%s/servers/%s' % (base.COMPUTE_URL, server_id), answers)


def register_keypair(requests, name, found=True):
    url = '%s/os-keypairs/%s' % (base.COMPUTE_URL, name)
    if found:
        requests.get(url, json={'keypair': {
            'name': name, 'type': 'ssh', 'user_id': base.USER_ID,
            'fingerprint': '6b:2f:4c:1d', 'public_key': 'ssh-ed25519 AAAA',
            'created_at': CREATED, 'deleted': False, 'id': 7,
            'updated_at': None, 'deleted_at': None}})
    else:
        requests.get(url, status_code=404, json=not_found(
            'Keypair', name))


def add_network_service(test):
    """Give the test's token a Networking endpoint, and answer Neutron's
    version discovery.

    OSC keeps a plugin's client (our SDK connection, with the catalog of
    the token it first got) in a class-level cache for the life of the
    process: the test drops it before and after, so that this catalog is
    used by this test only.
    """
    service = test.token.add_service('network', name='neutron')
    service.add_standard_endpoints(public=NETWORK_URL, region='RegionOne')
    test.requests.post(base.AUTH_URL + '/auth/tokens', json=test.token,
                       headers={'X-Subject-Token': 'a-token'},
                       status_code=201)
    versions = {'versions': [{
        'id': 'v2.0', 'status': 'CURRENT',
        'links': [{'rel': 'self', 'href': NETWORK_URL + '/v2.0/'}]}]}
    test.requests.get(NETWORK_URL + '/', json=versions)
    test.requests.get(NETWORK_URL, json=versions)


def register_network_list(requests, networks):
    """GET /v2.0/networks for (id, name) pairs."""
    requests.get(NETWORK_URL + '/v2.0/networks', json={'networks': [
        {'id': nid, 'name': name, 'status': 'ACTIVE', 'shared': False,
         'project_id': base.PROJECT_ID, 'tenant_id': base.PROJECT_ID,
         'admin_state_up': True, 'subnets': [], 'mtu': 1450,
         'router:external': False} for nid, name in networks]})


def port(port_id, network_id=NETWORK_ID, ip='10.128.0.64',
         mac='fa:16:3e:6e:4b:fb', groups=(SECURITY_GROUP_ID,),
         device_id=NEW_SERVER_ID, status='ACTIVE'):
    """A server's port, as Neutron 29 (ML2) lists it to the project."""
    return {
        'id': port_id, 'name': '', 'network_id': network_id,
        'project_id': base.PROJECT_ID, 'mac_address': mac,
        'admin_state_up': True, 'status': status, 'device_id': device_id,
        'device_owner': 'compute:nova',
        'fixed_ips': [{'subnet_id': '6e8335dd-d58d-4601-a551-93ce7e8b1a28',
                       'ip_address': ip}],
        'allowed_address_pairs': [], 'extra_dhcp_opts': [],
        'security_groups': list(groups), 'description': '',
        'binding:vnic_type': 'normal', 'port_security_enabled': True,
        'tags': [], 'created_at': '2026-12-01T07:13:37Z',
        'updated_at': '2026-12-01T07:13:37Z', 'revision_number': 4,
        'tenant_id': base.PROJECT_ID}


def register_port_list(requests, ports, device_id=NEW_SERVER_ID):
    """GET /v2.0/ports?device_id=... (a server's ports)."""
    requests.get('%s/v2.0/ports?device_id=%s' % (NETWORK_URL, device_id),
                 json={'ports': ports})


def address(ip='10.128.0.64', mac='fa:16:3e:6e:4b:fb'):
    """One entry of a Nova server's ``addresses`` (keyed by network
    name)."""
    return {'version': 4, 'addr': ip, 'OS-EXT-IPS:type': 'fixed',
            'OS-EXT-IPS-MAC:mac_addr': mac}


def register_security_group_list(requests, groups):
    """GET /v2.0/security-groups for (id, name) pairs."""
    requests.get(NETWORK_URL + '/v2.0/security-groups', json={
        'security_groups': [
            {'id': gid, 'name': name, 'description': '', 'stateful': True,
             'project_id': base.PROJECT_ID, 'tenant_id': base.PROJECT_ID,
             'security_group_rules': [], 'tags': []}
            for gid, name in groups]})


def register_copies(requests, copies=(), source=IMAGE_ID):
    """The listing ``share --copy`` makes of the earlier copies of a
    snapshot (Glance filters on the property the copies carry)."""
    register_image_list(requests, list(copies),
                        '?rcsnap_source_snapshot_id=%s' % source)


def register_root_volume(requests, server_id=SERVER_ID,
                         volume_id=ROOT_VOLUME_ID, image_metadata=None):
    """GET the root volume of a volume-backed server, attached to it, with
    the image metadata Nova reads (what the quiesce verdict is read from)."""
    requests.get('%s/volumes/%s' % (base.VOLUME_URL, volume_id),
                 json={'volume': volume(
                     volume_id, status='in-use', attachments=[{
                         'server_id': server_id, 'device': '/dev/vda',
                         'volume_id': volume_id}],
                     volume_image_metadata=image_metadata or {})})


# -- claims (one retention at a time per server) ------------------------------

def glance_html_error(status, message):
    """Glance's error page as the local cloud answers a request that asks
    no JSON (the claims' raw requests): webob's HTML."""
    phrase = '%d %s' % (status, http.HTTPStatus(status).phrase)
    return ('<html>\n <head>\n  <title>%s</title>\n </head>\n <body>\n  '
            '<h1>%s</h1>\n  %s<br /><br />\n\n\n\n </body>\n</html>'
            % (phrase, phrase, message))


class FakeClaims:
    """Glance as the claims see it: POST /v2/images with a chosen ``id``
    is refused with Glance's 409 while or after an image had that ID
    (Glance never reuses a deleted image's ID); GET of one answers 404
    once it is deleted; the listing by name of hidden images; PATCH adds
    the properties; DELETE removes. ``images`` holds the live ones."""

    def __init__(self, requests):
        self.images = {}
        self.ever = set()
        images = base.IMAGE_URL + '/v2/images'
        one = re.compile(re.escape(images) + r'/([0-9a-f-]{36})$')

        def is_claim_listing(request):
            return 'name=rcsnap-lock-' in request.url

        def is_claim(request):
            match = one.match(request.url.split('?')[0])
            return bool(match) and match.group(1) in self.ever

        requests.get(images, json=lambda r, c: self.listing(r, c),
                     additional_matcher=is_claim_listing)
        requests.post(images, text=self.create,
                      additional_matcher=lambda r: b'rcsnap:claim' in (
                          r.body if isinstance(r.body, bytes) else
                          (r.body or '').encode()))
        requests.get(one, text=self.read, additional_matcher=is_claim)
        requests.patch(one, text=self.patch, additional_matcher=is_claim)
        requests.delete(one, text=self.delete, additional_matcher=is_claim)

    def listing(self, request, context):
        name = urllib.parse.parse_qs(urllib.parse.urlsplit(
            request.url).query)['name'][0]
        return {'images': [i for i in self.images.values()
                           if i['name'] == name],
                'first': '/v2/images', 'schema': '/v2/schemas/images'}

    def hold(self, body):
        """An image made by another run (as Glance answers it)."""
        record = dict(body)
        record.update({'status': 'queued', 'owner': base.PROJECT_ID,
                       'size': None, 'created_at': CREATED,
                       'updated_at': CREATED, 'tags': [],
                       'protected': False})
        self.images[record['id']] = record
        self.ever.add(record['id'])
        return record

    def create(self, request, context):
        body = request.json()
        if body['id'] in self.ever:
            context.status_code = 409
            context.headers['Content-Type'] = 'text/html; charset=UTF-8'
            return glance_html_error(
                409, 'Image ID %s already exists!' % body['id'])
        context.status_code = 201
        return json.dumps(self.hold(body))

    def _found(self, request, context):
        image_id = request.url.split('?')[0].rsplit('/', 1)[1]
        if image_id not in self.images:
            context.status_code = 404
            context.headers['Content-Type'] = 'text/html; charset=UTF-8'
            return None, glance_html_error(
                404, 'No image found with ID %s' % image_id)
        return self.images[image_id], None

    def read(self, request, context):
        found, error = self._found(request, context)
        return error or json.dumps(found)

    def patch(self, request, context):
        found, error = self._found(request, context)
        if error:
            return error
        for op in request.json():
            found[op['path'][1:]] = op['value']
        return json.dumps(found)

    def delete(self, request, context):
        found, error = self._found(request, context)
        if error:
            return error
        del self.images[found['id']]
        context.status_code = 204
        return ''


def register_bin_writes(requests):
    """Glance and Cinder accept the writes of the recycle bin, answering
    as they do (the local cloud's answers): a JSON patch of any image (the
    image), its deactivation and reactivation (204, no body), a volume
    snapshot's metadata (POST adds, PUT replaces: the metadata) and a
    backup's (PUT at 3.43: the backup's summary)."""
    images = re.compile(re.escape(base.IMAGE_URL) + r'/v2/images/[^/]+$')
    actions = re.compile(re.escape(base.IMAGE_URL) +
                         r'/v2/images/[^/]+/actions/(de|re)activate$')
    metadata = re.compile(re.escape(base.VOLUME_URL) +
                          r'/snapshots/[^/]+/metadata$')
    backups = re.compile(re.escape(base.VOLUME_URL) + r'/backups/[^/]+$')

    def patched(request, context):
        return {'id': request.url.rsplit('/', 1)[-1]}

    def meta(request, context):
        return {'metadata': request.json()['metadata']}

    def backup(request, context):
        return {'backup': {'id': request.url.rsplit('/', 1)[-1],
                           'name': None, 'links': []}}

    requests.patch(images, json=patched)
    requests.post(actions, status_code=204, text='')
    requests.post(metadata, json=meta)
    requests.put(metadata, json=meta)
    requests.put(backups, json=backup)
