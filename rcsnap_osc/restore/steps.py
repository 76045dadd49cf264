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

"""The steps of a replacement that act on what the user owns (the old
server, its ports, floating IPs and volumes): each is written on the
rollback ledger with what takes it back, so that a restore that fails
leaves the old server as it was.
"""

import re

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import waits
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.restore import lineage


#: The service that answers for ports.
_NEUTRON = 'Neutron'


class Steps:
    """The steps of one restore: ``conn``, the ``ledger`` they are
    written on, the ``reporter`` they speak through and the seconds
    each wait has (``timeout``)."""

    def __init__(self, conn, ledger, reporter, timeout):
        self.conn = conn
        self.ledger = ledger
        self.reporter = reporter
        self.timeout = timeout

    # -- waiting -------------------------------------------------------------

    def settle(self, subject, fetch, done, failed=()):
        """:func:`waits.until` ``done(resource)``, polled every
        :data:`waits.BRIEF_INTERVAL` seconds for the restore's timeout."""
        return waits.until(waits.Deadline(self.timeout,
                                          waits.BRIEF_INTERVAL), subject,
                           fetch, done, failed,
                           self.reporter.progress(str(subject)))

    def server_is(self, server_id, status):
        """Wait until the server is ``status`` with no task under way."""
        return self.settle(
            waits.Subject(waits.NOVA, _('Server %(id)s (until %(status)s)')
                          % {'id': server_id, 'status': status}),
            lambda: self.conn.compute.get_server(server_id),
            lambda s: s.status == status and not s.task_state, ('ERROR',))

    def port_on(self, port_id, device_id):
        """Wait until the port is bound to ``device_id`` ('' unbound)."""
        return self.settle(
            waits.Subject(_NEUTRON, _('Port %(id)s (until %(state)s)') % {
                'id': port_id, 'state': _('on server %s') % device_id
                if device_id else _('detached')}),
            lambda: self.conn.network.get_port(port_id),
            lambda p: (p.device_id or '') == device_id)

    def volume_is(self, volume_id, status):
        return self.settle(
            waits.cinder(_('Volume %(id)s (until %(status)s)') % {
                'id': volume_id, 'status': status}),
            lambda: self.conn.block_storage.get_volume(volume_id),
            lambda v: v.status == status, ('error',))

    # -- the old server ------------------------------------------------------

    def _taken(self, call, what, undo, command):
        """``call()``, a step ``undo()`` takes back: written on the ledger
        once done, and when Ctrl-C cuts it short (the service may have
        done it before its answer came). A step refused is not written:
        nothing was done."""
        try:
            result = call()
        except Exception:  # refused: nothing was done
            raise
        except BaseException:  # cut short: it may have been done
            self.ledger.undo(what, undo, command)
            raise
        self.ledger.undo(what, undo, command)
        return result

    def stop(self, server):
        """Stop the old server (a consistent cut-over); started again on
        rollback. A server that is not running is left as it is."""
        if server['status'] != 'ACTIVE':
            return False
        ident = server['id']
        self._taken(lambda: self.conn.compute.stop_server(ident),
                    _('start server %s again') % ident,
                    lambda: self._start(ident),
                    'openstack server start %s' % ident)
        self.server_is(ident, 'SHUTOFF')
        return True

    def _start(self, ident):
        now = self.conn.compute.get_server(ident)
        if now.status == 'ACTIVE' and not now.task_state:
            return  # the stop was cut short before Nova took it
        if now.status != 'SHUTOFF' or now.task_state:
            self.server_is(ident, 'SHUTOFF')
        self.conn.compute.start_server(ident)
        self.server_is(ident, 'ACTIVE')

    def rename(self, server, name):
        ident, old = server['id'], server['name']
        self._taken(
            lambda: self.conn.compute.update_server(ident, name=name),
            _('give server %(id)s its name %(name)s back') % {
                'id': ident, 'name': old},
            lambda: self.conn.compute.update_server(ident, name=old),
            'openstack server set --name %s %s' % (old, ident))

    # -- addresses -----------------------------------------------------------

    def release_floating_ip(self, fip):
        """Take a floating IP off the old server's port (given back on
        rollback)."""
        ident, port = fip['id'], fip['port_id']
        address = fip['fixed_ip_address']
        self._taken(
            lambda: self.conn.network.update_ip(ident, port_id=None),
            _('put floating IP %(ip)s back on port %(port)s') % {
                'ip': fip['floating_ip_address'], 'port': port},
            lambda: self.conn.network.update_ip(
                ident, port_id=port, fixed_ip_address=address),
            'openstack floating ip set --port %s --fixed-ip-address %s %s'
            % (port, address, ident))

    def readdress(self, step):
        """Give a port Nova made another address on the same subnets, so
        that the new server's port can take its address."""
        port = step.port
        old = [{'subnet_id': ip['subnet_id'], 'ip_address': ip['ip_address']}
               for ip in port['fixed_ips']]
        network = self.conn.network
        # A subnet without an address keeps the port's own address on it:
        # first a second address on each subnet, then the old ones go.
        # Written once the port has changed: taking it back to its own
        # addresses is right whether the second update is done or not.
        both = self._taken(
            lambda: network.update_port(port['id'], fixed_ips=old + [
                {'subnet_id': ip['subnet_id']} for ip in old]),
            _('give port %(port)s its address %(ip)s back') % {
                'port': port['id'], 'ip': ', '.join(step.addresses)},
            lambda: self.conn.network.update_port(port['id'], fixed_ips=old),
            'openstack port set --no-fixed-ip %s %s' % (' '.join(
                '--fixed-ip subnet=%s,ip-address=%s' % (
                    ip['subnet_id'], ip['ip_address']) for ip in old),
                port['id']))
        network.update_port(port['id'], fixed_ips=[
            {'subnet_id': ip['subnet_id'], 'ip_address': ip['ip_address']}
            for ip in both.fixed_ips if ip not in old])

    def detach_port(self, server_id, port_id):
        """Detach a port the user made (Neutron keeps it); attached again
        on rollback."""
        self._taken(
            lambda: self.conn.compute.delete_server_interface(
                port_id, server=server_id),
            _('attach port %(port)s to server %(server)s again') % {
                'port': port_id, 'server': server_id},
            lambda: self._attach_port(server_id, port_id),
            'openstack server add port %s %s' % (server_id, port_id))
        self.port_on(port_id, '')

    def _attach_port(self, server_id, port_id):
        port = self.conn.network.get_port(port_id)
        if port.device_id != server_id:
            if port.device_id:  # still on the new server, being deleted
                self.port_on(port_id, '')
            self.conn.compute.create_server_interface(server_id,
                                                      port_id=port_id)
            self.port_on(port_id, server_id)

    def detach_volume(self, server_id, volume_id):
        """Detach a data volume that moves to the new server; attached
        again on rollback."""
        self._taken(
            lambda: self.conn.compute.delete_volume_attachment(
                server_id, volume_id),
            _('attach volume %(volume)s to server %(server)s again') % {
                'volume': volume_id, 'server': server_id},
            lambda: self._attach_volume(server_id, volume_id),
            'openstack server add volume %s %s' % (server_id, volume_id))
        self.volume_is(volume_id, 'available')

    def _attach_volume(self, server_id, volume_id):
        volume = self.conn.block_storage.get_volume(volume_id)
        if volume.status == 'in-use' and any(
                a.get('server_id') == server_id
                for a in volume.attachments or ()):
            return  # the detach was cut short before Nova took it
        if volume.status != 'available':
            self.volume_is(volume_id, 'available')
        self.conn.compute.create_volume_attachment(server_id,
                                                   volume_id=volume_id)
        self.volume_is(volume_id, 'in-use')

    # -- the new server ------------------------------------------------------

    def create(self, attrs):
        """POST /servers; the server is the restore's own until it is
        handed over."""
        try:
            server = self.conn.compute.create_server(**attrs)
        except sdk_exc.HttpException as exc:
            raise errors.refused(exc, _('Nova refused the new server: %s'))
        except BaseException:  # cut short: Nova may have made it
            self._made_anyway(attrs)
            raise
        self.ledger.made('server', server.id, record=server)
        return server

    def _made_anyway(self, attrs):
        """A server Nova made although its answer never came: the one
        with the new server's name whose lineage is the one asked for (no
        other server records it), written on the ledger."""
        wanted = attrs['metadata'][lineage.RESTORED_FROM]
        try:
            for server in self.conn.compute.servers(
                    name='^%s$' % re.escape(attrs['name'])):
                if (server.metadata or {}).get(
                        lineage.RESTORED_FROM) == wanted:
                    self.ledger.made('server', server.id, record=server)
        except sdk_exc.SDKException:
            pass  # the rollback's warnings say what is still there

    def built(self, server, moved):
        """Wait until the new server is ACTIVE. The volumes Nova made for
        it (attached to it, not moved to it) are written on the ledger,
        on any failure of the build or of a later step, so that they go
        with it."""
        try:
            found = self.server_is(server.id, 'ACTIVE')
        except BaseException as exc:
            self._claim_volumes(server, moved)
            now = self._or_none(server.id)
            if now is not None and now.status == 'ERROR' and isinstance(
                    exc, errors.Refused):
                raise errors.Refused(_(
                    'The new server %(id)s went to ERROR: %(fault)s') % {
                        'id': server.id, 'fault': errors.one_line(
                            (now.fault or {}).get('message')
                            or _('no fault recorded'))}) from exc
            raise
        # Deleted with it on a later failure (they may outlive it).
        self._claim_volumes(server, moved, found)
        return found

    def _or_none(self, server_id):
        try:
            return self.conn.compute.get_server(server_id)
        except sdk_exc.SDKException:
            return None

    def _claim_volumes(self, server, moved, now=None):
        now = now or self._or_none(server.id)
        for volume in (now.attached_volumes if now else None) or ():
            if volume.get('id') and volume['id'] not in moved:
                self.ledger.made('volume', volume['id'], server=server.id)

    def move_floating_ip(self, fip, port):
        """Put a floating IP on the new server's port."""
        self.conn.network.update_ip(
            fip['id'], port_id=port['id'],
            fixed_ip_address=port['fixed_ips'][0]['ip_address'])
