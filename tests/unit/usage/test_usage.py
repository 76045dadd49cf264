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

"""``rc snapshot usage``: every field, against HTTP fakes, in a constant
number of requests."""

import testtools

from rcsnap_osc.core import origin
from rcsnap_osc.core import quota
from rcsnap_osc.usage import plan as usage
from tests.unit import base
from tests.unit import fakes

ORPHAN_ID = 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f'
OLD_IMAGE_ID = 'd1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a'
GONE_SERVER_ID = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'
LAUNCHED_ID = '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e'

IMAGES = base.IMAGE_URL + '/v2/images'
QUOTA = fakes.QUOTA_URL
GLANCE_USAGE = base.IMAGE_URL + '/v2/info/usage'
LISTINGS = [
    'GET %s?limit=1000&visibility=all' % IMAGES,
    'GET %s?limit=1000&os_hidden=true&visibility=all' % IMAGES,
    'GET %s/snapshots/detail?limit=1000' % base.VOLUME_URL,
    'GET %s/volumes/detail?limit=1000' % base.VOLUME_URL]
BACKUPS = 'GET %s/backups/detail?limit=1000' % base.VOLUME_URL


def quota_set(snapshots=(3, 10), gigabytes=(39, -1), **kwargs):
    """Cinder's quota with usage, in step with the listings below: 3
    volume snapshots (19 GiB) and 2 volumes (20 GiB)."""
    return fakes.quota_set(snapshots, gigabytes, **kwargs)


def glance_limits():
    """Glance's GET /v2/info/usage with unified limits enforced."""
    return {'usage': {
        'image_size_total': {'limit': 1000, 'usage': 2},
        'image_count_total': {'limit': 100, 'usage': 3},
        'image_stage_total': {'limit': 1000, 'usage': 0},
        'image_count_uploading': {'limit': 100, 'usage': 0}}}


def cloud_images():
    """A volume-backed snapshot (10 + 4 GiB, root volume attached to the
    server), an image-backed one (1181286400 bytes) and an image-backed
    one of a deleted server."""
    return [
        fakes.volume_backed_image(entries=[
            fakes.swap_entry(), fakes.root_entry(), fakes.data_entry()]),
        fakes.image_backed_image(OLD_IMAGE_ID, size=2 * 1024 ** 3),
        fakes.image_backed_image('e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
                                 instance_uuid=GONE_SERVER_ID,
                                 size=1024 ** 3),
        fakes.image('f1a2b3c4-d5e6-4f7a-8b9c-0d1e2f3a4b5c', 'cirros'),
    ]


def cloud_volume_snapshots():
    return [fakes.volume_snapshot(),
            fakes.volume_snapshot(fakes.DATA_SNAP_ID, size=4,
                                  volume_id=fakes.DATA_VOLUME_ID),
            fakes.volume_snapshot(ORPHAN_ID, size=5)]


def cloud_volumes():
    attached = [{'id': fakes.ROOT_VOLUME_ID, 'server_id': fakes.SERVER_ID,
                 'volume_id': fakes.ROOT_VOLUME_ID,
                 'attachment_id': 'a1', 'device': '/dev/vda',
                 'host_name': None, 'attached_at': fakes.CREATED}]
    return [fakes.volume(fakes.ROOT_VOLUME_ID, status='in-use', size=10,
                         snapshot_id=None, attachments=attached),
            fakes.volume(LAUNCHED_ID, size=10,
                         snapshot_id=fakes.DATA_SNAP_ID)]


