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

"""A ``schedule run`` killed while it holds its window claim leaves the
claim behind: ``orphans`` does not list it while it may still be held,
lists it once expired, and ``delete --orphans`` deletes it outright.

The run is killed for real (SIGKILL, the moment its claim image appears
in Glance: it then waits for its snapshot, so the claim is held). The
claim expires hours later (the longest a run may wait); the hours are
not waited: its expiry is written back to a minute ago, as the clock of
a later run reads it.
"""

import datetime
import os
import signal
import subprocess
import time

from openstack import exceptions as sdk_exc

from tests.functional import base

EXPIRES = 'rcsnap:claim_expires_at'


class TestDeadClaims(base.FunctionalTest):

    def server(self):
        image = base.connection().image.find_image(base.IMAGE,
                                                   ignore_missing=False)
        return self.boot('%s-ivm' % self.prefix,
                         self.flavor_for_image(image.id), image_id=image.id)

    def window_claims(self, conn, server_id):
        return [i for i in conn.image.get(
            '/images', params={'os_hidden': 'true'}).json()['images']
            if (i.get('name') or '').startswith(
                'rcsnap-lock-%s-' % server_id)]

    def kill_when_claimed(self, server_id):
        """Start ``schedule run`` of the server; SIGKILL it the moment its
        window claim is in Glance: the claim image."""
        conn = base.connection()
        proc = subprocess.Popen(
            [base.openstack_bin(), '--os-cloud', base.CLOUD, 'rc',
             'snapshot', 'schedule', 'run', '--server', server_id, '-f',
             'json'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + base.TIMEOUT
        try:
            while time.monotonic() < deadline and proc.poll() is None:
                found = self.window_claims(conn, server_id)
                if found:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait()
                    return proc, found[0]
                time.sleep(0.1)
        finally:
            if proc.poll() is None:
                proc.kill()
            _out, err = proc.communicate()
        self.fail('schedule run ended (%s) before its claim was seen: %s'
                  % (proc.returncode, err))

    def test_killed_run_leaves_a_claim_orphans_lists_and_deletes(self):
        server = self.server()
        self.rc('schedule', 'set', server['id'], '--every', '1d',
                '--keep-daily', '1')
        proc, claim = self.kill_when_claimed(server['id'])
        self.later(self.delete_image, claim['id'])
        self.assertEqual(-signal.SIGKILL, proc.returncode)
        self.assertEqual(str(proc.pid), claim['rcsnap:claim_pid'])

        # Held until it expires: not an orphan, never deleted.
        conn = base.connection()
        self.assertNotIn(claim['id'], [r['ID'] for r in self.rc('orphans')])

        # Hours later, as a later run's clock reads it.
        past = (datetime.datetime.now(datetime.timezone.utc) -
                datetime.timedelta(minutes=1)).strftime('%Y-%m-%dT%H:%M:%SZ')
        response = conn.image.patch(
            '/images/%s' % claim['id'],
            json=[{'op': 'replace', 'path': '/' + EXPIRES, 'value': past}],
            headers={'Content-Type':
                     'application/openstack-images-v2.1-json-patch'})
        sdk_exc.raise_from_response(response)

        listed = {r['ID']: r for r in self.rc('orphans')}
        self.assertIn(claim['id'], listed)
        self.assertEqual(claim['name'], listed[claim['id']]['Name'])
        self.assertEqual(0, listed[claim['id']]['Size GiB'])
        reason = listed[claim['id']]['Reason']
        self.assertTrue(reason.startswith(
            'claim of a dead run: the window '), reason)
        self.assertIn('of server %s, expired at %s' % (server['id'], past),
                      reason)

        # Orphaned volume snapshots of other runs are kept by the
        # --min-age: this run deletes dead claims and bins nothing.
        rows = {r['Resource']: r for r in self.rc(
            'delete', '--orphans', '--min-age', '100000000')}
        self.assertEqual(('claim', 'deleted (a claim of a dead run holds '
                          'no data: deleted, not binned)'),
                         (rows[claim['id']]['Kind'],
                          rows[claim['id']]['Result']))
        self.assertRaises(sdk_exc.NotFoundException,
                          conn.image.get_image, claim['id'])
        self.assertNotIn(claim['id'], [r['ID'] for r in self.rc('orphans')])
