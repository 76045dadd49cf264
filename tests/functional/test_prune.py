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

"""``rc snapshot prune`` against a real cloud: the newest snapshots of a
volume-backed server stay, the others go with their volume snapshots, and
nothing is orphaned."""

import json

from testtools import content

from tests.functional import base


class TestPrune(base.FunctionalTest):

    def test_keep_daily_keeps_the_newest_of_the_day(self):
        # Glance sets the creation times (seconds only: of two made in
        # the same second, the one of the greater ID counts as the newer);
        # only the newer one is kept, as its day's.
        server = self.create_server(volume_size=1, image=None)
        older, newer = sorted(
            (self.snapshot_server(server) for _ in range(2)),
            key=lambda s: (s['created_at'], s['id']))
        plan = {row['Resource']: row['Result'] for row in self.rc(
            'prune', '--server', server['id'], '--keep-daily', '1',
            '--dry-run')}
        self.assertEqual('kept (daily %s)' % newer['created_at'][:10],
                         plan[newer['id']])
        self.assertEqual('would bin', plan[older['id']])

    def test_keep_two_of_three_volume_backed(self):
        server = self.create_server(volume_size=1)
        made = [self.snapshot_server(server) for _ in range(3)]
        oldest, kept = made[0], made[1:]
        vsids = {s['id']: [d['snapshot_id'] for d in s['volume_snapshots']]
                 for s in made}

        plan = {row['Resource']: row['Result'] for row in self.rc(
            'prune', '--server', server['name'], '--keep', '2',
            '--dry-run')}
        self.assertEqual('would bin', plan[oldest['id']])
        self.assertEqual(['would bin'],
                         [plan[v] for v in vsids[oldest['id']]])
        for snap in kept:
            self.assertEqual('kept (one of the newest 2)', plan[snap['id']])
        self.assertEqual(3 + len(vsids[oldest['id']]), len(plan))

        done = {row['Resource']: row['Result'] for row in self.rc(
            'prune', '--server', server['id'], '--keep', '2', '--yes',
            '--wait', '--timeout', str(base.TIMEOUT))}
        # The older one goes to the recycle bin: hidden, its volume
        # snapshots marked.
        self.assertTrue(done[oldest['id']].startswith('binned until '))
        self.assertEqual([done[oldest['id']]],
                         [done[v] for v in vsids[oldest['id']]])

        conn = base.connection()
        self.assertTrue(conn.image.get_image(oldest['id']).is_hidden)
        for vsid in vsids[oldest['id']]:
            self.assertEqual('prune', conn.block_storage.get_snapshot(
                vsid).metadata['rcsnap_binned_by'])
        for snap in kept:
            shown = self.rc('show', snap['id'])
            self.assertEqual(['available'], [
                d['status'] for d in shown['volume_snapshots']])
        orphaned = {row['ID'] for row in self.rc('orphans', '--all')}
        self.assertEqual(set(), orphaned & {
            v for ids in vsids.values() for v in ids})

    def test_create_keep_two(self):
        """Three snapshots of a volume-backed server; ``create --keep 2``
        makes a fourth and leaves it and the newest older one, each with
        its volume snapshots, and orphans nothing. show and list --long
        name the server."""
        server = self.create_server(volume_size=1)
        made = [self.snapshot_server(server) for _ in range(3)]
        vsids = {s['id']: [d['snapshot_id'] for d in s['volume_snapshots']]
                 for s in made}
        new = self.rc('create', server['id'], '--name',
                      '%s-snap-keep' % self.prefix, '--keep', '2',
                      '--timeout', str(base.TIMEOUT))
        self.later(self.delete_snapshot_image, new)
        self.assertEqual('active', new['status'])
        self.assertEqual(sorted(s['id'] for s in made[:2]),
                         sorted(new['pruned']))

        conn = base.connection()
        # In the recycle bin: hidden, their volume snapshots marked.
        for gone in made[:2]:
            self.assertTrue(conn.image.get_image(gone['id']).is_hidden)
        theirs = {v for s in made[:2] for v in vsids[s['id']]}
        marked = {v.id for v in conn.block_storage.snapshots()
                  if 'rcsnap_binned_at' in (v.metadata or {})}
        self.assertEqual(theirs, theirs & marked)
        kept = [self.rc('show', s['id']) for s in (new, made[2])]
        for snap in kept:
            self.assertEqual(['available'], [
                d['status'] for d in snap['volume_snapshots']])
            self.assertEqual(server['id'], snap['server'])
        mine = [s for s in self.rc('list', '--mine', '--long')
                if s['Server'] == server['id']]
        self.assertEqual(sorted([new['id'], made[2]['id']]),
                         sorted(s['ID'] for s in mine))
        orphaned = {row['ID'] for row in self.rc('orphans', '--all')}
        self.assertEqual(set(), orphaned & {
            v for ids in vsids.values() for v in ids})

    def test_deleted_server_by_id(self):
        """The snapshots create made record their server: those of a
        deleted volume-backed server are still found by its ID."""
        server = self.create_server(volume_size=1)
        made = [self.snapshot_server(server) for _ in range(2)]
        self.delete_server(server['id'])
        plan = {row['Resource']: row['Result'] for row in self.rc(
            'prune', '--server', server['id'], '--keep', '1',
            '--dry-run')}
        self.assertEqual('would bin', plan[made[0]['id']])
        self.assertEqual('kept (one of the newest 1)', plan[made[1]['id']])

        rows = {row['Server ID']: row for row in self.rc(
            'usage', '--by-server')}
        self.assertEqual('(deleted server)', rows[server['id']]['Server'])
        self.assertEqual(2, rows[server['id']]['Snapshots'])

    def test_not_on_a_terminal_needs_yes(self):
        self.assertFailsCleanly('add --yes to confirm', 'rc', 'snapshot',
                                'prune', '--server', 'no-such-server',
                                '--keep', '1')


