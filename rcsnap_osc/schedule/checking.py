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

"""A policy's ``verify=<duration>[:data|:boot]``: once per period, the
run that makes a server's snapshot verifies it (``rc snapshot verify``
at that level). Its periods are windows as the snapshots' are (from
Monday 1970-01-05 00:00 UTC); the last verification is recorded in the
run's record (``verified=<time>;check=ok|failed``).

Pure: texts and times in, values out.
"""

import dataclasses
import datetime

from rcsnap_osc.core import retention
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

ANCHOR = datetime.datetime(1970, 1, 5)
LEVELS = ('default', 'data', 'boot')
#: The items of the run's record (``rcsnap:schedule_last``).
VERIFIED = 'verified'
CHECK = 'check'


@dataclasses.dataclass(frozen=True)
class Verify:
    """Every ``period`` seconds, at ``level``."""

    period: int
    level: str = 'default'


def parse(text):
    """The :class:`Verify` of a ``verify=`` value; Refused otherwise."""
    period, _sep, level = (text or '').partition(':')
    if level and level not in LEVELS[1:]:
        raise errors.Refused(_("verify level '%s' is not data or boot "
                               "(e.g. verify=1w:boot).") % level)
    return Verify(int(retention.parse_duration(period)), level or 'default')


def due(verify, last, now):
    """Whether a verification is due ``now`` (naive UTC), the last one
    made at ``last`` (a datetime or None): not yet in this period."""
    if last is None:
        return True
    start = ANCHOR + datetime.timedelta(seconds=(
        (now - ANCHOR).total_seconds() // verify.period) * verify.period)
    return last < start


def items(when, ok):
    """The run record's items of a verification made ``when``."""
    return ['%s=%s' % (VERIFIED, when.strftime('%Y%m%dT%H%M%SZ')),
            '%s=%s' % (CHECK, 'ok' if ok else 'failed')]


def record_items(checked, last):
    """The verification items of a run record: this run's (``checked``),
    else those of the ``last`` record (its parsed items), kept."""
    return checked or ['%s=%s' % (k, last[k]) for k in (VERIFIED, CHECK)
                       if k in last]
