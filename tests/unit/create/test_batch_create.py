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

"""``rc snapshot batch create`` over HTTP fakes, and the consistency
field of ``rc snapshot show``: output and requests."""

import io
import json

import fixtures

from tests.unit import base
from tests.unit.create import base as create_base
from tests.unit import fakes

SERVERS = create_base.SERVERS
VOLUMES = create_base.VOLUMES
QUOTA = 'GET ' + fakes.QUOTA_URL

IDS = ['9d4c6a2e-3b1f-4c8e-a5d7-1e2f3a4b5c6%d' % n for n in range(3)]
IMAGE_IDS = ['c2a7e3f1-5b6d-4e8a-9c0b-1d2e3f4a5b6%d' % n for n in range(3)]
SNAP_IDS = ['a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5%d' % n for n in range(3)]
VOLUME_IDS = ['d4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f7%d' % n for n in range(3)]


class TestBatch(create_base.CreateTest):
    """``rc snapshot batch create``: several servers together."""

    def three(self, status='ACTIVE', **kwargs):
        bodies, volumes = [], []
        for n in range(3):
            body = fakes.server(IDS[n], 'node-%d' % n, status)
            body['os-extended-volumes:volumes_attached'] = [
                {'id': VOLUME_IDS[n], 'delete_on_termination': False}]
            bodies.append(body)
            volumes.append(create_base.attached_volume(
                VOLUME_IDS[n], IDS[n], metadata={
                    'hw_qemu_guest_agent': 'yes' if n == 0 else 'no'}))
            fakes.register_image(self.requests, fakes.volume_backed_image(
                IMAGE_IDS[n], 'node-%d-x' % n,
                entries=[fakes.root_entry(SNAP_IDS[n])]))
            fakes.register_volume_snapshot(self.requests,
                                           fakes.volume_snapshot(
                                               SNAP_IDS[n], size=n + 1))
        fakes.register_volume_list(self.requests, volumes)
        for volume in volumes:  # one server: its volumes by ID
            self.requests.get('%s/%s' % (VOLUMES, volume['id']),
                              json={'volume': volume})
        self.fake = create_base.FakeNova(
            self, bodies, images=dict(zip(IDS, IMAGE_IDS)), **kwargs)

    def batch(self, *args):
        code, out, err = self.run_cli('rc', 'snapshot', 'batch', 'create',
                                      *args, '-f', 'json')
        return code, json.loads(out) if out.strip() else None, err

    def test_three_servers_one_listing_requests_together(self):
        self.three()
        code, rows, err = self.batch('node-0', 'node-1', IDS[2], '--name',
                                     '{server}-before-upgrade', '--wait')
        self.assertEqual(0, code, err)
        self.assertEqual([
            {'Server': 'node-%d' % n, 'Snapshot ID': IMAGE_IDS[n],
             'Name': 'node-%d-before-upgrade' % n, 'Type': 'volume-backed',
             'Size GiB': n + 1, 'Status': 'active',
             'Consistency': 'quiesced' if n == 0 else 'crash-consistent'}
            for n in range(3)], rows)
        calls = self.calls()
        # One listing finds the servers, one listing their root volumes.
        self.assertEqual(['GET %s/detail' % SERVERS], calls[:1])
        self.assertEqual({'GET %s/detail?limit=1000' % VOLUMES, QUOTA},
                         set(calls[1:3]))
        posts = [c for c in calls if c.startswith('POST')]
        self.assertEqual(3, len(posts))
        # Each server: its createImage, one image GET, one volume
        # snapshot GET; nothing per server before that.
        self.assertEqual(3 + 3 * 3, len(calls))
        self.assertEqual(
            sorted(['node-%d-before-upgrade' % n for n in range(3)]),
            sorted(b['createImage']['name'] for b in self.action_bodies()))
        self.assertIn('Server node-0: file systems frozen by the guest '
                      'agent.', err)

    def test_one_failing_does_not_stop_the_others(self):
        self.three(create={IDS[1]: (409, fakes.nova_error(
            'conflictingRequest', 409, "Cannot 'createImage' instance %s "
            "while it is in task_state image_snapshot" % IDS[1]))})
        code, rows, err = self.batch(*IDS, '--wait')
        self.assertEqual(1, code, err)
        self.assertEqual(['active', 'failed (Cannot snapshot server node-1 '
                          "now: Cannot 'createImage' instance %s while it "
                          'is in task_state image_snapshot)' % IDS[1],
                          'active'], [r['Status'] for r in rows])
        self.assertEqual('', rows[1]['Snapshot ID'])
        self.assertEqual(IMAGE_IDS[2], rows[2]['Snapshot ID'])
        self.assertEqual('1 of 3 servers were not snapshotted: node-1',
                         err.strip().splitlines()[-1])

    def test_stop_all_started_again_one_failing(self):
        self.three(create={IDS[2]: (403, fakes.nova_error(
            'forbidden', 403, "Quota exceeded for resources: "
            "['snapshots']."))})
        code, rows, err = self.batch(*IDS, '--stop')
        self.assertEqual(1, code, err)
        self.assertEqual(['stopped'] * 3, [r['Consistency'] for r in rows])
        self.assertEqual(['active', 'active'],
                         [r['Status'] for r in rows[:2]])
        self.assertIn('Quota exceeded', rows[2]['Status'])
        self.assertIn('Server node-2 was started again', rows[2]['Status'])
        self.assertEqual(['ACTIVE'] * 3,
                         [b['status'] for b in self.fake.bodies.values()])
        for n in range(2):
            self.assertIsInstance(rows[n]['Down'], int)
        for n in range(3):  # each in its own thread, in this order
            self.assertEqual(['os-stop', 'createImage', 'os-start'], [
                a for name, a in self.fake.actions if name == 'node-%d' % n])

    def test_default_name_server_and_utc_time(self):
        self.three()
        code, rows, err = self.batch(IDS[0])
        self.assertEqual(0, code, err)
        self.assertRegex(rows[0]['Name'], r'^node-0-\d{8}T\d{6}Z$')
        self.assertEqual(1, len(rows))
        self.assertEqual(['GET %s/detail' % SERVERS], self.calls()[:1])
        self.assertEqual({'GET %s/%s' % (VOLUMES, VOLUME_IDS[0]), QUOTA},
                         set(self.calls()[1:3]))

    def test_all_dry_run_lists_without_writing(self):
        self.three()
        code, rows, err = self.batch('--all', '--dry-run')
        self.assertEqual(0, code, err)
        self.assertEqual(['node-0', 'node-1', 'node-2'],
                         [r['Server'] for r in rows])
        self.assertEqual(['would snapshot'] * 3, [r['Status'] for r in rows])
        self.assertEqual([], self.writes())
        self.assertCalls(['GET %s/detail' % SERVERS,
                          {'GET %s/detail?limit=1000' % VOLUMES, QUOTA}])

    def test_all_off_a_terminal_needs_yes(self):
        self.three()
        self.assertFails('--all snapshots every server of the project: add '
                         '--yes to confirm.',
                         'rc', 'snapshot', 'batch', 'create', '--all')
        self.assertEqual([], self.calls())

    def test_all_yes(self):
        self.three()
        code, rows, err = self.batch('--all', '--yes')
        self.assertEqual(0, code, err)
        self.assertEqual(3, len(self.action_bodies()))

    def on_a_terminal(self, answer):
        terminal = io.StringIO(answer)
        terminal.isatty = lambda: True
        self.useFixture(fixtures.MonkeyPatch('sys.stdin', terminal))

    def test_all_on_a_terminal_asks(self):
        self.three()
        self.on_a_terminal('y\n')
        code, rows, err = self.batch('--all')
        self.assertEqual(0, code, err)
        self.assertIn('Snapshot all 3 servers of the project (node-0, '
                      'node-1, node-2)? [y/N] ', err)
        self.assertEqual(3, len(self.action_bodies()))

    def test_all_on_a_terminal_no(self):
        self.three()
        self.on_a_terminal('\n')
        code, rows, err = self.batch('--all')
        self.assertEqual(1, code, err)
        self.assertIn('Nothing was done.', err.strip().splitlines()[-1])
        self.assertEqual([], self.writes())

    def test_require_quiesce_refuses_per_server(self):
        self.three()
        code, rows, err = self.batch(*IDS, '--require-quiesce')
        self.assertEqual(1, code, err)
        self.assertEqual(1, len(self.action_bodies()))
        self.assertEqual(IMAGE_IDS[0], rows[0]['Snapshot ID'])
        self.assertIn('(refused: --require-quiesce)', rows[1]['Status'])

    def test_bad_input_refused_before_any_request(self):
        self.three()
        for args, expected in (
                ((), 'Name the servers to snapshot, or give --all'),
                (('node-0', '--all'), 'Name the servers to snapshot'),):
            self.assertFails(expected, 'rc', 'snapshot', 'batch', 'create',
                             *args)
        self.assertEqual([], self.calls())
        for args, expected in (
                (('node-0', 'node-1', '--name', 'same'),
                 '--name same gives several snapshots the same name: put '
                 '{id} in it, or {server} if the servers have different '
                 'names.'),
                (('node-0', '--name', '{host}'),
                 '--name {host}: only {server}, {id} and {date} can be '
                 'filled in'),
                (('ghost',), "No server with a name or ID of 'ghost' "
                             "exists.")):
            self.assertFails(expected, 'rc', 'snapshot', 'batch', 'create',
                             *args)
        self.assertEqual([], self.writes())

    def test_quota_servers_past_the_quota_refused_the_others_made(self):
        self.three()
        body = fakes.quota_set(snapshots=(8, 10))
        fakes.register_quota(self.requests, body)
        fakes.register_listed_use(self.requests, body, volumes=False)
        code, rows, err = self.batch(*IDS, '--wait')
        self.assertEqual(1, code, err)
        self.assertEqual(['active', 'active'], [r['Status'] for r in rows[:2]])
        self.assertTrue(rows[2]['Status'].startswith(
            "failed (Cinder quota 'snapshots' is at 10 of 10: a snapshot of "
            "server node-2 needs 1 volume snapshots, 10 GiB;"),
            rows[2]['Status'])
        self.assertEqual([('node-0', 'createImage'),
                          ('node-1', 'createImage')],
                         sorted(self.fake.actions))
        self.assertIn('1 of 3 servers were not snapshotted: node-2',
                      err.strip().splitlines()[-1])
        self.assertEqual(1, self.calls().count(QUOTA))

    def test_quota_servers_refused_otherwise_take_no_room(self):
        self.three()
        fakes.register_quota(self.requests, fakes.quota_set(
            snapshots=(9, 10)))
        code, rows, err = self.batch(IDS[1], IDS[0], '--require-quiesce',
                                     '--dry-run')
        self.assertEqual(0, code, err)
        self.assertIn('refused: --require-quiesce', rows[0]['Status'])
        self.assertEqual('would snapshot', rows[1]['Status'])

    def test_quota_dry_run_says_which_would_be_refused(self):
        self.three()
        body = fakes.quota_set(snapshots=(9, 10))
        fakes.register_quota(self.requests, body)
        fakes.register_listed_use(self.requests, body, volumes=False)
        code, rows, err = self.batch(*IDS, '--dry-run')
        self.assertEqual(0, code, err)
        self.assertEqual('would snapshot', rows[0]['Status'])
        self.assertTrue(rows[1]['Status'].startswith(
            "would be refused (Cinder quota 'snapshots' is at 10 of 10: "))
        # The volumes listed already are not listed again to recount.
        self.assertCalls(['GET %s/detail' % SERVERS,
                          {'GET %s/detail?limit=1000' % VOLUMES, QUOTA},
                          {'GET %s/detail?limit=1000' % create_base.SNAPS,
                           'GET %s?limit=1000&os_hidden=true&owner=%s' % (
                               create_base.IMAGES, base.PROJECT_ID)}])


