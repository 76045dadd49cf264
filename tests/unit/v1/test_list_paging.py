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

"""``list --property``, ``--limit`` and ``--marker``, as ``image list`` has
them: Glance's own filters and pagination, and no request more than the
snapshots asked for need."""

from tests.unit import base
from tests.unit import fakes

IMAGES = base.IMAGE_URL + '/v2/images'
PLAIN_ID = '0f3e2d1c-4b5a-4968-8776-a5b4c3d2e1f0'


def snapshot(n):
    return fakes.image_backed_image('c%07d-5b6d-4e8a-9c0b-1d2e3f4a5b6c' % n,
                                    'snap-%d' % n)


def page(images, next_marker=None):
    body = {'images': images, 'first': '/v2/images?limit=1000',
            'schema': '/v2/schemas/images'}
    if next_marker:
        body['next'] = '/v2/images?limit=1000&marker=%s' % next_marker
    return {'json': body}


class TestListPaging(base.TestCommand):

    def test_properties_are_glance_filters(self):
        fakes.register_image_list(self.requests, [snapshot(0)])
        rows = self.run_json('rc', 'snapshot', 'list', '--property',
                             'os_distro=ubuntu', '--property',
                             'rcsnap:server_id=%s' % fakes.SERVER_ID)
        self.assertEqual(['snap-0'], [r['Name'] for r in rows])
        self.assertEqual(['GET %s?limit=1000&os_distro=ubuntu'
                          '&rcsnap%%3Aserver_id=%s'
                          % (IMAGES, fakes.SERVER_ID)], self.calls())

    def test_limit_stops_asking_once_it_has_them(self):
        # The first page holds one snapshot and a plain image, the second
        # two snapshots: --limit 2 needs both pages, and not the third.
        self.requests.get(IMAGES + '?limit=1000', complete_qs=True, **page(
            [snapshot(0), fakes.image(PLAIN_ID, 'ubuntu')], PLAIN_ID))
        self.requests.get(IMAGES + '?limit=1000&marker=%s' % PLAIN_ID,
                          complete_qs=True,
                          **page([snapshot(1), snapshot(2)], 'third'))
        rows = self.run_json('rc', 'snapshot', 'list', '--limit', '2')
        self.assertEqual(['snap-0', 'snap-1'], [r['Name'] for r in rows])
        self.assertEqual(['GET %s?limit=1000' % IMAGES,
                          'GET %s?limit=1000&marker=%s' % (IMAGES, PLAIN_ID)],
                         self.calls())

    def test_marker_is_glance_marker(self):
        marker = snapshot(0)['id']
        fakes.register_image_list(self.requests, [snapshot(1)])
        rows = self.run_json('rc', 'snapshot', 'list', '--marker', marker,
                             '--limit', '5', '--mine')
        self.assertEqual(['snap-1'], [r['Name'] for r in rows])
        self.assertEqual(['GET %s?limit=1000&marker=%s&owner=%s'
                          % (IMAGES, marker, base.PROJECT_ID)], self.calls())

    def test_unknown_marker_is_glance_one_line(self):
        # What Glance answers (copied from the local cloud).
        self.requests.get(IMAGES, status_code=400, headers={
            'Content-Type': 'text/html; charset=UTF-8'}, text=(
                '<html>\n <head>\n  <title>400 Bad Request</title>\n '
                '</head>\n <body>\n  <h1>400 Bad Request</h1>\n  No image '
                'found with ID %s<br /><br />\n\n\n\n </body>\n</html>'
                % PLAIN_ID))
        self.assertFails('No image found with ID %s' % PLAIN_ID, 'rc',
                         'snapshot', 'list', '--marker', PLAIN_ID)

    def test_shared_filters_each_listing_and_limits_the_rows(self):
        fakes.register_image_list(self.requests, [
            dict(snapshot(n), owner=base.OTHER_PROJECT_ID) for n in (0, 1)])
        rows = self.run_json('rc', 'snapshot', 'list', '--shared',
                             '--property', 'os_distro=ubuntu', '--limit', '1')
        self.assertEqual(1, len(rows))
        self.assertEqual(sorted(
            'GET %s?limit=1000&member_status=%s&os_distro=ubuntu'
            '&visibility=shared' % (IMAGES, status)
            for status in ('accepted', 'pending', 'rejected')),
            sorted(self.calls()))

    def test_bad_arguments_cost_no_request(self):
        self.assertBadArgument("'0' is not a whole number of 1 or more",
                               'rc', 'snapshot', 'list', '--limit', '0')
        self.assertBadArgument('--property', 'rc', 'snapshot', 'list',
                               '--property', 'no-equals-sign')
        self.assertEqual([], self.calls())
