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

"""The server a restore works on, as the services show it: Nova 2.100's
server, Neutron 29's ports, networks and floating IPs, Cinder 29's
volumes; and the error bodies they answer with."""

from tests.unit import base
from tests.unit import fakes

SERVER_ID = fakes.SERVER_ID
NEW_SERVER_ID = fakes.NEW_SERVER_ID
NETWORK_ID = fakes.NETWORK_ID
SHARED_NETWORK_ID = 'b6162647-6f2d-4c8f-91c6-f55c55067146'
SUBNET_ID = '6462b9ed-f198-4a3e-89fa-1df90f2f1f10'
SHARED_SUBNET_ID = '0c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f'
NOVA_PORT_ID = 'c235b8ef-2690-49df-8fc9-25c0d82a3f0d'
USER_PORT_ID = '14203d25-4472-48de-97ef-aea52132afe2'
FIP_ID = '04fc31be-df05-4d33-a8e6-8f59b0a9434c'
SECURITY_GROUP_ID = '50f69521-4d6b-497c-8b8d-edff872e6ef8'
GROUP_ID = '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a'
NOVA_MAC = 'fa:16:3e:09:21:df'
USER_MAC = 'fa:16:3e:0d:77:ea'
NOVA_IP = '10.128.0.80'
USER_IP = '10.128.0.48'
FLOATING_IP = '203.0.113.215'
STAMP = '20261202T005054Z'
KEPT_NAME = 'analysis-vm-before-restore-' + STAMP


def port(port_id=NOVA_PORT_ID, name='', ip=NOVA_IP, mac=NOVA_MAC,
         network_id=NETWORK_ID, device_id=SERVER_ID, subnet_id=SUBNET_ID,
         ips=None, project_id=base.PROJECT_ID):
    """A port as Neutron 29 (ML2) shows it to the project."""
    return {
        'id': port_id, 'name': name, 'network_id': network_id,
        'project_id': project_id, 'mac_address': mac,
        'admin_state_up': True, 'status': 'ACTIVE', 'device_id': device_id,
        'device_owner': 'compute:nova' if device_id else '',
        'fixed_ips': ips if ips is not None else [
            {'subnet_id': subnet_id, 'ip_address': ip}],
        'allowed_address_pairs': [], 'extra_dhcp_opts': [],
        'security_groups': [SECURITY_GROUP_ID], 'description': '',
        'binding:vnic_type': 'normal', 'port_security_enabled': True,
        'tags': [], 'created_at': '2026-12-02T00:49:42Z',
        'updated_at': '2026-12-02T00:53:06Z', 'revision_number': 16,
        'tenant_id': project_id}


def user_port(**fields):
    """The port the user made (it has a name) and attached."""
    return port(USER_PORT_ID, 'db-port', USER_IP, USER_MAC, **fields)


def network(network_id=NETWORK_ID, name='private',
            project_id=base.PROJECT_ID, shared=False, subnets=(SUBNET_ID,)):
    return {
        'id': network_id, 'name': name, 'tenant_id': project_id,
        'project_id': project_id, 'admin_state_up': True, 'mtu': 1500,
        'status': 'ACTIVE', 'subnets': list(subnets), 'shared': shared,
        'availability_zone_hints': [], 'availability_zones': [],
        'ipv4_address_scope': None, 'ipv6_address_scope': None,
        'router:external': False, 'qinq': False, 'vlan_transparent': False,
        'description': '', 'port_security_enabled': True, 'tags': [],
        'created_at': '2026-12-02T00:44:16Z',
        'updated_at': '2026-12-02T00:44:16Z', 'revision_number': 2}


def shared_network():
    """The provider network the admin shares with every project."""
    return network(SHARED_NETWORK_ID, 'shared', base.OTHER_PROJECT_ID,
                   shared=True, subnets=(SHARED_SUBNET_ID,))


