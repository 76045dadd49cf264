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

"""Which of a server's snapshots to keep: the newest N, those younger
than a duration, and those that must stay (protected, accepted by another
project). Which server a snapshot came from is :mod:`rcsnap_osc.core.origin`'s.

Pure functions over Glance- and Cinder-shaped dicts: no cliff, no HTTP.
"""

import collections.abc
import dataclasses
import re
import typing

from rcsnap_osc.core import deletion
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

if typing.TYPE_CHECKING:
    import datetime

#: Units of ``--older-than``: seconds each.
_UNITS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}
_DURATION = re.compile(r'^\s*(\d+)\s*([smhdw])\s*$')


def parse_duration(text: str | None) -> int:
    """``30d``, ``12h``, ``90m``, ``2w`` or ``45s`` in seconds; Refused
    otherwise."""
    found = _DURATION.match(text or '')
    if not found:
        raise errors.Refused(_(
            "Invalid duration '%s': give a number and a unit, s, m, h, d "
            "or w (e.g. 30d).") % text)
    return int(found.group(1)) * _UNITS[found.group(2)]


def newest_first(ordered: collections.abc.Sequence[dict],
                 ids: collections.abc.Iterable[str]) -> list[dict]:
    """``ordered`` with the snapshots ``ids`` names moved to the front:
    a snapshot just made is the newest, even when another one was made
    in the same second (creation times have seconds only)."""
    ids = set(ids)
    return ([i for i in ordered if i['id'] in ids] +
            [i for i in ordered if i['id'] not in ids])


@dataclasses.dataclass(frozen=True)
class Choice:
    """The snapshots of one server: those to delete, and those kept with
    the reason."""

    delete: tuple
    kept: tuple  # (image, reason)


def choose(ordered: collections.abc.Iterable[dict], keep: int,
           project_id: str, members: dict[str, list[dict]] | None = None,
           older_than: int | float | None = None,
           now: 'datetime.datetime | None' = None) -> Choice:
    """Which of a server's snapshots (newest first) to prune.

    All but the newest ``keep`` go, and with ``older_than`` (seconds)
    only those older than that. A snapshot ``delete`` would refuse
    (protected, shared with a project that accepted it) is kept with the
    reason: it still counts toward ``keep``.
    """
    if keep < 0:
        raise errors.Refused(_('--keep cannot be negative.'))
    members = members or {}
    delete, kept = [], []
    for index, image in enumerate(ordered):
        if index < keep:
            kept.append((image, _('one of the newest %d') % keep))
            continue
        if older_than is not None:
            age = snapshots.age_seconds(image, now)  # type: ignore[arg-type]
            if age is None or age < older_than:
                kept.append((image, _('not older than --older-than')))
                continue
        refused = deletion.refusal(image, project_id,
                                   members.get(image['id']))
        if refused:
            kept.append((image, refused))
        else:
            delete.append(image)
    return Choice(tuple(delete), tuple(kept))


def candidates_needing_members(ordered: list[dict], keep: int,
                               project_id: str) -> list[str]:
    """The snapshots past the newest ``keep`` whose member list decides
    whether they may go (shared ones)."""
    return [i['id'] for i in ordered[max(keep, 0):]
            if deletion.needs_members(i, project_id)]
