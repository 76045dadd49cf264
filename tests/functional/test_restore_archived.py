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

"""``rc snapshot restore`` of an archived snapshot against a real cloud
with a backup service: the new server's volumes are made from the
backups, and it keeps the old one's name and fixed IPs (where the project
has no network of its own, the server has none)."""

from tests.functional import base
from tests.functional import test_archive
from tests.functional import test_restore


class TestRestoreArchived(test_restore.RestoreTest):

    NETWORKED = False

    def test_restore_from_the_backups(self):
        block = self.conn.block_storage
        try:
            block.get('/backups', params={'limit': 1})
        except Exception:  # pragma: no cover - other clouds
            self.skipTest('this cloud has no backup API')
        why = base.no_backup_service()
        if why:  # pragma: no cover - other clouds
            self.skipTest(why)
        server, port, data, _fip = self.make_server(with_floating_ip=False)
        before = self.addresses(server.id)
        snap = self.snapshot_server({'id': server.id})
        self.addCleanup(test_archive.ArchiveTest.delete_backups, self,
                        snap['id'])
        self.rc('archive', snap['id'], '--wait', '--timeout',
                str(base.TIMEOUT))
        backups = [b['backup_id'] for b in self.rc('show', snap['id'])[
            'backups']]

        done = self.restore(snap['id'])
        new_id = done['server'][0]['New']
        new = self.conn.compute.get_server(new_id)
        self.assertEqual(('ACTIVE', server.name), (new.status, new.name))
        self.assertEqual(sorted(before.values()),
                         sorted(self.addresses(new_id).values()))
        for kind, backup in (('root volume', backups[0]),
                             ('data volume', backups[1])):
            row = done[kind][0]
            self.assertIn('from backup %s (archived)' % backup, row['Note'])
            volume = block.get_volume(row['New'])
            self.assertIsNone(volume.snapshot_id)
            self.assertIn(new_id, [a['server_id']
                                   for a in volume.attachments])
        old = self.conn.compute.get_server(server.id)
        self.assertEqual('SHUTOFF', old.status)
        self.assertIn(data.id, {v['id'] for v in old.attached_volumes})
        # The snapshot stays archived: restore used its backups.
        self.assertEqual('volume-backed, archived',
                         self.rc('show', snap['id'])['type'])
