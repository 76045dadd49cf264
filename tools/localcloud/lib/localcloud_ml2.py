"""The local cloud's ML2 mechanism driver: binds every port, no agent.

Every mechanism driver in the neutron package binds a port only when an
agent (Open vSwitch, SR-IOV, macvtap) or an OVN controller runs on the
port's host; none can run here.  This one binds any port that has a host
(Nova sets ``binding:host_id`` when it builds a server) to the first
segment offered, whatever its type (flat, vlan), with ``vif_type``
``other``, and marks the port ``ACTIVE`` in the same transaction
(``PortContext.set_binding(..., status=ACTIVE)``).  Neutron's Nova
notifier sees the status change and sends Nova ``network-vif-plugged``.
Nothing is plugged anywhere: no packet moves.

Loaded by ML2 as ``mechanism_drivers = localcloud``: ML2 finds drivers
only through the ``neutron.ml2.mechanism_drivers`` entry point, which
``localcloud start`` declares in a small ``.dist-info`` it writes into the
services' virtualenv (see ``_install_neutron_driver``).
"""
from neutron_lib.api.definitions import portbindings
from neutron_lib import constants
from neutron_lib.plugins.ml2 import api

VIF_DETAILS = {portbindings.CAP_PORT_FILTER: False,
               'localcloud': 'bound without an agent; nothing forwards'}


class LocalCloudMechanismDriver(api.MechanismDriver):

    def initialize(self):
        pass

    @property
    def connectivity(self):
        return portbindings.CONNECTIVITY_L2

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            context.set_binding(segment[api.ID], portbindings.VIF_TYPE_OTHER,
                                dict(VIF_DETAILS),
                                status=constants.PORT_STATUS_ACTIVE)
            return
