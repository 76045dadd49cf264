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

"""The second local cloud refuses to start, at once and naming who holds
it, where one of its ports is taken; it leaves nothing behind. The first
cloud is not touched: the second one's state goes to a new directory."""

import os
import socket
import subprocess
import sys
import tempfile
import time

import testtools

from tests.functional import base


class TestSecondCloudPorts(testtools.TestCase):

    def test_a_taken_port_is_refused_in_under_5_s(self):
        holder = socket.socket()
        self.addCleanup(holder.close)
        holder.bind(('127.0.0.1', 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        state = os.path.join(tempfile.mkdtemp(), 'second')
        self.addCleanup(os.rmdir, os.path.dirname(state))
        env = dict(os.environ, LOCALCLOUD_SECOND_DIR=state,
                   LOCALCLOUD_SECOND_GLANCE_PORT=str(port))
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, base.LOCALCLOUD, '--second', 'start'], env=env,
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=60)
        took = time.monotonic() - started
        self.assertEqual(1, done.returncode, done.stdout + done.stderr)
        self.assertLess(took, 5.0)
        self.assertIn(
            'port 127.0.0.1:%d (glance) is in use by pid %d (' % (
                port, os.getpid()), done.stdout)
        self.assertIn('move it with LOCALCLOUD_SECOND_GLANCE_PORT=<free '
                      'port>', done.stdout)
        self.assertIn('nothing was started', done.stdout)
        self.assertEqual('', done.stderr)  # no unrelated log tail
        self.assertFalse(os.path.exists(state))
