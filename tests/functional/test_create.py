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

"""``rc snapshot create`` (verdict, --stop, --require-quiesce) and
``rc snapshot batch create`` against a real cloud."""

import json
import os

from openstack import exceptions as sdk_exc
from testtools import content

from tests.functional import base
from tests.functional import inventory

ADMIN_CLOUD = os.environ.get('RCSNAP_ADMIN_CLOUD', 'local-admin')


class TestCreate(base.FunctionalTest):

    def forget(self, image_id):
        """Remove a snapshot made here by ID: its image, then its volume
        snapshots."""
        conn = base.connection()
        try:
            image = conn.image.get_image(image_id)
        except sdk_exc.NotFoundException:
            return
        mapping = json.loads((image.properties or {}).get(
            'block_device_mapping') or '[]')
        conn.image.delete_image(image_id, ignore_missing=True)
        base.remove_all(conn, volume_snapshots=[
            e['snapshot_id'] for e in mapping if e.get('snapshot_id')])

    def create(self, *args):
        """``rc snapshot create|batch create *args -f json``: the process,
        its output parsed, the snapshots it made removed at cleanup."""
        proc = self.rc(*args, '--timeout', str(base.TIMEOUT), '-f', 'json',
                       parse=False, check=False)
        data = json.loads(proc.stdout) if proc.stdout.strip() else None
        rows = data if isinstance(data, list) else [data] if data else []
        for row in rows:
            image_id = row.get('id') or row.get('Snapshot ID')
            if image_id:
                self.later(self.forget, image_id)
        return proc, data

    def assertUsable(self, image_id):
        snap = self.rc('show', image_id)
        self.assertEqual('active', snap['status'])
        self.assertEqual(['available'] * len(snap['volume_snapshots']),
                         [d['status'] for d in snap['volume_snapshots']])
        return snap

    def test_stop_volume_backed_ends_active_with_a_usable_snapshot(self):
        server = self.create_server(volume_size=1)
        conn = base.connection()

        # Not declared by the image: --require-quiesce refuses, makes
        # nothing.
        name = '%s-snap' % self.prefix
        proc, _ = self.create('create', server.id, '--name', name,
                              '--require-quiesce')
        self.assertEqual(1, proc.returncode, proc.stderr)
        self.assertIn('crash-consistent: the guest agent is not declared',
                      proc.stderr)
        self.assertIn('(refused: --require-quiesce); nothing was made.',
                      proc.stderr)
        self.assertEqual([], list(conn.image.images(name=name)))

        proc, snap = self.create('create', server.id, '--name', name,
                                 '--stop')
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertEqual('ACTIVE', conn.compute.get_server(server.id).status)
        lines = proc.stderr.strip().splitlines()
        self.assertEqual('Server %s: server is stopped: consistent.'
                         % server.name, lines[0])
        self.assertRegex(lines[-1], r'^Server %s was down for \d+ s\.$'
                         % server.name)
        self.assertEqual('volume-backed', snap['type'])
        self.assertEqual('active', snap['status'])
        shown = self.assertUsable(snap['id'])
        self.assertEqual('stopped', shown['consistency'])

    def test_guest_agent_declared_is_frozen(self):
        image_id = self.create_image({
            'name': '%s-agent-image' % self.prefix, 'disk_format': 'raw',
            'container_format': 'bare', 'visibility': 'private',
            'hw_qemu_guest_agent': 'yes'}, data=b'\0' * 1024 * 1024)
        server = self.create_server(volume_size=1, image=image_id)
        proc, snap = self.create('create', server.id, '--name',
                                 '%s-snap' % self.prefix, '--wait',
                                 '--require-quiesce')
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertIn('Server %s: file systems frozen by the guest agent.'
                      % server.name, proc.stderr)
        self.assertEqual('quiesced', self.assertUsable(snap['id'])[
            'consistency'])

    def test_three_servers_in_one_call(self):
        servers = []
        for n in range(3):
            root = self.create_volume(1, image=None, bootable=True)
            servers.append(self.boot(
                '%s-node-%d' % (self.prefix, n), base.FLAVOR,
                block_device_mapping=base.volume_mapping(root.id)))
        names = [s.name for s in servers]
        conn = base.connection()

        # Every server of the project, --dry-run: listed, nothing made.
        proc, rows = self.create('batch', 'create', '--all', '--dry-run')
        self.assertEqual(0, proc.returncode, proc.stderr)
        ours = [r for r in rows if r['Server'] in names]
        self.assertEqual(sorted(names), sorted(r['Server'] for r in ours))
        self.assertEqual(['would snapshot'] * 3, [r['Status'] for r in ours])
        self.assertEqual([], [i.name for i in conn.image.images()
                              if i.name.startswith(self.prefix)])

        # The three by name, together.
        proc, rows = self.create('batch', 'create', *names, '--wait')
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertEqual(names, [r['Server'] for r in rows])
        for row in rows:
            self.assertEqual('active', row['Status'])
            self.assertEqual('volume-backed', row['Type'])
            self.assertEqual(1, row['Size GiB'])
            self.assertRegex(row['Name'], r'^%s-\d{8}T\d{6}Z$'
                             % row['Server'])
            self.assertEqual('crash-consistent', row['Consistency'])
            self.assertUsable(row['Snapshot ID'])


class TestCreateQuota(base.FunctionalTest):
    """The administrator lowers the test project's Cinder ``snapshots``
    quota for a moment: the next snapshot of any test would be refused,
    so this runs alone (``tests/functional/alone.txt``)."""

    def test_preflight_refuses_at_the_snapshots_quota(self):
        server = self.create_server(volume_size=1)
        conn = base.connection()
        project_id = conn.current_project_id
        admin = inventory.connect(ADMIN_CLOUD).block_storage
        quota = admin.get_quota_set(project_id, usage=True)
        # Cinder refuses with its own counters (and a limit below them):
        # in use plus reserved, not a count from a listing.
        used = (quota.usage.get('snapshots', 0)
                + quota.reservation.get('snapshots', 0))
        self.addDetail('snapshot quota', content.text_content(
            'limit %s, Cinder counts %d' % (quota.snapshots, used)))
        self.addCleanup(admin.update_quota_set, project_id,
                        snapshots=quota.snapshots)
        admin.update_quota_set(project_id, snapshots=used)
        try:
            proc = self.rc('create', server['id'], '--name',
                           '%s-snap-quota' % self.prefix, parse=False,
                           check=False)
        finally:
            admin.update_quota_set(project_id, snapshots=quota.snapshots)
        self.assertEqual(1, proc.returncode, proc.stdout + proc.stderr)
        self.assertEqual('', proc.stdout)
        lines = proc.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), proc.stderr)
        self.assertIn(
            "Cinder quota 'snapshots' is at %d of %d: a snapshot of server "
            "%s needs 1 volume snapshots, 1 GiB; 'openstack rc snapshot "
            "orphans' and 'openstack rc snapshot prune' show what to delete "
            "to make room; nothing was made." % (used, used, server['name']),
            lines[0])
        self.assertEqual([], [i.id for i in conn.image.images(
            name='%s-snap-quota' % self.prefix)])