def floating_ip(port_id=NOVA_PORT_ID, fixed=NOVA_IP, fip_id=FIP_ID,
                address=FLOATING_IP):
    return {
        'id': fip_id, 'tenant_id': base.PROJECT_ID,
        'project_id': base.PROJECT_ID, 'floating_ip_address': address,
        'floating_network_id': '9e0f1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b',
        'router_id': '4928b447-c7bd-4c74-ba98-d260c6ded559',
        'port_id': port_id, 'fixed_ip_address': fixed,
        'status': 'ACTIVE' if port_id else 'DOWN', 'description': '',
        'port_details': None, 'tags': [],
        'created_at': '2026-12-02T00:50:12Z',
        'updated_at': '2026-12-02T00:53:12Z', 'revision_number': 6}


def attached_volume(volume_id, device, size, server_id=SERVER_ID,
                    snapshot_id=None):
    """A volume attached to a server, as Cinder 3.71 shows it."""
    return fakes.volume(
        volume_id, status='in-use', size=size, snapshot_id=snapshot_id,
        name='', attachments=[{
            'id': volume_id, 'attachment_id':
                'ab%s' % volume_id[2:], 'volume_id': volume_id,
            'server_id': server_id, 'host_name': 'compute-1',
            'device': device, 'attached_at': '2026-12-02T00:53:06.000000'}])


def old_server(status='ACTIVE', **fields):
    """The volume-backed server the snapshot was taken of (Nova 2.100):
    a port Nova made first, then the user's port; root and data volume;
    a key pair, metadata, tags, a zone and a server group."""
    body = fakes.server(SERVER_ID, 'analysis-vm', status)
    body.update({
        'addresses': {'private': [
            fakes.address(NOVA_IP, NOVA_MAC), fakes.address(USER_IP,
                                                            USER_MAC),
            dict(fakes.address(FLOATING_IP, NOVA_MAC),
                 **{'OS-EXT-IPS:type': 'floating'})]},
        'key_name': 'mykey', 'metadata': {'owner': 'alice'},
        'tags': ['db'], 'OS-EXT-AZ:availability_zone': 'az1',
        'server_groups': [GROUP_ID],
        'security_groups': [{'name': 'default'}, {'name': 'default'}],
        'os-extended-volumes:volumes_attached': [
            {'id': fakes.ROOT_VOLUME_ID, 'delete_on_termination': False},
            {'id': fakes.DATA_VOLUME_ID, 'delete_on_termination': False}],
        'OS-EXT-STS:vm_state': status.lower()})
    body.update(fields)
    return body


def snapshot_image(**fields):
    """A volume-backed snapshot of the server (root and data volume) as
    ``rc snapshot create`` leaves it."""
    return fakes.volume_backed_image(
        entries=[fakes.swap_entry(), fakes.root_entry(size=10),
                 fakes.data_entry(size=5)],
        **dict({'rcsnap:server_id': SERVER_ID}, **fields))


def volume_snapshots():
    """The snapshot's volume snapshots, of the old server's volumes."""
    return {
        fakes.ROOT_SNAP_ID: fakes.volume_snapshot(
            fakes.ROOT_SNAP_ID, size=10, volume_id=fakes.ROOT_VOLUME_ID),
        fakes.DATA_SNAP_ID: fakes.volume_snapshot(
            fakes.DATA_SNAP_ID, size=5, volume_id=fakes.DATA_VOLUME_ID)}


def old_volumes():
    return {
        fakes.ROOT_VOLUME_ID: attached_volume(fakes.ROOT_VOLUME_ID,
                                              '/dev/vda', 10),
        fakes.DATA_VOLUME_ID: attached_volume(fakes.DATA_VOLUME_ID,
                                              '/dev/vdb', 5)}


# -- the services' errors ----------------------------------------------------

def neutron_error(kind, message):
    """Neutron's error body (neutron.api.api_common)."""
    return {'NeutronError': {'type': kind, 'message': message,
                             'detail': ''}}


#: Nova's 403 for a server over the instances quota
#: (nova.exception.TooManyInstances, as POST /servers answers it).
NOVA_QUOTA = fakes.nova_error(
    'forbidden', 403, 'Quota exceeded for instances: Requested 1, but '
    'already used 10 of 10 instances')
