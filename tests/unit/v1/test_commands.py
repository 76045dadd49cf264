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

"""``rc snapshot create|show|list`` over HTTP fakes: output and requests."""

import json

import requests

from tests.unit import base
from tests.unit import fakes

IMAGES = base.IMAGE_URL + '/v2/images'
SNAPS = base.VOLUME_URL + '/snapshots'
SERVERS = base.COMPUTE_URL + '/servers'


ROOT_VOLUME = 'GET %s/volumes/%s' % (base.VOLUME_URL, fakes.ROOT_VOLUME_ID)
VOLUME_PAGE = base.VOLUME_PAGE


class TestShowSnapshot(base.TestCommand):

    def setUp(self):
        super().setUp()
        # The snapshots here record no server: show finds it through the
        # volume the root volume snapshot was taken of: by ID in the early
        # volume page (here the whole listing), by name with a GET.
        fakes.register_root_volume(self.requests)
        root = fakes.volume(fakes.ROOT_VOLUME_ID, status='in-use',
                            attachments=[{'server_id': fakes.SERVER_ID,
                                          'device': '/dev/vda',
                                          'volume_id': fakes.ROOT_VOLUME_ID}])
        self.requests.get(VOLUME_PAGE.split()[1], complete_qs=True,
                          json={'volumes': [root]})

    def after_page(self):
        """:meth:`calls` without the early volume page, made once by ID
        (beside the first Glance request, in either order)."""
        calls = self.calls()
        self.assertEqual(1, calls.count(VOLUME_PAGE), calls)
        calls.remove(VOLUME_PAGE)
        return calls

    def two_volume_snapshot(self, data_size=5):
        fakes.register_image(self.requests, fakes.volume_backed_image(
            entries=[fakes.swap_entry(), fakes.root_entry(),
                     fakes.data_entry()]))
        fakes.register_volume_snapshot(self.requests,
                                       fakes.volume_snapshot(size=10))
        fakes.register_volume_snapshot(self.requests, fakes.volume_snapshot(
            fakes.DATA_SNAP_ID, size=data_size,
            volume_id=fakes.DATA_VOLUME_ID))

    def test_two_volumes_real_size_is_the_sum(self):
        self.two_volume_snapshot()
        data = self.run_json('rc', 'snapshot', 'show', fakes.IMAGE_ID)
        self.assertEqual('volume-backed', data['type'])
        self.assertEqual(15, data['size_gib'])
        self.assertNotIn('size_bytes', data)
        self.assertEqual(0, data['image_size'])
        self.assertEqual(20, data['min_disk'])
        self.assertEqual([
            {'device_name': '/dev/vda', 'boot_index': 0,
             'snapshot_id': fakes.ROOT_SNAP_ID, 'size_gib': 10,
             'status': 'available'},
            {'device_name': '/dev/vdb', 'boot_index': None,
             'snapshot_id': fakes.DATA_SNAP_ID, 'size_gib': 5,
             'status': 'available'}], data['volume_snapshots'])
        self.assertEqual('ubuntu', data['properties']['os_distro'])
        self.assertNotIn('block_device_mapping', data['properties'])
        self.assertEqual(fakes.SERVER_ID, data['server'])
        self.assertEqual(
            sorted(['GET %s/%s' % (IMAGES, fakes.IMAGE_ID), VOLUME_PAGE,
                    'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
                    'GET %s/%s' % (SNAPS, fakes.DATA_SNAP_ID)]),
            sorted(self.calls()))
        # the volume snapshots after the image that names them (beside
        # the page of volumes, in either order): the server needs no
        # round trip of its own
        calls = self.calls()
        image_get = calls.index('GET %s/%s' % (IMAGES, fakes.IMAGE_ID))
        self.assertLess(image_get, min(
            calls.index('GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID)),
            calls.index('GET %s/%s' % (SNAPS, fakes.DATA_SNAP_ID))))

    def page_without_the_root_volume(self, complete):
        links = [] if complete else [{'rel': 'next', 'href': (
            '%s/volumes/detail?limit=100&marker=x' % base.VOLUME_URL)}]
        self.requests.get(VOLUME_PAGE.split()[1], complete_qs=True, json={
            'volumes': [fakes.volume('other-volume')],
            'volumes_links': links})
        fakes.register_image(self.requests, fakes.volume_backed_image(
            entries=[fakes.root_entry()]))
        fakes.register_volume_snapshot(self.requests, fakes.volume_snapshot())
        return self.run_json('rc', 'snapshot', 'show', fakes.IMAGE_ID)

    def test_root_volume_past_the_page_costs_a_get(self):
        data = self.page_without_the_root_volume(complete=False)
        self.assertEqual(fakes.SERVER_ID, data['server'])
        self.assertEqual(['GET %s/%s' % (IMAGES, fakes.IMAGE_ID),
                          'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
                          ROOT_VOLUME], self.after_page())

    def test_root_volume_absent_from_the_whole_listing_is_gone(self):
        data = self.page_without_the_root_volume(complete=True)
        self.assertIsNone(data['server'])
        self.assertEqual(['GET %s/%s' % (IMAGES, fakes.IMAGE_ID),
                          'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID)],
                         self.after_page())

    def test_page_refused_falls_back_to_the_volume(self):
        self.requests.get(VOLUME_PAGE.split()[1], complete_qs=True,
                          status_code=500, json={'computeFault': {
                              'code': 500, 'message': 'boom'}})
        fakes.register_image(self.requests, fakes.volume_backed_image(
            entries=[fakes.root_entry()]))
        fakes.register_volume_snapshot(self.requests, fakes.volume_snapshot())
        data = self.run_json('rc', 'snapshot', 'show', fakes.IMAGE_ID)
        self.assertEqual(fakes.SERVER_ID, data['server'])
        self.assertEqual(['GET %s/%s' % (IMAGES, fakes.IMAGE_ID),
                          'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
                          ROOT_VOLUME], self.after_page())

    def test_table_properties_one_per_line(self):
        self.two_volume_snapshot()
        fakes.register_image(self.requests, fakes.volume_backed_image(
            entries=[fakes.swap_entry(), fakes.root_entry(),
                     fakes.data_entry()], description='x' * 200))
        code, out, err = self.run_cli('rc', 'snapshot', 'show',
                                      fakes.IMAGE_ID)
        self.assertEqual(0, code, err)
        self.assertIn('| os_distro=ubuntu ', out)
        self.assertIn('| hw_disk_bus=virtio ', out)
        self.assertLess(max(len(line) for line in out.splitlines()), 110)

    def by_name(self, listed):
        """Show a two-volume snapshot by name; Cinder lists ``listed``
        under the name Nova gives its volume snapshots."""
        self.two_volume_snapshot()
        fakes.register_image_list(
            self.requests, [fakes.volume_backed_image(
                entries=[fakes.root_entry(), fakes.data_entry()])],
            '?limit=1000&name=analysis-vm-snap')
        fakes.register_volume_snapshot_list(self.requests, listed + [
            fakes.volume_snapshot('other', name='snapshot for other-snap')])
        data = self.run_json('rc', 'snapshot', 'show', 'analysis-vm-snap')
        self.assertEqual(15, data['size_gib'])
        return self.calls()

    def test_by_name_two_requests_at_once(self):
        calls = self.by_name([
            fakes.volume_snapshot(size=10),
            fakes.volume_snapshot(fakes.DATA_SNAP_ID, size=5)])
        self.assertEqual(sorted([
            'GET %s?limit=1000&name=analysis-vm-snap' % IMAGES,
            'GET %s/detail?limit=1000&name=snapshot+for+analysis-vm-snap'
            % SNAPS]), sorted(calls[:2]))
        # the server: the root volume's attachment
        self.assertEqual([ROOT_VOLUME], calls[2:])

    def test_by_name_others_by_id(self):
        # a volume snapshot renamed since: fetched by its ID
        calls = self.by_name([
            fakes.volume_snapshot(size=10),
            fakes.volume_snapshot(fakes.DATA_SNAP_ID, size=5,
                                  name='renamed')])
        self.assertEqual(sorted([
            'GET %s?limit=1000&name=analysis-vm-snap' % IMAGES,
            'GET %s/detail?limit=1000&name=snapshot+for+analysis-vm-snap'
            % SNAPS]), sorted(calls[:2]))
        self.assertEqual(['GET %s/%s' % (SNAPS, fakes.DATA_SNAP_ID),
                          ROOT_VOLUME], calls[2:])

    def test_image_backed(self):
        fakes.register_image(self.requests, fakes.image_backed_image())
        data = self.run_json('rc', 'snapshot', 'show', fakes.IMAGE_ID)
        self.assertEqual('image-backed', data['type'])
        self.assertEqual(1.1, data['size_gib'])
        self.assertEqual([], data['volume_snapshots'])
        self.assertEqual(fakes.SERVER_ID, data['server'])  # instance_uuid
        self.assertEqual(['GET %s/%s' % (IMAGES, fakes.IMAGE_ID)],
                         self.after_page())

    def test_server_recorded_by_create_costs_nothing(self):
        fakes.register_image(self.requests, fakes.volume_backed_image(
            entries=[fakes.root_entry()], **{
                'rcsnap:server_id': fakes.NEW_SERVER_ID}))
        fakes.register_volume_snapshot(self.requests, fakes.volume_snapshot())
        data = self.run_json('rc', 'snapshot', 'show', fakes.IMAGE_ID)
        self.assertEqual(fakes.NEW_SERVER_ID, data['server'])
        self.assertEqual(['GET %s/%s' % (IMAGES, fakes.IMAGE_ID),
                          'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID)],
                         self.after_page())

    def test_server_unknown_once_the_root_volume_is_gone(self):
        # by name: the volume's GET answers 404
        fakes.register_image_list(self.requests, [fakes.volume_backed_image(
            entries=[fakes.root_entry()])],
            '?limit=1000&name=analysis-vm-snap')
        fakes.register_volume_snapshot_list(self.requests,
                                            [fakes.volume_snapshot()])
        self.requests.get('%s/volumes/%s' % (base.VOLUME_URL,
                                             fakes.ROOT_VOLUME_ID),
                          status_code=404, json=fakes.not_found(
                              'Volume', fakes.ROOT_VOLUME_ID))
        data = self.run_json('rc', 'snapshot', 'show', 'analysis-vm-snap')
        self.assertIsNone(data['server'])
        self.assertEqual(ROOT_VOLUME, self.calls()[-1])

    def test_missing_volume_snapshot_warns(self):
        fakes.register_image(self.requests, fakes.volume_backed_image(
            entries=[fakes.root_entry(), fakes.data_entry()]))
        fakes.register_volume_snapshot(self.requests, fakes.volume_snapshot())
        fakes.register_missing_volume_snapshot(self.requests,
                                               fakes.DATA_SNAP_ID)
        code, out, err = self.run_cli('rc', 'snapshot', 'show',
                                      fakes.IMAGE_ID, '-f', 'json')
        self.assertEqual(0, code)
        data = json.loads(out)
        self.assertIsNone(data['size_gib'])
        self.assertEqual('missing', data['volume_snapshots'][1]['status'])
        self.assertEqual(
            'Warning: volume snapshot %s (/dev/vdb) of snapshot %s is '
            'missing: deleted, or not visible to this project.'
            % (fakes.DATA_SNAP_ID, fakes.IMAGE_ID), err.strip())

    def test_volume_snapshots_found_is_no_warning(self):
        self.two_volume_snapshot()
        code, out, err = self.run_cli('rc', 'snapshot', 'show',
                                      fakes.IMAGE_ID, '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual('', err)

    def test_table_output(self):
        self.two_volume_snapshot()
        code, out, err = self.run_cli('rc', 'snapshot', 'show',
                                      fakes.IMAGE_ID)
        self.assertEqual(0, code, err)
        self.assertIn('/dev/vda (boot index 0): %s, 10 GiB, available'
                      % fakes.ROOT_SNAP_ID, out)
        self.assertIn('| size_gib         | 15 ', out)

    def test_unknown_name(self):
        fakes.register_image_list(self.requests, [], '?name=nope')
        self.assertFails("No image with a name or ID of 'nope' exists.",
                         'rc', 'snapshot', 'show', 'nope')

    def test_unknown_id_falls_back_to_name(self):
        self.requests.get('%s/%s' % (IMAGES, fakes.IMAGE_ID),
                          status_code=404,
                          json=fakes.glance_error(404, 'not found'))
        fakes.register_image_list(self.requests, [],
                                  '?name=%s' % fakes.IMAGE_ID)
        self.assertFails("No image with a name or ID of '%s' exists."
                         % fakes.IMAGE_ID,
                         'rc', 'snapshot', 'show', fakes.IMAGE_ID)

    def test_ambiguous_name_lists_ids(self):
        fakes.register_image_list(self.requests, [
            fakes.volume_backed_image('id-1', 'twin'),
            fakes.volume_backed_image('id-2', 'twin')], '?name=twin')
        self.assertFails("More than one image is named 'twin': id-1, id-2; "
                         "use an ID.", 'rc', 'snapshot', 'show', 'twin')

    def test_plain_image_refused(self):
        fakes.register_image(self.requests, fakes.image(name='ubuntu-24.04'))
        self.assertFails('Image ubuntu-24.04 (%s) is not an instance '
                         'snapshot.' % fakes.IMAGE_ID,
                         'rc', 'snapshot', 'show', fakes.IMAGE_ID)
        self.assertEqual(['GET %s/%s' % (IMAGES, fakes.IMAGE_ID)],
                         self.after_page())

    def test_glance_500(self):
        self.requests.get('%s/%s' % (IMAGES, fakes.IMAGE_ID),
                          status_code=500,
                          json=fakes.glance_error(500, 'boom'))
        line = self.assertFails('failed (HTTP 500)', 'rc', 'snapshot',
                                'show', fakes.IMAGE_ID)
        self.assertIn('GET %s/%s' % (IMAGES, fakes.IMAGE_ID), line)

    def test_cinder_unreachable(self):
        fakes.register_image(self.requests, fakes.volume_backed_image())
        self.requests.get('%s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
                          exc=requests.exceptions.ConnectTimeout)
        self.assertFails('Cannot reach the cloud:', 'rc', 'snapshot', 'show',
                         fakes.IMAGE_ID)

    def test_wrong_password(self):
        self.requests.post(base.AUTH_URL + '/auth/tokens', status_code=401,
                           json={'error': {'code': 401, 'title':
                                           'Unauthorized', 'message':
                                           'The request you have made '
                                           'requires authentication.'}})
        self.assertFails('HTTP 401', 'rc', 'snapshot', 'show',
                         fakes.IMAGE_ID)
        self.assertEqual([], self.calls())

    def test_keystone_unreachable(self):
        self.requests.get(base.AUTH_URL,
                          exc=requests.exceptions.ConnectionError)
        self.requests.post(base.AUTH_URL + '/auth/tokens',
                           exc=requests.exceptions.ConnectionError)
        line = self.assertFails('keystone.example.org', 'rc', 'snapshot',
                                'show', fakes.IMAGE_ID)
        self.assertNotIn('Traceback', line)


class TestListSnapshot(base.TestCommand):

    def snapshots_of(self, count):
        images, vols = [], []
        for n in range(count):
            snap_id = 'a%07d-e5f6-4a7b-8c9d-0e1f2a3b4c5d' % n
            images.append(fakes.volume_backed_image(
                'c%07d-5b6d-4e8a-9c0b-1d2e3f4a5b6c' % n, 'snap-%d' % n,
                entries=[fakes.swap_entry(), fakes.root_entry(snap_id)]))
            vols.append(fakes.volume_snapshot(snap_id, size=n + 1))
        return images, vols

    def list_of(self, count, *args):
        images, vols = self.snapshots_of(count)
        images.append(fakes.image(BASE_ID, 'ubuntu-24.04'))
        images.append(fakes.image_backed_image())
        fakes.register_image_list(self.requests, images)
        fakes.register_volume_snapshot_list(self.requests, vols)
        return self.run_json('rc', 'snapshot', 'list', *args)

    def test_requests_do_not_grow_with_snapshots(self):
        expected = ['GET %s?limit=1000' % IMAGES,
                    'GET %s/detail?limit=1000' % SNAPS]
        self.list_of(1)
        one = self.calls()
        self.assertEqual(expected, one)
        rows = self.list_of(50)
        self.assertEqual(expected, self.calls()[len(one):])
        self.assertEqual(51, len(rows))

    def test_rows_real_sizes_plain_images_left_out(self):
        rows = self.list_of(2)
        self.assertEqual([
            {'ID': 'c0000000-5b6d-4e8a-9c0b-1d2e3f4a5b6c', 'Name': 'snap-0',
             'Status': 'active', 'Type': 'volume-backed', 'Size GiB': 1,
             'Verified': None},
            {'ID': 'c0000001-5b6d-4e8a-9c0b-1d2e3f4a5b6c', 'Name': 'snap-1',
             'Status': 'active', 'Type': 'volume-backed', 'Size GiB': 2,
             'Verified': None},
            {'ID': fakes.IMAGE_ID, 'Name': 'web-vm-snap', 'Status': 'active',
             'Type': 'image-backed',
             'Size GiB': 1.1, 'Verified': None}], rows)

    def test_long(self):
        fakes.register_volume_list(self.requests, [])
        rows = self.list_of(1, '--long')
        self.assertEqual({
            'ID': 'c0000000-5b6d-4e8a-9c0b-1d2e3f4a5b6c', 'Name': 'snap-0',
            'Status': 'active', 'Type': 'volume-backed', 'Size GiB': 1,
            'Image Size': 0,
            'Volume Snapshots': ['a0000000-e5f6-4a7b-8c9d-0e1f2a3b4c5d'],
            'Min Disk': 20, 'Min RAM': 0, 'Visibility': 'private',
            'Owner': base.PROJECT_ID, 'Created At': fakes.CREATED,
            'Server': None, 'Verified': None}, rows[0])

    def test_long_server_column_in_three_listings_at_any_count(self):
        """Recorded by create, Nova's instance_uuid, or the server the
        root volume is attached to: one volume listing more."""
        made = []
        for count in (3, 60):
            before = len(self.calls())
            images, vols = self.snapshots_of(count)
            images[0]['rcsnap:server_id'] = fakes.NEW_SERVER_ID
            for n, vol in enumerate(vols):  # only snap-1's root attached
                vol['volume_id'] = fakes.ROOT_VOLUME_ID if n == 1 else (
                    'f%07d-b8c9-4d0e-8f1a-2b3c4d5e6f70' % n)
            images.append(fakes.image_backed_image())
            fakes.register_image_list(self.requests, images)
            fakes.register_volume_snapshot_list(self.requests, vols)
            fakes.register_volume_list(self.requests, [fakes.volume(
                fakes.ROOT_VOLUME_ID, status='in-use', snapshot_id=None,
                attachments=[{'server_id': fakes.SERVER_ID,
                              'volume_id': fakes.ROOT_VOLUME_ID,
                              'device': '/dev/vda'}])])
            rows = self.run_json('rc', 'snapshot', 'list', '--long')
            self.assertEqual([fakes.NEW_SERVER_ID, fakes.SERVER_ID, None],
                             [r['Server'] for r in rows[:3]])
            self.assertEqual(fakes.SERVER_ID, rows[-1]['Server'])
            made.append(sorted(self.calls()[before:]))
        self.assertEqual(made[0], made[1])
        self.assertEqual(sorted([
            'GET %s?limit=1000' % IMAGES,
            'GET %s/detail?limit=1000' % SNAPS,
            'GET %s/volumes/detail?limit=1000' % base.VOLUME_URL]), made[0])

    def test_long_no_volume_listing_when_every_snapshot_records_one(self):
        images, vols = self.snapshots_of(2)
        for image in images:
            image['rcsnap:server_id'] = fakes.SERVER_ID
        fakes.register_image_list(self.requests, images)
        fakes.register_volume_snapshot_list(self.requests, vols)
        rows = self.run_json('rc', 'snapshot', 'list', '--long')
        self.assertEqual([fakes.SERVER_ID] * 2, [r['Server'] for r in rows])
        self.assertEqual(['GET %s?limit=1000' % IMAGES,
                          'GET %s/detail?limit=1000' % SNAPS], self.calls())

    def test_no_volume_backed_no_cinder_request(self):
        fakes.register_image_list(self.requests, [fakes.image_backed_image()])
        rows = self.run_json('rc', 'snapshot', 'list')
        self.assertEqual(1, len(rows))
        self.assertEqual(['GET %s?limit=1000' % IMAGES], self.calls())

    def test_mine_filters_by_owner_and_name(self):
        fakes.register_image_list(self.requests, [])
        self.run_json('rc', 'snapshot', 'list', '--mine', '--name', 'x')
        self.assertEqual(['GET %s?limit=1000&name=x&owner=%s'
                          % (IMAGES, base.PROJECT_ID)], self.calls())

    def test_all(self):
        fakes.register_image_list(self.requests, [])
        self.run_json('rc', 'snapshot', 'list', '--all')
        self.assertEqual(['GET %s?limit=1000&visibility=all' % IMAGES],
                         self.calls())

    def test_scopes_exclusive(self):
        code, out, err = self.run_cli('rc', 'snapshot', 'list', '--mine',
                                      '--all')
        self.assertEqual(2, code)
        self.assertIn('not allowed with argument', err)

    def test_others_volume_snapshots_unknown_size(self):
        images, _ = self.snapshots_of(1)
        images[0]['owner'] = base.OTHER_PROJECT_ID
        fakes.register_image_list(self.requests, images)
        rows = self.run_json('rc', 'snapshot', 'list')
        self.assertIsNone(rows[0]['Size GiB'])
        self.assertEqual(['GET %s?limit=1000' % IMAGES], self.calls())


BASE_ID = '0f3e2d1c-4b5a-4968-8776-a5b4c3d2e1f0'


class TestCreateSnapshot(base.TestCommand):

    def setUp(self):
        super().setUp()
        fakes.register_server(self.requests, fakes.server())
        # The root volume: what the quiesce verdict is read from.
        fakes.register_root_volume(self.requests)

    def action_bodies(self):
        return [r.json() for r in self.requests.request_history
                if r.method == 'POST' and r.url.endswith('/action')]

    def test_volume_backed_wait(self):
        fakes.register_create_image(self.requests)
        fakes.register_image(self.requests, fakes.volume_backed_image(
            name='analysis-vm'))
        self.requests.get('%s/%s' % (SNAPS, fakes.ROOT_SNAP_ID), [
            {'json': {'snapshot': fakes.volume_snapshot(status='creating')}},
            {'json': {'snapshot': fakes.volume_snapshot()}}])
        code, out, err = self.run_cli(
            'rc', 'snapshot', 'create', fakes.SERVER_ID, '--wait',
            '--property', 'purpose=course', '-f', 'json')
        self.assertEqual(0, code, err)
        data = json.loads(out)
        self.assertEqual(10, data['size_gib'])
        self.assertEqual('available', data['volume_snapshots'][0]['status'])
        self.assertEqual([{'createImage': {
            'name': 'analysis-vm', 'metadata': {
                'purpose': 'course',
                'rcsnap:consistency': 'crash-consistent',
                'rcsnap:server_id': fakes.SERVER_ID}}}],
            self.action_bodies())
        self.assertCalls([
            'GET %s/%s' % (SERVERS, fakes.SERVER_ID),
            {'GET %s/volumes/%s' % (base.VOLUME_URL, fakes.ROOT_VOLUME_ID),
             'GET ' + fakes.QUOTA_URL},
            'POST %s/%s/action' % (SERVERS, fakes.SERVER_ID),
            'GET %s/%s' % (IMAGES, fakes.IMAGE_ID),
            'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
            'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID)])
        self.assertIn('Snapshot %s: volume snapshot %s creating (0%%)'
                      % (fakes.IMAGE_ID, fakes.ROOT_SNAP_ID), err)
        action = [r for r in self.requests.request_history
                  if r.url.endswith('/action')][0]
        self.assertEqual('compute 2.45',
                         action.headers['OpenStack-API-Version'])

    def test_name_option_and_no_wait(self):
        fakes.register_image_list(self.requests, [], '?name=before-upgrade')
        fakes.register_create_image(self.requests)
        fakes.register_image(self.requests, fakes.image_backed_image(
            status='queued', size=None))
        data = self.run_json('rc', 'snapshot', 'create', fakes.SERVER_ID,
                             '--name', 'before-upgrade')
        self.assertEqual('queued', data['status'])
        self.assertIsNone(data['size_gib'])
        self.assertEqual([{'createImage': {
            'name': 'before-upgrade', 'metadata': {
                'rcsnap:consistency': 'crash-consistent',
                'rcsnap:server_id': fakes.SERVER_ID}}}],
            self.action_bodies())

    def test_wait_image_killed(self):
        fakes.register_create_image(self.requests)
        fakes.register_image(self.requests, fakes.image_backed_image(
            status='killed'))
        self.assertFailsAfterVerdict(
            'Snapshot %s failed: image %s is killed.'
            % (fakes.IMAGE_ID, fakes.IMAGE_ID),
            'rc', 'snapshot', 'create', fakes.SERVER_ID, '--wait')

    def test_wait_volume_snapshot_error(self):
        fakes.register_create_image(self.requests)
        fakes.register_image(self.requests, fakes.volume_backed_image())
        fakes.register_volume_snapshot(self.requests, fakes.volume_snapshot(
            status='error'))
        self.assertFailsAfterVerdict(
            'Snapshot %s failed: volume snapshot %s is error.'
            % (fakes.IMAGE_ID, fakes.ROOT_SNAP_ID),
            'rc', 'snapshot', 'create', fakes.SERVER_ID, '--wait')

    def test_wait_image_deleted(self):
        fakes.register_create_image(self.requests)
        self.requests.get('%s/%s' % (IMAGES, fakes.IMAGE_ID),
                          status_code=404,
                          json=fakes.glance_error(404, 'gone'))
        self.assertFailsAfterVerdict(
            'Snapshot %s failed: its image was deleted.' % fakes.IMAGE_ID,
            'rc', 'snapshot', 'create', fakes.SERVER_ID, '--wait')

    def test_wait_timeout(self):
        fakes.register_create_image(self.requests)
        fakes.register_image(self.requests, fakes.image_backed_image(
            status='saving'))
        self.assertFailsAfterVerdict(
            'Timed out after 0 s waiting for snapshot %s: image saving.'
            % fakes.IMAGE_ID,
            'rc', 'snapshot', 'create', fakes.SERVER_ID, '--wait',
            '--timeout', '0')

    def test_server_busy_409(self):
        fakes.register_create_image(
            self.requests, status_code=409, json=fakes.nova_error(
                'conflictingRequest', 409,
                "Cannot 'createImage' instance %s while it is in "
                "task_state image_snapshot" % fakes.SERVER_ID))
        self.assertFailsAfterVerdict(
            "Cannot snapshot server analysis-vm now: Cannot 'createImage' "
            "instance %s while it is in task_state image_snapshot"
            % fakes.SERVER_ID, 'rc', 'snapshot', 'create', fakes.SERVER_ID)

    def test_quota_exceeded(self):
        fakes.register_create_image(
            self.requests, status_code=403, json=fakes.nova_error(
                'forbidden', 403, "Quota exceeded for resources: "
                "['snapshots']."))
        self.assertFailsAfterVerdict(
            "Quota exceeded: Quota exceeded for resources: ['snapshots'].",
            'rc', 'snapshot', 'create', fakes.SERVER_ID)

    def assertFailsAfterVerdict(self, expected, *argv):
        """Exit 1, nothing on stdout; the verdict line, then the error."""
        code, out, err = self.run_cli(*argv)
        self.assertEqual(1, code, err)
        self.assertEqual('', out)
        lines = err.strip().splitlines()
        self.assertEqual(2, len(lines), err)
        self.assertIn('Server analysis-vm: crash-consistent', lines[0])
        self.assertIn(expected, lines[1])

    def test_unknown_server(self):
        self.requests.get('%s/detail' % SERVERS, json={'servers': []})
        self.assertFails("No server with a name or ID of 'ghost' exists.",
                         'rc', 'snapshot', 'create', 'ghost')
        self.assertEqual(['GET %s/detail?name=%%5Eghost%%24' % SERVERS],
                         self.calls())
        self.assertEqual([], self.writes())

    def test_ambiguous_server(self):
        one = fakes.server('s-1', 'twin')
        two = fakes.server('s-2', 'twin')
        self.requests.get('%s/detail' % SERVERS,
                          json={'servers': [one, two]})
        self.assertFails("More than one server is named 'twin': s-1, s-2; "
                         "use an ID.", 'rc', 'snapshot', 'create', 'twin')
        self.assertEqual([], self.writes())

    def test_bad_property(self):
        code, out, err = self.run_cli('rc', 'snapshot', 'create',
                                      fakes.SERVER_ID, '--property', 'novalue')
        self.assertEqual(2, code)
        self.assertIn("Expected 'key=value' type", err)
        self.assertEqual([], self.calls())


class TestErrorText(base.TestCommand):

    def test_glance_html_error_is_one_line(self):
        self.requests.get(
            '%s/%s' % (IMAGES, fakes.IMAGE_ID), status_code=409,
            text='<html>\n <head>\n  <title>409 Conflict</title>\n </head>\n'
                 ' <body>\n  <h1>409 Conflict</h1>\n  Property os_version '
                 'does not exist.<br /><br />\n\n\n\n </body>\n</html>',
            headers={'Content-Type': 'text/html; charset=UTF-8'})
        line = self.assertFails('(HTTP 409): 409 Conflict 409 Conflict '
                                'Property os_version does not exist.',
                                'rc', 'snapshot', 'show', fakes.IMAGE_ID)
        self.assertNotIn('<', line)


class TestPaging(base.TestCommand):
    """Listings follow the services' own next links, page after page, and
    stop on the page that has none."""

    def test_glance_next_and_cinder_snapshots_links(self):
        first, second = [], []
        vols = []
        for n in range(3):
            snap_id = 'a%07d-e5f6-4a7b-8c9d-0e1f2a3b4c5d' % n
            (first if n < 2 else second).append(fakes.volume_backed_image(
                'c%07d-5b6d-4e8a-9c0b-1d2e3f4a5b6c' % n, 'snap-%d' % n,
                entries=[fakes.root_entry(snap_id)]))
            vols.append(fakes.volume_snapshot(snap_id, size=n + 1))
        marker = first[-1]['id']
        self.requests.get(IMAGES + '?limit=1000', complete_qs=True, json={
            'images': first, 'first': '/v2/images?limit=1000',
            'next': '/v2/images?limit=1000&marker=%s' % marker,
            'schema': '/v2/schemas/images'})
        self.requests.get(IMAGES + '?limit=1000&marker=%s' % marker,
                          complete_qs=True, json={
                              'images': second,
                              'first': '/v2/images?limit=1000',
                              'schema': '/v2/schemas/images'})
        self.requests.get(SNAPS + '/detail?limit=1000', complete_qs=True,
                          json={'snapshots': vols[:1], 'snapshots_links': [
                              {'rel': 'next', 'href': SNAPS + '/detail?'
                               'limit=1000&marker=%s' % vols[0]['id']}]})
        self.requests.get(SNAPS + '/detail?limit=1000&marker=%s'
                          % vols[0]['id'], complete_qs=True,
                          json={'snapshots': vols[1:]})
        rows = self.run_json('rc', 'snapshot', 'list')
        self.assertEqual([1, 2, 3], [r['Size GiB'] for r in rows])
        self.assertEqual([
            'GET %s?limit=1000' % IMAGES,
            'GET %s?limit=1000&marker=%s' % (IMAGES, marker),
            'GET %s/detail?limit=1000' % SNAPS,
            'GET %s/detail?limit=1000&marker=%s' % (SNAPS, vols[0]['id'])],
            self.calls())
