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

"""Fake answers that record when each request started and ended
(``time.monotonic()``), so that a test asserts which requests a command
sends together, not only how many.

An answer can be *held* until another request has started (or until the
test says so): a Glance answer held until Cinder's request starts proves
that the Cinder request did not wait for it, without depending on how
fast the machine is. A hold gives up after :data:`HOLD` seconds and
records that it did (``held[key]`` is then False).
"""

import collections
import contextlib
import threading
import time

import fixtures
from requests_mock import mocker

#: Longest hold, in seconds: what a test that fails costs.
HOLD = 5.0


@contextlib.contextmanager
def _no_lock(timeout):
    yield


def answer_at_once(test):
    """Let requests-mock answer several requests at once, as a cloud does.

    It sends one request at a time (a global lock around each send, and
    the mock adapter put in place and taken away around it): without the
    lock, the adapter stays in place until the test ends.
    """
    set_method = mocker._set_method

    def keep_the_mock(target, name, method):
        if name == 'get_adapter' and method.__name__ != '_fake_get_adapter':
            return  # the restore after each send
        set_method(target, name, method)

    test.useFixture(fixtures.MonkeyPatch(
        'requests_mock.mocker.threading_rlock', _no_lock))
    test.useFixture(fixtures.MonkeyPatch(
        'requests_mock.mocker._set_method', keep_the_mock))


class Timeline:
    """Fake answers whose start and end times are recorded; creating one
    lets requests-mock answer several requests at once."""

    def __init__(self, test):
        answer_at_once(test)
        self.requests = test.requests
        self.started = {}
        self.ended = {}
        self.held = {}
        self._events = collections.defaultdict(threading.Event)

    def answer(self, method, url, key, json, until=None, status_code=200):
        """Answer ``method url`` with ``json``, recorded as ``key``; with
        ``until``, only once the request (or release) of that key came."""
        def callback(request, context):
            self.started[key] = time.monotonic()
            self._events[key].set()
            if until is not None:
                self.held[key] = self._events[until].wait(HOLD)
            context.status_code = status_code
            self.ended[key] = time.monotonic()
            return json

        self.requests.register_uri(method, url, json=callback)

    def release(self, key):
        """Let the answers held ``until=key`` go."""
        self._events[key].set()

    def before(self, first, then):
        """``then`` started after ``first`` had answered."""
        return self.ended[first] <= self.started[then]

    def overlapped(self, first, then):
        """``then`` started before ``first`` had answered."""
        return self.started[then] < self.ended[first]
