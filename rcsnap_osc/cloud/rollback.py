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

"""The one rollback ledger: what a command made (kind and ID, in order),
less what it handed over to the user, removed on failure or Ctrl-C in the
order the resources require, with one warning line
(:func:`errors.left_behind`) for each thing it could not remove, read back
first: what is gone (404, Glance's "deleted to deleted", being deleted) is
removed, no warning; what is there in a state its owner cannot delete it
in (a volume ``uploading``, a volume snapshot ``error_deleting``) is named
with that state and what to do.

The order: images first (deleting one stops Cinder's upload, which frees
its volume), then servers (their volumes are in use while they exist),
then backups and volume snapshots, waited for (Cinder keeps a volume
that has one), then volumes. A temporary volume is waited for until it
settles; the volumes made for a server are waited for together, once it
is gone. Last, the steps the command took on what it did not make (a
server stopped, a port detached), each taken back, the latest first.
"""

import contextlib
import dataclasses

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import report
from rcsnap_osc.cloud import waits
from rcsnap_osc import constants
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

#: Seconds a rollback waits for what it deletes to settle or go.
CLEANUP_TIMEOUT = constants.CLEANUP_TIMEOUT

#: The order in which the kinds of resource are removed.
ORDER = ('image', 'server', 'backup', 'volume snapshot', 'volume', 'step')


@dataclasses.dataclass
class Entry:
    """One thing a command made: ``kind`` (a key of ``errors.left_behind``)
    and ``id``; ``label`` names it in the warning (default: its kind);
    ``server``, the ID of the server a volume was made for; ``record``,
    the SDK resource of a server (its delete is waited for); ``undo``,
    of a step: ``(call, command)``, what takes it back and the command
    that does it by hand."""

    kind: str
    id: str
    label: str | None = None
    server: str | None = None
    record: object = None
    undo: tuple | None = None


@dataclasses.dataclass
class Outcome:
    """What a rollback removed (kind, ID) and left (kind, ID, why)."""

    removed: list = dataclasses.field(default_factory=list)
    left: list = dataclasses.field(default_factory=list)


#: The line said when a thing is removed (none for a server and the
#: volumes made for it: the error line of the failed launch names them).
_GONE = {
    'image': lambda ident: _('Deleted partial image %s') % ident,
    'volume': lambda ident: _('Deleted temporary volume %s') % ident,
    'volume snapshot': lambda ident: _('Deleted volume snapshot %s') % ident,
    'backup': lambda ident: _('Deleted backup %s') % ident,
}


