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

"""A schedule's recycle bin against a real cloud: a simulated week of
``schedule run`` (the clock of the runs set by ``RCSNAP_SCHEDULE_NOW``, as
in test_schedule) with ``bin=2d``: what the pruning lets go on day 1 is in
the bin on day 2, and purged on day 3."""

import fixtures
from openstack import exceptions as sdk_exc

from tests.functional import base

NOW = 'RCSNAP_SCHEDULE_NOW'


def at(day):
    return '2026-11-%02dT05:00:00Z' % day


class TestScheduleBin(base.FunctionalTest):

    def image(self, image_id):
        try:
            return base.connection().image.get_image(image_id)
        except sdk_exc.NotFoundException:
            return None

    def run_at(self, day):
        self.useFixture(fixtures.EnvironmentVariable(NOW, at(day)))
        rows = self.rc('schedule', 'run', '--server', self.server['id'])
        for row in rows:
            if row['Snapshot']:
                self.later(self.delete_image, row['Snapshot'])
        self.assertEqual(['made'], [r['Result'] for r in rows], rows)
        return rows[0]

    def test_bin_2d_purges_on_day_3(self):
        image = base.connection().image.find_image(base.IMAGE,
                                                   ignore_missing=False)
        self.server = self.boot('%s-binvm' % self.prefix,
                                self.flavor_for_image(image.id),
                                image_id=image.id)
        shown = self.rc('schedule', 'set', self.server['id'], '--every',
                        '1d', '--at', '03:00', '--keep', '1',
                        '--bin-days', '2')
        self.assertEqual('every=1d;at=03:00;keep=1;bin=2d', shown['policy'])

        first = self.run_at(20)['Snapshot']  # day 0
        second = self.run_at(21)  # day 1: the first goes to the bin
        self.assertEqual([first], second['Pruned'])
        binned = self.image(first)
        self.assertEqual((True, True, 'deactivated'), (
            binned.is_hidden, binned.is_protected, binned.status))
        self.assertEqual({
            'rcsnap_binned_at': '2026-11-21T05:00:00Z',
            'rcsnap_binned_by': 'schedule run',
            'rcsnap_bin_until': '2026-11-23T05:00:00Z'}, {
                k: binned.properties.get(k) for k in (
                    'rcsnap_binned_at', 'rcsnap_binned_by',
                    'rcsnap_bin_until')})

        third = self.run_at(22)  # day 2: still in the bin
        self.assertEqual([second['Snapshot']], third['Pruned'])
        self.assertIsNotNone(self.image(first))

        fourth = self.run_at(23)  # day 3: past its date, purged
        self.assertEqual(sorted([first, third['Snapshot']]),
                         sorted(fourth['Pruned']))
        self.assertIsNone(self.image(first))
        # The one binned on day 2 stays until day 4; the newest is live.
        self.assertEqual('2026-11-24T05:00:00Z', self.image(
            second['Snapshot']).properties.get('rcsnap_bin_until'))
        self.assertFalse(self.image(fourth['Snapshot']).is_hidden)
        listed = {r['ID'] for r in self.rc('bin', 'list')}
        self.assertNotIn(first, listed)
