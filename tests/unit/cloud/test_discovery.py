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

"""Cinder's version document: fetched once, with the token."""

import testtools

from rcsnap_osc.cloud import discovery
from tests.unit import base
from tests.unit import fakes

PROJECT = base.PROJECT_ID


class TestVersionedRoot(testtools.TestCase):

    def test_catalog_urls(self):
        for url, want in (
                ('http://h:8776/v3/%s' % PROJECT, 'http://h:8776/v3/'),
                ('http://h:8776/v3/%s/' % PROJECT, 'http://h:8776/v3/'),
                ('http://h:8776/v3', 'http://h:8776/v3/'),
                ('https://h/volume/v3/%s' % PROJECT, 'https://h/volume/v3/'),
                ('http://h:8776/', None),
                ('http://h/volume', None)):
            self.assertEqual(want, discovery.versioned_root(url, PROJECT),
                             url)


class TestShowDiscoversCinderOnce(base.TestCommand):

    def two_volume_snapshot(self):
        fakes.register_root_volume(self.requests)
        fakes.register_image(self.requests, fakes.volume_backed_image(
            entries=[fakes.swap_entry(), fakes.root_entry(),
                     fakes.data_entry()]))
        fakes.register_volume_snapshot(self.requests,
                                       fakes.volume_snapshot(size=10))
        fakes.register_volume_snapshot(self.requests, fakes.volume_snapshot(
            fakes.DATA_SNAP_ID, size=5, volume_id=fakes.DATA_VOLUME_ID))

    def every_request(self):
        base.settle()
        return [(r.method, r.url, bool(r.headers.get('X-Auth-Token')))
                for r in self.requests.request_history]

    def test_show_of_a_volume_backed_snapshot_with_two_volumes(self):
        # Cinder answers /v3/ only with a token (401 without): the version
        # document is asked for once, with it.
        self.two_volume_snapshot()
        self.run_json('rc', 'snapshot', 'show', fakes.IMAGE_ID)
        made = self.every_request()
        cinder = base.VOLUME_ROOT
        self.assertEqual([('GET', cinder + '/v3/', True)],
                         [r for r in made if r[1].rstrip('/') in (
                             cinder, cinder + '/v3')])
        snaps = base.VOLUME_URL + '/snapshots/'
        self.assertEqual(sorted([
            ('GET', base.AUTH_URL, False),
            ('POST', base.AUTH_URL + '/auth/tokens', False),
            ('GET', base.IMAGE_URL + '/', False),
            ('GET', cinder + '/v3/', True),
            ('GET', base.VOLUME_URL + '/volumes/detail?limit=100', True),
            ('GET', base.IMAGE_URL + '/v2/images/' + fakes.IMAGE_ID, True),
            ('GET', snaps + fakes.ROOT_SNAP_ID, True),
            ('GET', snaps + fakes.DATA_SNAP_ID, True)]), sorted(made))
