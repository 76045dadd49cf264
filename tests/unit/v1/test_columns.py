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

"""The column maps: one declaration per resource, read by show, list and
``-c``."""

import types

import testtools

from rcsnap_osc.core import snapshots
from rcsnap_osc.usage import plan as usage
from rcsnap_osc.v1 import columns
from rcsnap_osc.v1 import common
from rcsnap_osc.v1 import snapshot_usage
from tests.unit import base
from tests.unit import fakes
from tests.unit.usage import test_usage

A = columns.views('a')
TABLE = (
    columns.Column('id', 'ID', columns.views('a', 'b')),
    columns.Column('size', 'Size', A, formatter=common.SizeColumn),
    columns.Column('note', 'Note', columns.views('b'),
                   lambda record: record['id'].upper()),
    columns.Column('extra', None, A, optional=True),
)


class TestColumns(testtools.TestCase):

    def test_show_in_map_order_optional_left_out_when_none(self):
        fields, values = columns.show(TABLE, 'a', {'id': 'x', 'size': 3})
        self.assertEqual(('id', 'size'), fields)
        self.assertEqual('x', values[0])
        self.assertEqual('3', values[1].human_readable())
        self.assertEqual(3, values[1].machine_readable())

    def test_show_optional_with_a_value(self):
        fields, values = columns.show(TABLE, 'a', {'id': 'x', 'extra': 0})
        self.assertEqual(('id', 'size', 'extra'), fields)
        self.assertEqual(0, values[2])

    def test_listing_headers_of_any_view_asked(self):
        headers, rows = columns.listing(TABLE, {'b'}, [{'id': 'x'},
                                                       {'id': 'y'}])
        self.assertEqual(['ID', 'Note'], headers)
        self.assertEqual([['x', 'X'], ['y', 'Y']], rows)
        headers, _rows = columns.listing(TABLE, {'a', 'b'}, [])
        self.assertEqual(['ID', 'Size', 'Note', None], headers)

    def test_attributes_of_a_record_that_is_no_dict(self):
        record = types.SimpleNamespace(id='x', note='n')
        self.assertEqual(('id',), columns.show(TABLE[:1], 'a', record)[0])
        self.assertEqual([['x']], columns.listing(TABLE[:1], {'b'},
                                                  [record])[1])


class TestSnapshotColumns(testtools.TestCase):

    def record(self, **more):
        image = fakes.image_backed_image()
        return types.SimpleNamespace(summary=snapshots.summarize(image, {}),
                                     **more)

    def test_show_adds_what_create_does_not(self):
        made, _values = columns.show(columns.SNAPSHOT, columns.MADE,
                                     self.record())
        shown, _values = columns.show(
            columns.SNAPSHOT, columns.SHOW,
            self.record(server=None, members=None, backups=None))
        self.assertEqual(made + ('consistency', 'server', 'verified_at',
                                 'verified_level', 'verified_result'),
                         shown)

    def test_each_list_header_once(self):
        headers, _rows = columns.listing(
            columns.SNAPSHOT, {columns.LIST, columns.LONG, columns.SHARED},
            [])
        self.assertEqual(len(headers), len(set(headers)))
        self.assertNotIn(None, headers)


class TestUsageColumns(testtools.TestCase):
    """The plan computes exactly the fields the map shows."""

    def test_plain_view_every_field_computed_has_a_column(self):
        snaps = {s['id']: s for s in test_usage.cloud_volume_snapshots()}
        view = usage.compute(
            usage.Listings(test_usage.cloud_images(), snaps,
                           test_usage.cloud_volumes()), base.PROJECT_ID,
            test_usage.quota_set()['quota_set'],
            test_usage.glance_limits()['usage'])
        view.update(usage.archive_fields([], [], base.PROJECT_ID, None))
        fields, _values = columns.show(snapshot_usage.USAGE,
                                       snapshot_usage.PLAIN, view)
        self.assertEqual(sorted(set(view) - {'drift'}), sorted(fields))

    def test_by_server_row(self):
        headers, rows = columns.listing(
            snapshot_usage.SERVER_USAGE, {snapshot_usage.SERVERS},
            [usage.ServerUsage(None, None, 2, 3),
             usage.ServerUsage('s1', None, 1, 1)])
        self.assertEqual(['Server ID', 'Server', 'Snapshots', 'Size GiB'],
                         headers)
        self.assertEqual(['', '(unknown)', 2], rows[0][:3])
        self.assertEqual(['s1', '(deleted server)', 1], rows[1][:3])
