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

"""What a snapshot of a server will be, and what it will be called.

Which snapshot a server gives: frozen, crash-consistent or stopped.

Nova freezes a guest's file systems before a snapshot only when the server
is ACTIVE and the image it was booted from declares the QEMU guest agent
(``hw_qemu_guest_agent=yes``); otherwise it logs "Skipping quiescing
instance" and takes a crash-consistent snapshot, unless the image also
says ``os_require_quiesce``, in which case it refuses. Nova reads that
metadata from what it copied at boot: for a server that boots from a
volume, the volume's ``volume_image_metadata``; else the image's
properties. Pure functions over those dicts: no cliff, no HTTP.
"""

import collections.abc
import dataclasses
import datetime
import typing

from rcsnap_osc.core import holds
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

#: The image property a snapshot made by ``rc snapshot create`` records
#: its consistency in.
PROPERTY = 'rcsnap:consistency'

QUIESCED = 'quiesced'
CRASH_CONSISTENT = 'crash-consistent'
STOPPED = 'stopped'
UNKNOWN = 'unknown'
KNOWN = frozenset((QUIESCED, CRASH_CONSISTENT, STOPPED))

AGENT = 'hw_qemu_guest_agent'

#: Default name of a snapshot of several: ``<server>-<UTC timestamp>``.
DEFAULT_TEMPLATE = '{server}-{date}'
#: ... and of servers that share a name.
SAME_NAME = '{server}-{id}-{date}'
DATE_FORMAT = '%Y%m%dT%H%M%SZ'

#: The spellings of "true" Nova accepts for these properties
#: (oslo's ``bool_from_string``).
_TRUE = frozenset(('1', 't', 'true', 'on', 'y', 'yes'))


@dataclasses.dataclass(frozen=True)
class Request:
    """What ``create`` or ``batch create`` was asked to do: ``wait``
    seconds (None: do not wait), ``stop`` the server first, refuse unless
    it can be quiesced, ``keep`` the newest N afterwards (or what its
    :class:`rcsnap_osc.core.retention.Rules` keep), holding the
    retention of the server meanwhile, waiting ``wait_lock`` seconds for
    another run that holds it (None: do not wait). ``batch create``:
    ``dry_run`` plans only; ``confirm(results)``, when given, is asked
    once the snapshots are planned: False refuses."""

    name: str | None = None
    properties: dict | None = None
    wait: int | None = None
    stop: bool = False
    require_quiesce: bool = False
    keep: object = None  # the newest N, or retention.Rules
    wait_lock: int | None = None
    dry_run: bool = False
    confirm: typing.Callable | None = None
    lock: dict | None = None  # {server ID: how long to lock its snapshot}
    #: ``create --name``: make it although a snapshot has that name.
    duplicate_name: bool = False
    #: ``--keep``: days in the recycle bin (None: the cloud's; a dict: by
    #: server ID, None in it the cloud's), the command the bin's record
    #: names, the time the run takes as now (None: now).
    bin_days: object = None
    binned_by: str = 'create --keep'
    now: object = None


@dataclasses.dataclass(frozen=True)
class Verdict:
    """What a snapshot of the server will be: ``consistency`` is one of
    :data:`QUIESCED`, :data:`CRASH_CONSISTENT`, :data:`STOPPED` or
    :data:`UNKNOWN`; ``text`` says it to the user."""

    consistency: str
    text: str

    @property
    def frozen_or_stopped(self) -> bool:
        return self.consistency in (QUIESCED, STOPPED)


