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

"""``rc snapshot show``: Cinder's first request starts with Glance's
(:mod:`rcsnap_osc.cloud.find`); which requests start together, from their
recorded start and end times."""

import time

from tests.unit import base
from tests.unit import fakes
from tests.unit import timeline

IMAGES = base.IMAGE_URL + '/v2/images'
SNAPS = base.VOLUME_URL + '/snapshots'
BY_NAME = '?limit=1000&name=analysis-vm-snap'
NAMED = '/detail?limit=1000&name=snapshot+for+analysis-vm-snap'


class TestShowStartsCinderWithGlance(base.TestCommand):

    def setUp(self):
        super().setUp()
        self.times = timeline.Timeline(self)
        # show's server field: the root volume's attachment, read last
        fakes.register_root_volume(self.requests)

    def volume_backed(self):
        return fakes.volume_backed_image(entries=[
            fakes.swap_entry(), fakes.root_entry(), fakes.data_entry()])

    def volume_snapshots(self, until=None):
        """The two volume snapshots' GETs, recorded as ``root`` and
        ``data``."""
        for key, body in (
                ('root', fakes.volume_snapshot(size=10)),
                ('data', fakes.volume_snapshot(fakes.DATA_SNAP_ID, size=5))):
            self.times.answer('GET', '%s/%s' % (SNAPS, body['id']), key,
                              {'snapshot': body}, until=until)

    def test_by_id_volume_page_while_glance_answers(self):
        # Cinder's version discovery (which a real Cinder answers only
        # with a token) answers once Glance's request has started, and
        # Glance once Cinder's volume page has: both run beside Glance's.
        for url in (base.VOLUME_ROOT + '/v3/', base.VOLUME_ROOT + '/v3'):
            self.times.answer('GET', url, 'discovery',
                              base._volume_versions(), until='glance')
        self.times.answer('GET', '%s/%s' % (IMAGES, fakes.IMAGE_ID),
                          'glance', self.volume_backed(), until='warm')
        self.times.answer('GET', base.VOLUME_PAGE.split(' ', 1)[1], 'warm',
                          {'volumes': [fakes.volume(
                              fakes.ROOT_VOLUME_ID, attachments=[{
                                  'server_id': fakes.SERVER_ID,
                                  'volume_id': fakes.ROOT_VOLUME_ID}])]})
        self.volume_snapshots()
        data = self.run_json('rc', 'snapshot', 'show', fakes.IMAGE_ID)
        self.assertEqual(15, data['size_gib'])
        self.assertTrue(self.times.held['glance'],
                        'the Cinder warm-up waited for the image')
        self.assertTrue(self.times.held['discovery'],
                        "Cinder's discovery came before Glance's request")
        self.assertTrue(self.times.overlapped('glance', 'warm'))
        # The volume snapshots are asked for once the image has named them
        # (here the page had answered before Glance did).
        for key in ('root', 'data'):
            self.assertTrue(self.times.before('glance', key))
        # the k GETs run side by side
        self.assertTrue(self.times.overlapped('root', 'data')
                        or self.times.overlapped('data', 'root'))
        # discovery, Glance, the page, k: the server field is in the page
        self.assertEqual(fakes.SERVER_ID, data['server'])
        self.assertEqual(4, len(self.calls()))

    def test_by_id_volume_snapshots_do_not_wait_for_the_page(self):
        # The page answers only once the volume snapshots are asked for:
        # their GETs go out after Cinder's discovery, beside the page.
        fakes.register_image(self.requests, self.volume_backed())
        self.times.answer('GET', base.VOLUME_PAGE.split(' ', 1)[1], 'page',
                          {'volumes': []}, until='root')
        self.volume_snapshots()
        data = self.run_json('rc', 'snapshot', 'show', fakes.IMAGE_ID)
        self.assertEqual(15, data['size_gib'])
        self.assertTrue(self.times.held['page'],
                        'the volume snapshots waited for the page')
        self.assertTrue(self.times.overlapped('page', 'root')
                        or self.times.overlapped('root', 'page'))

    def test_by_name_cinder_listing_while_glance_answers(self):
        self.times.answer('GET', IMAGES + BY_NAME, 'glance', {
            'images': [self.volume_backed()], 'first': '/v2/images',
            'schema': '/v2/schemas/images'}, until='cinder')
        self.times.answer('GET', SNAPS + NAMED, 'cinder', {'snapshots': [
            fakes.volume_snapshot(size=10),
            fakes.volume_snapshot(fakes.DATA_SNAP_ID, size=5)]})
        data = self.run_json('rc', 'snapshot', 'show', 'analysis-vm-snap')
        self.assertEqual(15, data['size_gib'])
        self.assertEqual([10, 5], [v['size_gib']
                                   for v in data['volume_snapshots']])
        self.assertTrue(self.times.held['glance'])
        self.assertTrue(self.times.overlapped('glance', 'cinder'))
        self.assertEqual(sorted(['GET %s%s' % (IMAGES, BY_NAME),
                                 'GET %s%s' % (SNAPS, NAMED)]),
                         sorted(self.calls()[:2]))
        self.assertEqual(['GET %s/volumes/%s' % (base.VOLUME_URL,
                                                 fakes.ROOT_VOLUME_ID)],
                         self.calls()[2:])  # the server field

    def test_image_backed_does_not_wait_for_cinder(self):
        # Cinder's warm-up answers only once the command has returned.
        self.times.answer('GET', '%s/%s' % (IMAGES, fakes.IMAGE_ID),
                          'glance', fakes.image_backed_image())
        self.times.answer('GET', base.VOLUME_PAGE.split(' ', 1)[1], 'warm',
                          {'volumes': []}, until='returned')
        data = self.run_json('rc', 'snapshot', 'show', fakes.IMAGE_ID)
        returned = time.monotonic()
        self.times.release('returned')
        self.assertEqual('image-backed', data['type'])
        self.assertEqual(['GET %s/%s' % (IMAGES, fakes.IMAGE_ID)],
                         self.after_warm_up())
        # it answered after the command had returned (and may even have
        # started after: the thread is not waited for)
        self.assertTrue(self.times.held['warm'])
        self.assertGreater(self.times.ended['warm'], returned)

    def test_failed_volume_page_changes_nothing(self):
        # A page Cinder refuses: the GETs by ID say what there is.
        fakes.register_image(self.requests, self.volume_backed())
        self.requests.get(base.VOLUME_PAGE.split(' ', 1)[1], status_code=503,
                          json={'error': 'down'})
        self.volume_snapshots()
        data = self.run_json('rc', 'snapshot', 'show', fakes.IMAGE_ID)
        self.assertEqual(15, data['size_gib'])

    def test_failed_listing_falls_back_to_ids(self):
        fakes.register_image_list(self.requests, [self.volume_backed()],
                                  BY_NAME)
        self.requests.get(SNAPS + NAMED, status_code=500, json={
            'computeFault': {'code': 500, 'message': 'boom'}})
        self.volume_snapshots()
        data = self.run_json('rc', 'snapshot', 'show', 'analysis-vm-snap')
        self.assertEqual(15, data['size_gib'])
        self.assertEqual(sorted(['GET %s%s' % (IMAGES, BY_NAME),
                                 'GET %s%s' % (SNAPS, NAMED)]),
                         sorted(self.calls()[:2]))
        self.assertEqual(sorted(['GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
                                 'GET %s/%s' % (SNAPS, fakes.DATA_SNAP_ID)]),
                         sorted(self.calls()[2:4]))
        self.assertEqual(['GET %s/volumes/%s' % (base.VOLUME_URL,
                                                 fakes.ROOT_VOLUME_ID)],
                         self.calls()[4:])  # the server field

    def test_unknown_id_does_not_wait_for_cinder(self):
        self.requests.get('%s/%s' % (IMAGES, fakes.IMAGE_ID),
                          status_code=404,
                          json=fakes.glance_error(404, 'not found'))
        fakes.register_image_list(self.requests, [],
                                  '?name=%s' % fakes.IMAGE_ID)
        self.times.answer('GET', base.VOLUME_PAGE.split(' ', 1)[1], 'warm',
                          {'volumes': []}, until='returned')
        self.assertFails("No image with a name or ID of '%s' exists."
                         % fakes.IMAGE_ID,
                         'rc', 'snapshot', 'show', fakes.IMAGE_ID)
        self.times.release('returned')
        self.assertEqual(['GET %s/%s' % (IMAGES, fakes.IMAGE_ID),
                          'GET %s?limit=1000&name=%s'
                          % (IMAGES, fakes.IMAGE_ID)], self.after_warm_up())
        self.assertTrue(self.times.held['warm'])


