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
"""The recycle bin's read side over HTTP fakes: ``bin list`` (requests
constant in the number of binned snapshots), ``list`` and ``show`` with
and without ``--bin``, and a lock in ``show``."""

from rcsnap_osc.core import holds
from tests.unit import base
from tests.unit import fakes

IMAGES = base.IMAGE_URL + '/v2/images'
SNAPS = base.VOLUME_URL + '/snapshots'
HIDDEN = 'GET %s?limit=1000&os_hidden=true&owner=%s' % (
    IMAGES, base.PROJECT_ID)
VOLUME_SNAPSHOTS = 'GET %s/detail?limit=1000' % SNAPS


def binned(n, size=1, **fields):
    """The n-th binned volume-backed snapshot and its volume snapshot."""
    snap_id = 'a%07d-e5f6-4a7b-8c9d-0e1f2a3b4c5d' % n
    image = fakes.volume_backed_image(
        'c%07d-5b6d-4e8a-9c0b-1d2e3f4a5b6c' % n, 'snap-%d' % n,
        entries=[fakes.swap_entry(), fakes.root_entry(snap_id)],
        os_hidden=True, protected=True, **dict({
            'rcsnap:server_id': fakes.SERVER_ID,
            holds.BINNED_AT: '2026-12-06T10:%02d:00Z' % (n % 60),
            holds.BINNED_BY: 'prune', holds.WAS_PROTECTED: 'false',
            holds.BIN_UNTIL: '2026-12-13T10:00:00Z'}, **fields))
    return image, fakes.volume_snapshot(snap_id, size=size)


class TestBinList(base.TestCommand):

    def bin_of(self, count, *args, others=()):
        pairs = [binned(n, size=n + 1) for n in range(count)]
        images = [p[0] for p in reversed(pairs)] + list(others)
        fakes.register_image_list(self.requests, images,
                                  '?os_hidden=true')
        fakes.register_volume_snapshot_list(self.requests,
                                            [p[1] for p in pairs])
        return self.run_json('rc', 'snapshot', 'bin', 'list', *args)

    def test_requests_constant_from_1_to_1000(self):
        self.bin_of(1)
        one = self.calls()
        self.assertEqual([HIDDEN, VOLUME_SNAPSHOTS], one)
        rows = self.bin_of(1000)
        self.assertEqual([HIDDEN, VOLUME_SNAPSHOTS], self.calls()[len(one):])
        self.assertEqual(1000, len(rows))

    def test_rows_oldest_binned_first(self):
        rows = self.bin_of(2)
        self.assertEqual([{
            'ID': 'c0000000-5b6d-4e8a-9c0b-1d2e3f4a5b6c', 'Name': 'snap-0',
            'Server': fakes.SERVER_ID, 'Size GiB': 1,
            'Binned At': '2026-12-06T10:00:00Z', 'Binned By': 'prune',
            'Purge After': '2026-12-13T10:00:00Z'}, {
            'ID': 'c0000001-5b6d-4e8a-9c0b-1d2e3f4a5b6c', 'Name': 'snap-1',
            'Server': fakes.SERVER_ID, 'Size GiB': 2,
            'Binned At': '2026-12-06T10:01:00Z', 'Binned By': 'prune',
            'Purge After': '2026-12-13T10:00:00Z'}], rows)

    def test_long_and_hidden_images_not_in_the_bin_left_out(self):
        hidden = fakes.image_backed_image(os_hidden=True)
        rows = self.bin_of(1, '--long', others=[hidden])
        self.assertEqual(1, len(rows))
        self.assertEqual({'Type': 'volume-backed', 'Status': 'active',
                          'Locked Until': None},
                         {k: rows[0][k] for k in ('Type', 'Status',
                                                  'Locked Until')})

    def test_empty_bin_one_request(self):
        fakes.register_image_list(self.requests, [], '?os_hidden=true')
        self.assertEqual([], self.run_json('rc', 'snapshot', 'bin', 'list'))
        self.assertEqual([HIDDEN], self.calls())

    def test_all_projects_needs_admin(self):
        self.assertFails(
            '--all-projects needs the admin role (this token has: member, '
            'reader).', 'rc', 'snapshot', 'bin', 'list', '--all-projects')
        self.assertEqual([], self.calls())

    def test_all_projects_three_listings_at_once(self):
        self.token.add_role(name='admin')
        self.register_cloud()
        image, vsnap = binned(0, size=3)
        other, other_vsnap = binned(1, size=4, owner=base.OTHER_PROJECT_ID)
        fakes.register_image_list(self.requests, [image, other],
                                  '?visibility=all&os_hidden=true')
        fakes.register_volume_snapshot_list(self.requests,
                                            [vsnap, other_vsnap])
        self.requests.get(base.AUTH_URL + '/projects',
                          json=fakes.keystone_projects(
                              (base.PROJECT_ID, 'alpha'),
                              (base.OTHER_PROJECT_ID, 'beta')))
        rows = self.run_json('rc', 'snapshot', 'bin', 'list',
                             '--all-projects')
        self.assertEqual([('alpha', 3), ('beta', 4)],
                         [(r['Project'], r['Size GiB']) for r in rows])
        self.assertCalls([{
            'GET %s?limit=1000&os_hidden=true&visibility=all' % IMAGES,
            'GET %s/detail?all_tenants=1&limit=1000' % SNAPS,
            'GET %s/projects' % base.AUTH_URL}])