class TestShowConsistency(base.TestCommand):

    def test_recorded_and_unknown(self):
        fakes.register_image(self.requests, fakes.image_backed_image(**{
            'rcsnap:consistency': 'stopped'}))
        data = self.run_json('rc', 'snapshot', 'show', fakes.IMAGE_ID)
        self.assertEqual('stopped', data['consistency'])
        fakes.register_image(self.requests, fakes.image_backed_image())
        data = self.run_json('rc', 'snapshot', 'show', fakes.IMAGE_ID)
        self.assertEqual('unknown', data['consistency'])


class TestBatchInterrupted(create_base.CreateTest):

    def test_ctrl_c_every_stopped_server_started_again(self):
        bodies = []
        for n in range(3):
            body = fakes.server(IDS[n], 'node-%d' % n)
            body['os-extended-volumes:volumes_attached'] = []
            bodies.append(body)
            # node-0's snapshot never gets ready; the others' neither.
            fakes.register_image(self.requests, fakes.image_backed_image(
                IMAGE_IDS[n], status='queued'))
        fake = create_base.FakeNova(self, bodies,
                                    images=dict(zip(IDS, IMAGE_IDS)))

        def interrupt(request, context):
            raise KeyboardInterrupt()
        self.requests.get('%s/%s' % (create_base.IMAGES, IMAGE_IDS[1]),
                          json=interrupt)
        code, out, err = self.run_cli('rc', 'snapshot', 'batch', 'create',
                                      *IDS, '--stop')
        self.assertEqual(130, code, err)
        for n in range(3):
            self.assertEqual(['os-stop', 'createImage', 'os-start'], [
                a for name, a in fake.actions if name == 'node-%d' % n])
        self.assertEqual(3, err.count('Interrupted: server node-'), err)