class Ledger:
    """What a command made and has not handed over; as a context manager,
    rolled back when the block ends with an exception (Ctrl-C included).
    The ``reporter`` (None: silent, :mod:`report`) says each line;
    ``interval`` and ``timeout`` are those of the rollback's waits."""

    def __init__(self, conn, reporter=None, interval=waits.INTERVAL,
                 timeout=CLEANUP_TIMEOUT):
        self.conn = conn
        self.reporter = reporter or report.Reporter()
        self.interval = interval
        self.timeout = timeout
        self.entries = []

    def made(self, kind, ident, label=None, server=None, record=None):
        """Record a thing the command made."""
        self.entries.append(Entry(kind, ident, label, server, record))

    def undo(self, what, call, command):
        """A step taken on something the command did not make: on
        rollback, once what it made is removed, ``call()`` takes it back
        (the latest step first); ``what`` says it ("start server X
        again") and ``command`` does it by hand."""
        self.entries.append(Entry('step', what, undo=(call, command)))

    def handed_over(self):
        """Everything is the user's now: nothing is rolled back."""
        self.entries = []

    def forget(self, ident):
        """The thing is handed over, or already removed: not rolled back."""
        self.entries = [e for e in self.entries if e.id != ident]

    @contextlib.contextmanager
    def handing_over(self, idents, taken):
        """A block handing ``idents`` to the user (the image PATCH naming
        them), forgotten first: no rollback removes what the image may
        name. If it fails but for a refusal (4xx: nothing changed) and
        ``taken()`` (the image read again) says it names none, they are
        recorded again and rolled back (kept if it cannot say)."""
        held = [e for e in self.entries if e.id in set(idents)]
        self.entries = [e for e in self.entries if e not in held]
        try:
            yield
        except BaseException as exc:
            try:
                named = not _refused(exc) and taken()
            except Exception:  # unknown: the image may name them
                named = True
            self.entries.extend(() if named else held)
            raise

    def ids(self, kind):
        """The IDs of what is recorded of a kind, in order."""
        return [e.id for e in self.entries if e.kind == kind]

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:  # None: the exception goes on
            self.roll_back()

    def roll_back(self):
        """Remove what is recorded; an :class:`Outcome`.

        A server that cannot be deleted stops the rollback with its error
        (its volumes cannot go while it exists)."""
        outcome = Outcome()
        for kind in ORDER:
            entries = [e for e in self.entries if e.kind == kind]
            if kind == 'volume':
                _remove_volumes(self, [e for e in entries if not e.server],
                                outcome)
                entries = [e for e in entries if e.server]
                if entries:
                    _remove_server_volumes(self, entries, outcome)
            elif entries:
                _REMOVE[kind](self, entries, outcome)
        return outcome

    @contextlib.contextmanager
    def stopped_by(self, entry):
        """A block whose error stops the rollback: raised, after the
        warning that ``entry`` is left (for an SDK or keystoneauth error,
        which :func:`errors.explain` knows)."""
        try:
            yield
        except Exception as exc:
            if errors.explain(exc) is not None:
                self._left(entry, errors.describe(exc), Outcome())
            raise

    def _gone(self, entry, outcome, already=False):
        """``entry`` is gone: deleted, or ``already`` at its first read."""
        self.forget(entry.id)
        outcome.removed.append((entry.kind, entry.id))
        if entry.kind in _GONE and not entry.server:
            self.reporter.say(_('%(kind)s %(id)s was already gone') % {
                'kind': (entry.label or entry.kind).capitalize(),
                'id': entry.id} if already else _GONE[entry.kind](entry.id))

    def _left(self, entry, why, outcome):
        """``entry`` could not be removed (``why``): read back, gone (no
        warning), else left behind, with the state it is in."""
        status = reads.read_back(self.conn, entry.kind, entry.id)
        if status is reads.GONE:
            self._gone(entry, outcome)
            return
        outcome.left.append((entry.kind, entry.id, why))
        self.reporter.say(errors.left_behind(
            entry.kind, entry.id, why, label=entry.label, status=status))

    def _failed(self, entry, exc, outcome):
        """Removing ``entry`` raised ``exc``: gone if the error says so,
        else :meth:`_left`."""
        if errors.is_gone(exc):
            self._gone(entry, outcome)
        else:
            self._left(entry, errors.describe(exc), outcome)

    def _settle(self, subject, fetch, wanted, failed=()):
        """Poll ``fetch()`` (None when gone) until its status is in
        ``wanted``; the resource. ``subject``: a :class:`waits.Subject`."""
        return waits.until_status(
            waits.Deadline(self.timeout, self.interval), subject, fetch,
            wanted, failed)


def _refused(exc):
    """Whether ``exc`` is a refusal (4xx): the request changed nothing."""
    code = getattr(exc, 'status_code', None) or 0
    return isinstance(exc, sdk_exc.HttpException) and 400 <= code < 500


def _each(ledger, entries, outcome, remove):
    """``remove(entry)`` of each entry, then it is gone; a failure is
    recorded and the next one removed (the original error matters
    more)."""
    for entry in entries:
        try:
            ledger._gone(entry, outcome, remove(entry) is True)
        except Exception as exc:  # the original error matters more
            ledger._failed(entry, exc, outcome)


def _remove_images(ledger, entries, outcome):
    _each(ledger, entries, outcome, lambda entry: ledger.conn.image.
          delete_image(entry.id, ignore_missing=True))


