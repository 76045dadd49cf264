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

"""``share --copy --volumes all`` and the commands that follow the copy's
data images (accept, unshare) over HTTP fakes: the exact requests, and
the cleanup when a step fails or Ctrl-C comes."""

import json

import testtools

from rcsnap_osc.core import copies
from rcsnap_osc.core import snapshots
from tests.unit import base
from tests.unit.delete import test_delete as test_snapshot_delete
from tests.unit import fakes
from tests.unit.launch import test_launch as test_snapshot_launch
from tests.unit.share import test_share as share_tests

IMAGES = share_tests.IMAGES
COPY = share_tests.COPY
VOLUMES = share_tests.VOLUMES
TMP = share_tests.TMP
TMP_DELETE = share_tests.TMP_DELETE
SNAPS = share_tests.SNAPS
BETA = share_tests.BETA
GAMMA = share_tests.GAMMA
LIST_COPIES = share_tests.LIST_COPIES
replace = share_tests.replace

DATA_IMAGE_ID = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b'
DATA = IMAGES + '/' + DATA_IMAGE_ID
TMP2_ID = '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a'
TMP2 = VOLUMES + '/' + TMP2_ID
TMP2_DELETE = TMP2 + '?cascade=False&force=False'
LIST_DATA = ('GET %s?limit=1000&owner=%s&rcsnap_copy_id=%s'
             % (IMAGES, base.PROJECT_ID, fakes.COPY_IMAGE_ID))


def data_image(status='active', owner=base.PROJECT_ID, **fields):
    """The data image of the copy, as Glance shows it once marked."""
    body = fakes.image(DATA_IMAGE_ID, 'analysis-vm-snap-copy-vdb',
                       status=status, disk_format='raw', size=4 * 1024 ** 3,
                       owner=owner, min_disk=4)
    if status == 'active':
        body.update({copies.COPY_PROPERTY: fakes.COPY_IMAGE_ID,
                     copies.DATA_INDEX_PROPERTY: '0',
                     copies.DEVICE_PROPERTY: '/dev/vdb',
                     copies.DATA_SOURCE_PROPERTY: fakes.DATA_SNAP_ID})
    body.update(fields)
    return body


def copy_image(owner=base.PROJECT_ID, **fields):
    """The root copy, as share --copy --volumes all leaves it."""
    body = fakes.image(fakes.COPY_IMAGE_ID, 'analysis-vm-snap-copy',
                       disk_format='raw', size=10 * 1024 ** 3, owner=owner,
                       image_type='snapshot', min_disk=20, min_ram=1024,
                       rcsnap_source_snapshot_id=fakes.IMAGE_ID,
                       rcsnap_source_updated_at=fakes.CREATED,
                       rcsnap_data_images='1')
    body.update(fields)
    return body


