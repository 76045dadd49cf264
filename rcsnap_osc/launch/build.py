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

"""``POST /servers``, then the wait for the server to be built, and when it
fails, remove it with what was made for it, and say so in one line.
"""


import dataclasses

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import rollback
from rcsnap_osc.cloud import waits
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

#: Seconds the cleanup of a failed launch waits for what it deletes.
CLEANUP_TIMEOUT = rollback.CLEANUP_TIMEOUT


class LaunchFailed(errors.Refused):
    """The server went to ERROR; ``server`` is its last SDK record."""

    def __init__(self, server):
        fault = server.fault or {}
        self.server = server
        self.fault = errors.one_line(
            fault.get('message') or _('no fault recorded'))
        super().__init__(self.fault)


class StillBuilding(errors.Refused):
    """``--wait`` timed out: the server is left as it is."""


@dataclasses.dataclass(frozen=True)
class Images:
    """The images a build needs: ``temporary`` ones, removed once it ends
    and kept (and said) while the server may still be building, and the
    ``sources`` that stay. Volumes made from either are the launch's own,
    deleted with a failed server unless ``keep_failed``."""

    temporary: list = ()
    sources: list = ()
    keep_failed: bool = False


def await_server(conn, server, wait, summary, reporter, images):
    """:func:`wait_for_server`, then the failure's cleanup and its one
    line (:class:`Images` says what the build needs)."""
    temporary = images.temporary
    try:
        return wait_for_server(
            conn, server.id, wait,
            progress=reporter.progress(_('Server %s') % server.id))
    except LaunchFailed as failed:
        text = failure(conn, failed, summary, images.keep_failed,
                       set(temporary) | set(images.sources), reporter)
        tail = released(conn, temporary, reporter)
        if tail:
            text = text.rstrip('.') + tail + '.'
        raise errors.Refused(text) from failed
    except StillBuilding as error:
        if not temporary:
            raise
        raise errors.Refused(str(error) + still_needed(
            temporary)) from error
    except errors.Refused as error:  # the server vanished
        if not temporary:
            raise
        raise errors.Refused(
            str(error) + released(conn, temporary, reporter)) from error
    except KeyboardInterrupt:
        # Nova goes on building: say what is there, and how to remove
        # it, rather than leave it unsaid.
        reporter.say(_('Interrupted: server %(id)s is still being built; '
                       '`openstack server delete %(id)s` removes it.') % {
                           'id': server.id} + still_needed(temporary))
        raise


def still_needed(temporary):
    if not temporary:
        return ''
    return _(' Temporary image(s) %s are kept for it: delete them once it '
             'is built.') % ', '.join(temporary)


def failure(conn, failed, summary, keep_failed, images=(), reporter=None):
    """The one line a failed launch ends with, after the cleanup; a
    warning line (said through the ``reporter``) for each thing the
    cleanup could not remove."""
    server = failed.server
    text = _('Server %(id)s went to ERROR: %(fault)s') % {
        'id': server.id, 'fault': failed.fault}
    if keep_failed:
        return text + _('; kept it (--keep-failed).')
    try:
        deleted, left = remove_failed(conn, server, summary, images,
                                      reporter)
    except Exception as exc:
        if errors.explain(exc) is None:
            raise
        return text + _('; cleaning up failed: %s') % errors.describe(exc)
    text += _('; deleted the server')
    if deleted:
        text += _(' and volume(s) %s') % ', '.join(deleted)
    if left:
        text += _('; could not delete %s') % ', '.join(
            '%s %s' % (kind, ident) for kind, ident, _why in left)
    return text + '.'


def released(conn, temporary, reporter):
    """Release the temporary images after a failed build, as the end of
    its error line."""
    from rcsnap_osc.cloud import volume_images

    kept = volume_images.release_images(conn, temporary, reporter)
    if not kept:
        return ''
    return _('; kept temporary image(s) %s') % ', '.join(kept)


def attached_volume_ids(server):
    return [v.get('id') for v in server.attached_volumes or []
            if v.get('id')]


def volumes_from(conn, server, summary, images=()):
    """The server's volumes that were made from this snapshot's volume
    snapshots, or from the launch's temporary ``images``: the proof that
    this launch created them."""
    ours = {d.snapshot_id for d in summary.devices} | set(images)
    if not ours:
        return {}
    volumes = reads.get_volumes(conn, attached_volume_ids(server))
    return {i: v for i, v in volumes.items() if ours & {
        v.get('snapshot_id'),
        (v.get('volume_image_metadata') or {}).get('image_id')}}


def wait_for_server(conn, server_id, timeout, progress=None,
                    interval=waits.INTERVAL):
    """Poll until ACTIVE; raise :class:`LaunchFailed` on ERROR and a
    Refused when the server vanishes or ``timeout`` seconds pass.

    Kept rather than ``compute.wait_for_server``: its callback gets a
    percentage, not the status and task state our progress lines show.
    """
    deadline = waits.Deadline(timeout, interval)
    for server in waits.polls(deadline, waits.NOVA,
                              lambda: _server(conn, server_id)):
        if server is waits.UNKNOWN:
            state = deadline.note(waits.NOVA)
        elif server.status == 'ACTIVE':
            return server
        elif server.status == 'ERROR':
            raise LaunchFailed(server)
        else:
            state = server.status
            if server.task_state:
                state = '%s (%s)' % (state, server.task_state)
        elapsed = deadline.elapsed
        if elapsed >= timeout:
            unanswered = deadline.unanswered(_('server %s') % server_id)
            raise StillBuilding(
                _('%s; it was left as it is.') % unanswered if unanswered
                else _('Timed out after %(secs)d s waiting for server '
                       '%(id)s, still %(state)s; it was left as it is.') % {
                    'secs': timeout, 'id': server_id, 'state': state})
        if progress:
            progress(elapsed, [state])


def _server(conn, server_id):
    try:
        return conn.compute.get_server(server_id)
    except sdk_exc.NotFoundException:
        raise errors.Refused(
            _('Server %s was deleted while it was being built.')
            % server_id)


def remove_failed(conn, server, summary, images=(), reporter=None):
    """Delete a failed server, then the volumes it got from our snapshot
    (:class:`rollback.Ledger`: a warning line through the ``reporter``
    for each thing left).

    Returns ``(deleted volume IDs, leftovers)``; a leftover is ``(kind,
    ID, why)``. An error deleting the server is raised.
    """
    ledger = rollback.Ledger(conn, reporter, interval=waits.INTERVAL,
                             timeout=CLEANUP_TIMEOUT)
    ledger.made('server', server.id, record=server)
    with ledger.stopped_by(ledger.entries[0]):
        volumes = volumes_from(conn, server, summary, images)
    for volume_id in volumes:
        ledger.made('volume', volume_id, server=server.id)
    outcome = ledger.roll_back()
    return ([i for kind, i in outcome.removed if kind == 'volume'],
            outcome.left)


def create_server(conn, attrs):
    """POST /servers; quota errors name the quota."""
    try:
        return conn.compute.create_server(**attrs)
    except sdk_exc.HttpException as exc:
        raise errors.refused(exc, _('Nova refused the server: %s'))
