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

from rcsnap_osc.portable import manifest

from rcsnap_osc.core import quota
from tests.unit import base
from tests.unit import fakes
from tests.unit.portable import test_export

IMAGES = test_export.IMAGES
IMAGE = test_export.IMAGE
NEW = '%s/%s' % (IMAGES, test_export.NEW_IMAGE_ID)
QUOTA = '%s/os-quota-sets/%s?usage=True' % (base.VOLUME_URL,
                                            base.PROJECT_ID)
GLANCE_USAGE = base.IMAGE_URL + '/v2/info/usage'
TYPES = base.VOLUME_URL + '/types'


def glance_usage(count=(3, 100), size=(2, 10000)):
    """Glance's GET /v2/info/usage with unified limits enforced: (usage,
    limit) of the image count and of the image size in MiB."""
    return {'usage': {
        'image_size_total': {'limit': size[1], 'usage': size[0]},
        'image_count_total': {'limit': count[1], 'usage': count[0]},
        'image_stage_total': {'limit': 1000, 'usage': 0},
        'image_count_uploading': {'limit': 100, 'usage': 0}}}


def cinder_quota(volumes=(0, 10), snapshots=(0, 10), gigabytes=(0, 1000)):
    def entry(used, limit):
        return {'limit': limit, 'in_use': used, 'reserved': 0}
    return {'quota_set': {
        'id': base.PROJECT_ID, 'volumes': entry(*volumes),
        'snapshots': entry(*snapshots), 'gigabytes': entry(*gigabytes)}}


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
        self.requests.get(GLANCE_USAGE, json=glance_usage())

    def register_target(self):
        def receive(request, context):
            while True:
                chunk = request.body.read(65536)
                if not chunk:
                    return ''
                self.received.append(chunk)
        body = fakes.image(test_export.NEW_IMAGE_ID, 'web-vm-snap',
                           status='queued', size=None)
        self.image_ids.append(test_export.NEW_IMAGE_ID)
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
        self.assertEqual(['GET %s' % IMAGE, 'GET %s' % GLANCE_USAGE,
                          'POST %s' % IMAGES,
                          'GET %s/file' % IMAGE, 'PUT %s/file' % NEW,
                          'GET %s' % NEW], self.calls())
        self.assertEqual(DATA, b''.join(self.received))
        create = [r for r in self.requests.request_history
                  if r.method == 'POST' and r.url == IMAGES][0].json()
        self.assertEqual({
            'id': test_export.NEW_IMAGE_ID,
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

    def register_volume_backed_source(self, **entry):
        fakes.register_image(self.requests, fakes.volume_backed_image(
            entries=[fakes.bdm_entry(**dict(dict(
                device_name='/dev/vda', boot_index=0,
                snapshot_id=fakes.ROOT_SNAP_ID), **entry))]))
        fakes.register_volume_snapshot(self.requests,
                                       fakes.volume_snapshot(size=1))

    def refused_before_any_write(self, expected, *args):
        self.assertFails(expected, 'rc', 'snapshot', 'copy', fakes.IMAGE_ID,
                         '--to-cloud', 'other', *args)
        self.assertEqual([], self.writes())

    def test_volume_quota_refused_before_any_write(self):
        self.register_volume_backed_source()
        self.requests.get(QUOTA, json=cinder_quota(volumes=(10, 10)))
        self.refused_before_any_write(
            'Cannot copy to cloud other: The target project has room for 0 '
            'more volumes (quota 10); the copy needs 1.',
            '--as', 'volume-backed')
        calls = self.calls()
        self.assertEqual(['GET %s' % IMAGE, 'GET %s/%s' % (
            test_export.SNAPS, fakes.ROOT_SNAP_ID)], calls[:2])
        # read at once, in either order
        self.assertEqual({'GET %s' % GLANCE_USAGE, 'GET %s' % QUOTA},
                         set(calls[2:]))
        self.assertEqual(4, len(calls))

    def test_image_size_limit_refused_before_any_write(self):
        self.register_image_backed()
        self.requests.get(GLANCE_USAGE, json=glance_usage(size=(999, 1000)))
        self.refused_before_any_write(
            'Cannot copy to cloud other: The target project has room for 1 '
            'more MiB of images (Glance limit image_size_total 1000); the '
            'copy needs up to 3.')

    def test_image_count_limit_counts_the_temporary_images(self):
        """A volume-backed copy of one disk makes two images on the
        target: the temporary one and the snapshot image."""
        self.register_volume_backed_source()
        self.requests.get(QUOTA, json=cinder_quota())
        self.requests.get(GLANCE_USAGE, json=glance_usage(count=(99, 100)))
        self.refused_before_any_write(
            'The target project has room for 1 more images (Glance limit '
            'image_count_total 100); the copy needs up to 2.',
            '--as', 'volume-backed')

    def test_missing_volume_type_refused_before_any_write(self):
        self.register_volume_backed_source(volume_type='ssd')
        self.requests.get(QUOTA, json=cinder_quota())
        self.requests.get(TYPES, json={'volume_types': [
            {'id': 'a9b8c7d6-e5f4-4a3b-8c2d-1e0f9a8b7c6d',
             'name': '__DEFAULT__', 'is_public': True,
             'description': 'Default Volume Type', 'extra_specs': {}}]})
        self.refused_before_any_write(
            'Cannot copy to cloud other: Volume type ssd of disk-0.qcow2 '
            'does not exist in the target project (it has: __DEFAULT__); '
            'choose one with --volume-type.', '--as', 'volume-backed')
        self.refused_before_any_write(
            'Volume type gold does not exist in the target project (it '
            'has: __DEFAULT__).', '--as', 'volume-backed', '--volume-type',
            'gold')

    def test_volume_type_only_for_volume_backed(self):
        self.register_image_backed()
        self.refused_before_any_write(
            '--volume-type applies only with --as volume-backed.',
            '--volume-type', 'ssd')


class TestHeadroom(testtools.TestCase):
    """The quota checks, as plain functions."""

    def test_glance_limits(self):
        usage = glance_usage(count=(3, 5), size=(100, 1124))['usage']
        quota.check_image_headroom(usage, 2, 1024 ** 3)
        quota.check_image_headroom({}, 50, 10 * 1024 ** 4)
        quota.check_image_headroom(
            glance_usage(count=(3, -1), size=(0, -1))['usage'], 50, 1)
        self.assertRaisesRegex(
            manifest.Refused, 'room for 1024 more MiB of images .*needs up '
            'to 1025', quota.check_image_headroom, usage, 1,
            1024 ** 3 + 1)
        self.assertRaisesRegex(
            manifest.Refused, 'room for 2 more images',
            quota.check_image_headroom, usage, 3, 0)

    def test_volume_types(self):
        disks = [{'file': 'disk-0.raw', 'volume_type': 'ssd'},
                 {'file': 'disk-1.raw', 'volume_type': None}]
        self.assertEqual(['ssd', None],
                         manifest.volume_types(disks, ['ssd', 'hdd']))
        self.assertEqual(['hdd', 'hdd'],
                         manifest.volume_types(disks, ['hdd'], 'hdd'))
        self.assertRaisesRegex(manifest.Refused, 'Volume type ssd of '
                               'disk-0.raw does not exist',
                               manifest.volume_types, disks, ['hdd'])

    def test_unlimited_and_enough(self):
        quota_set = {'volumes': {'limit': -1, 'in_use': 5, 'reserved': 0},
                     'snapshots': {'limit': 3, 'in_use': 1, 'reserved': 0},
                     'gigabytes': {'limit': 10, 'in_use': 2, 'reserved': 0}}
        quota.check_headroom(quota_set, 2, 4)
        self.assertRaisesRegex(
            manifest.Refused, 'room for 8 more gigabytes \\(quota 10\\); '
            'the copy needs 10', quota.check_headroom, quota_set, 2, 5)


class TestChunks(testtools.TestCase):
    """The readers hand the HTTP client whole chunks, whatever it asks
    for (16 KiB at a time): fewer calls, each hashing and metering."""

    def test_file_reader(self):
        from rcsnap_osc.cloud import transfer

        path = os.path.join(self.useFixture(fixtures.TempDir()).path, 'd')
        with open(path, 'wb') as f:
            f.write(b'x' * (transfer.CHUNK + 10))
        reader = transfer.HashingReader(path)
        self.addCleanup(reader.close)
        self.assertEqual(transfer.CHUNK, len(reader.read(16384)))
        self.assertEqual(10, len(reader.read(16384)))
        self.assertEqual(b'', reader.read(16384))
        self.assertEqual(sha(b'x' * (transfer.CHUNK + 10)),
                         reader.sha256.hexdigest())

    def test_stream_reader(self):
        import io

        from rcsnap_osc.cloud import transfer

        class Raw(io.BytesIO):
            def read(self, size=-1, decode_content=False):
                return super().read(size)

        class Response:
            raw = Raw(b'y' * (2 * transfer.CHUNK))

        reader = transfer.StreamReader(Response(), 2 * transfer.CHUNK,
                                       'sha512')
        self.assertEqual(transfer.CHUNK, len(reader.read(16384)))
        self.assertEqual(transfer.CHUNK, len(reader.read(16384)))
        self.assertEqual(b'', reader.read(16384))
        self.assertEqual(sha(b'y' * (2 * transfer.CHUNK), 'sha512'),
                         reader.glance.hexdigest())
