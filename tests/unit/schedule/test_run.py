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

"""``rc snapshot schedule run`` over a fake cloud: two volume-backed
servers with a policy, node-0 and node-1, each with one older snapshot;
the window claims in a Glance that refuses a claimed ID with 409; the
results in the servers' metadata; output and exact requests."""

import json

import fixtures

from rcsnap_osc.cloud import claims
from rcsnap_osc.core import origin
from rcsnap_osc.schedule import plan
from rcsnap_osc.schedule import window as windows
from tests.unit import base
from tests.unit.create import base as create_base
from tests.unit.create import test_keep
from tests.unit import fakes
from tests.unit.retention import test_claims
from tests.unit.retention import test_prune
from tests.unit.usage import test_usage

IDS, NEW_IDS = test_keep.IDS, test_keep.NEW_IDS
NEW_SNAPS, VOLUME_IDS = test_keep.NEW_SNAPS, test_keep.VOLUME_IDS
IMAGES, SNAPS = create_base.IMAGES, create_base.SNAPS
SERVERS = create_base.SERVERS
snap, vsid, image_id = test_prune.snap, test_prune.vsid, test_prune.image_id

NOW = '2026-11-30T03:30:00Z'
WINDOW = '20261130T0300Z'
POLICY = 'every=1d;at=03:00;keep=1'


def window_claim(n):
    return windows.window_claim(type('S', (), {'id': IDS[n], 'name': ''}),
                                plan.parse_stamp(WINDOW))


class FakeMetadata:
    """Nova's server metadata: GET answers it, POST merges into it and
    answers the whole (as Nova's "Create or Update Metadata Items")."""

    def __init__(self, requests, bodies):
        self.bodies = {b['id']: b for b in bodies}
        for body in bodies:
            url = '%s/%s/metadata' % (SERVERS, body['id'])
            requests.get(url, json=self.get)
            requests.post(url, json=self.post)
        self.fresh = {}

    def body(self, request):
        return self.bodies[request.path.split('/')[-2]]

    def get(self, request, context):
        body = self.body(request)
        return {'metadata': self.fresh.get(body['id'], body['metadata'])}

    def post(self, request, context):
        body = self.body(request)
        body['metadata'].update(request.json()['metadata'])
        return {'metadata': body['metadata']}


class RunTest(create_base.CreateTest):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.EnvironmentVariable(
            'RCSNAP_SCHEDULE_NOW', NOW))
        self.useFixture(fixtures.MockPatchObject(claims, 'now', lambda: (
            claims.parse(NOW))))
        bodies, volumes, listed, snaps = [], [], [], []
        for n in range(2):
            body = fakes.server(IDS[n], 'node-%d' % n)
            body['metadata'] = {plan.POLICY_KEY: POLICY}
            body['os-extended-volumes:volumes_attached'] = [
                {'id': VOLUME_IDS[n], 'delete_on_termination': False}]
            bodies.append(body)
            volumes.append(create_base.attached_volume(VOLUME_IDS[n],
                                                       IDS[n]))
            self.requests.get('%s/%s' % (create_base.VOLUMES, VOLUME_IDS[n]),
                              json={'volume': volumes[-1]})
            made = fakes.volume_backed_image(
                NEW_IDS[n], 'node-%d-%s' % (n, WINDOW),
                entries=[fakes.root_entry(NEW_SNAPS[n])],
                **{origin.SERVER_PROPERTY: IDS[n],
                   plan.WINDOW_PROPERTY: WINDOW})
            fakes.register_image(self.requests, made)
            new_snap = fakes.volume_snapshot(NEW_SNAPS[n], size=1,
                                             volume_id=VOLUME_IDS[n])
            fakes.register_volume_snapshot(self.requests, new_snap)
            listed += [made, snap(n + 1, **{origin.SERVER_PROPERTY: IDS[n]})]
            snaps += [new_snap, fakes.volume_snapshot(
                vsid(n + 1), size=1, volume_id=None)]
            fakes.register_delete_image(self.requests, image_id(n + 1))
            fakes.register_delete_volume_snapshot(self.requests, vsid(n + 1))
            fakes.register_volume_snapshot_states(self.requests, vsid(n + 1),
                                                  None)
        fakes.register_volume_list(self.requests, volumes)
        fakes.register_image_list(self.requests, listed, '?visibility=all')
        fakes.register_image_list(self.requests, [],
                                  '?visibility=all&os_hidden=true')
        # No snapshot of the window yet (one a run cut short made counts).
        fakes.register_image_list(self.requests, [], '?%s=%s' % (
            plan.WINDOW_PROPERTY, WINDOW))
        self.requests.get('%s/detail' % SNAPS, [
            {'json': {'snapshots': snaps}},
            {'json': {'snapshots': [snaps[0], snaps[2]]}}])
        self.bodies = bodies
        self.claims = fakes.FakeClaims(self.requests)
        self.metadata = FakeMetadata(self.requests, bodies)

    def run_schedule(self, *extra, code=0, **nova):
        self.fake = create_base.FakeNova(
            self, self.bodies, images=dict(zip(IDS, NEW_IDS)), **nova)
        self.metadata = FakeMetadata(self.requests, self.bodies)
        got, out, err = self.run_cli('rc', 'snapshot', 'schedule', 'run',
                                     *extra, '-f', 'json')
        self.assertEqual(code, got, err)
        return json.loads(out), err.strip().splitlines()

    def last(self, n):
        return plan.parse_last(self.bodies[n]['metadata'].get(plan.LAST_KEY))


