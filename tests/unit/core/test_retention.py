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

"""Calendar retention: the newest snapshot of each of the last days, ISO
weeks and months that have snapshots, and all within a duration of the
newest one; pure, no HTTP."""

import datetime

import testtools

from rcsnap_osc.core import retention
from tests.unit import base
from tests.unit import fakes

NOW = datetime.datetime(2027, 6, 1, 12, 0, 0)


def at(when, **fields):
    """An image-backed snapshot made at ``when`` (``YYYY-MM-DDTHH:MM``,
    UTC), named and identified by it."""
    return fakes.image_backed_image('snap-' + when, 'snap-' + when,
                                    created_at=when + ':00Z', **fields)


def ordered(*whens, **fields):
    """Snapshots made at ``whens``, newest first, as the listing gives
    them."""
    return [at(w, **fields) for w in sorted(whens, reverse=True)]


class TestBuckets(testtools.TestCase):

    def choose(self, images, members=None, older_than=None, **rules):
        choice = retention.choose(images, retention.Rules(**rules),
                                  base.PROJECT_ID, members, older_than, NOW)
        return ([i['id'][5:] for i in choice.delete],
                [(i['id'][5:], why) for i, why in choice.kept])

    def test_restic_daily_example(self):
        # restic's documented case: days with no snapshot are skipped,
        # and of a day with two only the newest is kept.
        delete, kept = self.choose(ordered(
            '2026-05-01T08:00', '2026-05-02T08:00', '2026-05-02T11:00',
            '2026-05-04T09:00', '2026-05-05T10:00'), daily=4)
        self.assertEqual(['2026-05-02T08:00'], delete)
        self.assertEqual([
            ('2026-05-05T10:00', 'daily 2026-05-05'),
            ('2026-05-04T09:00', 'daily 2026-05-04'),
            ('2026-05-02T11:00', 'daily 2026-05-02'),
            ('2026-05-01T08:00', 'daily 2026-05-01')], kept)

    def test_two_on_one_day_keep_the_newest(self):
        delete, kept = self.choose(ordered(
            '2026-11-30T01:00', '2026-11-30T23:59'), daily=7)
        self.assertEqual(['2026-11-30T01:00'], delete)
        self.assertEqual([('2026-11-30T23:59', 'daily 2026-11-30')], kept)

    def test_daily_counts_back_from_the_newest_snapshot_not_now(self):
        # NOW is months later: the last 2 days with snapshots still count.
        delete, kept = self.choose(ordered(
            '2026-11-28T10:00', '2026-11-29T10:00', '2026-11-30T10:00'),
            daily=2)
        self.assertEqual(['2026-11-28T10:00'], delete)
        self.assertEqual(['2026-11-30T10:00', '2026-11-29T10:00'],
                         [k[0] for k in kept])

    def test_days_across_a_month_end(self):
        delete, kept = self.choose(ordered(
            '2026-11-30T23:59', '2026-12-01T00:00', '2026-12-01T00:01'),
            daily=2, monthly=2)
        self.assertEqual(['2026-12-01T00:00'], delete)
        self.assertEqual([
            ('2026-12-01T00:01', 'daily 2026-12-01, monthly 2026-12'),
            ('2026-11-30T23:59', 'daily 2026-11-30, monthly 2026-11')],
            kept)

    def test_iso_week_53_across_the_new_year(self):
        # 2026-12-28 (Monday) to 2027-01-03 (Sunday) is 2026-W53.
        delete, kept = self.choose(ordered(
            '2026-12-27T10:00', '2026-12-29T10:00', '2027-01-02T10:00',
            '2027-01-05T10:00'), weekly=2)
        self.assertEqual(['2026-12-29T10:00', '2026-12-27T10:00'], delete)
        self.assertEqual([('2027-01-05T10:00', 'weekly 2027-W01'),
                          ('2027-01-02T10:00', 'weekly 2026-W53')], kept)

    def test_week_bucket_names(self):
        week = retention.week_of
        self.assertEqual('2026-W53', week(datetime.datetime(2027, 1, 3)))
        self.assertEqual('2027-W01', week(datetime.datetime(2027, 1, 4)))
        self.assertEqual('2026-W01', week(datetime.datetime(2025, 12, 29)))
        self.assertEqual('2026-W48', week(datetime.datetime(2026, 11, 29)))
        self.assertEqual('2026-W49', week(datetime.datetime(2026, 11, 30)))

    def test_a_month_without_snapshots_is_skipped(self):
        delete, kept = self.choose(ordered(
            '2026-08-31T10:00', '2026-09-01T10:00', '2026-09-30T10:00',
            '2026-11-02T10:00'), monthly=2)
        self.assertEqual(['2026-09-01T10:00', '2026-08-31T10:00'], delete)
        self.assertEqual([('2026-11-02T10:00', 'monthly 2026-11'),
                          ('2026-09-30T10:00', 'monthly 2026-09')], kept)

    def test_more_buckets_than_snapshots_keep_each_newest(self):
        delete, kept = self.choose(ordered(
            '2026-11-01T10:00', '2026-11-01T11:00', '2026-11-02T10:00'),
            daily=30)
        self.assertEqual(['2026-11-01T10:00'], delete)
        self.assertEqual(2, len(kept))

    def test_within_is_measured_from_the_newest_snapshot(self):
        delete, kept = self.choose(ordered(
            '2026-11-16T09:59', '2026-11-16T10:00', '2026-11-30T10:00'),
            within=14 * 86400, within_text='2w')
        self.assertEqual(['2026-11-16T09:59'], delete)
        self.assertEqual([('2026-11-30T10:00', 'within 2w'),
                          ('2026-11-16T10:00', 'within 2w')], kept)

    def test_every_rule_that_keeps_it_is_named(self):
        delete, kept = self.choose(ordered(
            '2026-10-31T10:00', '2026-11-29T10:00', '2026-11-30T08:00',
            '2026-11-30T10:00'), last=1, daily=2, weekly=2, monthly=2,
            within=86400, within_text='1d')
        self.assertEqual([], delete)
        self.assertEqual([
            ('2026-11-30T10:00', 'one of the newest 1, within 1d, daily '
             '2026-11-30, weekly 2026-W49, monthly 2026-11'),
            ('2026-11-30T08:00', 'within 1d'),
            ('2026-11-29T10:00', 'within 1d, daily 2026-11-29, weekly '
             '2026-W48'),
            ('2026-10-31T10:00', 'monthly 2026-10')], kept)

    def test_rules_count_on_their_own(self):
        # The newest 2 do not use up the dailies: restic's --keep-last
        # and --keep-daily each count every snapshot.
        delete, kept = self.choose(ordered(
            '2026-11-28T10:00', '2026-11-29T10:00', '2026-11-30T08:00',
            '2026-11-30T10:00'), last=2, daily=2)
        self.assertEqual(['2026-11-28T10:00'], delete)
        self.assertEqual([
            ('2026-11-30T10:00', 'one of the newest 2, daily 2026-11-30'),
            ('2026-11-30T08:00', 'one of the newest 2'),
            ('2026-11-29T10:00', 'daily 2026-11-29')], kept)

    def test_keep_zero_with_a_bucket(self):
        delete, kept = self.choose(ordered(
            '2026-11-29T10:00', '2026-11-30T10:00'), last=0, daily=1)
        self.assertEqual(['2026-11-29T10:00'], delete)
        self.assertEqual([('2026-11-30T10:00', 'daily 2026-11-30')], kept)

    def test_protected_fills_its_bucket(self):
        images = ordered('2026-11-29T10:00', '2026-11-30T08:00')
        images.insert(0, at('2026-11-30T10:00', protected=True))
        delete, kept = self.choose(images, daily=1)
        self.assertEqual(['2026-11-30T08:00', '2026-11-29T10:00'], delete)
        self.assertEqual([('2026-11-30T10:00', 'daily 2026-11-30')], kept)

    def test_protected_and_accepted_past_the_rules_kept_with_reason(self):
        shared = at('2026-11-28T10:00', visibility='shared')
        members = {shared['id']: [fakes.image_member(
            base.OTHER_PROJECT_ID, 'accepted', shared['id'])]}
        images = [at('2026-11-30T10:00'),
                  at('2026-11-29T10:00', protected=True), shared,
                  at('2026-11-27T10:00')]
        delete, kept = self.choose(images, members, daily=1)
        self.assertEqual(['2026-11-27T10:00'], delete)
        self.assertEqual('daily 2026-11-30', kept[0][1])
        self.assertIn('protected', kept[1][1])
        self.assertIn('shared with projects that accepted it', kept[2][1])
        self.assertEqual([shared['id']],
                         retention.candidates_needing_members(
                             images, retention.Rules(daily=1),
                             base.PROJECT_ID))

    def test_kept_by_a_rule_needs_no_member_list(self):
        images = [at('2026-11-30T10:00', visibility='shared')]
        self.assertEqual([], retention.candidates_needing_members(
            images, retention.Rules(daily=1), base.PROJECT_ID))

    def test_older_than_keeps_the_young_past_the_rules(self):
        delete, kept = self.choose(ordered(
            '2026-11-20T10:00', '2027-05-31T10:00', '2027-06-01T10:00'),
            daily=1, older_than=5 * 86400)
        self.assertEqual(['2026-11-20T10:00'], delete)
        self.assertEqual([('2027-06-01T10:00', 'daily 2027-06-01'),
                          ('2027-05-31T10:00',
                           'not older than --older-than')], kept)

    def test_unknown_creation_time_is_kept(self):
        unknown = at('2026-11-30T10:00')
        unknown['created_at'] = None
        delete, kept = self.choose(
            [unknown] + ordered('2026-11-29T10:00', '2026-11-28T10:00'),
            daily=1)
        self.assertEqual(['2026-11-28T10:00'], delete)
        self.assertEqual([('2026-11-30T10:00', 'creation time unknown'),
                          ('2026-11-29T10:00', 'daily 2026-11-29')], kept)

    def test_times_with_a_zone_are_bucketed_in_utc(self):
        self.assertEqual(datetime.datetime(2026, 11, 30, 23, 30),
                         retention.created(
                             {'created_at': '2026-12-01T00:30:00+01:00'}))
        self.assertEqual(datetime.datetime(2026, 11, 30, 10, 0),
                         retention.created(
                             {'created_at': '2026-11-30T10:00:00Z'}))
        self.assertEqual(datetime.datetime(2026, 11, 30, 10, 0),
                         retention.created(
                             {'created_at': '2026-11-30T10:00:00'}))
        self.assertIsNone(retention.created({'created_at': 'yesterday'}))

    def test_a_number_is_the_newest_n(self):
        images = ordered('2026-11-29T10:00', '2026-11-30T10:00')
        self.assertEqual(retention.choose(images, 1, base.PROJECT_ID),
                         retention.choose(images, retention.Rules(last=1),
                                          base.PROJECT_ID))

    def test_which_rules_are_given(self):
        self.assertFalse(retention.Rules().given())
        self.assertTrue(retention.Rules(last=0).given())
        self.assertTrue(retention.Rules(monthly=1).given())
        self.assertFalse(retention.Rules(last=3).calendar())
        self.assertTrue(retention.Rules(within=60).calendar())

    def test_no_snapshots(self):
        self.assertEqual(([], []), self.choose([], daily=3, weekly=2))
