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

"""``rc snapshot archive`` against a real cloud with a backup service."""

import hashlib
import os

import fixtures
from openstack import exceptions as sdk_exc

from tests.functional import base


def results(rows):
    return {row['Resource']: row['Result'] for row in rows}


def cinder_usage(conn):
    """Cinder's own counters of the project: {quota: in use}."""
    quota = conn.block_storage.get(
        '/os-quota-sets/%s' % conn.current_project_id,
        params={'usage': 'True'}).json()['quota_set']
    return {key: quota[key]['in_use'] for key in (
        'snapshots', 'gigabytes', 'backups', 'backup_gigabytes')}


class ArchiveTest(base.FunctionalTest):

    def setUp(self):
        super().setUp()
        conn = base.connection()
        try:
            conn.block_storage.get('/backups', params={'limit': 1})
        except sdk_exc.HttpException:  # pragma: no cover - other clouds
            self.skipTest('this cloud has no backup API')
        why = base.no_backup_service()
        if why:  # pragma: no cover - other clouds
            self.skipTest(why)

    def server(self):
        return self.class_fixture('server', lambda: self.create_server(
            volume_size=1, data_volume_size=1))

    def delete_backups(self, image_id):
        """The backups ``archive`` made for an image, the newest first (an
        incremental backup before the one it builds on)."""
        block = base.connection().block_storage

        def mine():
            return sorted(
                (b for b in block.backups(details=True)
                 if (b.metadata or {}).get('rcsnap_image_id') == image_id),
                key=lambda b: b.created_at, reverse=True)

        def gone():
            left = mine()
            for backup in left:
                if backup.status in ('available', 'error'):
                    try:
                        block.delete_backup(backup.id)
                    except sdk_exc.HttpException:
                        pass  # a newer incremental one goes first
            return not left
        base.wait_for('backups of %s gone' % image_id, gone)

    def archived_snapshot(self, *args):
        snap = self.snapshot_server(self.server())
        self.addCleanup(self.delete_backups, snap['id'])
        rows = self.rc('archive', snap['id'], '--wait', '--timeout',
                       str(base.TIMEOUT), *args)
        return snap, rows


class TestArchive(ArchiveTest):

    def test_archive_then_incremental(self):
        snap, rows = self.archived_snapshot()
        ids = [d['snapshot_id'] for d in snap['volume_snapshots']]
        self.assertEqual(2, len(ids))
        self.assertEqual(['image', 'backup', 'backup', 'volume snapshot',
                          'volume snapshot'], [r['Kind'] for r in rows])
        found = results(rows)
        self.assertEqual('archived', found[snap['id']])
        self.assertEqual('deleted', found[ids[0]])
        self.assertEqual('deleted', found[ids[1]])
        block = base.connection().block_storage
        for sid in ids:
            self.assertRaises(sdk_exc.NotFoundException, block.get_snapshot,
                              sid)
        shown = self.rc('show', snap['id'])
        self.assertEqual('volume-backed, archived', shown['type'])
        self.assertEqual(2, shown['size_gib'])

        # The volumes did not change: the next archive of them builds on
        # these backups.
        second, rows = self.archived_snapshot()
        made = [r for r in rows if r['Kind'] == 'backup']
        self.assertEqual(2, len(made))
        for row in made:
            self.assertIn('incremental on backup', row['Result'])

        # The first archive cannot go while the second builds on it.
        proc = self.rc('delete', '--purge', '--yes',
                       snap['id'], '-f', 'json', parse=False,
                       check=False)
        self.assertEqual(1, proc.returncode, proc.stderr)
        self.assertIn('builds on it', proc.stdout)
        shown = self.rc('show', snap['id'])
        self.assertEqual(['available', 'available'],
                         [b['status'] for b in shown['backups']])
        rows = self.rc('delete', '--purge', '--yes', second['id'])
        self.assertEqual(['deleted', 'deleting', 'deleting'],
                         [r['Result'] for r in rows])
        newer = [r['Resource'] for r in made]

        def gone():
            left = {b.id for b in block.backups()}
            return not left & set(newer)
        base.wait_for('incremental backups gone', gone)
        rows = self.rc('delete', '--purge', '--yes', snap['id'])
        self.assertEqual(['image', 'backup', 'backup'],
                         [r['Kind'] for r in rows])
        self.assertEqual(['deleted', 'deleting', 'deleting'],
                         [r['Result'] for r in rows])

        # An image-backed snapshot is refused, nothing made.
        image = self.upload_snapshot()
        self.assertFailsCleanly('it is image-backed', 'rc', 'snapshot',
                                'archive', image['id'])


