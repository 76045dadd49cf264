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

"""Retention follows a restore: once ``restore`` replaced a server, the
new server's ``prune`` counts the old server's snapshots as its own and
deletes those past the rules. The snapshot restored from stays needed
while the new server's volumes are made from its volume snapshots (Cinder
keeps a volume snapshot a volume was made from: ``delete``'s plan refuses
it), so the rules keep it here. Where the project has no network of its
own, the server has none."""


from tests.functional import test_restore


class TestRetentionFollowsTheRestore(test_restore.RestoreTest):

    NETWORKED = False

    def test_prune_of_the_new_server_prunes_the_old_servers_snapshot(self):
        server, _port, _data, _fip = self.make_server(with_floating_ip=False)
        oldest = self.snapshot_server({'id': server.id})
        restored_from = self.snapshot_server({'id': server.id})
        done = self.restore(restored_from['id'])
        new_id = done['server'][0]['New']
        self.assertNotEqual(server.id, new_id)
        self.later(self.delete_claims, new_id)
        newest = self.snapshot_server({'id': new_id})

        rows = self.rc('prune', '--server', new_id, '--keep', '2', '--yes')
        results = {r['Resource']: r['Result'] for r in rows}
        self.assertTrue(results[oldest['id']].startswith('binned until'),
                        results[oldest['id']])
        self.assertEqual('kept (one of the newest 2)',
                         results[restored_from['id']])
        self.assertEqual('kept (one of the newest 2)', results[newest['id']])
        binned = self.conn.image.get_image(oldest['id'])
        self.assertEqual((True, 'prune'), (
            binned.is_hidden, binned.properties['rcsnap_binned_by']))
