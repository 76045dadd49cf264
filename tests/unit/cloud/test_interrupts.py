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

import os
import signal

import testtools

from rcsnap_osc.cloud import interrupts


def ctrl_c():
    os.kill(os.getpid(), signal.SIGINT)


class TestHeld(testtools.TestCase):
    """A real SIGINT to this process, with Python's own handler in place
    (a shell may have started the tests with SIGINT ignored)."""

    def setUp(self):
        super().setUp()
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        self.addCleanup(signal.signal, signal.SIGINT, previous)

    def test_a_ctrl_c_waits_for_the_block(self):
        done = []
        with testtools.ExpectedException(KeyboardInterrupt):
            with interrupts.held():
                ctrl_c()
                done.append('answer read and recorded')
        self.assertEqual(['answer read and recorded'], done)
        self.assertIs(signal.default_int_handler,
                      signal.getsignal(signal.SIGINT))

    def test_a_second_ctrl_c_interrupts_at_once(self):
        done = []
        with testtools.ExpectedException(KeyboardInterrupt):
            with interrupts.held():
                ctrl_c()
                ctrl_c()
                done.append('not reached')
        self.assertEqual([], done)
        self.assertIs(signal.default_int_handler,
                      signal.getsignal(signal.SIGINT))

    def test_without_ctrl_c_nothing_changes(self):
        with interrupts.held():
            value = 'made'
        self.assertEqual('made', value)
        self.assertIs(signal.default_int_handler,
                      signal.getsignal(signal.SIGINT))

    def test_the_block_s_own_error_goes_on(self):
        with testtools.ExpectedException(ValueError):
            with interrupts.held():
                ctrl_c()
                raise ValueError('Cinder refused it')

    def test_an_ignored_ctrl_c_stays_ignored(self):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        with interrupts.held():
            ctrl_c()
        self.assertIs(signal.SIG_IGN, signal.getsignal(signal.SIGINT))