class TestPreflightStartsCinderWithGlance(base.TestCommand):
    """launch, share --copy and delete: their first Cinder request starts
    before Glance has answered, their later ones once it has."""

    def setUp(self):
        super().setUp()
        self.times = timeline.Timeline(self)

    def image_then_warm_up(self, body):
        self.times.answer('GET', '%s/%s' % (IMAGES, fakes.IMAGE_ID),
                          'glance', body, until='warm')
        self.times.answer('GET', base.WARM_UP.split(' ', 1)[1], 'warm',
                          {'snapshots': []})

    def root(self, status='available'):
        self.times.answer('GET', '%s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
                          'root', {'snapshot': fakes.volume_snapshot(
                              size=10, status=status)})

    def assert_overlap(self):
        self.assertTrue(self.times.held['glance'],
                        'the Cinder request waited for Glance')
        self.assertTrue(self.times.overlapped('glance', 'warm'))
        self.assertTrue(self.times.before('glance', 'root'))
        self.assertTrue(self.times.before('warm', 'root'))

    def test_launch(self):
        self.image_then_warm_up(fakes.volume_backed_image(
            entries=[fakes.root_entry()], min_disk=10))
        self.root()
        fakes.register_flavor_list(self.requests)
        fakes.register_create_server(self.requests)
        self.run_json('rc', 'snapshot', 'launch', fakes.IMAGE_ID,
                      '--flavor', 'm1.tiny')
        self.assert_overlap()

    def test_share_copy(self):
        self.image_then_warm_up(fakes.volume_backed_image(
            entries=[fakes.root_entry()]))
        self.root(status='creating')
        fakes.register_copies(self.requests)
        self.assertFails('is creating, not available', 'rc', 'snapshot',
                         'share', fakes.IMAGE_ID, '--project',
                         base.OTHER_PROJECT_ID, '--copy')
        self.assert_overlap()
        self.assertEqual([], self.writes())

    def test_share_without_copy_asks_cinder_nothing(self):
        fakes.register_image(self.requests, fakes.image_backed_image())
        fakes.register_image_update(self.requests, fakes.image_backed_image(
            visibility='shared'))
        fakes.register_add_member(self.requests, fakes.IMAGE_ID)
        fakes.register_members(self.requests, fakes.IMAGE_ID, [])
        self.run_json('rc', 'snapshot', 'share', fakes.IMAGE_ID,
                      '--project', base.OTHER_PROJECT_ID)
        self.assertFalse([c for c in self.calls() if 'cinder' in c])

    def test_delete(self):
        image = fakes.volume_backed_image(entries=[fakes.root_entry()])
        for url in (base.VOLUME_ROOT + '/v3/', base.VOLUME_ROOT + '/v3'):
            self.times.answer('GET', url, 'discovery',
                              base._volume_versions(), until='glance')
        self.times.answer('GET', IMAGES + '?limit=1000&visibility=all',
                          'glance', {'images': [image], 'first': '/v2/images',
                                     'schema': '/v2/schemas/images'},
                          until='cinder')
        fakes.register_image_list(self.requests, [],
                                  '?visibility=all&os_hidden=true')
        self.times.answer('GET', SNAPS + '/detail?limit=1000', 'cinder',
                          {'snapshots': [fakes.volume_snapshot()]})
        self.times.answer('GET', base.VOLUME_URL + '/volumes/detail',
                          'volumes', {'volumes': []})
        code, out, err = self.run_cli('rc', 'snapshot', 'delete',
                                      fakes.IMAGE_ID, '--dry-run')
        self.assertEqual(0, code, err)
        self.assertTrue(self.times.held['glance'])
        self.assertTrue(self.times.held['discovery'])
        self.assertTrue(self.times.overlapped('glance', 'cinder'))
        # the second Cinder listing waits for the images, as before
        self.assertTrue(self.times.before('glance', 'volumes'))
        self.assertEqual(4, len(self.calls()))