class TestShareAllVolumes(share_tests.ShareTest):

    ARGS = ('rc', 'snapshot', 'share', fakes.IMAGE_ID, '--project', BETA,
            '--copy', '--volumes', 'all')

    def setUp(self):
        super().setUp()
        self.useFixture(base.FakeClock())
        fakes.register_image(self.requests, fakes.volume_backed_image(
            entries=[fakes.swap_entry(), fakes.root_entry(),
                     fakes.data_entry()], min_ram=1024))
        fakes.register_copies(self.requests)
        fakes.register_volume_snapshot(self.requests,
                                       fakes.volume_snapshot(size=10))
        fakes.register_volume_snapshot(self.requests, fakes.volume_snapshot(
            fakes.DATA_SNAP_ID, size=4, volume_id=fakes.DATA_VOLUME_ID))
        self.requests.post(VOLUMES, [
            {'status_code': 202, 'json': {'volume': fakes.volume(
                status='creating')}},
            {'status_code': 202, 'json': {'volume': fakes.volume(
                TMP2_ID, status='creating', size=4,
                snapshot_id=fakes.DATA_SNAP_ID)}}])
        fakes.register_volume_states(self.requests, fakes.TMP_VOLUME_ID,
                                     'creating', 'available')
        fakes.register_volume_states(self.requests, TMP2_ID, 'available')
        self.requests.post(TMP + '/action', status_code=202,
                           json=fakes.upload_answer())
        self.requests.post(TMP2 + '/action', status_code=202,
                           json=fakes.upload_answer(
                               TMP2_ID, DATA_IMAGE_ID,
                               'analysis-vm-snap-copy-vdb'))
        self.requests.get(COPY, [{'json': dict(copy_image(), status=s)}
                                 for s in ('saving', 'active')])
        self.requests.get(DATA, [{'json': data_image(s)}
                                 for s in ('saving', 'active')])
        fakes.register_image_update(self.requests, copy_image())
        fakes.register_image_update(self.requests, data_image())
        for url in (TMP, TMP2):
            self.requests.delete(url, status_code=202)
        for url in (COPY, DATA):
            self.requests.delete(url, status_code=204)
        fakes.register_add_member(self.requests, fakes.COPY_IMAGE_ID)
        fakes.register_add_member(self.requests, DATA_IMAGE_ID)

    def test_root_and_data_volume_copied_and_shared(self):
        data = self.run_json(*self.ARGS)
        self.assertEqual({
            'id': fakes.COPY_IMAGE_ID, 'name': 'analysis-vm-snap-copy',
            'visibility': 'shared',
            'members': [{'project_id': BETA, 'status': 'pending'}],
            'source_snapshot': fakes.IMAGE_ID, 'not_copied': [],
            'data_images': [DATA_IMAGE_ID]}, data)
        calls = self.after_warm_up()
        self.assertEqual(['GET %s' % share_tests.IMAGE, LIST_COPIES],
                         calls[:2])
        # both volume snapshots read at once
        self.assertEqual({'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
                          'GET %s/%s' % (SNAPS, fakes.DATA_SNAP_ID)},
                         set(calls[2:4]))
        bodies = self.bodies()
        self.assertEqual([
            'POST %s' % VOLUMES, 'POST %s' % VOLUMES,
            'POST %s/action' % TMP, 'POST %s/action' % TMP2,
            'PATCH %s' % COPY, 'PATCH %s' % DATA,
            'DELETE %s' % TMP_DELETE, 'DELETE %s' % TMP2_DELETE,
            'PATCH %s' % COPY, 'POST %s/members' % COPY,
            'PATCH %s' % DATA, 'POST %s/members' % DATA],
            [b[0] for b in bodies])
        self.assertEqual({'volume': {
            'snapshot_id': fakes.DATA_SNAP_ID, 'size': 4,
            'name': 'analysis-vm-snap-copy-vdb-tmp',
            'description': 'Temporary volume for a copy of snapshot %s'
            % fakes.IMAGE_ID}}, bodies[1][1])
        self.assertIn({'op': 'add', 'path': '/rcsnap_data_images',
                       'value': '1'}, bodies[4][1])
        self.assertEqual([
            {'op': 'add', 'path': '/min_disk', 'value': 4},
            {'op': 'add', 'path': '/rcsnap_copy_id',
             'value': fakes.COPY_IMAGE_ID},
            {'op': 'add', 'path': '/rcsnap_data_index', 'value': '0'},
            {'op': 'add', 'path': '/rcsnap_device_name',
             'value': '/dev/vdb'},
            {'op': 'add', 'path': '/rcsnap_source_volume_snapshot_id',
             'value': fakes.DATA_SNAP_ID}], bodies[5][1])
        self.assertEqual(replace('/visibility', 'shared'), bodies[10][1])
        self.assertEqual({'member': BETA}, bodies[11][1])

    def test_data_upload_refused_deletes_everything(self):
        self.requests.post(TMP2 + '/action', status_code=413, json={
            'overLimit': {'code': 413, 'message': 'VolumeSizeExceedsLimit: '
                          'Requested volume size 4G is larger than maximum '
                          'allowed limit 1G.'}})
        code, out, err = self.run_cli(*self.ARGS)
        self.assertEqual(1, code, err)
        self.assertEqual('', out)
        self.assertEqual([
            'POST %s' % VOLUMES, 'POST %s' % VOLUMES,
            'POST %s/action' % TMP, 'POST %s/action' % TMP2,
            'DELETE %s' % COPY, 'DELETE %s' % TMP_DELETE,
            'DELETE %s' % TMP2_DELETE], self.writes())

    def test_interrupted_while_data_image_uploads(self):
        def interrupt(request, context):
            raise KeyboardInterrupt()
        self.requests.get(DATA, json=interrupt)
        code, out, err = self.run_cli(*self.ARGS)
        self.assertEqual(130, code)
        self.assertEqual('', out)
        self.assertEqual([
            'POST %s' % VOLUMES, 'POST %s' % VOLUMES,
            'POST %s/action' % TMP, 'POST %s/action' % TMP2,
            'PATCH %s' % COPY,
            'DELETE %s' % COPY, 'DELETE %s' % DATA,
            'DELETE %s' % TMP_DELETE, 'DELETE %s' % TMP2_DELETE],
            self.writes())

    def test_sharing_a_data_image_fails_deletes_everything(self):
        fakes.register_add_member(self.requests, DATA_IMAGE_ID,
                                  status_code=413, json=fakes.glance_error(
                                      413, 'Maximum image member quota '
                                      'exceeded'))
        code, out, err = self.run_cli(*self.ARGS)
        self.assertEqual(1, code, err)
        self.assertEqual([
            'PATCH %s' % COPY, 'POST %s/members' % COPY,
            'PATCH %s' % DATA, 'POST %s/members' % DATA,
            'PATCH %s' % DATA, 'DELETE %s' % COPY, 'DELETE %s' % DATA],
            self.writes()[-7:])

    def test_earlier_copy_with_its_data_image_reused(self):
        copy = copy_image()
        fakes.register_copies(self.requests, [copy])
        fakes.register_image_list(self.requests, [data_image()],
                                  '?rcsnap_copy_id=%s' % fakes.COPY_IMAGE_ID)
        data = self.run_json(*self.ARGS)
        self.assertEqual([DATA_IMAGE_ID], data['data_images'])
        self.assertEqual([
            'GET %s' % share_tests.IMAGE, LIST_COPIES, LIST_DATA,
            'PATCH %s' % COPY, 'POST %s/members' % COPY,
            'PATCH %s' % DATA, 'POST %s/members' % DATA],
            self.after_warm_up())

    def test_root_only_copy_not_reused_for_all(self):
        fakes.register_copies(self.requests, [copy_image(
            rcsnap_data_images=None)])
        data = self.run_json(*self.ARGS)
        self.assertEqual([DATA_IMAGE_ID], data['data_images'])
        self.assertIn('POST %s' % VOLUMES, self.writes())

    def test_copy_lacking_its_data_image_not_reused(self):
        fakes.register_copies(self.requests, [copy_image()])
        fakes.register_image_list(self.requests, [],
                                  '?rcsnap_copy_id=%s' % fakes.COPY_IMAGE_ID)
        code, out, err = self.run_cli(*self.ARGS)
        self.assertEqual(0, code, err)
        self.assertIn('Copy %s of the snapshot lacks some of its data '
                      'images: making a new copy.' % fakes.COPY_IMAGE_ID,
                      err)
        self.assertIn('POST %s' % VOLUMES, self.writes())


