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
period is due (:mod:`rcsnap_osc.schedule.checking`), through the
``verifier`` of ``rc snapshot verify`` the command hands down
(:func:`rcsnap_osc.verify.run.verifier`); the result goes into the run's
record and the run's row."""

from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.schedule import checking
from rcsnap_osc.schedule import plan

MADE = 'made'


def last_verified(row):
    """When the server's last verification was, from the run record."""
    last = plan.parse_last((row.server.metadata or {}).get(plan.LAST_KEY))
    return plan.parse_stamp(last.get(checking.VERIFIED)), last


def verify_made(conn, rows, request, reporter):
    """Verify the snapshot of each row made now whose ``verify=`` is due
    (``request``: the run's, its ``now`` and ``verifier``); its items for
    the record in ``row.checked``, a failure in ``why``."""
    now, verifier = request.now, request.verifier
    for row in rows:
        if row.result != MADE or not row.image or not row.policy.verify or (
                verifier is None):
            continue
        policy = checking.parse(row.policy.verify)
        if not checking.due(policy, last_verified(row)[0], now):
            continue
        try:
            problems = verifier(conn, row.image, policy.level, reporter, now)
        except Exception as exc:
            if errors.explain(exc) is None:
                raise
            problems = [errors.explain(exc)]
        problem = '; '.join(problems)
        row.checked = checking.items(now, not problem)
        if problem:
            row.why = _('verification failed: %s') % problem
