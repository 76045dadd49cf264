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

"""``archive`` on a cloud whose clouds.yaml entry says it runs no backup
service: refused before anything is made, whatever Cinder runs (the
cloud's own services are not touched)."""

import json
import os
import subprocess
import uuid

import fixtures
import openstack.config
import yaml

from tests.functional import base

REFUSED = ('This cloud runs no backup service (cinder-backup): snapshots '
           'cannot be archived here; nothing was made.')


class TestArchiveSettingFalse(base.FunctionalTest):

    def volume_backed_snapshot(self):
        """A snapshot of a volume-backed server as Nova writes it (its
        image names a volume snapshot), made without a server."""
        conn = base.connection()
        volume = self.create_volume(1, image=None)
        snap = conn.block_storage.create_snapshot(
            volume_id=volume.id, name='%s-vsnap' % self.prefix)
        self.addCleanup(base.remove_all, conn, volume_snapshots=[snap.id])
        base.wait_for_status(conn.block_storage.get_snapshot, snap.id,
                             'available')
        image_id = self.create_image({
            'name': '%s-snap-%s' % (self.prefix, uuid.uuid4().hex[:4]),
            'disk_format': 'raw', 'container_format': 'bare',
            'visibility': 'private', 'min_disk': 1, 'bdm_v2': 'True',
            'root_device_name': '/dev/vda',
            'block_device_mapping': json.dumps([{
                'source_type': 'snapshot', 'destination_type': 'volume',
                'device_name': '/dev/vda', 'boot_index': 0,
                'snapshot_id': snap.id, 'volume_size': 1,
                'delete_on_termination': False}])})
        return image_id, snap.id

    def clouds_yaml(self, value):
        """A copy of the clouds.yaml in use, the test cloud's entry with
        ``rcsnap: {backup_service: value}``."""
        source = openstack.config.OpenStackConfig().config_filename
        with open(source) as f:
            config = yaml.safe_load(f)
        config['clouds'][base.CLOUD].setdefault('rcsnap', {})[
            'backup_service'] = value
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'clouds.yaml')
        with open(path, 'w') as f:
            yaml.safe_dump(config, f)
        return path

    def test_refused_before_any_backup(self):
        image_id, snap_id = self.volume_backed_snapshot()
        env = dict(os.environ, OS_CLIENT_CONFIG_FILE=self.clouds_yaml(False))
        proc = subprocess.run(
            [base.openstack_bin(), '--os-cloud', base.CLOUD, 'rc',
             'snapshot', 'archive', image_id, '-f', 'json'], env=env,
            capture_output=True, text=True, timeout=base.TIMEOUT,
            stdin=subprocess.DEVNULL)
        self.assertEqual(1, proc.returncode, proc.stdout + proc.stderr)
        self.assertEqual('', proc.stdout)
        self.assertEqual([REFUSED], proc.stderr.strip().splitlines())
        block = base.connection().block_storage
        self.assertEqual([], [
            b.id for b in block.backups(details=True)
            if (b.metadata or {}).get('rcsnap_image_id') == image_id])
        self.assertEqual('available', block.get_snapshot(snap_id).status)
        shown = self.rc('show', image_id)
        self.assertEqual('volume-backed', shown['type'])
