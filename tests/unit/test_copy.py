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

"""``rc snapshot copy --to-cloud`` over HTTP fakes: the data streams from
one Glance into the other, the target is checked before any write, and a
failure on the target leaves both sides as they were.

The target is a clouds.yaml entry, ``other``, of the same fake cloud (as
``local-beta`` is of the local cloud).
"""

import json
import os

import fixtures
import testtools

from rcsnap_osc import manifest
from tests.unit import base
from tests.unit import fakes
from tests.unit import test_export

IMAGES = test_export.IMAGES
IMAGE = test_export.IMAGE
NEW = '%s/%s' % (IMAGES, test_export.NEW_IMAGE_ID)
QUOTA = '%s/os-quota-sets/%s?usage=True' % (base.VOLUME_URL,
                                            base.PROJECT_ID)
DATA = test_export.DATA
sha = test_export.sha


class TestCopy(test_export.ExportTest):

    def setUp(self):
        super().setUp()
        config = os.path.join(os.environ['HOME'], 'clouds.yaml')
        self.useFixture(fixtures.EnvironmentVariable('OS_CLIENT_CONFIG_FILE',
                                                     config))
        with open(config, 'w') as f:
            f.write(json.dumps({'clouds': {'other': {
                'auth': {'auth_url': base.AUTH_URL, 'username': 'beta',
                         'password': 'secret', 'project_name': 'beta',
                         'user_domain_name': 'Default',
                         'project_domain_name': 'Default'},
                'region_name': 'RegionOne',
                'identity_api_version': '3'}}}))
        self.received = []

    def register_target(self):
        def receive(request, context):
            while True:
                chunk = request.body.read(65536)
                if not chunk:
                    return ''
                self.received.append(chunk)
        body = fakes.image(test_export.NEW_IMAGE_ID, 'web-vm-snap',
                           status='queued', size=None)
        self.requests.post(IMAGES, status_code=201, json=body)
        self.requests.put(NEW + '/file', status_code=204, text=receive)
        self.requests.get(NEW, json=dict(body, status='active',
                                         size=len(DATA),
                                         image_type='snapshot'))
        self.requests.delete(NEW, status_code=204)

    def register_image_backed(self, data=DATA):
        fakes.register_image(self.requests, fakes.image_backed_image(
            size=len(data), os_hash_algo='sha512',
            os_hash_value=sha(data, 'sha512'), hw_firmware_type='uefi'))
        self.register_data(DATA, fakes.IMAGE_ID)

    def copy(self, *args):
        return self.run_cli('rc', 'snapshot', 'copy', fakes.IMAGE_ID,
                            '--to-cloud', 'other', *args)

    def test_image_backed_streams_into_the_target(self):
        self.register_image_backed()
        self.register_target()
        code, out, err = self.copy('-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual({'id': test_export.NEW_IMAGE_ID,
                          'name': 'web-vm-snap', 'type': 'image-backed',
                          'status': 'active', 'cloud': 'other',
                          'volumes': []}, json.loads(out))
        self.assertEqual(['GET %s' % IMAGE, 'POST %s' % IMAGES,
                          'GET %s/file' % IMAGE, 'PUT %s/file' % NEW,
                          'GET %s' % NEW], self.calls())
        self.assertEqual(DATA, b''.join(self.received))
        create = [r for r in self.requests.request_history
                  if r.method == 'POST' and r.url == IMAGES][0].json()
        self.assertEqual({
            'name': 'web-vm-snap', 'disk_format': 'qcow2',
            'container_format': 'bare', 'visibility': 'private',
            'image_type': 'snapshot', 'min_disk': 20, 'min_ram': 512,
            'hw_firmware_type': 'uefi', 'os_distro': 'ubuntu',
            'rcsnap_source_snapshot_id': fakes.IMAGE_ID}, create)

    def test_digest_mismatch_deletes_the_target_image(self):
        self.register_image_backed()
        fakes.register_image(self.requests, fakes.image_backed_image(
            size=len(DATA), os_hash_algo='sha512',
            os_hash_value=sha(b'other', 'sha512')))
        self.register_target()
        code, out, err = self.copy()
        self.assertEqual(1, code)
        self.assertEqual('The data of image %s does not match its sha512 '
                         'digest.' % fakes.IMAGE_ID,
                         err.strip().splitlines()[-1])
        self.assertEqual(['POST %s' % IMAGES, 'PUT %s/file' % NEW,
                          'DELETE %s' % NEW], self.writes())

    def test_target_failure_deletes_what_was_made(self):
        self.register_image_backed()
        self.register_target()
        self.requests.put(NEW + '/file', status_code=413, json=fakes.
                          glance_error(413, 'Image storage media is full'))
        code, out, err = self.copy()
        self.assertEqual(1, code)
        self.assertIn('Image storage media is full',
                      err.strip().splitlines()[-1])
        self.assertEqual('DELETE %s' % NEW, self.writes()[-1])

    def test_unknown_cloud_refused_before_any_write(self):
        self.register_image_backed()
        self.assertFails('Cannot use cloud nosuch: Cloud nosuch was not '
                         'found.', 'rc', 'snapshot', 'copy', fakes.IMAGE_ID,
                         '--to-cloud', 'nosuch')
        self.assertEqual([], self.writes())

    def test_volume_quota_refused_before_any_write(self):
        fakes.register_image(self.requests, fakes.volume_backed_image())
        fakes.register_volume_snapshot(self.requests,
                                       fakes.volume_snapshot(size=1))
        self.requests.get(QUOTA, json={'quota_set': {
            'id': base.PROJECT_ID,
            'volumes': {'limit': 10, 'in_use': 10, 'reserved': 0},
            'snapshots': {'limit': 10, 'in_use': 0, 'reserved': 0},
            'gigabytes': {'limit': 1000, 'in_use': 0, 'reserved': 0}}})
        self.assertFails('Cannot copy to cloud other: The target project has '
                         'room for 0 more volumes (quota 10); the copy needs '
                         '1.', 'rc', 'snapshot', 'copy', fakes.IMAGE_ID,
                         '--to-cloud', 'other', '--as', 'volume-backed')
        self.assertEqual([], self.writes())


class TestHeadroom(testtools.TestCase):
    """The quota check, as a plain function."""

    def test_unlimited_and_enough(self):
        quota = {'volumes': {'limit': -1, 'in_use': 5, 'reserved': 0},
                 'snapshots': {'limit': 3, 'in_use': 1, 'reserved': 0},
                 'gigabytes': {'limit': 10, 'in_use': 2, 'reserved': 0}}
        manifest.check_headroom(quota, 2, 4)
        self.assertRaisesRegex(
            manifest.Refused, 'room for 8 more gigabytes \\(quota 10\\); '
            'the copy needs 10', manifest.check_headroom, quota, 2, 5)
