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

"""``delete``'s pure rules: which arguments go together, the line
``--orphans`` ends with, and the failure line."""

import types

import testtools

from rcsnap_osc.core import deletion
from rcsnap_osc.core import orphans
from rcsnap_osc.delete import plan
from rcsnap_osc import errors
from tests.unit import fakes

ORPHAN_ID = 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f'


def outcome(resource_id, state, kind=deletion.VOLUME_SNAPSHOT,
            failed=False):
    return types.SimpleNamespace(
        item=deletion.Item(resource_id, kind, None, deletion.DELETE),
        state=state, failed=failed)


class TestCheck(testtools.TestCase):

    def test_refusals(self):
        for orphans_given, fields, expected in [
                (True, {'names': ('a',)}, 'not both'),
                (False, {}, 'Name the snapshots to delete'),
                (False, {'names': ('a',), 'include_all': True}, '--all '),
                (False, {'names': ('a',), 'min_age': 5}, '--min-age '),
                (False, {'names': ('a',), 'all_projects': True,
                         'project': 'p'}, '--all-projects applies'),
                (True, {'all_projects': True}, 'go together'),
                (True, {'project': 'p'}, 'go together'),
                (True, {'force': True}, 'do not apply with --orphans'),
                (True, {'keep_volume_snapshots': True}, 'do not apply'),
        ]:
            error = self.assertRaises(
                errors.Refused, plan.check, plan.Request(**fields),
                orphans_given)
            self.assertIn(expected, str(error), fields)

    def test_what_goes_together(self):
        plan.check(plan.Request(names=('a',), force=True), False)
        plan.check(plan.Request(include_all=True, min_age=0,
                                all_projects=True, project='p'), True)


class TestFreedLine(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.found = [orphans.Orphan(fakes.volume_snapshot(ORPHAN_ID,
                                                           size=10))]

    def test_dry_run(self):
        self.assertEqual('Would free 10 GiB (1 volume snapshots).',
                         plan.freed_line(plan.Request(dry_run=True),
                                         self.found,
                                         [outcome(ORPHAN_ID, 'delete')]))

    def test_deleting_unless_waited(self):
        self.assertIn('Freeing 10 GiB', plan.freed_line(
            plan.Request(), self.found, [outcome(ORPHAN_ID, 'deleting')]))
        self.assertEqual('Freed 10 GiB (1 volume snapshots).',
                         plan.freed_line(plan.Request(wait=60), self.found,
                                         [outcome(ORPHAN_ID, 'deleted')]))

    def test_all_gone_without_wait_is_freed(self):
        self.assertEqual('Freed 10 GiB (1 volume snapshots).',
                         plan.freed_line(plan.Request(), self.found,
                                         [outcome(ORPHAN_ID, 'deleted')]))


class TestFailureLine(testtools.TestCase):

    def test_none_when_nothing_failed(self):
        plans = [deletion.Plan('a', (outcome('i', 'deleted').item,))]
        self.assertIsNone(deletion.failure_line(
            plans, [outcome('i', 'deleted')]))

    def test_names_what_failed_and_what_blocks_it(self):
        failed = outcome('i', 'fail', failed=True)
        plans = [deletion.Plan('a', (failed.item,), blocked_by='volume v'),
                 deletion.Plan('b', ())]
        self.assertEqual('1 of 2 snapshots could not be deleted: a (volume '
                         'v)', deletion.failure_line(plans, [failed]))
        self.assertEqual('1 of 2 volume snapshots would not be deleted: a '
                         '(volume v)', deletion.failure_line(
                             plans, [failed], True, 'volume snapshots'))
