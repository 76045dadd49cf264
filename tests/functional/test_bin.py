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


"""The recycle bin against a real cloud: ``delete`` bins, ``recover``
brings back, ``bin purge`` frees."""

import json

from tests.functional import base


def results(rows):
    return {row['Resource']: row['Result'] for row in rows}


class TestBin(base.FunctionalTest):

    def image(self, image_id):
        return base.connection().image.get_image(image_id)

    def listed_ids(self):
        return {i['ID'] for i in self.openstack('image', 'list')}

    def network_args(self):
        return ['--network', base.NETWORK] if base.NETWORK else [
            '--no-network']

    def launch(self, snap, name, check=True):
        """``rc snapshot launch --wait``: the process; the server goes at
        cleanup."""
        self.later(self.delete_named_server, name)
        return base.run('rc', 'snapshot', 'launch', snap['id'], '--name',
                        name, '--wait', '--timeout', str(base.TIMEOUT),
                        *self.network_args(), '-f', 'json', parse=False,
                        check=check)

    def delete_named_server(self, name):
        conn = base.connection()
        base.remove_all(conn, servers=[s.id for s in conn.compute.servers()
                                       if s.name == name])

    def test_delete_bins_recover_launches(self):
        snap = self.upload_snapshot()
        rows = self.rc('delete', snap['id'])
        self.assertEqual(['image'], [r['Kind'] for r in rows])
        self.assertTrue(rows[0]['Result'].startswith('binned until '),
                        rows)
        image = self.image(snap['id'])
        self.assertTrue(image.is_hidden)
        self.assertTrue(image.is_protected)
        self.assertEqual('deactivated', image.status)
        self.assertEqual('delete', image.properties['rcsnap_binned_by'])
        self.assertNotIn(snap['id'], {r['ID'] for r in self.rc('list')})
        self.assertNotIn(snap['id'], self.listed_ids())
        # Not bootable: Nova refuses an image that is not active.
        proc = self.launch(snap, '%s-no' % self.prefix, check=False)
        self.assertNotEqual(0, proc.returncode, proc.stdout)
        self.assertNotIn('Traceback', proc.stderr)
        # Glance refuses its deletion by hand.
        proc = self.openstack('image', 'delete', snap['id'], parse=False,
                              check=False)
        self.assertNotEqual(0, proc.returncode)
        self.assertTrue(self.image(snap['id']))

        rows = self.rc('recover', snap['id'])
        self.assertEqual([{'ID': snap['id'], 'Name': snap['name'],
                           'Result': 'recovered'}], rows)
        image = self.image(snap['id'])
        self.assertFalse(image.is_hidden)
        self.assertFalse(image.is_protected)
        self.assertEqual('active', image.status)
        self.assertNotIn('rcsnap_binned_at', image.properties)
        self.assertIn(snap['id'], self.listed_ids())
        proc = self.launch(snap, '%s-yes' % self.prefix)
        self.assertEqual('ACTIVE', json.loads(proc.stdout)['status'])

    def test_bad_input_changes_nothing(self):
        snap = self.upload_snapshot()
        self.assertFailsCleanly('is not in the recycle bin', 'rc',
                                'snapshot', 'recover', snap['id'])
        self.assertFailsCleanly('no image with a name or ID', 'rc',
                                'snapshot', 'recover',
                                '%s-nothing' % self.prefix)
        proc = base.run('rc', 'snapshot', 'delete', snap['id'],
                        '--bin-days', '0', parse=False, check=False)
        self.assertEqual(2, proc.returncode, proc.stderr)
        image = self.image(snap['id'])
        self.assertFalse(image.is_hidden)
        self.assertEqual('active', image.status)

    def test_volume_backed_marks_and_unmarks_volume_snapshots(self):
        server = self.create_server(volume_size=1)
        snap = self.snapshot_server(server)
        ids = [d['snapshot_id'] for d in snap['volume_snapshots']]
        rows = self.rc('delete', snap['id'])
        self.assertEqual(['binned'] * (1 + len(ids)),
                         [r['Result'].split(' until')[0] for r in rows])
        conn = base.connection()
        for sid in ids:
            meta = conn.block_storage.get_snapshot(sid).metadata
            self.assertEqual('delete', meta['rcsnap_binned_by'])
        self.rc('recover', snap['name'])
        for sid in ids:
            meta = conn.block_storage.get_snapshot(sid).metadata
            self.assertNotIn('rcsnap_binned_at', meta)


class TestBinQuota(base.FunctionalTest):
    """Cinder's own counters of the project (alone: other tests change
    them): the bin frees nothing, its purge frees the volume snapshot."""

    def usage(self):
        conn = base.connection()
        quota = conn.block_storage.get(
            '/os-quota-sets/%s' % conn.current_project_id,
            params={'usage': 'True'}).json()['quota_set']
        return {key: quota[key]['in_use'] for key in ('snapshots',
                                                      'gigabytes')}

    def test_purge_frees_what_delete_kept(self):
        snap = self.snapshot_server(self.create_server(volume_size=1))
        before = self.usage()
        self.rc('delete', snap['id'])
        binned = self.usage()
        rows = self.rc('bin', 'purge', snap['id'], '--older-than', '0s',
                       '--yes', '--wait', '--timeout', str(base.TIMEOUT))
        after = self.usage()
        self.addDetail('quota', base.content.text_content(
            'before %s\nbinned %s\nafter  %s' % (before, binned, after)))
        self.assertEqual(['deleted', 'deleted'],
                         [r['Result'] for r in rows])
        self.assertEqual(before, binned)
        self.assertEqual(before['snapshots'] - 1, after['snapshots'])
        self.assertEqual(before['gigabytes'] - 1, after['gigabytes'])
