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

"""Cinder's version discovery in one request.

keystoneauth asks for a version document without the token first
(``EndpointData._run_discovery`` calls ``get_discovery(...,
authenticated=False)``) and asks again with it when the service answers
401. Cinder answers its versioned root (``/v3/``) only with a token: two
round trips for one document, on every ``openstack`` run. Here the
document keystoneauth will ask for first (the catalog's versioned
endpoint without the project ID, ending in ``/``) is fetched once, with
the token, through keystoneauth's public :func:`get_discovery`, which
leaves it in the session's and the auth plugin's discovery caches: the
SDK's own discovery then finds it there. Where the catalog's URL does
not end in a version (or the guess is wrong), keystoneauth discovers on
its own, as before.
"""

import re

from keystoneauth1 import discover
from keystoneauth1 import exceptions as ks_exc

#: A path segment that names an API version (``v3``, ``v2.1``).
VERSION = re.compile(r'^v\d+(\.\d+)?$')


def versioned_root(catalog_url, project_id):
    """The URL keystoneauth asks first for the version document of an
    endpoint the catalog lists as ``catalog_url``; None when that URL
    names no version (keystoneauth then starts elsewhere)."""
    parts = catalog_url.rstrip('/').split('/')
    if project_id and parts[-1] == project_id:
        parts.pop()
    if not VERSION.match(parts[-1]):
        return None
    return '/'.join(parts) + '/'


def cinder(conn):
    """Cinder's version discovery, its document fetched once, with the
    token (which has Cinder validate the token at the same time)."""
    proxy = conn.block_storage
    try:
        access = conn.session.auth.get_access(conn.session)
        url = versioned_root(access.service_catalog.url_for(
            service_type=proxy.service_type, interface=proxy.interface,
            region_name=proxy.region_name), access.project_id)
        if url:
            discover.get_discovery(conn.session, url, authenticated=True)
    except (ks_exc.ClientException, AttributeError, TypeError):
        pass  # keystoneauth's own discovery says what is wrong
    proxy.get_endpoint_data()
