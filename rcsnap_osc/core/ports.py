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

"""The ports of a server, as the launch and restore outputs list them.

Plain functions over what Neutron's port list and Nova's server record
say: no HTTP here. A port's network is named from the server's
``addresses`` (Nova keys them by network name and gives each address its
port's MAC), so naming the networks costs no request; their order is the
server's interface order (the order of ``--network``), which Neutron's
listing does not keep.
"""


def network_names(addresses):
    """{MAC address: (position, network name)} from a Nova server's
    ``addresses``, in the server's interface order."""
    names = {}
    for network, entries in (addresses or {}).items():
        for entry in entries or ():
            mac = entry.get('OS-EXT-IPS-MAC:mac_addr')
            if mac and mac not in names:
                names[mac] = (len(names), network)
    return names


def port_rows(ports, addresses):
    """One row per port, in the server's interface order (ports its
    addresses do not show last, as Neutron listed them): ``id``,
    ``network`` (its name, else its ID), ``network_id``, ``fixed_ips``
    (addresses), ``mac_address``, ``status`` and
    ``security_group_ids``.
    """
    names = network_names(addresses)
    rows = []
    ports = sorted(ports, key=lambda p: names.get(
        p.get('mac_address'), (len(names), None))[0])
    for port in ports:
        mac = port.get('mac_address')
        rows.append({
            'id': port.get('id'),
            'network': names.get(mac, (0, None))[1] or port.get(
                'network_id'),
            'network_id': port.get('network_id'),
            'fixed_ips': [ip.get('ip_address')
                          for ip in port.get('fixed_ips') or ()],
            'mac_address': mac,
            'status': port.get('status'),
            'security_group_ids': sorted(port.get('security_group_ids')
                                         or ()),
        })
    return rows
