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

"""The quota pre-flight of ``rc snapshot create`` and ``batch create``:
the volumes Nova would snapshot against Cinder's quota, read with the
reads create makes anyway, before Nova is asked."""

import testtools

from rcsnap_osc.core import quota
from tests.unit import base
from tests.unit.create import base as create_base
from tests.unit import fakes

SERVERS = create_base.SERVERS
VOLUMES = create_base.VOLUMES
QUOTA = 'GET ' + fakes.QUOTA_URL
SERVER = '%s/%s' % (SERVERS, fakes.SERVER_ID)


def sized(volume_id, size, kind='lvmdriver-1'):
    return {'id': volume_id, 'size': size, 'volume_type': kind}


class TestPlan(testtools.TestCase):

    def quota(self, **kwargs):
        return fakes.quota_set(**kwargs)['quota_set']

    def test_need_counts_every_volume_and_its_type(self):
        need = quota.need([sized('a', 10), sized('b', 4, 'fast'),
                           {'id': 'c'}])
        self.assertEqual({'snapshots': 3, 'gigabytes': 14,
                          'snapshots_lvmdriver-1': 1,
                          'gigabytes_lvmdriver-1': 10,
                          'snapshots_fast': 1, 'gigabytes_fast': 4},
                         need.amounts)

    def test_fits_exactly(self):
        need = quota.need([sized('a', 10), sized('b', 4)])
        self.assertEqual([], quota.over(
            self.quota(snapshots=(8, 10), gigabytes=(86, 100)),
            need.amounts))

    def test_over_by_one(self):
        need = quota.need([sized('a', 10), sized('b', 4)])
        self.assertEqual([('snapshots', 9, 10), ('gigabytes', 87, 100)],
                         quota.over(self.quota(
                             snapshots=(9, 10), gigabytes=(87, 100)),
                             need.amounts))

    def test_unlimited(self):
        need = quota.need([sized('a', 10)])
        self.assertEqual([], quota.over(self.quota(
            snapshots=(5000, -1), gigabytes=(10 ** 6, -1)), need.amounts))

    def test_reserved_counts_as_used(self):
        quota_set = self.quota(snapshots=(8, 10))
        quota_set['snapshots']['reserved'] = 2
        self.assertEqual([('snapshots', 10, 10)], quota.over(
            quota_set, quota.need([sized('a', 1)]).amounts))

    def test_allocated_of_older_cinder_is_ignored(self):
        quota_set = self.quota(snapshots=(9, 10))
        for entry in quota_set.values():
            if isinstance(entry, dict):
                entry['allocated'] = 0
        self.assertEqual([('snapshots', 9, 10)], quota.over(
            quota_set, quota.need([sized('a', 1), sized('b', 1)]).amounts))

    def test_per_type_quota(self):
        quota_set = self.quota(types={'lvmdriver-1': {'snapshots': (4, 4)}})
        self.assertEqual([('snapshots_lvmdriver-1', 4, 4)], quota.over(
            quota_set, quota.need([sized('a', 1)]).amounts))

    def test_servers_take_their_room_in_turn(self):
        need = quota.need([sized('a', 1)])
        verdicts = quota.check(self.quota(snapshots=(8, 10)), [
            ('s1', 'one', need), ('s2', 'two', need), ('s3', 'three', need)])
        self.assertIsNone(verdicts['s1'])
        self.assertIsNone(verdicts['s2'])
        self.assertIn("Cinder quota 'snapshots' is at 10 of 10: a snapshot "
                      "of server three needs 1 volume snapshots, 1 GiB",
                      verdicts['s3'])

    def test_hidden_quota_fits(self):
        need = quota.need([sized('a', 1)])
        self.assertEqual({'s1': None},
                         quota.check(None, [('s1', 'one', need)]))


