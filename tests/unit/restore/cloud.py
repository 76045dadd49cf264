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

"""A fake of Nova, Neutron and Cinder that keeps state (requests-mock):
what a restore does to the old server, its ports, floating IPs and
volumes is what the next GET shows, so that a test reads where a failed
restore left them. Nova's actions take as many polls as on a real cloud
(a stop shows ``powering-off`` once), a new server is built from its
``POST /servers`` body, and any request can be made to fail
(:meth:`Cloud.fail`)."""

import copy
import re

from tests.unit import base
from tests.unit import fakes
from tests.unit.restore import data

NOVA = base.COMPUTE_URL
NEUTRON = fakes.NETWORK_URL + '/v2.0'
CINDER = base.VOLUME_URL
NEW_PORT_ID = '9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f'
#: The IDs Nova gives the new server's volumes, in mapping order.
NEW_VOLUME_IDS = ('7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d',
                  '8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e')
NEW_MAC = 'fa:16:3e:aa:bb:cc'


def _id(request, after):
    return request.path.split(after, 1)[1].split('/')[0]


class Cloud:
    """The old server of :mod:`data` with its ports, floating IP and
    volumes; ``build`` is what the new server goes through ((status,
    task state) per poll, then its last state) and ``fault`` the fault
    Nova records when it ends in ERROR."""

    def __init__(self, test, server=None, ports=None, fips=None,
                 networks=None, image=None, build=None, fault=None):
        self.test = test
        self.requests = test.requests
        fakes.add_network_service(test)
        self.servers = {data.SERVER_ID: server or data.old_server()}
        self.ports = {p['id']: p for p in (
            [data.port(), data.user_port()] if ports is None else ports)}
        self.fips = {f['id']: f for f in (
            [data.floating_ip()] if fips is None else fips)}
        self.networks = networks or {data.NETWORK_ID: data.network()}
        self.volumes = data.old_volumes()
        self.build = list(build or [('BUILD', 'block_device_mapping'),
                                    ('BUILD', 'spawning'),
                                    ('ACTIVE', None)])
        self.fault = fault
        self.shown = {}
        self.faults = {}
        self.nova_made = set()
        self.free_ips = {
            data.SUBNET_ID: ['10.128.0.%d' % n for n in range(201, 220)],
            data.SHARED_SUBNET_ID: ['172.24.4.%d' % n
                                    for n in range(201, 220)]}
        self.image = image or data.snapshot_image()
        fakes.register_image(self.requests, self.image)
        for body in data.volume_snapshots().values():
            fakes.register_volume_snapshot(self.requests, body)
        fakes.register_flavor_list(self.requests)
        fakes.register_keypair(self.requests, 'mykey')
        self.port_quota = {'limit': 500, 'used': 8, 'reserved': 0}
        self._register()

    # -- what a test changes -------------------------------------------------

    def fail(self, method, url, *answers):
        """The next requests ``method url`` (no query) get ``answers``,
        one each: ``(status, body)``, an exception raised (Ctrl-C is
        ``KeyboardInterrupt``), a callable that answers ``(request,
        context)``, or None (answered as usual); then the fake answers
        again."""
        self.faults.setdefault('%s %s' % (method, url), []).extend(answers)

    # -- the routes ----------------------------------------------------------

    def _register(self):
        routes = [
            ('GET', NOVA + r'/servers/[^/?]+', self.get_server),
            ('PUT', NOVA + r'/servers/[^/?]+', self.update_server),
            ('DELETE', NOVA + r'/servers/[^/?]+', self.delete_server),
            ('POST', NOVA + r'/servers', self.create_server),
            ('POST', NOVA + r'/servers/[^/]+/action', self.action),
            ('POST', NOVA + r'/servers/[^/]+/metadata', self.metadata),
            ('PUT', NOVA + r'/servers/[^/]+/metadata', self.metadata),
            ('DELETE', NOVA + r'/servers/[^/]+/os-interface/[^/?]+',
             self.detach_port),
            ('POST', NOVA + r'/servers/[^/]+/os-interface',
             self.attach_port),
            ('DELETE', NOVA + r'/servers/[^/]+/os-volume_attachments/[^/?]+',
             self.detach_volume),
            ('PUT', NOVA + r'/servers/[^/]+/os-volume_attachments/[^/?]+',
             self.update_attachment),
            ('POST', NOVA + r'/servers/[^/]+/os-volume_attachments',
             self.attach_volume),
            ('GET', NEUTRON + r'/ports', self.list_ports),
            ('GET', NEUTRON + r'/ports/[^/?]+', self.get_port),
            ('PUT', NEUTRON + r'/ports/[^/?]+', self.update_port),
            ('GET', NEUTRON + r'/floatingips', self.list_fips),
            ('PUT', NEUTRON + r'/floatingips/[^/?]+', self.update_fip),
            ('GET', NEUTRON + r'/networks', self.list_networks),
            ('GET', NEUTRON + r'/quotas/[^/]+/details', self.quotas),
            ('GET', CINDER + r'/volumes/[^/?]+', self.get_volume),
            ('DELETE', CINDER + r'/volumes/[^/?]+', self.delete_volume),
            ('PUT', CINDER + r'/volumes/[^/?]+', self.update_volume),
        ]
        self.routes = routes
        for method, pattern, handler in routes:
            self.requests.register_uri(
                method, re.compile('^%s(\\?.*)?$' % pattern),
                json=self._answer(handler))

    def handler(self, method, url):
        """The handler of ``method url`` (the newest route first)."""
        return next(h for m, p, h in reversed(self.routes)
                    if m == method and re.match('^%s$' % p, url))

    def _answer(self, handler):
        def answer(request, context):
            key = '%s %s' % (request.method, request.url.split('?')[0])
            pending = self.faults.get(key)
            if pending:
                action = pending.pop(0)
                if action is None:
                    return handler(request, context)
                if isinstance(action, type) and issubclass(
                        action, BaseException) or isinstance(
                            action, BaseException):
                    raise action
                if callable(action):
                    return action(request, context)
                context.status_code, body = action
                return body
            return handler(request, context)
        return answer

    # -- Nova ----------------------------------------------------------------

    def shown_server(self, server_id):
        body = self.servers[server_id]
        steps = self.shown.get(server_id)
        if steps:
            status, task = steps.pop(0)
            body = dict(body, status=status,
                        **{'OS-EXT-STS:task_state': task})
        return body

    def list_servers(self, request, context):
        name = request.qs.get('name', [None])[0]
        return {'servers': [s for s in self.servers.values()
                            if name is None or re.match(name, s['name'])]}

    def get_server(self, request, context):
        server_id = _id(request, '/servers/')
        if server_id == 'detail':
            return self.list_servers(request, context)
        if server_id not in self.servers:
            context.status_code = 404
            return fakes.not_found('Instance', server_id)
        return {'server': self.shown_server(server_id)}

    def update_server(self, request, context):
        server = self.servers[_id(request, '/servers/')]
        server.update(request.json()['server'])
        return {'server': server}

    def _state(self, server_id, status, on_the_way):
        server = self.servers[server_id]
        self.shown[server_id] = [(server['status'], on_the_way)]
        server.update({'status': status, 'OS-EXT-STS:task_state': None,
                       'OS-EXT-STS:vm_state': status.lower()})

    def action(self, request, context):
        server_id = _id(request, '/servers/')
        body = request.json()
        context.status_code = 202
        if 'os-stop' in body:
            self._state(server_id, 'SHUTOFF', 'powering-off')
        elif 'os-start' in body:
            self._state(server_id, 'ACTIVE', 'powering-on')
        elif 'rebuild' in body:
            server = self.servers[server_id]
            server['image'] = {'id': body['rebuild']['imageRef'],
                               'links': []}
            self.shown[server_id] = [('REBUILD', 'rebuilding'),
                                     ('REBUILD', 'rebuild_spawning')]
            return {'server': dict(server, status='REBUILD',
                                   adminPass='Zq3pXm8sT2fk')}
        return None

    def metadata(self, request, context):
        server = self.servers[_id(request, '/servers/')]
        server['metadata'].update(request.json()['metadata'])
        return {'metadata': server['metadata']}

    def detach_port(self, request, context):
        port = self.ports[request.path.rsplit('/', 1)[1]]
        port.update(device_id='', device_owner='')
        context.status_code = 202
        return None

    def attach_port(self, request, context):
        server_id = _id(request, '/servers/')
        port = self.ports[request.json()['interfaceAttachment']['port_id']]
        port.update(device_id=server_id, device_owner='compute:nova')
        return {'interfaceAttachment': {
            'fixed_ips': port['fixed_ips'], 'mac_addr': port['mac_address'],
            'net_id': port['network_id'], 'port_id': port['id'],
            'port_state': 'DOWN', 'tag': None}}

    def detach_volume(self, request, context):
        volume = self.volumes[request.path.rsplit('/', 1)[1]]
        volume.update(status='available', attachments=[])
        context.status_code = 202
        return None

    def update_attachment(self, request, context):
        """Nova 2.85: a volume's delete_on_termination changed (202, no
        body)."""
        server = self.servers[_id(request, '/servers/')]
        volume_id = request.path.rsplit('/', 1)[1]
        asked = request.json()['volumeAttachment']
        for attached in server['os-extended-volumes:volumes_attached']:
            if attached['id'] == volume_id:
                attached['delete_on_termination'] = asked[
                    'delete_on_termination']
        context.status_code = 202
        return None

    def attach_volume(self, request, context):
        server_id = _id(request, '/servers/')
        volume_id = request.json()['volumeAttachment']['volumeId']
        self.volumes[volume_id].update(data.attached_volume(
            volume_id, '/dev/vdb', self.volumes[volume_id]['size'],
            server_id))
        return {'volumeAttachment': {
            'device': '/dev/vdb', 'serverId': server_id, 'tag': None,
            'volumeId': volume_id, 'delete_on_termination': False,
            'attachment_id': '0e1f2a3b-4c5d-4e6f-8a7b-8c9d0e1f2a3b',
            'bdm_uuid': '1f2a3b4c-5d6e-4f7a-9b8c-9d0e1f2a3b4c'}}

    def delete_server(self, request, context):
        server_id = _id(request, '/servers/')
        server = self.servers.pop(server_id)
        for port in list(self.ports.values()):
            if port['device_id'] == server_id:
                if port['id'] in self.nova_made:
                    del self.ports[port['id']]
                else:
                    port.update(device_id='', device_owner='')
        for fip in self.fips.values():
            if fip['port_id'] not in self.ports:
                fip.update(port_id=None, fixed_ip_address=None)
        for attached in server['os-extended-volumes:volumes_attached']:
            volume = self.volumes[attached['id']]
            if attached['delete_on_termination']:
                del self.volumes[attached['id']]
            else:
                volume.update(status='available', attachments=[])
        context.status_code = 204
        return None

    def create_server(self, request, context):
        asked = request.json()['server']
        new = data.NEW_SERVER_ID
        body = fakes.server(new, asked['name'], 'BUILD')
        body.update(metadata=dict(asked.get('metadata') or {}),
                    key_name=asked.get('key_name'),
                    tags=list(asked.get('tags') or ()))
        addresses, attached = {}, []
        for entry in asked['networks']:
            if 'port' in entry:
                port = self.ports[entry['port']]
                port.update(device_id=new, device_owner='compute:nova')
            else:
                subnet = self.networks[entry['uuid']]['subnets'][0]
                ip = entry.get('fixed_ip') or self.free_ips[subnet].pop(0)
                port = data.port(NEW_PORT_ID, ip=ip, mac=NEW_MAC,
                                 network_id=entry['uuid'], device_id=new,
                                 subnet_id=subnet)
                self.nova_made.add(port['id'])
                if self._taken(ip):
                    self.fault = ('Fixed IP address %s is already in use.'
                                  % ip)
                    self.build = [('BUILD', 'networking'), ('ERROR', None)]
                else:
                    self.ports[port['id']] = port
            name = self.networks[port['network_id']]['name']
            addresses.setdefault(name, []).append(fakes.address(
                port['fixed_ips'][0]['ip_address'], port['mac_address']))
        made = iter(NEW_VOLUME_IDS)
        for bdm in asked.get('block_device_mapping_v2') or ():
            if bdm['source_type'] == 'volume':
                volume_id = bdm['uuid']
            else:
                volume_id = next(made)
                self.volumes[volume_id] = fakes.volume(
                    volume_id, size=bdm.get('volume_size'),
                    snapshot_id=bdm['uuid'])
            self.volumes[volume_id].update(data.attached_volume(
                volume_id, '/dev/vdb', self.volumes[volume_id]['size'],
                new, self.volumes[volume_id]['snapshot_id']))
            attached.append({'id': volume_id, 'delete_on_termination':
                             bdm.get('delete_on_termination', False)})
        *steps, (status, task) = self.build
        body.update({'addresses': addresses, 'status': status,
                     'OS-EXT-STS:task_state': task,
                     'os-extended-volumes:volumes_attached': attached})
        if status == 'ERROR':
            body['fault'] = {'code': 500, 'created': fakes.CREATED,
                             'message': self.fault}
        self.servers[new] = body
        self.shown[new] = list(steps)
        context.status_code = 202
        return {'server': {
            'id': new, 'OS-DCF:diskConfig': 'MANUAL',
            'adminPass': 'Zq3pXm8sT2fk',
            'security_groups': asked.get('security_groups')
            or [{'name': 'default'}],
            'links': [{'rel': 'self', 'href': '%s/servers/%s' % (
                NOVA, new)}]}}

    def _taken(self, ip):
        return any(ip == fixed['ip_address'] for port in self.ports.values()
                   for fixed in port['fixed_ips'])

    # -- Neutron -------------------------------------------------------------

    def list_ports(self, request, context):
        device = request.qs.get('device_id', [None])[0]
        return {'ports': [copy.deepcopy(p) for p in self.ports.values()
                          if device is None or p['device_id'] == device]}

    def get_port(self, request, context):
        port_id = request.path.rsplit('/', 1)[1]
        if port_id not in self.ports:
            context.status_code = 404
            return data.neutron_error('PortNotFound', 'Port %s could not be '
                                      'found.' % port_id)
        return {'port': copy.deepcopy(self.ports[port_id])}

    def update_port(self, request, context):
        port = self.ports[request.path.rsplit('/', 1)[1]]
        fixed = []
        for entry in request.json()['port']['fixed_ips']:
            ip = entry.get('ip_address') or self.free_ips[
                entry['subnet_id']].pop(0)
            fixed.append({'subnet_id': entry['subnet_id'],
                          'ip_address': ip})
        port['fixed_ips'] = fixed
        port['revision_number'] += 1
        return {'port': copy.deepcopy(port)}

    def list_fips(self, request, context):
        wanted = request.qs.get('port_id')
        return {'floatingips': [
            f for f in self.fips.values()
            if wanted is None or f['port_id'] in wanted]}

    def update_fip(self, request, context):
        fip = self.fips[request.path.rsplit('/', 1)[1]]
        asked = request.json()['floatingip']
        port = self.ports.get(asked.get('port_id'))
        fip.update(port_id=asked['port_id'],
                   fixed_ip_address=asked.get('fixed_ip_address') or (
                       port['fixed_ips'][0]['ip_address'] if port
                       else None),
                   status='ACTIVE' if port else 'DOWN')
        return {'floatingip': fip}

    def list_networks(self, request, context):
        wanted = request.qs.get('id')
        return {'networks': [n for i, n in self.networks.items()
                             if wanted is None or i in wanted]}

    def quotas(self, request, context):
        return {'quota': {
            'network': {'limit': 100, 'used': 1, 'reserved': 0},
            'subnet': {'limit': 100, 'used': 1, 'reserved': 0},
            'port': self.port_quota,
            'router': {'limit': 10, 'used': 1, 'reserved': 0},
            'floatingip': {'limit': 50, 'used': 2, 'reserved': 0},
            'security_group': {'limit': 10, 'used': 1, 'reserved': 0},
            'security_group_rule': {'limit': 100, 'used': 4,
                                    'reserved': 0}}}

    # -- Cinder --------------------------------------------------------------

    def get_volume(self, request, context):
        volume_id = request.path.rsplit('/', 1)[1]
        if volume_id not in self.volumes:
            context.status_code = 404
            return fakes.not_found('Volume', volume_id)
        return {'volume': self.volumes[volume_id]}

    def update_volume(self, request, context):
        """Cinder's PUT /volumes/{id}: 200 with the volume."""
        volume = self.volumes[request.path.rsplit('/', 1)[1]]
        volume.update(request.json()['volume'])
        return {'volume': volume}

    def delete_volume(self, request, context):
        del self.volumes[request.path.rsplit('/', 1)[1]]
        context.status_code = 202
        return None
