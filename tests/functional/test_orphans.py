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

"""``rc snapshot orphans`` and ``delete --orphans`` against a real cloud."""

import datetime
import json

from openstack import exceptions as sdk_exc

from tests.functional import base


def age_seconds(created_at):
    made = datetime.datetime.fromisoformat(created_at.rstrip('Z'))
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    return (now - made.replace(tzinfo=None)).total_seconds()


class TestOrphans(base.FunctionalTest):

    def test_image_delete_leaves_orphans_that_are_reclaimed(self):
        server = self.create_server(volume_size=1, data_volume_size=1)
        snap = self.snapshot_server(server)
        ids = sorted(d['snapshot_id'] for d in snap['volume_snapshots'])
        self.assertEqual(2, len(ids))
        # What the dashboard does: the image goes, its volume snapshots
        # stay behind.
        self.openstack('image', 'delete', snap['id'], parse=False)

        listed = {row['ID']: row for row in self.rc('orphans')}
        self.assertEqual(ids, sorted(set(ids) & set(listed)))
        for sid in ids:
            self.assertEqual(1, listed[sid]['Size GiB'])
            self.assertEqual('available', listed[sid]['Status'])
            self.assertEqual([], listed[sid]['Dependent Volumes'])
            self.assertEqual('snapshot for %s' % snap['name'],
                             listed[sid]['Name'])

        plan = {row['Resource']: row['Result'] for row in self.rc(
            'delete', '--orphans', '--dry-run', '--min-age', '0')}
        self.assertEqual(['would bin'] * 2, [plan[sid] for sid in ids])
        for sid in ids:
            base.connection().block_storage.get_snapshot(sid)

        # Other tests may be making snapshots beside this one: only
        # orphans at least as old as these are reclaimed.
        oldest = min(age_seconds(listed[sid]['Created At']) for sid in ids)
        proc = self.rc('delete', '--purge', '--yes',
                       '--orphans', '--wait', '--min-age',
                       str(max(0, int(oldest) - 5)), '-f', 'json',
                       parse=False)
        rows = {row['Resource']: row['Result']
                for row in json.loads(proc.stdout)}
        self.assertEqual(['deleted'] * 2, [rows[sid] for sid in ids])
        self.assertRegex(proc.stderr.strip().splitlines()[-1],
                         r'^Freed \d+ GiB \(\d+ volume snapshots\)\.$')
        for sid in ids:
            self.assertRaises(sdk_exc.NotFoundException,
                              base.connection().block_storage.get_snapshot,
                              sid)
        self.assertEqual([], [row for row in self.rc('orphans')
                              if row['ID'] in ids])
