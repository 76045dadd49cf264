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
"""The pure decisions of lock and unlock."""

import datetime

import testtools

from rcsnap_osc.core import holds
from rcsnap_osc import errors
from rcsnap_osc.lock import plan

NOW = datetime.datetime(2026, 12, 7, 13, 40, 0)


class TestUntil(testtools.TestCase):

    def test_durations_and_dates(self):
        for text, expected in (
                ('30d', datetime.datetime(2027, 1, 6, 13, 40)),
                ('12h', datetime.datetime(2026, 12, 8, 1, 40)),
                ('2w', datetime.datetime(2026, 12, 21, 13, 40)),
                ('2027-01-31', datetime.datetime(2027, 1, 31)),
                ('2027-01-31T12:00Z', datetime.datetime(2027, 1, 31, 12)),
                ('2027-01-31 12:00:30', datetime.datetime(2027, 1, 31, 12, 0,
                                                          30))):
            self.assertEqual(expected, plan.parse_until(text, NOW), text)

    def test_refused(self):
        for text, why in (('2026-12-07T13:40Z', 'not in the future'),
                          ('2020-01-01', 'not in the future'),
                          ('0d', 'not in the future'),
                          ('2027-02-30', "Invalid date '2027-02-30'"),
                          ('soon', 'neither a date'), ('', 'neither'),
                          ('-1d', 'neither')):
            exc = self.assertRaises(errors.Refused, plan.parse_until, text,
                                    NOW)
            self.assertIn(why, str(exc), text)

    def test_default_is_30_days(self):
        self.assertEqual(datetime.datetime(2027, 1, 6, 13, 40),
                         plan.default_until(NOW))


class TestChanges(testtools.TestCase):

    def image(self, **fields):
        return dict({'id': 'i', 'name': 'n', 'protected': False}, **fields)

    def test_an_expired_lock_is_replaced_the_owner_flag_kept(self):
        image = self.image(protected=True, **{
            holds.LOCKED_UNTIL: '2026-12-01T00:00:00Z',
            holds.WAS_PROTECTED: 'false'})
        change = plan.lock(image, datetime.datetime(2027, 1, 1), NOW, 'bob')
        self.assertNotIn(holds.WAS_PROTECTED, change.attrs)
        self.assertEqual('2027-01-01T00:00:00Z',
                         change.attrs[holds.LOCKED_UNTIL])

    def test_same_date_writes_nothing(self):
        image = self.image(**{holds.LOCKED_UNTIL: '2027-01-01T00:00:00Z'})
        change = plan.lock(image, datetime.datetime(2027, 1, 1), NOW, 'bob')
        self.assertEqual(({}, ()), (change.attrs, change.remove))
        self.assertIn('stays locked', change.note)

    def test_unlock_removes_only_what_is_there(self):
        image = self.image(protected=True, **{
            holds.LOCKED_UNTIL: '2026-12-01T00:00:00Z'})
        change = plan.unlock(image, NOW, force=False)
        # No rcsnap_was_protected: the flag before is the flag now, and
        # Glance refuses a remove of a property the image lacks.
        self.assertEqual((holds.LOCKED_UNTIL,), change.remove)
        self.assertEqual({'protected': True}, change.attrs)
        self.assertEqual({'id': 'i', 'name': 'n', 'protected': True},
                         plan.after(change))
