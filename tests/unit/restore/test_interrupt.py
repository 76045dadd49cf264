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

"""Ctrl-C at each step of a replacement puts the old server back: before
a request is answered (Nova or Neutron may have done it, or not) and
while a step is waited for."""

from tests.unit.restore import base
from tests.unit.restore import data
from tests.unit.restore import test_rollback

REPLACEMENT = test_rollback.REPLACEMENT


class TestCtrlC(test_rollback.RollbackTest):

    def interrupted(self):
        code, out, err = self.restore('--yes')
        self.assertEqual(130, code, err)
        self.assertEqual('', out)
        self.assertNotIn('Warning', err)
        self.assertPutBack()
        return err

    def at(self, index, done):
        """Ctrl-C at the ``index``-th write of a replacement, once the
        service did it (``done``) or before it got it."""
        fake = self.cloud()
        method, url = REPLACEMENT[index].split()
        fake.fail(method, url, *[None] * REPLACEMENT[:index].count(
            REPLACEMENT[index]))
        handler = fake.handler(method, url)

        def interrupt(request, context):
            if done:
                handler(request, context)
            raise KeyboardInterrupt
        fake.fail(method, url, interrupt)
        self.interrupted()

    def test_while_stopping(self):
        self.cloud().fail('GET', base.SERVER, None, KeyboardInterrupt)
        self.interrupted()

    def test_while_detaching(self):
        self.cloud().fail('GET', base.USER_PORT, KeyboardInterrupt)
        self.interrupted()

    def test_while_building(self):
        self.cloud().fail('GET', base.NEW, None, KeyboardInterrupt)
        err = self.interrupted()
        self.assertEqual(REPLACEMENT[:7] + test_rollback.DELETE_NEW
                         + test_rollback.UNDO, self.writes())
        self.assertEqual(test_rollback.UNDO_BODIES,
                         [b for _, b in self.undo_bodies()])
        # Nothing was left: no warning, only the waits of the rollback.
        self.assertEqual([
            'Stopping server analysis-vm (%s)' % data.SERVER_ID,
            'Server %s (until SHUTOFF): ACTIVE (0 s)' % data.SERVER_ID,
            'Creating server analysis-vm',
            'Server %s (until ACTIVE): BUILD (0 s)' % data.NEW_SERVER_ID,
            'The restore failed: putting server analysis-vm (%s) back as '
            'it was.' % data.SERVER_ID,
            'Server %s (until ACTIVE): SHUTOFF (0 s)' % data.SERVER_ID],
            err.splitlines())

    def test_new_server_ports(self):
        self.cloud().fail('GET', '%s/ports' % base.NEUTRON, None,
                          KeyboardInterrupt)
        self.interrupted()


def _step_test(index, done):
    def test(self):
        self.at(index, done)
    test.__doc__ = 'Ctrl-C at %s, %s' % (
        REPLACEMENT[index], 'once done' if done else 'before it is done')
    return test


# The POST /servers once done too: the server Nova made is found by its
# name and lineage (its answer, with its ID, never came). The writes
# after the floating IPs moved come once the new server is handed over.
for _index in range(REPLACEMENT.index('PUT %s' % base.FIP, 3) + 1):
    for _done in (False, True):
        setattr(TestCtrlC, 'test_write_%d_%s' % (
            _index, 'done' if _done else 'not_done'),
            _step_test(_index, _done))
