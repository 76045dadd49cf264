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

"""``rc snapshot usage`` against a real cloud: its numbers are Cinder's and
Glance's."""

from tests.functional import base


class TestUsage(base.FunctionalTest):

    def test_usage_matches_cinder_and_by_server(self):
        server = self.create_server(volume_size=1)
        snap = self.snapshot_server(server)

        found = self.rc('usage')
        for field in ('snapshots', 'snapshot_gib', 'orphans', 'orphan_gib',
                      'launched_volumes', 'launched_volume_gib',
                      'quota_snapshots_used', 'quota_gigabytes_used'):
            self.assertIsInstance(found[field], (int, float), field)
        self.assertGreaterEqual(found['snapshots'], 1)
        self.assertGreaterEqual(found['quota_snapshots_used'], 1)
        conn = base.connection()
        quota = conn.block_storage.get(
            '/os-quota-sets/%s' % conn.current_project_id,
            params={'usage': 'True'}).json()['quota_set']
        self.assertEqual(quota['snapshots']['limit'],
                         found['quota_snapshots_limit'])
        self.assertEqual(quota['gigabytes']['limit'],
                         found['quota_gigabytes_limit'])
        # The local Glance enforces no unified limits: left out.
        self.assertNotIn('image_size_total', found)

        rows = {row['Server ID']: row for row in self.rc(
            'usage', '--by-server')}
        self.assertEqual({'Server ID': server['id'],
                          'Server': server['name'], 'Snapshots': 1,
                          'Size GiB': sum(d['size_gib'] for d in
                                          snap['volume_snapshots'])},
                         rows[server['id']])


class TestUsageDrift(base.FunctionalTest):
    """Cinder's counters pushed out of step, as failed requests and lost
    reservations leave them on real clouds: here by an operator's change
    to Cinder's database (``localcloud sql``), put back after. Only on the
    local cloud; alone (tests/functional/alone.txt): the project's
    counters are wrong while it runs."""

    #: GiB added to Cinder's ``gigabytes`` in use.
    PUSHED = 5

    def setUp(self):
        super().setUp()
        if base.local_state() is None:
            self.skipTest("needs the local cloud, whose Cinder database an "
                          "operator's change can put out of step")

    def push(self, project, gib):
        base.localcloud('sql', 'cinder/cinder', (
            "UPDATE quota_usages SET in_use = in_use + %d WHERE project_id "
            "= '%s' AND resource = 'gigabytes' AND deleted = 0"
            % (gib, project)))

    def test_usage_names_the_drift_cinder_enforces(self):
        # a volume of the project's own: its 'gigabytes' counter exists
        self.create_volume(size=1, image=None)
        project = base.connection().current_project_id
        before = self.rc('usage')
        self.push(project, self.PUSHED)
        self.later(self.push, project, -self.PUSHED)

        proc = base.run('rc', 'snapshot', 'usage', '-f', 'json',
                        parse=False)
        self.assertEqual(0, proc.returncode, proc.stderr)
        after = base.json.loads(proc.stdout)
        self.assertEqual(before['quota_gigabytes_counted'],
                         after['quota_gigabytes_counted'])
        self.assertEqual(before['quota_gigabytes_used'] + self.PUSHED,
                         after['quota_gigabytes_used'])
        self.assertIn("Cinder's quota counters have drifted from what the "
                      "listings hold: ", proc.stderr)
        self.assertIn("'gigabytes' %d, %d listed"
                      % (after['quota_gigabytes_used'],
                         after['quota_gigabytes_counted']), proc.stderr)
        # Cinder itself reports the pushed figure: the drift is Cinder's
        conn = base.connection()
        quota = conn.block_storage.get(
            '/os-quota-sets/%s' % project,
            params={'usage': 'True'}).json()['quota_set']
        self.assertEqual(after['quota_gigabytes_used'],
                         quota['gigabytes']['in_use']
                         + quota['gigabytes']['reserved'])
