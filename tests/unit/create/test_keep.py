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

"""``rc snapshot create --keep N`` and ``batch create --keep N``: once
the new snapshot is usable, the server's older ones are pruned as
``prune --keep N`` prunes them; output and requests."""

import json

import testtools

from rcsnap_osc.cloud import claims
from rcsnap_osc.core import origin
from rcsnap_osc.core import retention
from rcsnap_osc.retention import run as retaining
from tests.unit import base
from tests.unit.create import base as create_base
from tests.unit import fakes
from tests.unit.retention import test_claims
from tests.unit.retention import test_prune
from tests.unit.usage import test_usage

IMAGES = create_base.IMAGES
SNAPS = create_base.SNAPS
VOLUMES = create_base.VOLUMES
SERVER = '%s/%s' % (create_base.SERVERS, fakes.SERVER_ID)
QUOTA = 'GET ' + fakes.QUOTA_URL
snap, vsid, image_id = test_prune.snap, test_prune.vsid, test_prune.image_id

#: What create reads and writes before pruning (volume-backed server).
CREATE = ['GET ' + SERVER,
          {'GET %s/%s' % (VOLUMES, fakes.ROOT_VOLUME_ID), QUOTA},
          'POST %s/action' % SERVER,
          'GET %s/%s' % (IMAGES, fakes.IMAGE_ID),
          'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID)]
LISTINGS = set(test_usage.LISTINGS)
TAKE, RELEASE = test_prune.claim_calls()
#: create --keep: the claim is held from before the snapshot is requested.
KEEP = CREATE[:2] + TAKE + CREATE[2:]


def new_snapshot(**fields):
    """The snapshot create makes, as Glance lists it afterwards."""
    return fakes.volume_backed_image(
        name='analysis-vm', entries=[fakes.root_entry()],
        **{origin.SERVER_PROPERTY: fakes.SERVER_ID, **fields})


class TestSameSecond(testtools.TestCase):

    def test_new_snapshot_first_whatever_its_time_says(self):
        older = snap(1)
        older['created_at'] = fakes.CREATED  # the same second
        new = new_snapshot(id='00000000-0000-4000-8000-000000000000')
        ordered = origin.owned_snapshots([older, new], base.PROJECT_ID)
        self.assertEqual(older['id'], ordered[0]['id'])
        self.assertEqual([new['id'], older['id']], [
            i['id'] for i in retention.newest_first(ordered, [new['id']])])


class KeepTest(create_base.CreateTest):

    def setUp(self):
        super().setUp()
        self.fake = create_base.FakeNova(self, [fakes.server()])
        self.requests.get('%s/%s' % (VOLUMES, fakes.ROOT_VOLUME_ID),
                          json={'volume': create_base.attached_volume()})
        self.snapshot_ready(name='analysis-vm')
        self.claims = fakes.FakeClaims(self.requests)

    def cloud(self, older, gone_after_delete=True):
        """The listings after the new snapshot is made: it and ``older``
        (snapshots of test_prune.snap); the volume snapshot listing shows
        the deleted ones gone at its next call."""
        images = [new_snapshot()] + older
        fakes.register_image_list(self.requests, images, '?visibility=all')
        fakes.register_image_list(self.requests, [],
                                  '?visibility=all&os_hidden=true')
        numbers = [int(i['name'].split('-')[1]) for i in older]
        first = [fakes.volume_snapshot()] + [
            fakes.volume_snapshot(vsid(n), size=1, volume_id=None)
            for n in numbers]
        self.requests.get('%s/detail' % SNAPS, [
            {'json': {'snapshots': first}},
            {'json': {'snapshots': first[:1] if gone_after_delete
                      else first}}])
        fakes.register_volume_list(self.requests, [
            create_base.attached_volume()])
        for n in numbers:
            fakes.register_delete_image(self.requests, image_id(n))
            fakes.register_delete_volume_snapshot(self.requests, vsid(n))
            fakes.register_volume_snapshot_states(self.requests, vsid(n),
                                                  None)

    def create(self, *extra, code=0):
        got, out, err = self.run_cli('rc', 'snapshot', 'create',
                                     fakes.SERVER_ID, *extra, '-f', 'json')
        self.assertEqual(code, got, err)
        return (json.loads(out) if out.strip() else None,
                err.strip().splitlines())


def binned_writes(writes):
    """The writes that bin the older snapshots (not the claims')."""
    return [c for c in writes if '/b000' in c or '/a000' in c]


class TestCreateKeep(KeepTest):

    def test_keep_one_deletes_both_older_ones(self):
        self.cloud([snap(2), snap(1)])
        data, lines = self.create('--keep', '1')
        self.assertEqual(fakes.IMAGE_ID, data['id'])
        self.assertEqual('active', data['status'])
        self.assertEqual([image_id(2), image_id(1)], data['pruned'])
        self.assertEqual([
            'Pruning server analysis-vm: image %s (snap-2): %s'
            % (image_id(2), base.BINNED),
            'Pruning server analysis-vm: volume snapshot %s (snapshot for '
            'analysis-vm-snap): %s' % (vsid(2), base.BINNED),
            'Pruning server analysis-vm: image %s (snap-1): %s'
            % (image_id(1), base.BINNED),
            'Pruning server analysis-vm: volume snapshot %s (snapshot for '
            'analysis-vm-snap): %s' % (vsid(1), base.BINNED),
            'Pruning server analysis-vm: image %s (analysis-vm): kept (one '
            'of the newest 1)' % fakes.IMAGE_ID], lines[1:])
        # Each image, then its volume snapshot's record: nothing to wait
        # for.
        self.assertCalls(KEEP + [
            LISTINGS,
            'PATCH %s/%s' % (IMAGES, image_id(2)),
            'POST %s/%s/actions/deactivate' % (IMAGES, image_id(2)),
            'POST %s/%s/metadata' % (SNAPS, vsid(2)),
            'PATCH %s/%s' % (IMAGES, image_id(1)),
            'POST %s/%s/actions/deactivate' % (IMAGES, image_id(1)),
            'POST %s/%s/metadata' % (SNAPS, vsid(1))] + RELEASE)

    def test_keep_two_deletes_the_oldest(self):
        self.cloud([snap(2), snap(1)])
        data, lines = self.create('--keep', '2')
        self.assertEqual([image_id(1)], data['pruned'])
        self.assertCalls(KEEP + [
            LISTINGS,
            'PATCH %s/%s' % (IMAGES, image_id(1)),
            'POST %s/%s/actions/deactivate' % (IMAGES, image_id(1)),
            'POST %s/%s/metadata' % (SNAPS, vsid(1))] + RELEASE)

    def test_keep_more_than_exist_deletes_nothing(self):
        self.cloud([snap(2), snap(1)])
        data, lines = self.create('--keep', '5')
        self.assertEqual([], data['pruned'])
        self.assertEqual(3, len([line for line in lines
                                 if 'kept (one of the newest 5)' in line]))
        self.assertCalls(KEEP + [LISTINGS] + RELEASE)

    def test_keep_daily_counts_the_new_snapshot(self):
        # The new one (20 November) is the newest of its day and its week.
        self.cloud([snap(2), snap(1)])
        data, lines = self.create('--keep-daily', '2', '--keep-weekly', '1')
        self.assertEqual([image_id(1)], data['pruned'])
        self.assertEqual([
            'Pruning server analysis-vm: image %s (analysis-vm): kept (daily '
            '2026-11-20, weekly 2026-W47)' % fakes.IMAGE_ID,
            'Pruning server analysis-vm: image %s (snap-2): kept (daily '
            '2026-11-02)' % image_id(2)], lines[-2:])
        self.assertCalls(KEEP + [
            LISTINGS,
            'PATCH %s/%s' % (IMAGES, image_id(1)),
            'POST %s/%s/actions/deactivate' % (IMAGES, image_id(1)),
            'POST %s/%s/metadata' % (SNAPS, vsid(1))] + RELEASE)

    def test_keep_within_with_keep(self):
        self.cloud([snap(20), snap(2)])
        data, lines = self.create('--keep', '1', '--keep-within', '1d')
        self.assertEqual([image_id(2)], data['pruned'])
        self.assertIn('kept (one of the newest 1, within 1d)', lines[-2])
        self.assertIn('kept (within 1d)', lines[-1])

    def test_bad_keep_within_is_refused_before_anything(self):
        self.assertFails("Invalid duration '1 day'", 'rc', 'snapshot',
                         'create', fakes.SERVER_ID, '--keep-within', '1 day')
        self.assertEqual([], self.calls())

    def test_keep_zero_is_refused_before_anything(self):
        self.assertBadArgument(
            "argument --keep: '0' is not a whole number of 1 or more: the "
            "new snapshot is one of the newest N it keeps", 'rc', 'snapshot',
            'create', fakes.SERVER_ID, '--keep', '0')

    def test_protected_and_accepted_kept_with_reason_and_counted(self):
        shared = snap(2, visibility='shared')
        self.cloud([snap(3, protected=True), shared, snap(1)])
        fakes.register_members(self.requests, image_id(2), [
            fakes.image_member(base.OTHER_PROJECT_ID, 'accepted',
                               image_id(2))])
        data, lines = self.create('--keep', '2')
        self.assertEqual([image_id(1)], data['pruned'])
        kept = [line.split(': ', 1)[1] for line in lines if 'kept' in line]
        self.assertEqual([
            'image %s (analysis-vm): kept (one of the newest 2)'
            % fakes.IMAGE_ID,
            'image %s (snap-3): kept (one of the newest 2)' % image_id(3),
            'image %s (snap-2): kept (shared with projects that accepted '
            'it: %s; use --force)' % (image_id(2), base.OTHER_PROJECT_ID)],
            kept)
        self.assertCalls(KEEP + [
            LISTINGS,
            'GET %s/%s/members' % (IMAGES, image_id(2)),
            'PATCH %s/%s' % (IMAGES, image_id(1)),
            'POST %s/%s/actions/deactivate' % (IMAGES, image_id(1)),
            'POST %s/%s/metadata' % (SNAPS, vsid(1))] + RELEASE)

    def test_protected_counts_toward_n(self):
        self.cloud([snap(2, protected=True), snap(1)])
        data, lines = self.create('--keep', '1')
        self.assertEqual([image_id(1)], data['pruned'])
        self.assertIn('image %s (snap-2): kept (protected; run "openstack '
                      'image set --unprotected %s" first)' % (
                          image_id(2), image_id(2)), lines[-1])

    def test_new_snapshot_failing_prunes_nothing(self):
        self.cloud([snap(2), snap(1)])
        fakes.register_image(self.requests, fakes.volume_backed_image(
            name='analysis-vm', status='killed', entries=[
                fakes.root_entry()]))
        data, lines = self.create('--keep', '1', code=1)
        self.assertIsNone(data)
        self.assertIn('Snapshot %s failed' % fakes.IMAGE_ID, lines[-1])
        self.assertEqual(TAKE[1:] + ['POST %s/action' % SERVER] + RELEASE,
                         self.writes())
        self.assertNotIn(test_usage.LISTINGS[0], self.calls())

    def test_a_deletion_failing_exits_1_after_the_output(self):
        self.cloud([snap(1)])
        self.requests.patch('%s/%s' % (IMAGES, image_id(1)),
                            status_code=403, text='403 Forbidden')
        code, out, err = self.run_cli('rc', 'snapshot', 'create',
                                      fakes.SERVER_ID, '--keep', '1', '-f',
                                      'json')
        self.assertEqual(1, code, err)
        self.assertEqual([], json.loads(out)['pruned'])
        self.assertIn('1 of 1 older snapshots could not be deleted: '
                      + image_id(1), err.strip().splitlines()[-1])

    def test_listing_failing_after_the_snapshot_prints_it_first(self):
        self.cloud([snap(1)])
        self.requests.get('%s?limit=1000&visibility=all' % IMAGES,
                          status_code=500,
                          json=fakes.glance_error(500, 'boom'))
        code, out, err = self.run_cli('rc', 'snapshot', 'create',
                                      fakes.SERVER_ID, '--keep', '1', '-f',
                                      'json')
        self.assertEqual(1, code, err)
        data = json.loads(out)  # the snapshot is made and usable
        self.assertEqual((fakes.IMAGE_ID, []), (data['id'], data['pruned']))
        self.assertIn('HTTP 500', err.strip().splitlines()[-1])
        self.assertEqual(TAKE[1:] + ['POST %s/action' % SERVER] + RELEASE,
                         self.writes())

    def test_without_keep_no_field_and_no_listing(self):
        self.cloud([snap(1)])
        data, lines = self.create('--wait')
        self.assertNotIn('pruned', data)
        self.assertCalls(CREATE)

    def test_retention_held_by_another_run_makes_nothing(self):
        self.cloud([snap(1)])
        self.claims.hold(test_claims.claim_body())
        data, lines = self.create('--keep', '1', code=1)
        self.assertIsNone(data)
        self.assertEqual(
            'Another run holds the retention of server analysis-vm (%s): '
            'nothing was done; --wait-lock waits for it.'
            % test_claims.HOLDER, lines[-1])
        self.assertCalls(CREATE[:2] + TAKE[:1])
        self.assertEqual([], self.writes())

    def test_wait_lock_needs_keep(self):
        code, out, err = self.run_cli('rc', 'snapshot', 'create',
                                      fakes.SERVER_ID, '--wait-lock')
        self.assertEqual(1, code)
        self.assertIn('--wait-lock waits for the retention of the server, '
                      'which only --keep holds: add --keep <N>.', err)
        self.assertEqual([], self.calls())
        code, out, err = self.run_cli('rc', 'snapshot', 'batch', 'create',
                                      fakes.SERVER_ID, '--wait-lock', '5')
        self.assertEqual(1, code)
        self.assertIn('which only --keep holds', err)
        self.assertEqual([], self.calls())

    def test_bad_wait_lock_is_refused_by_argparse(self):
        self.assertBadArgument(
            "argument --wait-lock: '-1' is not a whole number of 0 or more",
            'rc', 'snapshot', 'create', fakes.SERVER_ID, '--keep', '1',
            '--wait-lock', '-1')


IDS = ['9d4c6a2e-3b1f-4c8e-a5d7-1e2f3a4b5c6%d' % n for n in range(2)]
NEW_IDS = ['c2a7e3f1-5b6d-4e8a-9c0b-1d2e3f4a5b6%d' % n for n in range(2)]
NEW_SNAPS = ['a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5%d' % n for n in range(2)]
VOLUME_IDS = ['d4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f7%d' % n for n in range(2)]


class TestBatchKeep(create_base.CreateTest):
    """Two volume-backed servers, node-0 and node-1, each with one older
    snapshot (snap-1 of node-0, snap-2 of node-1)."""

    def setUp(self):
        super().setUp()
        bodies, volumes, listed, snaps = [], [], [], []
        for n in range(2):
            body = fakes.server(IDS[n], 'node-%d' % n)
            body['os-extended-volumes:volumes_attached'] = [
                {'id': VOLUME_IDS[n], 'delete_on_termination': False}]
            bodies.append(body)
            volumes.append(create_base.attached_volume(VOLUME_IDS[n],
                                                       IDS[n]))
            made = fakes.volume_backed_image(
                NEW_IDS[n], 'node-%d-new' % n,
                entries=[fakes.root_entry(NEW_SNAPS[n])],
                **{origin.SERVER_PROPERTY: IDS[n]})
            fakes.register_image(self.requests, made)
            new_snap = fakes.volume_snapshot(NEW_SNAPS[n], size=1,
                                             volume_id=VOLUME_IDS[n])
            fakes.register_volume_snapshot(self.requests, new_snap)
            listed += [made, snap(n + 1, **{
                origin.SERVER_PROPERTY: IDS[n]})]
            snaps += [new_snap, fakes.volume_snapshot(
                vsid(n + 1), size=1, volume_id=None)]
            fakes.register_delete_image(self.requests, image_id(n + 1))
            fakes.register_delete_volume_snapshot(self.requests,
                                                  vsid(n + 1))
            fakes.register_volume_snapshot_states(self.requests,
                                                  vsid(n + 1), None)
        fakes.register_volume_list(self.requests, volumes)
        fakes.register_image_list(self.requests, listed, '?visibility=all')
        fakes.register_image_list(self.requests, [],
                                  '?visibility=all&os_hidden=true')
        self.requests.get('%s/detail' % SNAPS, [
            {'json': {'snapshots': snaps}},
            {'json': {'snapshots': [snaps[0], snaps[2]]}}])
        self.bodies = bodies
        self.claims = fakes.FakeClaims(self.requests)

    def batch(self, code=0, keep=('--keep', '1'), **nova):
        self.fake = create_base.FakeNova(
            self, self.bodies, images=dict(zip(IDS, NEW_IDS)), **nova)
        got, out, err = self.run_cli('rc', 'snapshot', 'batch', 'create',
                                     *IDS, *keep, '-f', 'json')
        self.assertEqual(code, got, err)
        return json.loads(out), err.strip().splitlines()

    def test_calendar_rules_per_server(self):
        # Each server's 2 days: its new snapshot's and its older one's.
        rows, lines = self.batch(keep=('--keep-daily', '2'))
        self.assertEqual([[], []], [r['Pruned'] for r in rows])
        self.assertIn('Pruning server node-0: image %s (snap-1): kept '
                      '(daily 2026-11-01)' % image_id(1), lines)
        self.assertIn('Pruning server node-1: image %s (snap-2): kept '
                      '(daily 2026-11-02)' % image_id(2), lines)
        deleted = [c for c in self.writes() if c.startswith('DELETE')]
        for n in (1, 2):
            self.assertNotIn('DELETE %s/%s' % (IMAGES, image_id(n)), deleted)
            self.assertNotIn('DELETE %s/%s' % (SNAPS, vsid(n)), deleted)

    def test_each_server_pruned_on_its_own_from_one_set_of_listings(self):
        rows, lines = self.batch()
        self.assertEqual([[image_id(1)], [image_id(2)]],
                         [r['Pruned'] for r in rows])
        self.assertIn('Pruning server node-0: image %s (snap-1): %s'
                      % (image_id(1), base.BINNED), lines)
        self.assertIn('Pruning server node-1: image %s (snap-2): %s'
                      % (image_id(2), base.BINNED), lines)
        calls = self.calls()
        # Once each, whatever the number of servers (binning waits for
        # nothing); the volumes were listed once before, for the verdicts.
        self.assertEqual([1, 1, 1, 2], [calls.count(listing)
                                        for listing in test_usage.LISTINGS])
        self.assertEqual(sorted([
            'PATCH %s/%s' % (IMAGES, image_id(1)),
            'POST %s/%s/actions/deactivate' % (IMAGES, image_id(1)),
            'PATCH %s/%s' % (IMAGES, image_id(2)),
            'POST %s/%s/actions/deactivate' % (IMAGES, image_id(2)),
            'POST %s/%s/metadata' % (SNAPS, vsid(1)),
            'POST %s/%s/metadata' % (SNAPS, vsid(2))]),
            sorted(binned_writes(self.writes())))
        # Then the claims are released.
        self.assertEqual(sorted(test_prune.claim_calls(i)[1][0]
                                for i in IDS), sorted(calls[-2:]))

    def test_a_server_whose_snapshot_failed_is_not_pruned(self):
        rows, lines = self.batch(code=1, create={IDS[1]: (
            409, fakes.nova_error(
                'conflictingRequest', 409, "Cannot 'createImage' instance "
                "%s while it is in task_state image_snapshot" % IDS[1]))})
        self.assertEqual([[image_id(1)], []], [r['Pruned'] for r in rows])
        self.assertEqual(['PATCH %s/%s' % (IMAGES, image_id(1)),
                          'POST %s/%s/actions/deactivate' % (
                              IMAGES, image_id(1)),
                          'POST %s/%s/metadata' % (SNAPS, vsid(1))],
                         binned_writes(self.writes()))
        self.assertEqual({}, {i: c for i, c in self.claims.images.items()
                              if not c.get('rcsnap:claim_released_at')})
        self.assertIn('1 of 2 servers were not snapshotted: node-1',
                      lines[-1])

    def test_a_server_another_run_holds_is_not_snapshotted(self):
        held = retaining.retention_claim(IDS[1])
        body = test_claims.claim_body()
        body.update(id=held.image_id(0), name=held.name,
                    **{claims.KEY: held.key})
        self.claims.hold(body)
        rows, lines = self.batch(code=1)
        self.assertEqual([[image_id(1)], []], [r['Pruned'] for r in rows])
        self.assertEqual(
            'failed (Another run holds the retention of server node-1 (%s): '
            'nothing was done; --wait-lock waits for it.)'
            % test_claims.HOLDER, rows[1]['Status'])
        self.assertEqual(['POST %s/%s/action' % (create_base.SERVERS,
                                                 IDS[0])],
                         [c for c in self.writes() if '/action' in c
                          and 'actions' not in c])
        self.assertIn('1 of 2 servers were not snapshotted: node-1',
                      lines[-1])
