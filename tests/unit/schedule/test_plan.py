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

"""Schedules, pure: the policy's metadata value (255 characters, values
written by hand), the windows (UTC), due, the steady state."""

import datetime

import testtools

from rcsnap_osc.core import quota
from rcsnap_osc.core import retention
from rcsnap_osc.schedule import plan
from rcsnap_osc.schedule import steady

T = datetime.datetime


def policy(every='1d', at=None, **rules):
    return plan.make(every, retention.Rules(**rules), at)


class TestFormat(testtools.TestCase):

    def test_value_round_trips(self):
        made = plan.make('1d', retention.Rules(
            daily=7, weekly=4, monthly=12, within=14 * 86400,
            within_text='2w'), '03:00', plan.Handling(stop=True, quiesce=True))
        value = made.value()
        self.assertEqual('every=1d;at=03:00;daily=7;weekly=4;monthly=12;'
                         'within=2w;stop;quiesce', value)
        self.assertEqual(made, plan.parse(value))
        self.assertEqual('daily=7, weekly=4, monthly=12, within=2w',
                         made.keeps())

    def test_archive_round_trips_and_is_not_a_keep_rule(self):
        made = plan.make('1d', retention.Rules(
            last=14, archive_after=7 * 86400, archive_text='1w'))
        self.assertEqual('every=1d;keep=14;archive=1w', made.value())
        self.assertEqual(made, plan.parse(made.value()))
        self.assertEqual(7 * 86400, plan.parse(
            'every=1d;keep=14;archive=1w').rules.archive_after)
        self.assertEqual('keep=14, archive=1w', made.keeps())
        self.assertRaises(plan.BadPolicy, plan.parse, 'every=1d;archive=1w')
        self.assertIn("Invalid duration 'soon'", str(self.assertRaises(
            plan.BadPolicy, plan.parse, 'every=1d;keep=2;archive=soon')))

    def test_hand_written_spacing_is_read(self):
        self.assertEqual(policy('6h', last=4),
                         plan.parse(' every = 6h ; keep=4 ;'))

    def test_a_value_over_255_characters_is_refused(self):
        long = '1' * 250 + 'd'
        exc = self.assertRaises(plan.BadPolicy, plan.make, '1d',
                                retention.Rules(within=1, within_text=long))
        self.assertIn('characters: a Nova metadata value holds 255.',
                      str(exc))
        exc = self.assertRaises(plan.BadPolicy, plan.parse,
                                'every=1d;keep=1;' + 'x' * 250)
        self.assertIn('not a text of at most 255 characters.', str(exc))

    def test_bad_values_written_by_hand_give_one_line(self):
        for value, why in (
                ('keep=3', "no 'every' (e.g. every=1d)."),
                ('every=1d', 'Give what to keep'),
                ('every=90m;keep=1', "Invalid interval '90m'"),
                ('every=0d;keep=1', "Invalid interval '0d'"),
                ('every=1d;keep=x', "'keep' is not a whole number."),
                ('every=1d;keep=-1', "'keep' is not a whole number."),
                ('every=1d;keep=0', 'keep at least 1'),
                ('every=1d;keep=1;retain=2', "unknown item 'retain' "
                 "(known: every, at, keep, daily, weekly, monthly, within, "
                 "archive, verify, lock, bin, stop, quiesce)."),
                ('every=1d;keep=1;keep=2', "'keep' is given twice."),
                ('every=1d;keep=1;stop=yes', "'stop' takes no value."),
                ('every=1d;daily', "'daily' needs a value (daily=...)."),
                ('every=1d;at=3:00;keep=1', "Invalid time '3:00'"),
                ('every=1d;at=24:00;keep=1', "Invalid time '24:00'"),
                ('every=1d;within=2y', "Invalid duration '2y'"),
                ('every=1d;keep=2;daily=3', '--keep is not combined')):
            exc = self.assertRaises(plan.BadPolicy, plan.parse, value)
            text = str(exc)
            self.assertEqual(1, len(text.splitlines()), text)
            self.assertTrue(text.startswith(
                "Bad rcsnap:schedule value '%s': " % value), text)
            self.assertIn(why, text)

    def test_last_value_fits_and_is_read_back(self):
        value = plan.LastRun('ok', T(2026, 12, 2, 3), T(2026, 12, 2, 3, 4, 11),
                             '20261202T0300Z', 'img-1', 2).value()
        self.assertEqual('result=ok;window=20261202T0300Z;at=20261202T030411Z'
                         ';made=20261202T0300Z;image=img-1;pruned=2', value)
        self.assertEqual({'result': 'ok', 'window': '20261202T0300Z',
                          'at': '20261202T030411Z', 'made': '20261202T0300Z',
                          'image': 'img-1', 'pruned': '2'},
                         plan.parse_last(value))
        failed = plan.LastRun('failed', T(2026, 12, 2, 3),
                              T(2026, 12, 2, 3, 5), '20261201T0300Z',
                              error='Quota exceeded; x=1\n' + 'y' * 300
                              ).value()
        self.assertEqual(255, len(failed))
        self.assertTrue(failed.endswith('...'))
        read = plan.parse_last(failed)
        self.assertEqual('20261201T0300Z', read['made'])
        self.assertTrue(read['error'].startswith('Quota exceeded; x=1 yyy'))
        self.assertEqual({}, plan.parse_last(None))