class TestListAndShow(base.TestCommand):

    def setUp(self):
        super().setUp()
        self.image, vsnap = binned(0, size=5)
        fakes.register_volume_snapshot_list(self.requests, [vsnap])
        fakes.register_volume_snapshot(self.requests, vsnap)

    def test_list_leaves_a_binned_snapshot_out(self):
        # Glance's default listing leaves hidden images out; one that is
        # binned but not hidden is left out all the same.
        unhidden = dict(self.image, os_hidden=False)
        fakes.register_image_list(self.requests,
                                  [unhidden, fakes.image_backed_image()])
        rows = self.run_json('rc', 'snapshot', 'list')
        self.assertEqual([fakes.IMAGE_ID], [r['ID'] for r in rows])

    def test_list_bin_only_the_binned_with_their_dates(self):
        fakes.register_image_list(self.requests, [self.image],
                                  '?os_hidden=true')
        rows = self.run_json('rc', 'snapshot', 'list', '--bin')
        self.assertEqual([{
            'ID': self.image['id'], 'Name': 'snap-0', 'Status': 'active',
            'Type': 'volume-backed', 'Size GiB': 5,
            'Binned At': '2026-12-06T10:00:00Z',
            'Purge After': '2026-12-13T10:00:00Z', 'Verified': None}], rows)
        self.assertEqual([HIDDEN, VOLUME_SNAPSHOTS], self.calls())

    def test_list_bin_is_not_combined_with_a_scope(self):
        self.assertBadArgument('not allowed with argument', 'rc',
                               'snapshot', 'list', '--bin', '--all')

    def test_show_by_id_says_binned_until_when(self):
        fakes.register_image(self.requests, self.image)
        data = self.run_json('rc', 'snapshot', 'show', self.image['id'])
        self.assertEqual(
            ('2026-12-06T10:00:00Z', 'prune', '2026-12-13T10:00:00Z'),
            (data['binned_at'], data['binned_by'], data['purge_after']))
        self.assertNotIn('locked_until', data)

    def test_show_by_name_finds_a_binned_one_with_bin_only(self):
        fakes.register_image_list(self.requests, [])
        fakes.register_image_list(self.requests, [self.image],
                                  '?os_hidden=true')
        self.assertFails("No image with a name or ID of 'snap-0' exists.",
                         'rc', 'snapshot', 'show', 'snap-0')
        data = self.run_json('rc', 'snapshot', 'show', 'snap-0', '--bin')
        self.assertEqual('2026-12-13T10:00:00Z', data['purge_after'])

    def test_show_a_lock(self):
        image = dict(self.image, **{holds.LOCKED_UNTIL: '2027-01-01T00:00:00Z',
                                    holds.LOCKED_BY: 'alpha'})
        fakes.register_image(self.requests, image)
        data = self.run_json('rc', 'snapshot', 'show', image['id'])
        self.assertEqual(('2027-01-01T00:00:00Z', 'alpha'),
                         (data['locked_until'], data['locked_by']))