def is_true(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE


def root_volume(server_id: str,
                volumes: collections.abc.Iterable[dict]) -> dict | None:
    """The volume a server boots from, among Cinder volume dicts: the
    bootable one attached to it at the first device (``/dev/vda``)."""
    attached = []
    for volume in volumes:
        for attachment in volume.get('attachments') or ():
            if attachment.get('server_id') == server_id:
                attached.append((not is_true(volume.get('bootable')),
                                 attachment.get('device') or '~',
                                 volume['id'], volume))
    return min(attached, key=lambda a: a[:3])[3] if attached else None


def boot_metadata(image_id: str | None, image: dict | None,
                  volume: dict | None) -> dict | None:
    """The metadata Nova copied when the server booted: the image's
    properties (``image`` a flat Glance dict) when it boots from an image
    (``image_id`` set), else its root volume's ``volume_image_metadata``.
    None when it cannot be read (the image or the volume is not visible).
    """
    if image_id:
        return image
    if volume is None:
        return None
    return volume.get('volume_image_metadata') or {}


def verdict(status: str | None, metadata: dict | None,
            stop: bool = False) -> Verdict:
    """The :class:`Verdict` for a server in ``status`` whose boot metadata
    is ``metadata`` (None: unknown); ``stop`` when it is stopped first."""
    if stop or status == 'SHUTOFF':
        return Verdict(STOPPED, _('server is stopped: consistent'))
    if status != 'ACTIVE':
        return Verdict(CRASH_CONSISTENT, _(
            'crash-consistent: Nova freezes the file systems of ACTIVE '
            'servers only, this one is %s; use --stop for a clean '
            'snapshot') % status)
    if metadata is None:
        return Verdict(UNKNOWN, _(
            'consistency unknown: the image the server booted from cannot '
            'be read, so whether the guest agent is declared is unknown; '
            'use --stop for a clean snapshot'))
    if is_true(metadata.get(AGENT, False)):
        return Verdict(QUIESCED, _('file systems frozen by the guest agent'))
    return Verdict(CRASH_CONSISTENT, _(
        'crash-consistent: the guest agent is not declared; use --stop for '
        'a clean snapshot'))


def require_quiesce_refusal(server_name: str, verdict: Verdict) -> str | None:
    """Why ``--require-quiesce`` refuses this verdict, or None."""
    if verdict.frozen_or_stopped:
        return None
    return _('Server %(server)s: %(verdict)s (refused: --require-quiesce)'
             ) % {'server': server_name, 'verdict': verdict.text}


def recorded(image: dict) -> str:
    """The consistency a snapshot recorded when it was made here;
    :data:`UNKNOWN` for snapshots made elsewhere."""
    value = image.get(PROPERTY)
    return value if value in KNOWN else UNKNOWN


def is_quiesce_refusal(detail: str) -> bool:
    """Nova's refusal to snapshot because it could not freeze the guest
    (``os_require_quiesce``): "QEMU guest agent is not enabled",
    "Quiescing is not supported ...", "Failed to quiesce instance ..."."""
    text = detail.lower()
    return 'quiesc' in text or 'guest agent' in text


def snapshot_names(servers: collections.abc.Sequence[tuple[str, str]],
                   template: str | None = None,
                   now: datetime.datetime | None = None) -> dict[str, str]:
    """{server ID: snapshot name} for (ID, name) pairs: ``template`` with
    ``{server}`` (name), ``{id}`` and ``{date}`` (UTC) filled in; refused
    when it names anything else, or gives two servers the same name. By
    default, servers of the same name get their ID in it too."""
    date = (now or datetime.datetime.now(datetime.timezone.utc)).strftime(
        DATE_FORMAT)

    def fill(server_id: str, server_name: str, text: str) -> str:
        try:
            return text.format(server=server_name, id=server_id, date=date)
        except (KeyError, IndexError, ValueError) as exc:
            raise errors.Refused(_(
                '--name %(template)s: only {server}, {id} and {date} can be '
                'filled in (%(why)s).') % {
                    'template': template, 'why': errors.one_line(exc)})

    names = {i: fill(i, n, template or DEFAULT_TEMPLATE) for i, n in servers}
    twins = {n for n in names.values()
             if list(names.values()).count(n) > 1}
    if twins and template:
        raise errors.Refused(_(
            '--name %s gives several snapshots the same name: put {id} in '
            'it, or {server} if the servers have different names.')
            % template)
    for server_id, server_name in servers:
        if names[server_id] in twins:
            names[server_id] = fill(server_id, server_name, SAME_NAME)
    return names


def name_taken(name: str, images: collections.abc.Iterable[dict]) -> None:
    """Refuse a ``create --name`` an instance snapshot the caller sees
    has already (``images``: those listed by that name): a second one
    would make ``show <name>`` and ``delete <name>`` ambiguous."""
    taken = sorted(i['id'] for i in images
                   if i.get('name') == name
                   and snapshots.is_instance_snapshot(i))
    if taken:
        raise errors.Refused(_(
            'Instance snapshot %(name)s exists already (%(ids)s): give '
            'another --name, or add --allow-duplicate-name to make a second '
            'one; nothing was made.') % {'name': name,
                                         'ids': ', '.join(taken)})


def bin_held(images: list, volume_snapshots: list) -> tuple:
    """``(count, GiB)`` of the volume snapshots (Cinder-shaped dicts) the
    binned among ``images`` refer to: the quota the bin holds."""
    ids = set(snapshots.volume_snapshot_ids(
        [i for i in images if holds.is_binned(i)]))
    held = [s for s in volume_snapshots if s.get('id') in ids]
    return len(held), sum(s.get('size') or 0 for s in held)