class TestCompute(testtools.TestCase):

    def test_every_field(self):
        snaps = {s['id']: s for s in cloud_volume_snapshots()}
        view = usage.compute(usage.Listings(cloud_images(), snaps,
                                            cloud_volumes()),
                             base.PROJECT_ID, quota_set()['quota_set'],
                             glance_limits()['usage'])
        self.assertEqual({
            'snapshots': 3, 'snapshot_gib': 10 + 4 + 2 + 1,
            'orphans': 1, 'orphan_gib': 5,
            'binned': 0, 'binned_gib': 0, 'binned_volume_snapshots': 0,
            'launched_volumes': 1, 'launched_volume_gib': 10,
            'quota_snapshots_used': 3, 'quota_snapshots_counted': 3,
            'quota_snapshots_limit': 10,
            'quota_gigabytes_used': 39, 'quota_gigabytes_counted': 39,
            'quota_gigabytes_limit': -1, 'drift': [],
            'image_size_total': {'usage': 2, 'limit': 1000},
            'image_count_total': {'usage': 3, 'limit': 100}}, view)

    def test_binned_snapshots_are_bin_rows_holding_their_quota(self):
        snaps = {s['id']: s for s in cloud_volume_snapshots()}
        images = cloud_images()
        images[0] = dict(images[0], os_hidden=True, protected=True,
                         rcsnap_binned_at='2026-12-06T10:00:00Z',
                         rcsnap_bin_until='2026-12-13T10:00:00Z')
        view = usage.compute(usage.Listings(images, snaps, cloud_volumes()),
                             base.PROJECT_ID, quota_set()['quota_set'])
        self.assertEqual({
            'snapshots': 2, 'snapshot_gib': 2 + 1, 'binned': 1,
            'binned_gib': 10 + 4, 'binned_volume_snapshots': 2,
            'quota_snapshots_counted': 3, 'orphans': 1},
            {k: view[k] for k in (
                'snapshots', 'snapshot_gib', 'binned', 'binned_gib',
                'binned_volume_snapshots', 'quota_snapshots_counted',
                'orphans')})

    def test_hidden_quota_and_no_glance_limits(self):
        view = usage.compute(usage.Listings([], {}, []), base.PROJECT_ID,
                             None, {})
        self.assertIsNone(view['quota_snapshots_limit'])
        self.assertNotIn('image_size_total', view)

    def test_reserved_counts_as_used(self):
        body = quota_set()['quota_set']
        body['snapshots']['reserved'] = 1
        self.assertEqual((4, 10), quota.quota_field(body, 'snapshots'))

    def test_shared_volume_snapshot_counted_once(self):
        images = [fakes.volume_backed_image(),
                  fakes.volume_backed_image(OLD_IMAGE_ID)]
        snaps = {fakes.ROOT_SNAP_ID: fakes.volume_snapshot()}
        view = usage.compute(usage.Listings(images, snaps, []),
                             base.PROJECT_ID)
        self.assertEqual((2, 10), (view['snapshots'], view['snapshot_gib']))

    def test_by_server(self):
        snaps = {s['id']: s for s in cloud_volume_snapshots()}
        rows = usage.by_server(cloud_images(), snaps, cloud_volumes(),
                               base.PROJECT_ID,
                               {fakes.SERVER_ID: 'analysis-vm'})
        self.assertEqual([(fakes.SERVER_ID, 'analysis-vm', 2, 16),
                          (GONE_SERVER_ID, None, 1, 1)], rows)


