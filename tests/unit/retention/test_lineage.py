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

"""Retention follows the lineage: a restored server's snapshots include
those of the servers it replaced, with no request more."""

import testtools

from rcsnap_osc.core import origin
from tests.unit import base
from tests.unit import fakes
from tests.unit.retention import test_prune
from tests.unit.usage import test_usage

OLD_ID = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d'
OLDER_ID = '6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e'


def restored(server_id=fakes.SERVER_ID, chain=(OLD_ID,), **metadata):
    if chain:
        metadata[origin.RESTORED_FROM] = ' '.join(chain)
    return {'id': server_id, 'metadata': metadata}


class TestLineage(testtools.TestCase):

    def test_a_server_never_restored_is_its_own(self):
        self.assertEqual((fakes.SERVER_ID,),
                         origin.lineage(restored(chain=())))

    def test_the_servers_it_replaced_latest_first(self):
        self.assertEqual((fakes.SERVER_ID, OLD_ID, OLDER_ID),
                         origin.lineage(restored(chain=(OLD_ID, OLDER_ID))))

    def test_a_server_replaced_since_counts_only_its_own(self):
        server = restored(**{origin.REPLACED_BY: OLDER_ID})
        self.assertEqual((fakes.SERVER_ID,), origin.lineage(server))

    def test_listed_servers_replaced_past_the_recorded_chain(self):
        listed = [{'id': OLDER_ID,
                   'metadata': {origin.REPLACED_BY: OLD_ID}},
                  {'id': 'unrelated', 'metadata': {}}]
        self.assertEqual((fakes.SERVER_ID, OLD_ID, OLDER_ID),
                         origin.lineage(restored(), listed))

    def test_snapshots_of_counts_the_replaced(self):
        mine = test_prune.snap(3)
        old = test_prune.snap(2, **{origin.SERVER_PROPERTY: OLD_ID})
        other = test_prune.snap(1, **{origin.SERVER_PROPERTY: OLDER_ID})
        found = origin.snapshots_of(fakes.SERVER_ID, [old, mine, other],
                                    base.PROJECT_ID, {}, [], (OLD_ID,))
        self.assertEqual([mine['id'], old['id']], [i['id'] for i in found])


class TestPruneFollowsTheLineage(base.TestCommand):

    register = test_prune.TestPruneCommand.register
    prune = test_prune.TestPruneCommand.prune

    def test_prune_keep_one_bins_the_old_servers_snapshot(self):
        old = test_prune.snap(1, **{origin.SERVER_PROPERTY: OLD_ID})
        self.register([old, test_prune.snap(2)])
        server = fakes.server()
        server['metadata'] = {origin.RESTORED_FROM: OLD_ID}
        fakes.register_server(self.requests, server)
        rows = self.prune('--keep', '1', '--yes')
        self.assertEqual([
            (test_prune.image_id(1), base.BINNED),
            (test_prune.vsid(1), base.BINNED),
            (test_prune.image_id(2), 'kept (one of the newest 1)')],
            [(r['Resource'], r['Result']) for r in rows])
        bins = [
            'PATCH %s/%s' % (test_prune.IMAGES, test_prune.image_id(1)),
            'POST %s/%s/actions/deactivate' % (test_prune.IMAGES,
                                               test_prune.image_id(1)),
            'POST %s/snapshots/%s/metadata' % (base.VOLUME_URL,
                                               test_prune.vsid(1))]
        self.assertEqual(test_prune.TAKE[1:] + bins + test_prune.RELEASE,
                         self.writes())

    def test_no_request_more_for_the_lineage(self):
        old = test_prune.snap(1, **{origin.SERVER_PROPERTY: OLD_ID})
        self.register([old, test_prune.snap(2)])
        server = fakes.server()
        server['metadata'] = {origin.RESTORED_FROM: OLD_ID}
        fakes.register_server(self.requests, server)
        rows = self.prune('--keep', '1', '--dry-run')
        self.assertEqual('would bin', rows[0]['Result'])
        self.assertEqual(sorted(test_usage.LISTINGS + [test_prune.SERVER]),
                         sorted(self.calls()))

    def test_without_the_record_the_old_servers_snapshot_stays(self):
        old = test_prune.snap(1, **{origin.SERVER_PROPERTY: OLD_ID})
        self.register([old, test_prune.snap(2)])
        rows = self.prune('--keep', '1', '--dry-run')
        self.assertEqual([(test_prune.image_id(2),
                           'kept (one of the newest 1)')],
                         [(r['Resource'], r['Result']) for r in rows])
