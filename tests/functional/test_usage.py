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
