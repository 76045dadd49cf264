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

"""What verify decides, pure: levels, results, the record, the drill."""

import datetime

import testtools

from rcsnap_osc.core import holds
from rcsnap_osc.core import snapshots
from rcsnap_osc.verify import plan
from tests.unit import fakes


class TestPlan(testtools.TestCase):

    def test_levels(self):
        self.assertEqual('default', plan.Request(('a',)).level)
        self.assertEqual('data', plan.Request(('a',), data=True).level)
        self.assertEqual('data+boot', plan.Request(('a',), data=True,
                                                   boot=True).level)

    def test_result_fits_in_a_glance_property(self):
        self.assertEqual('ok', plan.result_text([]))
        text = plan.result_text(['x' * 200, 'y' * 200])
        self.assertEqual(255, len(text))
        self.assertTrue(text.endswith('...'))

    def test_record_and_its_summary(self):
        props = plan.record(datetime.datetime(2026, 12, 7, 13, 40), 'boot',
                            [])
        self.assertEqual({holds.VERIFIED_AT: '2026-12-07T13:40:00Z',
                          holds.VERIFIED_LEVEL: 'boot',
                          holds.VERIFIED_RESULT: 'ok'}, props)
        self.assertEqual('2026-12-07 ok (boot)',
                         holds.verified_summary(props))
        props[holds.VERIFIED_RESULT] = 'image x is killed, not active'
        self.assertEqual('2026-12-07 failed (boot)',
                         holds.verified_summary(props))
        self.assertIsNone(holds.verified_summary({}))

    def test_drill_size_is_min_disk_over_a_smaller_root(self):
        image = fakes.volume_backed_image(min_disk=20)
        small = snapshots.summarize(image, {
            fakes.ROOT_SNAP_ID: fakes.volume_snapshot(size=10)})
        self.assertEqual(20, plan.drill_size(small))
        big = snapshots.summarize(image, {
            fakes.ROOT_SNAP_ID: fakes.volume_snapshot(size=30)})
        self.assertIsNone(plan.drill_size(big))

    def test_md5_when_glance_has_no_multihash(self):
        image = fakes.image(os_hash_algo=None, os_hash_value=None)
        self.assertEqual(('md5', image['checksum']), plan.hash_algo(image))

    def test_failure_line_names_the_snapshots(self):
        rows = [plan.Row({'id': 'a'}, 'default'),
                plan.Row({'id': 'b'}, 'default', ['image b is killed'])]
        self.assertEqual('1 of 2 snapshot(s) failed verification: b',
                         plan.failure_line(rows))
        self.assertIsNone(plan.failure_line(rows[:1]))
