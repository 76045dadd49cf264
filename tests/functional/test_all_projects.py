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


"""Orphans against a real cloud: only Nova's that nothing uses by default,
the others with their reason under --all; an operator's view, where
``orphans --all-projects`` and ``delete --orphans --all-projects
--project`` as an admin list the orphans of both test projects, and a
member is refused in one line."""

import os

from tests.functional import base

#: A clouds.yaml entry with the admin role.
ADMIN_CLOUD = os.environ.get('RCSNAP_ADMIN_CLOUD', 'local-admin')


def make_orphan(test, cloud=None):
    """A volume snapshot as Nova makes one for an instance snapshot
    (``snapshot for <image name>``, the volume's description, no
    metadata) whose image is gone."""
    volume = test.create_volume(size=1, image=None, cloud=cloud)
    conn = base.connection(cloud)
    snap = conn.block_storage.create_snapshot(
        volume_id=volume.id, name='snapshot for %s-snap' % test.prefix,
        description=volume.description, is_forced=True)
    test.later(base.remove_all, conn, volume_snapshots=[snap.id])
    base.wait_for_status(conn.block_storage.get_snapshot, snap.id,
                         'available')
    return snap.id


class TestAllProjects(base.FunctionalTest):

    def project_name(self, cloud=None):
        return base.connection(cloud).config.auth['project_name']

    def test_admin_sees_both_projects_a_member_is_refused(self):
        alpha, beta = make_orphan(self), make_orphan(self, base.OTHER_CLOUD)

        rows = {row['ID']: row for row in self.rc(
            'orphans', '--all-projects', cloud=ADMIN_CLOUD)}
        self.assertEqual(self.project_name(), rows[alpha]['Project'])
        self.assertEqual(self.project_name(base.OTHER_CLOUD),
                         rows[beta]['Project'])
        self.assertEqual('', rows[beta]['Reason'])

        plan = {row['Resource']: row['Result'] for row in self.rc(
            'delete', '--orphans', '--all-projects', '--project',
            self.project_name(base.OTHER_CLOUD), '--dry-run', '--min-age',
            '0', cloud=ADMIN_CLOUD)}
        self.assertEqual('would bin', plan[beta])
        self.assertNotIn(alpha, plan)

        self.assertFailsCleanly(
            '--all-projects needs the admin role', 'rc', 'snapshot',
            'orphans', '--all-projects')
        # The member's own listing still has its orphan, unchanged.
        self.assertIn(alpha, [row['ID'] for row in self.rc('orphans')])


class TestOrphanReasons(base.FunctionalTest):
    """Without --all only Nova's that nothing uses; --all says why the
    others may still be wanted."""

    def test_hand_made_and_source_of_a_volume_only_with_all(self):
        conn = base.connection()
        nova_like = make_orphan(self)
        hand = conn.block_storage.create_snapshot(
            volume_id=conn.block_storage.get_snapshot(nova_like).volume_id,
            name='%s-by-hand' % self.prefix, is_forced=True)
        self.later(base.remove_all, conn, volume_snapshots=[hand.id])
        base.wait_for_status(conn.block_storage.get_snapshot, hand.id,
                             'available')
        made = conn.block_storage.create_volume(
            size=1, snapshot_id=nova_like, name='%s-from' % self.prefix)
        self.later(self.delete_volume, made.id)
        base.wait_for_status(conn.block_storage.get_volume, made.id,
                             'available')

        plain = [row['ID'] for row in self.rc('orphans')]
        self.assertNotIn(nova_like, plain)
        self.assertNotIn(hand.id, plain)
        reasons = {row['ID']: row['Reason']
                   for row in self.rc('orphans', '--all')}
        self.assertEqual('volume %s was made from it' % made.id,
                         reasons[nova_like])
        self.assertEqual('not made by Nova for an instance snapshot (by '
                         'hand, or by another tool)', reasons[hand.id])