class TestWindows(testtools.TestCase):

    def test_daily_at_an_hour(self):
        daily = policy(at='03:00', last=1)
        self.assertEqual(T(2026, 12, 1, 3), plan.window(daily, T(
            2026, 12, 2, 2, 59)))
        self.assertEqual(T(2026, 12, 2, 3), plan.window(daily, T(
            2026, 12, 2, 3)))

    def test_across_a_month_and_a_year_end(self):
        daily = policy(at='23:30', last=1)
        self.assertEqual(T(2026, 11, 30, 23, 30), plan.window(daily, T(
            2026, 12, 1, 0, 10)))
        self.assertEqual(T(2026, 12, 31, 23, 30), plan.window(daily, T(
            2027, 1, 1, 23, 29)))

    def test_weekly_windows_start_on_mondays(self):
        weekly = policy('1w', last=1)
        # 2027-01-03 is the Sunday that ends ISO week 2026-W53.
        self.assertEqual(T(2026, 12, 28), plan.window(weekly, T(
            2027, 1, 3, 23, 59)))
        self.assertEqual(T(2027, 1, 4), plan.window(weekly, T(2027, 1, 4)))
        self.assertEqual(0, plan.window(weekly, T(2026, 12, 2)).weekday())

    def test_hours_with_at_shift_within_the_period(self):
        six = policy('6h', at='01:15', last=1)
        self.assertEqual(T(2026, 12, 2, 1, 15), plan.window(six, T(
            2026, 12, 2, 7, 14)))
        self.assertEqual(T(2026, 12, 2, 7, 15), plan.window(six, T(
            2026, 12, 2, 7, 15)))
        self.assertEqual(T(2026, 12, 1, 19, 15), plan.window(six, T(
            2026, 12, 2, 1, 0)))

    def test_due_once_per_window(self):
        daily = policy(at='03:00', last=1)
        never = plan.due(daily, None, T(2026, 12, 2, 5))
        self.assertEqual((True, T(2026, 12, 2, 3), None),
                         (never.due, never.window, never.made))
        made = 'result=ok;window=20261202T0300Z;made=20261202T0300Z'
        done = plan.due(daily, made, T(2026, 12, 2, 5))
        self.assertEqual((False, T(2026, 12, 3, 3)),
                         (done.due, done.next_due))
        self.assertTrue(plan.due(daily, made, T(2026, 12, 3, 3)).due)
        # A failed run of the window keeps it due; its earlier one counts.
        failed = ('result=failed;window=20261202T0300Z;made=20261201T0300Z;'
                  'error=x')
        self.assertTrue(plan.due(daily, failed, T(2026, 12, 2, 5)).due)

    def test_stamps(self):
        self.assertEqual('20261202T0300Z', plan.stamp(T(2026, 12, 2, 3)))
        self.assertEqual(T(2026, 12, 2, 3, 4, 11),
                         plan.parse_stamp('20261202T030411Z'))
        self.assertIsNone(plan.parse_stamp('yesterday'))

    def test_a_snapshot_counts_as_made_in_its_window(self):
        image = {'created_at': '2026-12-03T00:10:00Z',
                 plan.WINDOW_PROPERTY: '20261202T2350Z'}
        self.assertEqual(T(2026, 12, 2, 23, 50), retention.created(image))
        image[plan.WINDOW_PROPERTY] = 'garbled'
        self.assertEqual(T(2026, 12, 3, 0, 10), retention.created(image))


class TestSteadyState(testtools.TestCase):

    def test_counts(self):
        for expected, made in (
                (3, policy(last=3)),
                (7, policy(daily=7)),
                (3, policy('6h', daily=3)),
                (10, policy(daily=7, weekly=4)),
                (9, policy('6h', within=2 * 86400, within_text='2d')),
                (4, policy('1w', weekly=2, monthly=3))):
            self.assertEqual(expected, steady.steady_count(made), made)

    def test_room_against_the_quota(self):
        need = quota.Need({'snapshots': 1, 'gigabytes': 10})
        quota_set = {'snapshots': {'limit': 9, 'in_use': 2, 'reserved': 0},
                     'gigabytes': {'limit': 90, 'in_use': 20,
                                   'reserved': 0}}
        fits = steady.room('vm', policy(last=3), need, quota_set, (2, 20))
        self.assertEqual((3, 10, None), (fits.count, fits.gib, fits.refusal))
        full = steady.room('vm', policy(daily=7, weekly=4), need, quota_set,
                           (2, 20))
        self.assertEqual(
            "The policy of vm holds 10 snapshots of 10 GiB (100 GiB in 10 "
            "volume snapshots) at steady state, 8 volume snapshots, 80 GiB "
            "more than now, and the Cinder quota cannot: 'snapshots' is at "
            "2 of 9; 'gigabytes' is at 20 of 90 GiB. --force sets it "
            "anyway.", full.refusal)
        image_backed = steady.room('vm', policy(daily=7, weekly=4),
                                   quota.Need({}), quota_set, (0, 0))
        self.assertIsNone(image_backed.refusal)
        self.assertIsNone(steady.room('vm', policy(daily=7, weekly=4), need,
                                      None, (0, 0)).refusal)


class TestRoomSaysItsNumbersOnce(testtools.TestCase):

    def test_nothing_held_the_totals_are_not_repeated(self):
        need = quota.Need({'snapshots': 1, 'gigabytes': 1})
        quota_set = {'snapshots': {'limit': 10, 'in_use': 0, 'reserved': 0},
                     'gigabytes': {'limit': 1000, 'in_use': 0,
                                   'reserved': 0}}
        full = steady.room('vm', policy(last=1442), need, quota_set, (0, 0))
        self.assertEqual(
            "The policy of vm holds 1442 snapshots of 1 GiB (1442 GiB in "
            "1442 volume snapshots) at steady state, none of them held now, "
            "and the Cinder quota cannot: 'snapshots' is at 0 of 10; "
            "'gigabytes' is at 0 of 1000 GiB. --force sets it anyway.",
            full.refusal)
        self.assertEqual(1, full.refusal.count('1442 volume snapshots'))
