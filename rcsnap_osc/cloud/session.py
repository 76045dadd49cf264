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

"""Retries for the requests that are safe to repeat: reads only.

Production clouds drop idle connections behind their load balancers and
answer 502/503/504 while a service restarts: one lost poll must not end a
twenty-minute wait. keystoneauth retries any request it is told to, writes
included, and a write whose answer was lost may have taken effect; so the
retry counts are given to reads (GET, HEAD) only, and writes go out once.
Counts set in clouds.yaml (``connect_retries``, ``status_code_retries``,
with or without a service prefix) are the user's and are kept as they are.
"""

#: Methods that change nothing on the server: repeating them is harmless.
READS = frozenset(('GET', 'HEAD'))

#: Retries of a read whose connection failed or dropped; the waits between
#: them double from half a second (about 7.5 s in all).
CONNECT_RETRIES = 4

#: Retries of a read answered with one of :data:`RETRIABLE_STATUS_CODES`.
STATUS_CODE_RETRIES = 4

#: A gateway or a service restarting behind it.
RETRIABLE_STATUS_CODES = (502, 503, 504)

_MARK = '_rcsnap_read_retries'


def retry_reads(session):
    """Make ``session`` (a keystoneauth Session, shared by every SDK proxy)
    retry reads; idempotent."""
    if getattr(session, _MARK, False):
        return session
    request = session.request

    def request_with_retries(url, method, **kwargs):
        if method.upper() in READS:
            kwargs.setdefault('connect_retries', CONNECT_RETRIES)
            kwargs.setdefault('status_code_retries', STATUS_CODE_RETRIES)
            codes = set(kwargs.get('retriable_status_codes') or ())
            kwargs['retriable_status_codes'] = sorted(
                codes | set(RETRIABLE_STATUS_CODES))
        return request(url, method, **kwargs)

    session.request = request_with_retries
    setattr(session, _MARK, True)
    return session
