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

"""``create --name`` with the name of an existing snapshot: refused in
one request, naming it, unless ``--allow-duplicate-name``; so that
``show <name>`` keeps naming one snapshot."""

from tests.unit import base
from tests.unit import fakes

IMAGES = base.IMAGE_URL + '/v2/images'
LISTING = 'GET %s?limit=1000&name=before-upgrade' % IMAGES


class TestDuplicateName(base.TestCommand):

    def setUp(self):
        super().setUp()
        fakes.register_server(self.requests, fakes.server())
        fakes.register_root_volume(self.requests)
        fakes.register_image_list(self.requests, [fakes.image_backed_image(
            name='before-upgrade')], '?name=before-upgrade')

    def test_refused_in_one_request_naming_the_existing_one(self):
        self.assertFails(
            'Instance snapshot before-upgrade exists already (%s): give '
            'another --name, or add --allow-duplicate-name to make a second '
            'one; nothing was made.' % fakes.IMAGE_ID,
            'rc', 'snapshot', 'create', fakes.SERVER_ID,
            '--name', 'before-upgrade')
        self.assertEqual([], self.writes())
        self.assertEqual([LISTING], self.calls())

    def test_an_image_not_a_snapshot_does_not_count(self):
        fakes.register_image_list(self.requests, [fakes.image(
            name='before-upgrade', image_type=None)], '?name=before-upgrade')
        fakes.register_create_image(self.requests)
        fakes.register_image(self.requests, fakes.image_backed_image(
            status='queued', size=None))
        data = self.run_json('rc', 'snapshot', 'create', fakes.SERVER_ID,
                             '--name', 'before-upgrade')
        self.assertEqual('queued', data['status'])

    def test_allow_duplicate_name_makes_it_without_the_listing(self):
        fakes.register_create_image(self.requests)
        fakes.register_image(self.requests, fakes.image_backed_image(
            status='queued', size=None))
        data = self.run_json('rc', 'snapshot', 'create', fakes.SERVER_ID,
                             '--name', 'before-upgrade',
                             '--allow-duplicate-name')
        self.assertEqual(fakes.IMAGE_ID, data['id'])
        self.assertNotIn(LISTING, self.calls())
