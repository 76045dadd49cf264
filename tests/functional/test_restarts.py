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

"""A service restarting in the middle of a long command: its reads are
retried, so the command finishes. Only on the local cloud, which can
restart one of its services (``tools/localcloud/localcloud restart``);
these tests run alone, after the others (``tools/run-tests``), since a
restart would upset tests running beside them."""

import subprocess
import uuid

from tests.functional import base

#: Seconds the restarted service stays down: within what the retries of a
#: read cover (about 7.5 s of waiting in all).
DOWN = '1'


class TestServiceRestart(base.FunctionalTest):

    def setUp(self):
        super().setUp()
        if base.local_state() is None:
            self.skipTest('needs the local cloud, which can restart a '
                          'service')

    def restart_during(self, service, when, *args):
        """Run ``openstack *args``; once a stderr line starts with ``when``,
        restart
        ``service``. Returns (exit code, stdout, stderr, restarted)."""
        argv = [base.openstack_bin(), '--os-cloud', base.CLOUD, *args]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                stdin=subprocess.DEVNULL)
        seen, restarted = [], False
        for line in proc.stderr:
            seen.append(line)
            if line.startswith(when):
                base.localcloud('restart', service, DOWN)
                restarted = True
                break
        out, err = proc.communicate(timeout=base.TIMEOUT + 120)
        return proc.returncode, out, ''.join(seen) + err, restarted

    def test_create_wait_survives_a_glance_restart(self):
        # Image-backed: the wait polls Glance while Nova uploads the disk
        # (Nova retries its own Glance calls; gunicorn lets a request in
        # flight finish before it stops).
        server = self.create_image_backed_server()
        name = '%s-snap-%s' % (self.prefix, uuid.uuid4().hex[:4])
        code, out, err, restarted = self.restart_during(
            'glance-api', 'Snapshot ', 'rc', 'snapshot', 'create',
            server['id'], '--name', name, '--wait', '--timeout',
            str(base.TIMEOUT), '-f', 'json')
        snap = base.json.loads(out) if out.strip() else None
        if snap:
            self.later(self.delete_snapshot_image, snap)
        self.assertEqual(0, code, err)
        self.assertTrue(restarted, err)
        self.assertEqual('active', snap['status'])

    def test_share_copy_survives_a_cinder_restart(self):
        # Restarted while Cinder uploads the temporary volume to Glance
        # (cinder-volume does that, not the API): the command's next
        # Cinder request is a read.
        server = self.create_server(volume_size=1)
        snap = self.snapshot_server(server)
        beta = base.run('token', 'issue', cloud=base.OTHER_CLOUD)[
            'project_id']
        name = '%s-copy' % self.prefix
        code, out, err, restarted = self.restart_during(
            'cinder-api', 'Uploading volume', 'rc', 'snapshot',
            'share', snap['id'], '--copy', '--name', name, '--project',
            beta, '--timeout', str(base.TIMEOUT), '-f', 'json')
        shared = base.json.loads(out) if out.strip() else None
        if shared:
            self.later(self.delete_image, shared['id'])
        self.assertEqual(0, code, err)
        self.assertTrue(restarted, err)
        self.assertEqual('shared', shared['visibility'])
        self.assertEqual([beta], [m['project_id']
                                  for m in shared['members']])
