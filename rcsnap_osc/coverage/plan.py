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


"""What ``coverage`` says of each server: pure verdicts over what one
server listing and one image listing found.

A server's verdict is the first of these that holds:

- ``unprotected``: it has no schedule policy (or one that cannot be
  read): nothing keeps making its snapshots;
- ``failing``: the schedule's last run (``rcsnap:schedule_last``) failed;
- ``overdue``: it has no usable snapshot, or its newest usable one is
  older than the RPO (``--rpo``; by default twice the policy's interval);
- ``unverified``: its policy has ``verify=<period>`` and none of its
  usable snapshots has a successful verification made within twice that
  period;
- ``protected``: otherwise.

A snapshot is usable when its image is ``active``, it is not in the
recycle bin, and its last verification, if any, did not fail. Its age is
counted from its creation (Glance's ``created_at``: when its data was
taken), never below zero.
"""

import dataclasses
import datetime

from rcsnap_osc.core import holds
from rcsnap_osc.core import retention
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

PROTECTED = 'protected'
OVERDUE = 'overdue'
FAILING = 'failing'
UNVERIFIED = 'unverified'
UNPROTECTED = 'unprotected'
VERDICTS = (PROTECTED, OVERDUE, FAILING, UNVERIFIED, UNPROTECTED)

#: The policy item that asks a schedule to verify its snapshots.
VERIFY_ITEM = 'verify'
#: What a verification that passed records (holds.VERIFIED_RESULT).
VERIFIED_OK = 'ok'


def split_verify(value):
    """``(policy text without its verify item, the verify period in
    seconds or None)`` of a ``rcsnap:schedule`` value (``verify=1w`` or
    ``verify=1w:boot``); Refused when the period cannot be read."""
    if not isinstance(value, str):
        return value, None
    kept, period = [], None
    for item in value.split(';'):
        name, sep, text = item.partition('=')
        if name.strip() == VERIFY_ITEM and sep:
            period = retention.parse_duration(text.split(':')[0].strip())
        else:
            kept.append(item)
    return ';'.join(kept), period


@dataclasses.dataclass(frozen=True)
class Server:
    """What the listings say of one server: its ``policy`` text (None:
    none), the policy's interval ``every`` in seconds (None: no readable
    policy, ``error`` then says why if it has one), its ``verify`` period
    in seconds (None: none), the items of its last run ``last``
    (``result``, ``at``, ``error``...) and its ``snapshots`` (Glance
    dicts, any order)."""

    name: str
    id: str
    policy: str | None = None
    every: int | None = None
    error: str | None = None
    verify: int | None = None
    last: dict = dataclasses.field(default_factory=dict)
    snapshots: tuple = ()
    project_id: str | None = None


@dataclasses.dataclass(frozen=True)
class Row:
    """One server's coverage: the RPO (seconds, None without a policy),
    its newest usable snapshot and its age (seconds), its last
    verification (text), the last run's time and result, the verdict
    and why (one line)."""

    server: Server
    rpo: int | None
    newest: str | None
    age: int | None
    verified: str
    last_run: str
    last_result: str
    verdict: str
    why: str

    @property
    def protected(self):
        return self.verdict == PROTECTED


def usable(image):
    """Active, not in the bin, and not found broken by a verification."""
    result = image.get(holds.VERIFIED_RESULT)
    return (image.get('status') == 'active' and not holds.is_binned(image)
            and (result is None or result == VERIFIED_OK))


def verified_ok(image):
    """When the image's last verification passed (None: never)."""
    if image.get(holds.VERIFIED_RESULT) != VERIFIED_OK:
        return None
    return holds.parse_stamp(image.get(holds.VERIFIED_AT))


def last_verification(images):
    """The newest verification record of ``images``: ``<when> <level>
    <result>``, '' when none was verified."""
    found = [i for i in images if holds.parse_stamp(
        i.get(holds.VERIFIED_AT))]
    if not found:
        return ''
    image = max(found, key=lambda i: holds.parse_stamp(
        i.get(holds.VERIFIED_AT)))
    return ' '.join(str(image.get(k)) for k in holds.VERIFY_KEYS
                    if image.get(k))


def duration(seconds):
    """``3d 4h``, ``2h 10m``, ``45s``: a duration as people read it."""
    if seconds is None:
        return ''
    seconds = int(seconds)
    if seconds < 0:
        return '-' + duration(-seconds)
    parts = []
    for unit, size in (('w', 604800), ('d', 86400), ('h', 3600),
                       ('m', 60)):
        if seconds >= size:
            parts.append('%d%s' % (seconds // size, unit))
            seconds %= size
    if seconds or not parts:
        parts.append('%ds' % seconds)
    return ' '.join(parts[:2])


def age_of(image, now):
    """Whole seconds since the snapshot was made (0 at least: a clock
    set back by a test); None when unknown."""
    seconds = snapshots.age_seconds(image, now)
    return None if seconds is None else max(0, int(seconds))


def verdict(server, now, rpo=None):
    """The :class:`Row` of ``server`` at ``now`` (naive UTC); ``rpo``
    (seconds) replaces the default, twice the policy's interval."""
    kept = [i for i in server.snapshots if usable(i)]
    dated = [(age_of(i, now), i['id'], i) for i in kept
             if age_of(i, now) is not None]
    newest = min(dated, key=lambda d: (d[0], d[1]))[2] if dated else None
    age = None if newest is None else age_of(newest, now)
    if server.every is not None and rpo is None:
        rpo = 2 * server.every
    last = server.last or {}

    def row(verdict, why):
        return Row(server, rpo if server.every is not None else None,
                   newest['id'] if newest else None, age,
                   last_verification(server.snapshots), last.get('at', ''),
                   last.get('result', ''), verdict, why)

    if server.every is None:
        return row(UNPROTECTED, server.error or _('no schedule policy'))
    if last.get('result') == 'failed':
        return row(FAILING, _('the last run failed: %s') % (
            last.get('error') or _('no reason recorded')))
    if newest is None:
        return row(OVERDUE, _('no usable snapshot'))
    if age > rpo:
        return row(OVERDUE, _('the newest usable snapshot is %(age)s old, '
                              'more than the RPO (%(rpo)s)') % {
            'age': duration(age), 'rpo': duration(rpo)})
    if server.verify:
        since = now - datetime.timedelta(seconds=2 * server.verify)
        checked = [verified_ok(i) for i in kept]
        if not any(when is not None and when >= since for when in checked):
            return row(UNVERIFIED, _(
                'no snapshot verified within %s (twice its verify '
                'period)') % duration(2 * server.verify))
    return row(PROTECTED, '')


def rows(servers, now, rpo=None):
    """The :class:`Row` of each server, in the order given."""
    return [verdict(s, now, rpo) for s in servers]


def check_rpo(text):
    """``--rpo``: a duration (``36h``, ``2d``) of at least one minute, in
    seconds; Refused otherwise."""
    seconds = retention.parse_duration(text)
    if seconds < 60:
        raise errors.Refused(_('--rpo %s is less than a minute.') % text)
    return seconds