def _remove_servers(ledger, entries, outcome):
    compute = ledger.conn.compute
    for entry in entries:
        try:
            compute.delete_server(entry.id)
        except Exception as exc:
            # An error stops the rollback, unless the server, read back,
            # is gone: the answer was lost, not the deletion.
            if errors.explain(exc) is None:
                raise
            left = len(outcome.left)
            ledger._failed(entry, exc, outcome)
            if len(outcome.left) > left:
                raise
            continue
        try:
            compute.wait_for_delete(entry.record, interval=ledger.interval,
                                    wait=ledger.timeout)
        except sdk_exc.ResourceTimeout:
            ledger._left(entry, _('still deleting'), outcome)
            for volume in [e for e in ledger.entries
                           if e.server == entry.id]:
                ledger._left(volume, _('its server is still deleting'),
                             outcome)
                ledger.forget(volume.id)
            continue
        ledger._gone(entry, outcome)


def _remove_settled(ledger, entries, outcome, kind):
    """Volume snapshots or backups: each deleted once settled, until gone."""
    block = ledger.conn.block_storage
    get, delete, label = {
        'volume snapshot': (block.get_snapshot, block.delete_snapshot,
                            _('Volume snapshot %s')),
        'backup': (block.get_backup, block.delete_backup, _('Backup %s')),
    }[kind]

    def remove(entry):
        subject = waits.cinder(label % entry.id)
        fetch = (lambda: reads.or_none(get, entry.id))  # noqa: E731
        found = ledger._settle(subject, fetch,
                               ('available', 'error', 'deleted'),
                               errors.STUCK)
        if found is None:
            return True  # already gone
        delete(entry.id, ignore_missing=kind != 'backup')
        ledger._settle(subject, fetch, ('deleted',), ('error_deleting',))

    _each(ledger, entries, outcome, remove)


def _remove_volumes(ledger, entries, outcome):
    """Temporary volumes, each once it settles."""
    block = ledger.conn.block_storage

    def remove(entry):
        volume = ledger._settle(
            waits.cinder(_('Volume %s') % entry.id),
            lambda: reads.or_none(block.get_volume, entry.id),
            reads.VOLUME_DELETABLE | {'deleted', 'deleting'}, errors.STUCK)
        if volume is not None and volume.status in reads.VOLUME_DELETABLE:
            block.delete_volume(entry.id, ignore_missing=True)
        return volume is None  # already gone

    _each(ledger, entries, outcome, remove)


def _remove_server_volumes(ledger, entries, outcome):
    """The volumes made for a server that is gone: together, each until
    it is gone or deletable (no SDK wait does several at once)."""
    made = {e.id: e for e in entries}

    def check(volume_id, record):
        status = (record or {}).get('status')
        if status in reads.VOLUME_DELETABLE:
            ledger.conn.block_storage.delete_volume(
                volume_id, ignore_missing=True)
        if status is None or status in reads.VOLUME_DELETABLE:
            ledger._gone(made[volume_id], outcome)
            return None
        return status

    deadline = waits.Deadline(ledger.timeout, ledger.interval)
    pending = waits.until_each(
        deadline, waits.CINDER,
        lambda ids: reads.get_volumes(ledger.conn, ids), check, made)
    for volume_id, status in pending.items():
        ledger._left(made[volume_id], deadline.unanswered(
            _('volume %s') % volume_id) or _('status is %s') % status,
            outcome)


def _take_back(ledger, entries, outcome):
    """The steps, the latest first; each one that fails is one warning
    line with the command that takes it back by hand."""
    for entry in reversed(entries):
        call, command = entry.undo
        try:
            call()
            ledger.forget(entry.id)
            outcome.removed.append((entry.kind, entry.id))
        except Exception as exc:  # the original error matters more
            outcome.left.append((entry.kind, entry.id, errors.describe(exc)))
            ledger.reporter.say(errors.not_undone(
                entry.id, errors.describe(exc), command))


_REMOVE = {
    'step': _take_back,
    'image': _remove_images,
    'server': _remove_servers,
    'volume snapshot': lambda *a: _remove_settled(*a, 'volume snapshot'),
    'backup': lambda *a: _remove_settled(*a, 'backup'),
}
