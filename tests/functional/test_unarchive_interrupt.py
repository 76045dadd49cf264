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


"""Ctrl-C at each step of ``rc snapshot unarchive`` against a real cloud:
the snapshot is left archived (what the attempt made removed, its backups
untouched) or unarchived (its new volume snapshots kept), never without
its data; a later ``unarchive`` finishes the job."""

import signal
import subprocess
import time

from tests.functional import base
from tests.functional import test_archive

#: The metadata key that names the image on what unarchive makes.
KEY = 'rcsnap_image_id'
#: Seconds between seeing a resource and the Ctrl-C: its POST has been
#: answered, so the interrupt lands in the wait that follows the write.
SETTLE = 0.5


class TestUnarchiveInterrupted(test_archive.ArchiveTest):

    def made(self, image_id, listing, before):
        """IDs of what unarchive made for the image (its metadata names
        it) among ``listing()``, not in ``before``."""
        return {r.id for r in listing() if r.id not in before
                and (r.metadata or {}).get(KEY) == image_id}

    def interrupt_when(self, image_id, seen):
        """Run ``unarchive``; Ctrl-C (SIGINT) it once ``seen()`` is true.
        Its exit code and standard error."""
        proc = subprocess.Popen(
            [base.openstack_bin(), '--os-cloud', base.CLOUD, 'rc',
             'snapshot', 'unarchive', image_id, '--timeout',
             str(base.TIMEOUT), '-f', 'json'], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
            preexec_fn=base.default_sigint)
        deadline = time.monotonic() + base.TIMEOUT
        try:
            while proc.poll() is None and time.monotonic() < deadline:
                if seen():
                    time.sleep(SETTLE)
                    proc.send_signal(signal.SIGINT)
                    break
                time.sleep(0.1)
            _out, err = proc.communicate(timeout=base.TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        return proc.returncode, err

    def assert_archived_and_clean(self, image_id, before):
        shown = self.rc('show', image_id)
        self.assertEqual('volume-backed, archived', shown['type'])
        self.assertEqual(['available'],
                         [b['status'] for b in shown['backups']])
        block = base.connection().block_storage
        base.wait_for('what the interrupted unarchive made gone', lambda: (
            not self.made(image_id, lambda: block.volumes(details=True),
                          before) and
            not self.made(image_id, lambda: block.snapshots(details=True),
                          before)))

    def test_ctrl_c_at_each_step_leaves_it_archived_or_unarchived(self):
        snap = self.snapshot_server(self.create_server(
            1, flavor=self.flavor_for_volume(1)))
        image_id = snap['id']
        self.addCleanup(self.delete_backups, image_id)
        self.rc('archive', image_id, '--wait', '--timeout',
                str(base.TIMEOUT))
        block = base.connection().block_storage
        before = {v.id for v in block.volumes()} | {
            s.id for s in block.snapshots()}
        for step, listing in (
                ('its volume restored from the backup',
                 lambda: block.volumes(details=True)),
                ('the volume snapshot of that volume',
                 lambda: block.snapshots(details=True))):
            code, err = self.interrupt_when(image_id, lambda: self.made(
                image_id, listing, before))
            self.assertEqual(130, code, 'Ctrl-C at %s: %s' % (step, err))
            self.assertNotIn('Traceback', err)
            self.assert_archived_and_clean(image_id, before)

        # Interrupted once the image names the new volume snapshots (while
        # the backups are deleted): unarchived, its data there.
        def unarchived():
            return self.rc('show', image_id)['type'] == 'volume-backed'
        code, err = self.interrupt_when(image_id, unarchived)
        self.assertIn(code, (0, 130), err)
        self.assertNotIn('Traceback', err)
        shown = self.rc('show', image_id)
        self.assertEqual('volume-backed', shown['type'])
        self.assertEqual(['available'], [
            d['status'] for d in shown['volume_snapshots']])
        self.assertFalse(before & {d['snapshot_id']
                                   for d in shown['volume_snapshots']})

        # Its backups go (the last unarchive deleted them, or left them
        # when interrupted), then delete takes the volume snapshots and
        # the volumes they were taken of.
        self.delete_backups(image_id)
        rows = self.rc('delete', '--purge', '--yes', image_id, '--wait',
                       '--timeout', str(base.TIMEOUT))
        self.assertEqual(['deleted'] * 3, [r['Result'] for r in rows])
