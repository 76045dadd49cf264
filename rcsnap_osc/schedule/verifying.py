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

"""``schedule run`` with a policy's ``verify=``: under the window claim,
the snapshot a run just made (the server's newest) is verified when its
period is due (:mod:`rcsnap_osc.schedule.checking`), through ``rc
snapshot verify`` (:mod:`rcsnap_osc.verify.run`); the result goes into
the run's record and the run's row."""

from rcsnap_osc.i18n import _
from rcsnap_osc.schedule import checking
from rcsnap_osc.schedule import plan
from rcsnap_osc.verify import run as verifying

MADE = 'made'


def last_verified(row):
    """When the server's last verification was, from the run record."""
    last = plan.parse_last((row.server.metadata or {}).get(plan.LAST_KEY))
    return plan.parse_stamp(last.get(checking.VERIFIED)), last


def verify_made(conn, rows, now, reporter):
    """Verify the snapshot of each row made now whose ``verify=`` is due;
    its items for the record in ``row.checked``, a failure in ``why``."""
    for row in rows:
        if row.result != MADE or not row.image or not row.policy.verify:
            continue
        policy = checking.parse(row.policy.verify)
        if not checking.due(policy, last_verified(row)[0], now):
            continue
        request = verifying.Request(
            names=(row.image,), data=policy.level == 'data',
            boot=policy.level == 'boot')
        try:
            verified = verifying.verify(conn, request, reporter, now=now)
        except Exception as exc:
            from rcsnap_osc import errors

            if errors.explain(exc) is None:
                raise
            problem = errors.explain(exc)
        else:
            problem = verified[0].problems and verified[0].result
        row.checked = checking.items(now, not problem)
        if problem:
            row.why = _('verification failed: %s') % problem


def record_items(row):
    """The verification items of the run record: this run's, else the
    last ones kept."""
    if row.checked:
        return row.checked
    last = last_verified(row)[1]
    return ['%s=%s' % (k, last[k]) for k in (checking.VERIFIED,
                                             checking.CHECK) if k in last]
