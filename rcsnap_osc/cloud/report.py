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

"""The reporter: what a long command tells its user while it works.

One object is passed down from the command instead of loose callbacks:
``say(text)`` writes one line, ``progress(label)`` gives the callable a
wait reports to (``(elapsed, pending)``), and ``made(results)`` hands the
command what exists already, so that it is printed even if a later step
fails. The commands' reporter writes to stderr (stdout carries the
``-f json`` document); this one says nothing.
"""

import threading


class Reporter:
    """A reporter that says nothing."""

    def say(self, text):
        """One line for the user; this reporter drops it."""

    def progress(self, label):
        return _quiet

    def made(self, results):
        """What exists already; this reporter keeps nothing."""

    def locked(self):
        """This reporter for several threads: one line at a time."""
        return _Locked(self)


def _quiet(elapsed, pending):
    """The progress of a wait nobody watches."""


class _Locked(Reporter):

    def __init__(self, reporter):
        self._reporter = reporter
        self._lock = threading.Lock()

    def say(self, text):
        with self._lock:
            self._reporter.say(text)

    def progress(self, label):
        report = self._reporter.progress(label)

        def locked(elapsed, pending):
            with self._lock:
                report(elapsed, pending)
        return locked

    def made(self, results):
        self._reporter.made(results)


class Forwarding(Reporter):
    """A reporter that says and shows what its ``reporter`` would, and
    keeps what is made to itself."""

    def __init__(self, reporter):
        self.reporter = reporter

    def say(self, text):
        self.reporter.say(text)

    def progress(self, label):
        return self.reporter.progress(label)
