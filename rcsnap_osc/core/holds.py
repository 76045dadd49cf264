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

"""What holds a snapshot back from deletion, and what an image records of
it: the recycle bin, a lock, and the last verification.

Both the bin and a lock set Glance's ``protected`` flag, so Glance itself
refuses a deletion by hand (403). The owner's own flag, as it was before
the first hold, is recorded once in :data:`WAS_PROTECTED`; when a hold
ends, the flag becomes :func:`protected_after` and the record goes with
the last hold. Times are ISO 8601 UTC strings (``2026-12-07T13:40:00Z``);
Glance keeps each property as a string of at most 255 characters.

Pure: Glance-shaped dicts in, plain values out.
"""

import datetime

#: The owner's ``protected`` before the first hold: ``true`` or ``false``.
WAS_PROTECTED = 'rcsnap_was_protected'

#: The recycle bin: when, by which command, and until when it stays.
BINNED_AT = 'rcsnap_binned_at'
BINNED_BY = 'rcsnap_binned_by'
BIN_UNTIL = 'rcsnap_bin_until'

#: A lock: until when, when it was set and by whom.
LOCKED_UNTIL = 'rcsnap_locked_until'
LOCKED_AT = 'rcsnap_locked_at'
LOCKED_BY = 'rcsnap_locked_by'

#: The last verification: when, at which level, and ``ok`` or the reason.
VERIFIED_AT = 'rcsnap_verified_at'
VERIFIED_LEVEL = 'rcsnap_verified_level'
VERIFIED_RESULT = 'rcsnap_verified_result'

BIN_KEYS = (BINNED_AT, BINNED_BY, BIN_UNTIL)
LOCK_KEYS = (LOCKED_UNTIL, LOCKED_AT, LOCKED_BY)
VERIFY_KEYS = (VERIFIED_AT, VERIFIED_LEVEL, VERIFIED_RESULT)

_FORMAT = '%Y-%m-%dT%H:%M:%SZ'


def stamp(when: datetime.datetime) -> str:
    """``when`` (aware or naive UTC) as the string the properties hold."""
    if when.tzinfo is not None:
        when = when.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return when.strftime(_FORMAT)


def parse_stamp(text: object) -> datetime.datetime | None:
    """A recorded time as naive UTC; None when absent or unreadable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        when = datetime.datetime.fromisoformat(text.rstrip('Z'))
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return when


def _naive(now: datetime.datetime) -> datetime.datetime:
    if now.tzinfo is not None:
        return now.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return now


def is_binned(image: dict) -> bool:
    """Whether the snapshot is in the recycle bin."""
    return bool(image.get(BINNED_AT))


def bin_until(image: dict) -> datetime.datetime | None:
    """The date after which the bin may purge it."""
    return parse_stamp(image.get(BIN_UNTIL))


def purge_due(image: dict, now: datetime.datetime) -> bool:
    """Binned and past its date in the bin."""
    until = bin_until(image)
    return is_binned(image) and until is not None and until <= _naive(now)


def locked_until(image: dict, now: datetime.datetime
                 ) -> datetime.datetime | None:
    """The end of a lock still in force at ``now``; None when unlocked."""
    until = parse_stamp(image.get(LOCKED_UNTIL))
    if until is None or until <= _naive(now):
        return None
    return until


def is_locked(image: dict, now: datetime.datetime) -> bool:
    return locked_until(image, now) is not None


def owner_protected(image: dict) -> bool:
    """The ``protected`` flag the owner had before any hold."""
    recorded = image.get(WAS_PROTECTED)
    if recorded is None:
        return bool(image.get('protected'))
    return str(recorded).lower() == 'true'


def first_hold(image: dict) -> dict:
    """The properties to add with a new hold: the owner's flag is
    recorded only by the first one."""
    if WAS_PROTECTED in image:
        return {}
    return {WAS_PROTECTED: 'true' if image.get('protected') else 'false'}


def protected_after(image: dict, now: datetime.datetime, *,
                    unbin: bool = False, unlock: bool = False) -> bool:
    """``protected`` once the bin (``unbin``) or the lock (``unlock``)
    lets go: still True while another hold is in force."""
    binned = is_binned(image) and not unbin
    locked = is_locked(image, now) and not unlock
    return owner_protected(image) or binned or locked


def holds_left(image: dict, now: datetime.datetime, *,
               unbin: bool = False, unlock: bool = False) -> bool:
    """Whether a hold remains after letting go (keep WAS_PROTECTED)."""
    binned = is_binned(image) and not unbin
    locked = is_locked(image, now) and not unlock
    return binned or locked


def verified_summary(image: dict) -> str | None:
    """The last verification in short (``2026-12-07 ok (boot)``); None
    when there was none."""
    when = parse_stamp(image.get(VERIFIED_AT))
    if when is None:
        return None
    result = str(image.get(VERIFIED_RESULT) or '')
    return '%s %s (%s)' % (when.strftime('%Y-%m-%d'),
                           'ok' if result == 'ok' else 'failed',
                           image.get(VERIFIED_LEVEL) or '-')