class TestFollowers(share_tests.ShareTest):
    """accept and unshare of a copy carry its data images along."""

    def test_accept_accepts_the_data_images(self):
        fakes.register_image(self.requests, copy_image(
            owner=BETA, visibility='shared'))
        fakes.register_image_list(self.requests, [
            data_image(owner=BETA, visibility='shared'),
            # not proven: another owner, or no place among the data images
            data_image(owner=GAMMA, id='x1'),
            data_image(owner=BETA, id='x2', rcsnap_data_index=None)],
            '?member_status=all&rcsnap_copy_id=%s&visibility=shared'
            % fakes.COPY_IMAGE_ID)
        for image_id in (fakes.COPY_IMAGE_ID, DATA_IMAGE_ID):
            self.requests.put('%s/%s/members/%s' % (
                IMAGES, image_id, base.PROJECT_ID), json=fakes.image_member(
                    base.PROJECT_ID, 'accepted', image_id=image_id))
        data = self.run_json('rc', 'snapshot', 'accept', fakes.COPY_IMAGE_ID)
        self.assertEqual({'id': fakes.COPY_IMAGE_ID,
                          'name': 'analysis-vm-snap-copy', 'owner': BETA,
                          'member_status': 'accepted',
                          'data_images': [DATA_IMAGE_ID]}, data)
        self.assertEqual([
            'GET %s' % COPY,
            'PUT %s/members/%s' % (COPY, base.PROJECT_ID),
            'GET %s?limit=1000&member_status=all&rcsnap_copy_id=%s&'
            'visibility=shared' % (IMAGES, fakes.COPY_IMAGE_ID),
            'PUT %s/members/%s' % (DATA, base.PROJECT_ID)], self.calls())

    def test_unshare_unshares_the_data_images(self):
        copy = copy_image(visibility='shared')
        data = data_image(visibility='shared')
        fakes.register_image(self.requests, copy)
        fakes.register_image(self.requests, data)
        fakes.register_image_list(self.requests, [data],
                                  '?rcsnap_copy_id=%s' % fakes.COPY_IMAGE_ID)
        for image in (copy, data):
            fakes.register_members(self.requests, image['id'], [
                fakes.image_member(BETA, 'accepted', image_id=image['id'])])
            self.requests.delete('%s/%s/members/%s' % (
                IMAGES, image['id'], BETA), status_code=204)
            fakes.register_image_update(self.requests, dict(
                image, visibility='private'))
        out = self.run_json('rc', 'snapshot', 'unshare', fakes.COPY_IMAGE_ID,
                            '--all')
        self.assertEqual({'id': fakes.COPY_IMAGE_ID,
                          'name': 'analysis-vm-snap-copy',
                          'visibility': 'private', 'members': [],
                          'data_images': [DATA_IMAGE_ID]}, out)
        self.assertEqual([
            ('DELETE %s/members/%s' % (COPY, BETA), None),
            ('PATCH %s' % COPY, replace('/visibility', 'private')),
            ('DELETE %s/members/%s' % (DATA, BETA), None),
            ('PATCH %s' % DATA, replace('/visibility', 'private'))],
            self.bodies())
        self.assertIn(LIST_DATA, self.calls())