class TestLaunchArchived(ArchiveTest):
    """Back from the archive: a server launched from an archived snapshot
    boots on volumes that hold the bytes its disks held."""

    def image_sha256(self):
        conn = base.connection()
        image = conn.image.find_image(base.IMAGE, ignore_missing=False)
        digest = hashlib.sha256()
        response = conn.image.get('/images/%s/file' % image.id, stream=True)
        for chunk in response.iter_content(1024 * 1024):
            digest.update(chunk)
        return digest.hexdigest(), image.disk_format

    def delete_launched(self, server_id):
        conn = base.connection()
        server = conn.compute.find_server(server_id)
        if server is not None:
            base.remove_all(conn, servers=[server.id], volumes=[
                v['id'] for v in server.attached_volumes])

    def test_launch_from_the_backups_holds_the_same_bytes(self):
        sha, disk_format = self.image_sha256()
        if disk_format != 'raw':
            self.skipTest('the test image must be raw: its bytes are the '
                          'volumes\' bytes')
        # Both volumes made from the test image: known bytes.
        root = self.create_volume(1, bootable=True)
        data = self.create_volume(1)
        server = self.boot('%s-vm' % self.prefix, self.flavor_for_volume(1),
                           block_device_mapping=base.volume_mapping(
                               root.id, data.id))
        snap = self.snapshot_server(server)
        self.addCleanup(self.delete_backups, snap['id'])
        self.rc('archive', snap['id'], '--wait', '--timeout',
                str(base.TIMEOUT))
        shown = self.rc('show', snap['id'])
        backups = [b['backup_id'] for b in shown['backups']]

        launched = self.rc('launch', snap['id'], '--name',
                           '%s-l' % self.prefix, '--wait', '--timeout',
                           str(base.TIMEOUT),
                           *(['--network', base.NETWORK] if base.NETWORK
                             else ['--no-network']))
        self.addCleanup(self.delete_launched, launched['id'])
        self.assertEqual('ACTIVE', launched['status'])
        self.assertEqual(['backup %s' % b for b in backups],
                         [v['made_from'] for v in launched['volumes']])
        self.assertEqual([False, False], [v['depends_on_snapshot']
                                          for v in launched['volumes']])
        self.assertEqual(launched['volumes'][0]['id'],
                         launched['root_volume_id'])

        # Read the new volumes back: a snapshot of the new server,
        # exported.
        again = self.snapshot_server({'id': launched['id']})
        where = os.path.join(self.useFixture(fixtures.TempDir()).path, 'x')
        exported = self.rc('export', again['id'], '--dir', where,
                           '--volumes', 'all', '--disk-format', 'raw',
                           '--timeout', str(base.TIMEOUT))
        self.assertEqual(['disk-0.raw', 'disk-1.raw'], exported['files'])
        for name in exported['files']:
            with open(os.path.join(where, name), 'rb') as f:
                self.assertEqual(sha, hashlib.sha256(f.read()).hexdigest())


class TestArchiveQuota(ArchiveTest):
    """Cinder's own counters of the project (alone: other tests change
    them)."""

    def test_gives_the_snapshot_quota_back(self):
        snap = self.snapshot_server(self.server())
        self.addCleanup(self.delete_backups, snap['id'])
        conn = base.connection()
        before = cinder_usage(conn)
        self.rc('archive', snap['id'], '--wait', '--timeout',
                str(base.TIMEOUT))
        after = cinder_usage(conn)
        self.addDetail('quota', base.content.text_content(
            'before %s\nafter  %s' % (before, after)))
        self.assertEqual(before['snapshots'] - 2, after['snapshots'])
        self.assertEqual(before['gigabytes'] - 2, after['gigabytes'])
        self.assertEqual(before['backups'] + 2, after['backups'])
        self.assertEqual(before['backup_gigabytes'] + 2,
                         after['backup_gigabytes'])


class TestPruneArchives(ArchiveTest):

    def test_prune_archives_the_kept_snapshot_older_than_the_age(self):
        server = self.create_server(volume_size=1)
        snap = self.snapshot_server(server)
        self.addCleanup(self.delete_backups, snap['id'])
        vsid = snap['volume_snapshots'][0]['snapshot_id']
        planned = results(self.rc('prune', '--server', server['id'],
                                  '--keep', '1', '--archive-older-than',
                                  '1s', '--dry-run'))
        self.assertEqual('kept (one of the newest 1); would archive',
                         planned[snap['id']])
        self.assertEqual('would delete', planned[vsid])
        rows = self.rc('prune', '--server', server['id'], '--keep', '1',
                       '--archive-older-than', '1s', '--yes', '--wait',
                       '--timeout', str(base.TIMEOUT))
        self.assertEqual(['image', 'backup', 'volume snapshot'],
                         [r['Kind'] for r in rows])
        found = results(rows)
        self.assertEqual('kept (one of the newest 1); archived',
                         found[snap['id']])
        self.assertEqual('deleted', found[vsid])
        self.assertEqual('volume-backed, archived',
                         self.rc('show', snap['id'])['type'])
        # Archived already: the next run leaves it as it is.
        again = results(self.rc('prune', '--server', server['id'], '--keep',
                                '1', '--archive-older-than', '1s',
                                '--dry-run'))
        self.assertEqual({snap['id']: 'kept (one of the newest 1)'}, again)