class TestOneRetentionAtATime(base.FunctionalTest):
    """Two retentions of one server started together: the second plans
    from what the first left, never from a listing the first changes."""

    def test_two_prunes_delete_the_older_snapshots_once(self):
        server = self.create_server(volume_size=1)
        made = [self.snapshot_server(server) for _ in range(3)]
        runs = base.run_each([
            ['rc', 'snapshot', 'prune', '--server', server['id'], '--keep',
             '1', '--yes', '--wait', '--timeout', str(base.TIMEOUT),
             '--wait-lock', '-f', 'json']] * 2)
        deleted = []
        for proc in runs:
            self.assertEqual(0, proc.returncode, proc.stderr)
            rows = json.loads(proc.stdout)
            deleted += [r['Resource'] for r in rows
                        if r['Kind'] == 'image'
                        and r['Result'].startswith('binned until')]
            self.assertIn({'Resource': made[2]['id'], 'Kind': 'image',
                           'Name': made[2]['name'],
                           'Result': 'kept (one of the newest 1)'}, rows)
        self.assertEqual(sorted(s['id'] for s in made[:2]), sorted(deleted))
        conn = base.connection()
        self.assertEqual(made[2]['id'], conn.image.get_image(
            made[2]['id']).id)
        # The claim stays, released, for the next run; no command takes
        # it for a snapshot.
        claim = [i for i in conn.image.images(
            name='rcsnap-lock-%s' % server['id'], is_hidden=True)]
        self.assertEqual(1, len(claim))
        self.assertEqual('queued', claim[0].status)
        self.assertIn('rcsnap:claim_released_at', claim[0].properties)
        listed = {i['ID'] for i in self.rc('list', '--mine')}
        self.assertNotIn(claim[0].id, listed)
        self.assertIn(made[2]['id'], listed)
        refused = base.run('rc', 'snapshot', 'delete', claim[0].id, '-f',
                           'json', parse=False, check=False)
        self.assertEqual(1, refused.returncode)
        self.assertIn('not an instance snapshot', refused.stdout)
        self.assertEqual(claim[0].id, conn.image.get_image(claim[0].id).id)

    def test_second_create_keep_exits_1_naming_the_holder(self):
        server = self.create_server(volume_size=1)
        older = self.snapshot_server(server)
        runs = base.run_each([
            ['rc', 'snapshot', 'create', server['id'], '--name',
             '%s-snap-k%d' % (self.prefix, n), '--keep', '1', '--timeout',
             str(base.TIMEOUT), '-f', 'json'] for n in range(2)])
        made = [json.loads(p.stdout) for p in runs if p.returncode == 0]
        for snap in made:
            self.later(self.delete_snapshot_image, snap)
        failed = [p for p in runs if p.returncode != 0]
        conn = base.connection()
        left = sorted(i['ID'] for i in self.rc('list', '--mine', '--long')
                      if i['Server'] == server['id'])
        self.addDetail('exit codes', content.text_content(repr(
            [p.returncode for p in runs])))
        if failed:  # they overlapped: the second made nothing
            self.assertEqual(1, len(made))
            self.assertIn('Another run holds the retention of server %s ('
                          % server['name'], failed[0].stderr)
            self.assertIn('--wait-lock waits for it.', failed[0].stderr)
            self.assertEqual([made[0]['id']], left)
        else:  # one after the other: the last one's snapshot stays
            self.assertEqual(1, len(left))
        self.assertTrue(conn.image.get_image(older['id']).is_hidden)
