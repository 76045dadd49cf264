"""A minimal Networking (Neutron) API stand-in for the local cloud.

Nova asks Neutron about ports, networks and security groups on every server
create, show and delete, even for a server booted with ``--nic none``.  This
stand-in answers those read-only questions with "nothing": no networks, no
ports, no floating IPs, and one ``default`` security group per project.
It creates nothing, binds nothing and does not check tokens.  It is NOT a
network service: anything that needs a real network (``--network NAME``,
``--nic net-id=...``, ports, floating IPs) is refused with an error.
"""
import json
import re
import uuid

_NS = uuid.UUID('6ba7b811-9dad-11d1-80b4-00c04fd430c8')

_EMPTY = {
    'ports': 'ports', 'networks': 'networks', 'subnets': 'subnets',
    'floatingips': 'floatingips', 'routers': 'routers',
    'security-group-rules': 'security_group_rules',
    'trunks': 'trunks', 'qos/policies': 'policies',
    'subnetpools': 'subnetpools', 'network-ip-availabilities':
    'network_ip_availabilities', 'availability_zones': 'availability_zones',
    'agents': 'agents', 'address-scopes': 'address_scopes',
    'segments': 'segments', 'port_forwardings': 'port_forwardings',
}


def _default_group(project_id):
    return {
        'id': str(uuid.uuid5(_NS, 'secgroup-default-' + project_id)),
        'name': 'default', 'description': 'Default security group',
        'project_id': project_id, 'tenant_id': project_id,
        'security_group_rules': [], 'stateful': True, 'tags': [],
        'revision_number': 0, 'shared': False,
    }


def _project_of(environ, query):
    for key in ('project_id', 'tenant_id'):
        if key in query:
            return query[key][0]
    return environ.get('HTTP_X_PROJECT_ID', '')


def _reply(start_response, status, body):
    data = json.dumps(body).encode()
    start_response(status, [('Content-Type', 'application/json'),
                            ('Content-Length', str(len(data)))])
    return [data]


def _error(start_response, status, kind, message):
    return _reply(start_response, status, {'NeutronError': {
        'type': kind, 'message': message, 'detail': ''}})


def application(environ, start_response):
    from urllib.parse import parse_qs
    method = environ['REQUEST_METHOD']
    path = environ.get('PATH_INFO', '/').rstrip('/')
    path = re.sub(r'\.json$', '', path)
    query = parse_qs(environ.get('QUERY_STRING', ''))
    base = '%s://%s' % (environ['wsgi.url_scheme'], environ['HTTP_HOST']
                        if 'HTTP_HOST' in environ else environ['SERVER_NAME'])

    if path == '':
        return _reply(start_response, '200 OK', {'versions': [{
            'id': 'v2.0', 'status': 'CURRENT',
            'links': [{'rel': 'self', 'href': base + '/v2.0/'}]}]})
    if not path.startswith('/v2.0'):
        return _error(start_response, '404 Not Found', 'HTTPNotFound',
                      'The resource could not be found.')
    path = path[len('/v2.0'):]
    if path == '':
        return _reply(start_response, '200 OK', {'resources': []})
    if method != 'GET':
        return _error(start_response, '501 Not Implemented',
                      'NotImplemented',
                      'The local cloud has no network service (a read-only '
                      'Neutron stand-in answers here): %s %s is not '
                      'supported.' % (method, environ.get('PATH_INFO')))
    if path == '/extensions':
        return _reply(start_response, '200 OK', {'extensions': []})
    if path == '/security-groups':
        project = _project_of(environ, query)
        groups = [_default_group(project)] if project else []
        names = query.get('name')
        if names:
            groups = [g for g in groups if g['name'] in names]
        ids = query.get('id')
        if ids:
            groups = [g for g in groups if g['id'] in ids]
        return _reply(start_response, '200 OK', {'security_groups': groups})
    m = re.match(r'^/quotas/([^/]+)(/details)?$', path)
    if m:
        return _reply(start_response, '200 OK', {'quota': {
            'network': 0, 'subnet': 0, 'port': 0, 'router': 0,
            'floatingip': 0, 'security_group': 10,
            'security_group_rule': 100}})
    collection = path.lstrip('/')
    if collection in _EMPTY:
        return _reply(start_response, '200 OK', {_EMPTY[collection]: []})
    return _error(start_response, '404 Not Found', 'HTTPNotFound',
                  'The local cloud has no network service: %s not found.'
                  % environ.get('PATH_INFO'))
