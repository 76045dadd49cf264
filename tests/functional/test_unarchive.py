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

"""``rc snapshot unarchive`` against a real cloud with a backup service."""

from openstack import exceptions as sdk_exc

from tests.functional import base
from tests.functional import test_archive


class TestUnarchive(test_archive.ArchiveTest):

    def test_unarchive_gives_a_snapshot_that_launch_boots(self):
        # A flavor whose disk the 1 GiB root volume fits: Nova gives the
        # snapshot that min_disk.
        snap = self.snapshot_server(self.create_server(
            1, data_volume_size=1, flavor=self.flavor_for_volume(1)))
        self.addCleanup(self.delete_backups, snap['id'])
        self.rc('archive', snap['id'], '--wait', '--timeout',
                str(base.TIMEOUT))
        before = {d['snapshot_id'] for d in snap['volume_snapshots']}
        rows = self.rc('unarchive', snap['id'], '--timeout',
                       str(base.TIMEOUT))
        self.assertEqual(['image', 'volume', 'volume snapshot', 'volume',
                          'volume snapshot', 'backup', 'backup'],
                         [r['Kind'] for r in rows])
        self.assertEqual(['unarchived', 'deleting', 'deleting'], [
            r['Result'] for r in rows if r['Kind'] in ('image', 'backup')])
        sources = [r['Resource'] for r in rows if r['Kind'] == 'volume']
        made = [r['Resource'] for r in rows if r['Kind'] == 'volume snapshot']

        shown = self.rc('show', snap['id'])
        self.assertEqual('volume-backed', shown['type'])
        self.assertEqual(made, [d['snapshot_id']
                                for d in shown['volume_snapshots']])
        self.assertEqual(['available', 'available'],
                         [d['status'] for d in shown['volume_snapshots']])
        self.assertFalse(before & set(made))
        self.assertEqual(2, shown['size_gib'])
        block = base.connection().block_storage
        for volume_id in sources:
            volume = block.get_volume(volume_id)
            self.assertEqual(snap['id'], volume.metadata['rcsnap_image_id'])

        launched = self.rc('launch', snap['id'], '--name',
                           '%s-u' % self.prefix, '--wait', '--timeout',
                           str(base.TIMEOUT),
                           *(['--network', base.NETWORK] if base.NETWORK
                             else ['--no-network']))
        volumes = [v['id'] for v in launched['volumes']]
        self.later(base.remove_all, base.connection(), [launched['id']],
                   volumes)
        self.assertEqual('ACTIVE', launched['status'])
        self.assertEqual('volume-backed', launched['type'])
        self.assertEqual(made, [v['made_from'].split()[-1]
                                for v in launched['volumes']])
        # What was launched from the volume snapshots goes first: delete
        # keeps a volume snapshot a volume was made from.
        base.remove_all(base.connection(), [launched['id']], volumes)

        # The backups went; delete takes the volume snapshots, then the
        # source volumes they were taken of.
        def backups_gone():
            return not [b for b in block.backups(details=True)
                        if (b.metadata or {}).get('rcsnap_image_id') ==
                        snap['id']]
        base.wait_for('backups of %s gone' % snap['id'], backups_gone)
        rows = self.rc('delete', '--purge', '--yes',
                       snap['id'], '--wait', '--timeout',
                       str(base.TIMEOUT))
        # --wait waits for the source volumes too: they are deleted.
        self.assertEqual(['deleted'] * 5, [r['Result'] for r in rows])
        self.assertEqual(sources, [r['Resource'] for r in rows
                                   if r['Kind'] == 'volume'])

        def volumes_gone():
            for volume_id in sources:
                try:
                    block.get_volume(volume_id)
                    return False
                except sdk_exc.NotFoundException:
                    pass
            return True
        base.wait_for('source volumes gone', volumes_gone)
