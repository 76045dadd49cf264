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

"""A policy's steady state: how many snapshots it holds once it has run
long enough, and whether the Cinder quota has room for them (``schedule
set`` refuses a policy that cannot fit).

Pure: no cliff, no HTTP.
"""

import dataclasses
import datetime

from rcsnap_osc.core import retention
from rcsnap_osc.i18n import _

MAX_SIMULATED = 20000  # snapshots, at most, for the steady state


def steady_count(policy):
    """How many snapshots the policy holds once it has run long enough:
    its rules over snapshots made once per window (simulated: one several
    rules keep counts once), at most over the week's days."""
    rules = policy.rules
    horizon = max((rules.last or 0) * policy.every,
                  (rules.daily or 0) * 86400, (rules.weekly or 0) * 604800,
                  (rules.monthly or 0) * 31 * 86400, rules.within or 0)
    count = min(MAX_SIMULATED, int(horizon // policy.every) + 2)
    found = 0
    for day in range(7 if rules.weekly else 1):
        newest = datetime.datetime(2026, 1, 5 + day)
        made = [{'id': str(n), 'created_at': (
            newest - datetime.timedelta(seconds=n * policy.every)).strftime(
                '%Y-%m-%dT%H:%M:%SZ')} for n in range(count)]
        found = max(found, len(retention.reasons(made, rules)))
    return found


@dataclasses.dataclass(frozen=True)
class Room:
    """What a policy holds at steady state (``count`` snapshots of
    ``gib`` GiB each, ``volumes`` volume snapshots each), against the
    Cinder quota: ``refusal`` the line when it cannot fit, else None."""

    count: int
    gib: int
    refusal: str | None


def room(server_name, policy, need, quota_set, held):
    """The :class:`Room` of ``policy`` on a server whose snapshot takes
    ``need`` (:class:`rcsnap_osc.core.quota.Need`), the project's Cinder
    ``quota_set`` (None: hidden) and the server's snapshots ``held``
    now (``(count, GiB)``: they are what the policy replaces)."""
    from rcsnap_osc.core import quota
    count = steady_count(policy)
    if not need.count:
        return Room(count, 0, None)
    extra = {'snapshots': count * need.count - held[0],
             'gigabytes': count * need.gib - held[1]}
    extra = {k: max(v, 0) for k, v in extra.items()}
    exceeded = quota.over(quota_set, extra)
    refusal = None
    if exceeded:
        refusal = _(
            'The policy of %(server)s holds %(count)d snapshots of '
            '%(gib)d GiB (%(total)d GiB in %(snaps)d volume snapshots) at '
            'steady state, %(more)s, and the Cinder quota cannot: %(at)s. '
            '--force sets it anyway.') % {
            'server': server_name, 'count': count, 'gib': need.gib,
            'total': count * need.gib, 'snaps': count * need.count,
            'more': _('%(n)d volume snapshots, %(g)d GiB more than now') % {
                'n': extra['snapshots'], 'g': extra['gigabytes']} if any(
                held[:2]) else _('none of them held now'),  # numbers once
            'at': quota.at(exceeded)}
    return Room(count, need.gib, refusal)
