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

"""Stop a server for a consistent snapshot, and start it again on every
path that stopped it: after a failure, a timeout or Ctrl-C too.

Waits are polls that another thread can interrupt (:class:`Interrupted`):
several servers are snapshotted at once, one thread each.
"""


from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import waits
from rcsnap_osc import errors
from rcsnap_osc.i18n import _


class Interrupted(BaseException):
    """Ctrl-C while several servers are snapshotted: every worker stops
    waiting, and starts again the server it stopped."""


def sleeper(cancel=None):
    """The clock's sleep, raising :class:`Interrupted` once ``cancel`` is
    set (looked up at each call, so that tests can replace it)."""
    def sleep(seconds):
        waits.CLOCK.sleep(seconds)
        if cancel is not None and cancel.is_set():
            raise Interrupted()
    return sleep


def while_stopped(conn, server, timeout, sleep, reporter, take):
    """Stop the server, wait until SHUTOFF, ``take()``, then start it
    again and wait until ACTIVE: the seconds it was down. Whatever
    happens between, it is started again, and the error says so."""
    started = waits.CLOCK.now()
    stop_server(conn, server)
    try:
        wait_for_status(conn, server.id, 'SHUTOFF', timeout, sleep)
        take()
    except BaseException as exc:
        interrupted = isinstance(exc, (KeyboardInterrupt, Interrupted))
        note = restart(conn, server, timeout, sleep, started,
                       wait_active=not interrupted)
        if interrupted:
            reporter.say(_('Interrupted: %s') % note)
            raise
        error = errors.explain(exc)
        if error is None:
            raise
        raise errors.Refused('%s %s' % (error, note)) from exc
    return started_again(conn, server, timeout, sleep, started)


def stop_server(conn, server):
    """POST os-stop; a refusal (e.g. the server is busy) is one line."""
    try:
        conn.compute.stop_server(server)
    except sdk_exc.ConflictException as exc:
        raise errors.Refused(
            _('Cannot stop server %(server)s now: %(why)s') % {
                'server': server.name, 'why': errors.describe_detail(exc)})


def wait_for_status(conn, server_id, wanted, timeout, sleep):
    """Poll the server until its status is ``wanted`` with no task under
    way. Kept rather than ``compute.wait_for_server``: that one cannot be
    interrupted from another thread (several servers, Ctrl-C)."""
    deadline = waits.Deadline(timeout, waits.INTERVAL, sleep)
    server = None
    for found in waits.polls(deadline, waits.NOVA,
                             lambda: conn.compute.get_server(server_id)):
        server = server if found is waits.UNKNOWN else found
        if found is not waits.UNKNOWN:
            if server.status == wanted and not server.task_state:
                return server
            if server.status == 'ERROR':
                raise errors.Refused(
                    _('Server %(name)s went to ERROR while waiting for '
                      '%(wanted)s.') % {'name': server.name,
                                        'wanted': wanted})
        if deadline.passed:
            name = server.name if server is not None else server_id
            raise deadline.expired(_('server %s') % name, _(
                'Timed out after %(secs)d s waiting for server %(name)s '
                'to be %(wanted)s (it is %(status)s).') % {
                    'secs': timeout, 'name': name, 'wanted': wanted,
                    'status': server.status if server else None})


def start_server(conn, server, timeout, sleep):
    """POST os-start, again while Nova is still busy with the server
    (409: stopping, or uploading its snapshot), until ``timeout``."""
    deadline = waits.Deadline(timeout, waits.INTERVAL, sleep)
    for _tick in waits.ticks(deadline):
        try:
            conn.compute.start_server(server)
            return
        except sdk_exc.ConflictException:
            now = conn.compute.get_server(server.id)
            if now.status == 'ACTIVE' and not now.task_state:
                return  # running already
            if deadline.passed:
                raise


def started_again(conn, server, timeout, sleep, started):
    """Start the server and wait until it is ACTIVE: seconds it was down."""
    start_server(conn, server, timeout, sleep)
    wait_for_status(conn, server.id, 'ACTIVE', timeout, sleep)
    return waits.CLOCK.now() - started


def restart(conn, server, timeout, sleep, started, wait_active=True):
    """Start a server this command stopped, after a failure: what became
    of it, as a sentence. Interrupted, the start is only requested."""
    try:
        if wait_active:
            down = started_again(conn, server, timeout, sleep, started)
            return _('Server %(name)s was started again (down %(secs)d s).'
                     ) % {'name': server.name, 'secs': down}
        start_server(conn, server, 0, sleep)
        return _('server %s was asked to start again.') % server.name
    except BaseException as exc:
        if not isinstance(exc, (Exception, Interrupted)):
            raise
        why = (errors.describe(exc) if isinstance(exc, Exception)
               else _('interrupted'))
        return _('Server %(name)s could not be started again (%(why)s): '
                 '`openstack server start %(id)s` starts it.') % {
                     'name': server.name, 'why': why, 'id': server.id}