class TestRun(RunTest):

    def test_due_servers_snapshotted_pruned_and_recorded(self):
        rows, lines = self.run_schedule()
        self.assertEqual([
            {'Server': 'node-%d' % n, 'Due': True, 'Window': WINDOW,
             'Snapshot': NEW_IDS[n], 'Pruned': [image_id(n + 1)],
             'Result': 'made'} for n in range(2)], rows)
        for n in range(2):
            self.assertEqual({
                'result': 'ok', 'window': WINDOW, 'at': '20261130T033000Z',
                'made': WINDOW, 'image': NEW_IDS[n], 'pruned': '1'},
                self.last(n))
        # Each snapshot records its window, and is named after it.
        actions = [b['createImage'] for b in self.action_bodies()]
        self.assertEqual(sorted('node-%d-%s' % (n, WINDOW)
                                for n in range(2)),
                         sorted(a['name'] for a in actions))
        self.assertEqual({WINDOW}, {a['metadata'][plan.WINDOW_PROPERTY]
                                    for a in actions})
        # The window claims end with the run: deleted, their IDs refused.
        self.assertEqual({}, {k: v for k, v in self.claims.images.items()
                              if 'schedule' in v[claims.KEY]})
        for n in range(2):
            self.assertIn(window_claim(n).image_id(0), self.claims.ever)

    def test_listings_are_constant_in_the_number_of_servers(self):
        self.run_schedule()
        calls = self.calls()
        # One server listing; the images, volume snapshots and volumes
        # listed once for the pruning (the volumes once more: the
        # verdicts; binning waits for nothing).
        self.assertEqual(1, calls.count('GET %s/detail' % SERVERS))
        self.assertEqual([1, 1, 1, 2], [calls.count(listing)
                                        for listing in test_usage.LISTINGS])
        retention = [test_prune.claim_calls(i) for i in IDS]
        self.assertEqual(sorted(
            ['POST ' + IMAGES] * 4 +
            ['POST %s/%s/action' % (SERVERS, i) for i in IDS] +
            ['PATCH %s/%s' % (IMAGES, image_id(n)) for n in (1, 2)] +
            ['POST %s/%s/actions/deactivate' % (IMAGES, image_id(n))
             for n in (1, 2)] +
            ['POST %s/%s/metadata' % (SNAPS, vsid(n)) for n in (1, 2)] +
            [r[1][0] for r in retention] +
            ['POST %s/%s/metadata' % (SERVERS, i) for i in IDS] +
            ['DELETE %s/%s' % (IMAGES, window_claim(n).image_id(0))
             for n in range(2)]), sorted(self.writes()))
        # Per server: its window claim (made at once: its key is new),
        # its metadata read again under the claim.
        for n in range(2):
            self.assertEqual(0, calls.count(
                'GET %s?name=%s&os_hidden=true' % (IMAGES,
                                                   window_claim(n).name)))
            self.assertEqual(1, calls.count('GET %s/%s/metadata' % (
                SERVERS, IDS[n])))

    def test_a_second_run_in_the_window_makes_nothing(self):
        self.run_schedule()
        before = len(self.calls())
        rows, lines = self.run_schedule()
        self.assertEqual([(False, 'not due', '')] * 2,
                         [(r['Due'], r['Result'], r['Snapshot'])
                          for r in rows])
        self.assertEqual(['GET %s/detail' % SERVERS], self.calls()[before:])

    def test_dry_run_lists_the_servers_only(self):
        rows, lines = self.run_schedule('--dry-run')
        self.assertEqual(['would snapshot'] * 2,
                         [r['Result'] for r in rows])
        self.assertEqual(['GET %s/detail' % SERVERS], self.calls())

    def test_a_claim_409_means_another_run_takes_the_window(self):
        held = window_claim(1)
        body = test_claims.claim_body()
        body.update(id=held.image_id(0), name=held.name,
                    **{claims.KEY: held.key})
        self.claims.hold(body)
        rows, lines = self.run_schedule()
        self.assertEqual('made', rows[0]['Result'])
        self.assertEqual(
            'skipped (another run is taking this window (%s))' %
            test_claims.HOLDER, rows[1]['Result'])
        self.assertEqual('', rows[1]['Snapshot'])
        self.assertNotIn(('node-1', 'createImage'), self.fake.actions)
        self.assertEqual({}, self.last(1))
        # The other run's claim is left alone.
        self.assertIn(held.image_id(0), self.claims.images)

    def test_a_window_made_meanwhile_is_left_alone(self):
        self.metadata.fresh = {}
        self.fake = None
        made = plan.LastRun('ok', plan.parse_stamp(WINDOW),
                            plan.parse_stamp(WINDOW), WINDOW, 'other').value()
        original = FakeMetadata.get

        def get(meta, request, context):
            if IDS[1] in request.path:
                return {'metadata': {plan.POLICY_KEY: POLICY,
                                     plan.LAST_KEY: made}}
            return original(meta, request, context)

        self.useFixture(fixtures.MockPatchObject(FakeMetadata, 'get', get))
        # The other run's claim of the window is gone (deleted when it
        # ended): its ID is refused, the next generation is ours.
        self.claims.ever.add(window_claim(1).image_id(0))
        rows, lines = self.run_schedule()
        self.assertEqual(['made', 'not due (made by another run)'],
                         [r['Result'] for r in rows])
        self.assertIn(window_claim(1).image_id(1), self.claims.ever)
        self.assertNotIn(window_claim(1).image_id(1), self.claims.images)
        self.assertNotIn(('node-1', 'createImage'), self.fake.actions)
        self.assertNotIn('POST %s/%s/metadata' % (SERVERS, IDS[1]),
                         self.writes())

    def test_a_failed_server_is_recorded_and_the_run_exits_1(self):
        refusal = ("Cannot 'createImage' instance %s while it is in "
                   "task_state image_snapshot" % IDS[1])
        rows, lines = self.run_schedule(code=1, create={IDS[1]: (
            409, fakes.nova_error('conflictingRequest', 409, refusal))})
        self.assertEqual('made', rows[0]['Result'])
        self.assertTrue(rows[1]['Result'].startswith('failed ('), rows[1])
        self.assertIn(refusal, rows[1]['Result'])
        last = self.last(1)
        self.assertEqual(('failed', WINDOW), (last['result'],
                                              last['window']))
        self.assertNotIn('made', last)
        self.assertIn(refusal, last['error'])
        self.assertEqual('1 of 2 servers failed: node-1', lines[-1])

    def test_a_bad_policy_is_one_failed_row(self):
        self.bodies[1]['metadata'][plan.POLICY_KEY] = 'every=1d;kep=2'
        rows, lines = self.run_schedule(code=1)
        self.assertEqual(
            "failed (Bad rcsnap:schedule value 'every=1d;kep=2': unknown "
            "item 'kep' (known: every, at, keep, daily, weekly, monthly, "
            "within, archive, verify, lock, bin, stop, quiesce).)",
            rows[1]['Result'])
        self.assertEqual('made', rows[0]['Result'])
        self.assertEqual({}, self.last(1))

    def test_named_server_without_policy(self):
        del self.bodies[1]['metadata'][plan.POLICY_KEY]
        rows, lines = self.run_schedule('--server', 'node-1')
        self.assertEqual([{'Server': 'node-1', 'Due': False, 'Window': '',
                           'Snapshot': '', 'Pruned': [],
                           'Result': 'skipped (no schedule)'}], rows)
        self.assertEqual(['GET %s/detail' % SERVERS], self.calls())

    def test_a_clock_later_than_now_is_refused(self):
        self.useFixture(fixtures.EnvironmentVariable(
            'RCSNAP_SCHEDULE_NOW', '2999-01-01T00:00:00Z'))
        self.assertFails('RCSNAP_SCHEDULE_NOW=2999-01-01T00:00:00Z is later '
                         'than now.', 'rc', 'snapshot', 'schedule', 'run')


class TestRunRecordsWrites(RunTest):

    def test_the_result_is_written_before_the_claim_ends(self):
        self.run_schedule()
        writes = self.writes()
        for n in range(2):
            self.assertLess(
                writes.index('POST %s/%s/metadata' % (SERVERS, IDS[n])),
                writes.index('DELETE %s/%s' % (
                    IMAGES, window_claim(n).image_id(0))))
        posted = [json.loads(r.body) for r in self.requests.request_history
                  if r.method == 'POST' and r.url.endswith('/metadata')
                  and r.url.startswith(SERVERS)]
        self.assertEqual([[plan.LAST_KEY]] * 2,
                         [list(p['metadata']) for p in posted])
        self.assertEqual(base.PROJECT_ID, self.bodies[0]['tenant_id'])
