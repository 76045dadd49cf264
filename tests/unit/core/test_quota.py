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

"""The one headroom: Cinder's and Neutron's quota dicts read alike."""

import testtools

from rcsnap_osc.core import quota


class TestHeadroom(testtools.TestCase):

    def test_cinder_and_neutron_usage_read_alike(self):
        cinder = {'volumes': {'limit': 10, 'in_use': 7, 'reserved': 1}}
        neutron = {'port': {'limit': 10, 'used': 7, 'reserved': 1}}
        self.assertEqual((8, 10), quota.quota_field(cinder, 'volumes'))
        self.assertEqual((8, 10), quota.quota_field(neutron, 'port'))
        self.assertEqual(2, quota.left(neutron, 'port'))
        self.assertEqual([('port', 8, 10)],
                         quota.over(neutron, {'port': 3}))
        self.assertEqual([], quota.over(neutron, {'port': 2}))
        self.assertEqual("'port' is at 8 of 10",
                         quota.at(quota.over(neutron, {'port': 3})))

    def test_unlimited_unsaid_and_past_the_limit(self):
        self.assertIsNone(quota.left({'backups': {'limit': -1}}, 'backups'))
        self.assertIsNone(quota.left({}, 'backups'))
        self.assertIsNone(quota.left(None, 'backups'))
        self.assertIsNone(quota.left({'port': None}, 'port'))
        self.assertEqual(-2, quota.left(
            {'backups': {'limit': 3, 'in_use': 5, 'reserved': None}},
            'backups'))
        self.assertEqual([], quota.over({'port': None}, {'port': 5}))