class TestDataImages(testtools.TestCase):
    """Which images are proven to be a copy's data images."""

    def test_only_the_owners_marked_images_in_order(self):
        copy = copy_image(rcsnap_data_images='2')
        second = data_image(id='d2', rcsnap_data_index='1')
        found = copies.data_images(copy, [
            second, data_image(), data_image(id='d3', owner=GAMMA),
            data_image(id='d4', rcsnap_copy_id='other'),
            data_image(id='d5', rcsnap_data_index='x')])
        self.assertEqual([DATA_IMAGE_ID, 'd2'], [i['id'] for i in found])
        self.assertTrue(copies.complete(copy, found))
        self.assertFalse(copies.complete(copy, found[:1]))
        self.assertFalse(copies.complete(copy, [
            found[0], dict(second, status='queued')]))

    def test_names(self):
        ref = snapshots.VolumeRef('/dev/vdb', None, 's', 4)
        self.assertEqual('x-copy-vdb', copies.data_name('x-copy', ref, 0))
        self.assertEqual('x-copy-data1', copies.data_name(
            'x-copy', snapshots.VolumeRef(None, None, 's', 4), 1))
        self.assertEqual(0, copies.data_count({}))
        self.assertEqual(0, copies.data_count(
            {'rcsnap_data_images': 'x'}))


class TestDeleteCopy(test_snapshot_delete.DeleteTest):
    """delete of a copy takes its data images along, and only those proven
    to be its own."""

    def test_copy_deleted_with_its_data_images(self):
        stranger = data_image(id='x1', owner=GAMMA)
        self.cloud(images=[copy_image(), data_image(), stranger], vols=[])
        fakes.register_delete_image(self.requests, fakes.COPY_IMAGE_ID)
        fakes.register_delete_image(self.requests, DATA_IMAGE_ID)
        rows, err = self.delete(fakes.COPY_IMAGE_ID)
        self.assertEqual([
            test_snapshot_delete.image_row('deleted', fakes.COPY_IMAGE_ID,
                                           'analysis-vm-snap-copy'),
            test_snapshot_delete.row(DATA_IMAGE_ID, 'deleted', 'data image',
                                     'analysis-vm-snap-copy-vdb')], rows)
        # an image-backed copy: the volume snapshot listing started beside
        # the image listings finds nothing of it
        self.assertEqual(sorted([test_snapshot_delete.LIST_IMAGES,
                                 test_snapshot_delete.LIST_HIDDEN,
                                 test_snapshot_delete.LIST_SNAPS]),
                         sorted(self.calls()[:3]))
        self.assertEqual(5, len(self.calls()))
        self.assertEqual(['DELETE %s' % COPY, 'DELETE %s' % DATA],
                         self.writes())

    def test_protected_data_image_blocks_the_copy(self):
        self.cloud(images=[copy_image(), data_image(protected=True)],
                   vols=[])
        rows, err = self.delete(fakes.COPY_IMAGE_ID, code=1)
        self.assertEqual('kept (protected)', rows[1]['Result'])
        self.assertIn('data image %s is protected' % DATA_IMAGE_ID,
                      rows[0]['Result'])
        self.assertEqual([], self.writes())

    def test_data_image_kept_when_the_copy_fails(self):
        self.cloud(images=[copy_image(), data_image()], vols=[])
        fakes.register_delete_image(
            self.requests, fakes.COPY_IMAGE_ID, status_code=409,
            json=fakes.glance_error(409, 'Image is in use'))
        rows, err = self.delete(fakes.COPY_IMAGE_ID, code=1)
        self.assertEqual('kept (image %s not deleted)' % fakes.COPY_IMAGE_ID,
                         rows[1]['Result'])
        self.assertEqual(['DELETE %s' % COPY], self.writes())

    def test_dry_run(self):
        self.cloud(images=[copy_image(), data_image()], vols=[])
        rows, err = self.delete(fakes.COPY_IMAGE_ID, '--dry-run')
        self.assertEqual(['would delete', 'would delete'],
                         [r['Result'] for r in rows])
        self.assertEqual([], self.writes())


