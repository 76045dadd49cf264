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
"""``rc snapshot lock|unlock`` against a real cloud: Glance itself
refuses to delete a locked snapshot, our delete paths refuse or keep it,
and unlock gives the owner's flag back."""

from tests.functional import base

LOCK_KEYS = ('rcsnap_locked_until', 'rcsnap_locked_at', 'rcsnap_locked_by',
             'rcsnap_was_protected')


class LockTest(base.FunctionalTest):

    def unprotect(self, image_id):
        """Cleanup: a test that fails while its snapshot is locked leaves
        nothing behind (Glance deletes no protected image)."""
        conn = base.connection()
        image = conn.image.find_image(image_id)
        if image is not None and image.is_protected:
            conn.image.update_image(image, is_protected=False)

    def locked(self, snap, *args):
        self.addCleanup(self.unprotect, snap['id'])
        return self.rc('lock', snap['id'], *args)


class TestLock(LockTest):

    def test_glance_refuses_delete_until_unlock_force(self):
        snap = self.upload_snapshot()
        rows = self.locked(snap, '--until', '2d')
        self.assertEqual([(snap['id'], True)],
                         [(r['ID'], r['Protected']) for r in rows])
        self.assertTrue(rows[0]['Locked Until'].endswith('Z'))
        self.assertTrue(rows[0]['Locked By'])

        # Glance's own delete: 403, the image stays.
        proc = self.openstack('image', 'delete', snap['id'], parse=False,
                              check=False)
        self.assertEqual(1, proc.returncode, proc.stderr)
        self.assertIn('is protected and cannot be deleted', proc.stderr)
        shown = self.rc('show', snap['id'])
        self.assertEqual(rows[0]['Locked Until'], shown['locked_until'])

        # Extending moves the date later, never earlier.
        later = self.rc('lock', snap['id'], '--until', '3d')
        self.assertGreater(later[0]['Locked Until'], rows[0]['Locked Until'])
        kept = self.rc('lock', snap['id'], '--until', '1d')
        self.assertEqual(later[0]['Locked Until'], kept[0]['Locked Until'])

        line = self.assertFailsCleanly(
            'use --force to unlock it before that date', 'rc', 'snapshot',
            'unlock', snap['id'])
        self.assertIn('locked until %s' % later[0]['Locked Until'], line)

        rows = self.rc('unlock', snap['id'], '--force')
        self.assertEqual([False], [r['Protected'] for r in rows])
        image = base.connection().image.get_image(snap['id'])
        self.assertFalse(image.is_protected)
        self.assertEqual([], [k for k in LOCK_KEYS if k in image.properties])
        self.assertFailsCleanly('is not locked', 'rc', 'snapshot', 'unlock',
                                snap['id'])

    def test_bad_input_changes_nothing(self):
        snap = self.upload_snapshot()
        proc = base.run('rc', 'snapshot', 'lock', snap['id'], '--until',
                        '2020-01-01', parse=False, check=False)
        self.assertEqual(2, proc.returncode, proc.stderr)
        self.assertEqual(1, len(proc.stderr.strip().splitlines()))
        self.assertIn("'2020-01-01' is not in the future", proc.stderr)
        self.assertFailsCleanly(
            "No image with a name or ID of '%s-none' exists" % self.prefix,
            'rc', 'snapshot', 'lock', snap['id'], '%s-none' % self.prefix)
        image = base.connection().image.get_image(snap['id'])
        self.assertFalse(image.is_protected)
        self.assertNotIn('rcsnap_locked_until', image.properties)


class TestLockedAgainstOurDeletes(LockTest):
    """A locked snapshot is refused by ``delete`` and kept by ``prune``:
    the checks live in the delete paths (issue 34's bin side)."""

    def test_delete_refuses_and_prune_keeps_a_locked_snapshot(self):
        server = self.create_server(volume_size=1)
        older, newer = [self.snapshot_server(server) for _ in range(2)]
        until = self.locked(older, '--until', '2d')[0]['Locked Until']

        proc = base.run('rc', 'snapshot', 'delete', older['id'], '--yes',
                        parse=False, check=False)
        self.assertEqual(1, proc.returncode, proc.stdout + proc.stderr)
        self.assertIn(until, proc.stdout + proc.stderr)

        done = {row['Resource']: row['Result'] for row in self.rc(
            'prune', '--server', server['id'], '--keep', '1', '--yes',
            '--wait', '--timeout', str(base.TIMEOUT))}
        self.assertIn(until, done[older['id']])
        image = base.connection().image.get_image(older['id'])
        self.assertTrue(image.is_protected)
        self.assertEqual('active', image.status)
        self.assertIn(newer['id'], {r['ID'] for r in self.rc('list')})