class TestServerOf(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.snaps = {s['id']: s for s in cloud_volume_snapshots()}
        self.attached = origin.attached_servers(cloud_volumes())

    def server_of(self, image):
        return origin.server_of(image, self.snaps, self.attached)

    def test_image_backed_from_instance_uuid(self):
        self.assertEqual(fakes.SERVER_ID,
                         self.server_of(fakes.image_backed_image()))

    def test_volume_backed_from_root_volume_attachment(self):
        self.assertEqual(fakes.SERVER_ID,
                         self.server_of(fakes.volume_backed_image()))

    def test_volume_backed_recorded_property_wins(self):
        image = fakes.volume_backed_image(**{
            origin.SERVER_PROPERTY: GONE_SERVER_ID})
        self.assertEqual(GONE_SERVER_ID, self.server_of(image))

    def test_volume_backed_detached_root_is_unknown(self):
        self.attached = {}
        self.assertIsNone(self.server_of(fakes.volume_backed_image()))

    def test_root_volume_snapshot_not_visible(self):
        self.snaps = {}
        self.assertIsNone(self.server_of(fakes.volume_backed_image()))


class UsageCommandTest(base.TestCommand):

    def register(self, count=None, quota=None, limits=None, backups=()):
        images = cloud_images()
        snaps = cloud_volume_snapshots()
        if count is not None:
            images, snaps = many(count)
        fakes.register_image_list(self.requests, images, '?visibility=all')
        fakes.register_image_list(self.requests, [],
                                  '?visibility=all&os_hidden=true')
        fakes.register_volume_snapshot_list(self.requests, snaps)
        fakes.register_volume_list(self.requests, cloud_volumes())
        self.requests.get(QUOTA, **(quota or {'json': quota_set()}))
        self.requests.get(GLANCE_USAGE, json=limits or {'usage': {}})
        fakes.register_backup_list(self.requests, backups)


def many(count):
    """``count`` volume-backed snapshots of 1 GiB each."""
    images, snaps = [], []
    for n in range(count):
        sid = 'a%07d-e5f6-4a7b-8c9d-0e1f2a3b4c5d' % n
        images.append(fakes.volume_backed_image(
            'b%07d-e5f6-4a7b-8c9d-0e1f2a3b4c5d' % n, 'snap-%d' % n,
            entries=[fakes.root_entry(sid)]))
        snaps.append(fakes.volume_snapshot(sid, size=1))
    return images, snaps


class TestUsageCommand(UsageCommandTest):

    def test_json_numbers(self):
        self.register(limits=glance_limits())
        view = self.run_json('rc', 'snapshot', 'usage')
        self.assertEqual(17, view['snapshot_gib'])
        self.assertEqual(-1, view['quota_gigabytes_limit'])
        self.assertEqual({'usage': 2, 'limit': 1000},
                         view['image_size_total'])
        self.assertEqual(sorted(LISTINGS + [BACKUPS, 'GET ' + QUOTA,
                                            'GET ' + GLANCE_USAGE]),
                         sorted(self.calls()))

    def test_table_says_unlimited_and_leaves_out_glance(self):
        self.register()
        code, out, err = self.run_cli('rc', 'snapshot', 'usage')
        self.assertEqual(0, code, err)
        self.assertIn('| quota_gigabytes_limit   | unlimited', out)
        self.assertIn('| snapshot_gib            | 17 ', out)
        self.assertNotIn('image_size_total', out)

    def test_quota_hidden(self):
        self.register(quota={'status_code': 403, 'json': {'forbidden': {
            'code': 403, 'message': 'Policy doesn\'t allow '
            'volume_extension:quotas:show to be performed.'}}})
        view = self.run_json('rc', 'snapshot', 'usage')
        self.assertIsNone(view['quota_snapshots_used'])
        self.assertEqual(3, view['snapshots'])

    def test_constant_requests(self):
        made = []
        for count in (1, 50, 500):
            before = len(self.calls())
            self.register(count)
            view = self.run_json('rc', 'snapshot', 'usage')
            self.assertEqual(count, view['snapshots'])
            made.append(len(self.calls()) - before)
        self.assertEqual([7, 7, 7], made)

    def test_by_server(self):
        self.register()
        self.requests.get(base.COMPUTE_URL + '/servers/detail', json={
            'servers': [fakes.server()], 'servers_links': []})
        rows = self.run_json('rc', 'snapshot', 'usage', '--by-server')
        self.assertEqual([
            {'Server ID': fakes.SERVER_ID, 'Server': 'analysis-vm',
             'Snapshots': 2, 'Size GiB': 16},
            {'Server ID': GONE_SERVER_ID, 'Server': '(deleted server)',
             'Snapshots': 1, 'Size GiB': 1}], rows)
        self.assertEqual(sorted(LISTINGS + [
            'GET %s/servers/detail' % base.COMPUTE_URL]),
            sorted(self.calls()))
