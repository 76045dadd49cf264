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

"""The listings ``usage`` and ``prune`` decide from: a constant number of
requests, made at once, whatever the number of snapshots."""

from openstack import exceptions as sdk_exc

from rcsnap_osc import cloud
from rcsnap_osc import deleting
from rcsnap_osc import usage


def listings(conn):
    """``(images, volume snapshots by id, volumes)``: four listings at
    once (hidden images apart, as Glance wants)."""
    conn.image.get_endpoint_data()
    conn.block_storage.get_endpoint_data()
    shown, hidden, volume_snapshots, volumes = cloud.parallel([
        lambda: cloud.list_images(conn, visibility='all'),
        lambda: cloud.list_images(conn, visibility='all', os_hidden='true'),
        lambda: cloud.list_volume_snapshots(conn),
        lambda: deleting.list_volumes(conn),
    ])
    images = list({i['id']: i for i in shown + hidden}.values())
    return images, volume_snapshots, volumes


def cinder_quota(conn):
    """Cinder's ``quota_set`` with usage; None where the cloud hides it
    (403)."""
    response = conn.block_storage.get(
        '/os-quota-sets/%s' % conn.current_project_id,
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


def gather_usage(conn):
    """The plain ``usage`` view, from six requests made at once."""
    conn.image.get_endpoint_data()
    conn.block_storage.get_endpoint_data()
    (images, volume_snapshots, volumes), quota, limits = cloud.parallel([
        lambda: listings(conn),
        lambda: cinder_quota(conn),
        lambda: glance_usage(conn),
    ])
    return usage.compute(images, volume_snapshots, volumes,
                         conn.current_project_id, quota, limits)


def gather_by_server(conn):
    """``usage --by-server``: the listings and the servers, at once."""
    conn.compute.get_endpoint_data()
    (images, volume_snapshots, volumes), servers = cloud.parallel([
        lambda: listings(conn),
        lambda: {s.id: s.name for s in conn.compute.servers()},
    ])
    return usage.by_server(images, volume_snapshots, volumes,
                           conn.current_project_id, servers)