class TestLaunchWithDataVolumes(test_snapshot_launch.LaunchTest):
    """launch --with-data-volumes in the project a copy was shared with."""

    LIST_DATA = ('GET %s?limit=1000&rcsnap_copy_id=%s'
                 % (IMAGES, fakes.COPY_IMAGE_ID))

    def setUp(self):
        super().setUp()
        fakes.register_image(self.requests, copy_image(
            owner=BETA, visibility='shared'))
        fakes.register_flavor_list(self.requests)
        fakes.register_create_server(self.requests)

    def register_data(self, images=None):
        fakes.register_image_list(
            self.requests, [data_image(owner=BETA, visibility='shared')]
            if images is None else images,
            '?rcsnap_copy_id=%s' % fakes.COPY_IMAGE_ID)

    def launch_copy(self, *args):
        return self.run_cli('rc', 'snapshot', 'launch', fakes.COPY_IMAGE_ID,
                            '--flavor', 'm1.small', '--no-network',
                            '--with-data-volumes', *args)

    def test_data_volumes_made_from_the_data_images(self):
        self.register_data()
        fakes.register_server_states(
            self.requests, test_snapshot_launch.NEW,
            fakes.launched_server('BUILD'),
            fakes.launched_server('ACTIVE', [test_snapshot_launch.VOL]))
        fakes.register_volume_states(
            self.requests, test_snapshot_launch.VOL, json={'volume': (
                fakes.volume(test_snapshot_launch.VOL, status='in-use',
                             size=4, snapshot_id=None,
                             volume_image_metadata={
                                 'image_id': DATA_IMAGE_ID}))})
        code, out, err = self.launch_copy('--wait', '-f', 'json')
        self.assertEqual(0, code, err)
        data = json.loads(out)
        self.assertEqual([{
            'id': test_snapshot_launch.VOL, 'boot_index': None,
            'size_gib': 4, 'volume_snapshot': fakes.DATA_SNAP_ID,
            'made_from': 'image %s' % DATA_IMAGE_ID,
            'depends_on_snapshot': False,
            'delete_on_termination': False}], data['volumes'])
        self.assertEqual('image-backed', data['type'])
        self.assertEqual([
            'GET %s' % COPY, self.LIST_DATA,
            'GET %s' % test_snapshot_launch.FLAVORS,
            'POST %s' % test_snapshot_launch.SERVERS],
            self.after_warm_up()[:4])
        [body] = self.posted()
        self.assertEqual(fakes.COPY_IMAGE_ID, body['server']['imageRef'])
        self.assertEqual([
            {'boot_index': 0, 'uuid': fakes.COPY_IMAGE_ID,
             'source_type': 'image', 'destination_type': 'local',
             'delete_on_termination': True},
            {'boot_index': -1, 'uuid': DATA_IMAGE_ID,
             'source_type': 'image', 'destination_type': 'volume',
             'volume_size': 4, 'delete_on_termination': False}],
            body['server']['block_device_mapping_v2'])
        self.assertEqual('none', body['server']['networks'])

    def test_delete_on_termination(self):
        self.register_data()
        code, out, err = self.launch_copy('--delete-on-termination')
        self.assertEqual(0, code, err)
        self.assertEqual(
            True, self.posted()[0]['server']['block_device_mapping_v2'][1][
                'delete_on_termination'])
        self.assertEqual('', err)

    def test_error_deletes_the_server_and_its_data_volume(self):
        self.register_data()
        vol = test_snapshot_launch.VOL
        failed = fakes.launched_server('ERROR', [vol], fault='No valid host')
        fakes.register_server_states(self.requests, test_snapshot_launch.NEW,
                                     failed, failed, None)
        self.requests.delete('%s/%s' % (test_snapshot_launch.SERVERS,
                                        test_snapshot_launch.NEW),
                             status_code=204)
        fakes.register_volume_states(self.requests, vol, json={
            'volume': fakes.volume(vol, snapshot_id=None,
                                   volume_image_metadata={
                                       'image_id': DATA_IMAGE_ID})})
        self.requests.delete('%s/%s' % (VOLUMES, vol), status_code=202)
        self.assertFails('went to ERROR: No valid host; deleted the server '
                         'and volume(s) %s.' % vol, 'rc', 'snapshot',
                         'launch', fakes.COPY_IMAGE_ID, '--flavor',
                         'm1.small', '--no-network', '--with-data-volumes',
                         '--wait')
        # the data images stay: they are the copy's, not the launch's
        self.assertEqual([
            'POST %s' % test_snapshot_launch.SERVERS,
            'DELETE %s/%s' % (test_snapshot_launch.SERVERS,
                              test_snapshot_launch.NEW),
            'DELETE %s/%s?cascade=False&force=False' % (VOLUMES, vol)],
            self.writes())

    def test_ctrl_c_while_waiting(self):
        self.register_data()
        self.requests.get('%s/%s' % (test_snapshot_launch.SERVERS,
                                     test_snapshot_launch.NEW),
                          exc=KeyboardInterrupt)
        code, out, err = self.launch_copy('--wait')
        self.assertEqual(130, code)
        self.assertIn('Interrupted: server %s is still being built'
                      % test_snapshot_launch.NEW, err)
        self.assertEqual(['POST %s' % test_snapshot_launch.SERVERS],
                         self.writes())

    def test_pending_data_image_refused_before_any_write(self):
        self.register_data([])
        self.assertFails(
            'has 1 data image(s), 0 of them active and visible to this '
            'project: accept them with "rc snapshot accept %s".'
            % fakes.COPY_IMAGE_ID, 'rc', 'snapshot', 'launch',
            fakes.COPY_IMAGE_ID, '--no-network', '--with-data-volumes')
        self.assertEqual([], self.writes())

    def test_image_of_another_owner_is_not_taken(self):
        self.register_data([data_image(owner=GAMMA, visibility='shared')])
        self.assertFails('0 of them active and visible', 'rc', 'snapshot',
                         'launch', fakes.COPY_IMAGE_ID, '--no-network',
                         '--with-data-volumes')
        self.assertEqual([], self.writes())

    def test_snapshot_without_data_images_refused(self):
        fakes.register_image(self.requests, copy_image(
            owner=BETA, visibility='shared', rcsnap_data_images=None))
        self.assertFails('has no data images: --with-data-volumes launches '
                         'a copy shared with', 'rc', 'snapshot', 'launch',
                         fakes.COPY_IMAGE_ID, '--with-data-volumes')
        self.assertEqual(['GET %s' % COPY], self.after_warm_up())

    def test_volume_backed_refused(self):
        fakes.register_image(self.requests, fakes.volume_backed_image())
        fakes.register_volume_snapshot(self.requests, fakes.volume_snapshot())
        self.assertFails('is volume-backed: its data volumes come with it',
                         'rc', 'snapshot', 'launch', fakes.IMAGE_ID,
                         '--with-data-volumes')
        self.assertEqual([], self.writes())


class TestShareTheCopyAgain(share_tests.ShareTest):
    """A plain share of a copy that has data images shares them too."""

    def test_data_images_shared_with_the_copy(self):
        fakes.register_image(self.requests, copy_image())
        fakes.register_image_list(self.requests, [data_image()],
                                  '?rcsnap_copy_id=%s' % fakes.COPY_IMAGE_ID)
        for image in (copy_image(), data_image()):
            fakes.register_image_update(self.requests, dict(
                image, visibility='shared'))
            fakes.register_add_member(self.requests, image['id'])
        out = self.run_json('rc', 'snapshot', 'share', fakes.COPY_IMAGE_ID,
                            '--project', GAMMA)
        self.assertEqual([DATA_IMAGE_ID], out['data_images'])
        self.assertEqual([
            'GET %s' % COPY, LIST_DATA,
            'PATCH %s' % COPY, 'POST %s/members' % COPY,
            'PATCH %s' % DATA, 'POST %s/members' % DATA], self.calls())