class TestCreatePreflight(create_base.CreateTest):
    """One server with a root volume (10 GiB) and a data volume (4 GiB):
    Nova would make two volume snapshots, 14 GiB."""

    def setUp(self):
        super().setUp()
        body = fakes.server()
        body['os-extended-volumes:volumes_attached'] = [
            {'id': fakes.ROOT_VOLUME_ID, 'delete_on_termination': False},
            {'id': fakes.DATA_VOLUME_ID, 'delete_on_termination': False}]
        self.fake = create_base.FakeNova(self, [body])
        data = create_base.attached_volume(
            fakes.DATA_VOLUME_ID, device='/dev/vdb', bootable='false')
        data['size'] = 4
        for volume in (create_base.attached_volume(), data):
            self.requests.get('%s/%s' % (VOLUMES, volume['id']),
                              json={'volume': volume})
        self.snapshot_ready()

    READS = ['GET ' + SERVER,
             {'GET %s/%s' % (VOLUMES, fakes.ROOT_VOLUME_ID),
              'GET %s/%s' % (VOLUMES, fakes.DATA_VOLUME_ID), QUOTA}]

    #: On a refusal, whether it comes from drift: the listed use; and
    #: what of it the recycle bin holds.
    LISTINGS = {'GET %s/detail?limit=1000' % create_base.SNAPS,
                'GET %s/detail?limit=1000' % VOLUMES,
                'GET %s?limit=1000&os_hidden=true&owner=%s' % (
                    create_base.IMAGES, base.PROJECT_ID)}

    def refused(self, expected, **quota):
        body = fakes.quota_set(**quota)
        fakes.register_quota(self.requests, body)
        fakes.register_listed_use(self.requests, body)
        self.assertFails(expected, 'rc', 'snapshot', 'create',
                         fakes.SERVER_ID)
        self.assertCalls(self.READS + [self.LISTINGS])

    def test_snapshots_quota_full(self):
        self.refused(
            "Cinder quota 'snapshots' is at 9 of 10: a snapshot of server "
            "analysis-vm needs 2 volume snapshots, 14 GiB; 'openstack rc "
            "snapshot orphans' and 'openstack rc snapshot prune' show what "
            "to delete to make room; nothing was made.",
            snapshots=(9, 10))

    def test_the_bin_holds_the_room_and_purge_frees_it(self):
        body = fakes.quota_set(snapshots=(9, 10))
        fakes.register_quota(self.requests, body)
        fakes.register_listed_use(self.requests, body)
        vsnap = fakes.volume_snapshot(
            '%08d-0000-4000-8000-000000000000' % 0, size=1)
        fakes.register_image_list(self.requests, [fakes.volume_backed_image(
            'b1b2b3b4-0000-4000-8000-000000000000',
            entries=[fakes.root_entry(vsnap['id'])], os_hidden=True,
            rcsnap_binned_at='2026-12-06T10:00:00Z')], '?os_hidden=true')
        self.assertFails(
            "to make room; the recycle bin holds 1 volume snapshots, 1 GiB "
            "of it: 'openstack rc snapshot bin purge' frees them; nothing "
            "was made.", 'rc', 'snapshot', 'create', fakes.SERVER_ID)
        self.assertCalls(self.READS + [self.LISTINGS])

    def test_gigabytes_quota_full(self):
        self.refused(
            "Cinder quota 'gigabytes' is at 90 of 100 GiB: a snapshot of "
            "server analysis-vm needs 2 volume snapshots, 14 GiB;",
            gigabytes=(90, 100))

    def test_volume_type_quota_full(self):
        self.refused(
            "Cinder quota 'gigabytes_lvmdriver-1' is at 10 of 20 GiB:",
            types={'lvmdriver-1': {'gigabytes': (10, 20)}})

    def made(self):
        code, out, err = self.run_cli('rc', 'snapshot', 'create',
                                      fakes.SERVER_ID)
        self.assertEqual(0, code, err)
        self.assertCalls(self.READS + [
            'POST %s/action' % SERVER,
            'GET %s/%s' % (create_base.IMAGES, fakes.IMAGE_ID),
            'GET %s/%s' % (create_base.SNAPS, fakes.ROOT_SNAP_ID)])

    def test_fits_exactly(self):
        fakes.register_quota(self.requests, fakes.quota_set(
            snapshots=(8, 10), gigabytes=(86, 100)))
        self.made()

    def test_unlimited(self):
        fakes.register_quota(self.requests, fakes.quota_set(
            snapshots=(900, -1), gigabytes=(9000, -1)))
        self.made()

    def test_hidden_quota_is_skipped_silently(self):
        fakes.register_quota(self.requests, status_code=403,
                             json=fakes.QUOTA_FORBIDDEN)
        self.made()

    def test_image_backed_server_asks_no_quota(self):
        fakes.register_quota(self.requests, fakes.quota_set(
            snapshots=(10, 10)))
        fakes.register_image(self.requests, fakes.image(
            fakes.BASE_IMAGE_ID, 'base-image'))
        body = create_base.image_backed_server()
        body['os-extended-volumes:volumes_attached'] = [
            {'id': fakes.DATA_VOLUME_ID, 'delete_on_termination': False}]
        self.fake.bodies[fakes.SERVER_ID] = body
        fakes.register_image(self.requests, fakes.image_backed_image())
        code, out, err = self.run_cli('rc', 'snapshot', 'create',
                                      fakes.SERVER_ID)
        self.assertEqual(0, code, err)
        # Nova copies the root disk into Glance and leaves the attached
        # data volume alone: nothing is asked of Cinder.
        self.assertCalls([
            'GET ' + SERVER,
            'GET %s/%s' % (create_base.IMAGES, fakes.BASE_IMAGE_ID),
            'POST %s/action' % SERVER,
            'GET %s/%s' % (create_base.IMAGES, fakes.IMAGE_ID)])
