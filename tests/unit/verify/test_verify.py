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

"""``rc snapshot verify`` over HTTP fakes: each level's exact requests,
each way a snapshot can be broken, and nothing left behind."""

import hashlib
import json

from rcsnap_osc.core import holds
from tests.unit import base
from tests.unit import fakes

IMAGES = base.IMAGE_URL + '/v2/images'
IMAGE = IMAGES + '/' + fakes.IMAGE_ID
SNAPS = base.VOLUME_URL + '/snapshots'
VSNAP_LIST = 'GET %s/detail?limit=1000' % SNAPS
VOLUMES = base.VOLUME_URL + '/volumes'
TMP = VOLUMES + '/' + fakes.TMP_VOLUME_ID
SERVERS = base.COMPUTE_URL + '/servers'
NEW = SERVERS + '/' + fakes.NEW_SERVER_ID
SECOND_ID = 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b'
DATA = b'snapshot bytes ' * 1000
CONSOLE = 'FAKE CONSOLE OUTPUT\nANOTHER\nLAST LINE'


class VerifyTest(base.TestCommand):

    def setUp(self):
        super().setUp()
        self.requests.patch(IMAGES + '/' + fakes.IMAGE_ID, json=self.patch)
        self.requests.patch(IMAGES + '/' + SECOND_ID, json=self.patch)
        self.patches = {}

    def patch(self, request, context):
        image_id = request.url.rsplit('/', 1)[1]
        self.patches[image_id] = request.json()
        return {'id': image_id}

    def image_backed(self, image_id=fakes.IMAGE_ID, **fields):
        fields.setdefault('size', len(DATA))
        fields.setdefault('os_hash_value', hashlib.sha512(DATA).hexdigest())
        body = fakes.image_backed_image(image_id, **fields)
        fakes.register_image(self.requests, body)
        return body

    def volume_backed(self, image_id=fakes.IMAGE_ID, recorded=10, **fields):
        body = fakes.volume_backed_image(image_id, entries=[
            fakes.swap_entry(), fakes.root_entry(size=recorded)], **fields)
        fakes.register_image(self.requests, body)
        return body

    def vsnaps(self, *bodies):
        self.requests.get(SNAPS + '/detail', json={'snapshots': list(bodies)})

    def verify(self, *args):
        return self.run_cli('rc', 'snapshot', 'verify', *args, '-f', 'json')

    def recorded(self, image_id=fakes.IMAGE_ID):
        return {p['path'][1:]: p['value'] for p in self.patches[image_id]}


class TestDefault(VerifyTest):

    def test_image_backed_one_get_and_one_patch(self):
        self.image_backed()
        code, out, err = self.verify(fakes.IMAGE_ID)
        self.assertEqual(0, code, err)
        self.assertEqual([{'ID': fakes.IMAGE_ID, 'Name': 'web-vm-snap',
                           'Level': 'default', 'Result': 'ok'}],
                         json.loads(out))
        self.assertEqual(['GET ' + IMAGE, 'PATCH ' + IMAGE], self.calls())
        record = self.recorded()
        self.assertEqual('ok', record[holds.VERIFIED_RESULT])
        self.assertEqual('default', record[holds.VERIFIED_LEVEL])
        self.assertRegex(record[holds.VERIFIED_AT],
                         r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
        self.assertEqual({'add'}, {p['op'] for p in self.patches[
            fakes.IMAGE_ID]})

    def test_many_snapshots_one_listing_each(self):
        first = self.volume_backed()
        second = fakes.volume_backed_image(SECOND_ID, name='other-snap',
                                           entries=[fakes.root_entry()])
        fakes.register_image_list(self.requests, [first, second],
                                  query='?limit=1000')
        self.vsnaps(fakes.volume_snapshot())
        code, out, err = self.verify(fakes.IMAGE_ID, 'other-snap')
        self.assertEqual(0, code, err)
        self.assertEqual(['ok', 'ok'], [r['Result'] for r in
                                        json.loads(out)])
        self.assertEqual(['GET %s?limit=1000' % IMAGES, VSNAP_LIST,
                          'PATCH ' + IMAGE, 'PATCH %s/%s' % (
                              IMAGES, SECOND_ID)], self.calls())

    def broken(self, expected, vsnap=None, **image):
        self.volume_backed(**image)
        self.vsnaps(*([vsnap] if vsnap else []))
        code, out, err = self.verify(fakes.IMAGE_ID)
        self.assertEqual(1, code, err)
        self.assertEqual(expected, json.loads(out)[0]['Result'])
        self.assertEqual(expected, self.recorded()[holds.VERIFIED_RESULT])
        lines = err.strip().splitlines()
        self.assertEqual(['Snapshot analysis-vm-snap (%s): %s' % (
            fakes.IMAGE_ID, expected),
            '1 of 1 snapshot(s) failed verification: %s' % fakes.IMAGE_ID],
            lines)
        self.assertEqual(['PATCH ' + IMAGE], self.writes())

    def test_volume_snapshot_missing(self):
        self.broken('volume snapshot %s (/dev/vda) is missing: deleted, or '
                    'not in this project' % fakes.ROOT_SNAP_ID)

    def test_another_projects_volume_snapshot_is_not_listed(self):
        # Cinder lists only this project's volume snapshots: one of
        # another project is missing from the listing.
        self.broken('volume snapshot %s (/dev/vda) is missing: deleted, or '
                    'not in this project' % fakes.ROOT_SNAP_ID,
                    vsnap=fakes.volume_snapshot(
                        'c0ffee00-0000-4000-8000-000000000000'))

    def test_volume_snapshot_in_error(self):
        self.broken('volume snapshot %s (/dev/vda) is error, not available'
                    % fakes.ROOT_SNAP_ID,
                    vsnap=fakes.volume_snapshot(status='error'))

    def test_volume_snapshot_of_the_wrong_size(self):
        self.broken('volume snapshot %s (/dev/vda) is 8 GiB, the image '
                    'records 10 GiB' % fakes.ROOT_SNAP_ID,
                    vsnap=fakes.volume_snapshot(size=8))

    def test_image_killed_or_queued(self):
        for status in ('killed', 'queued'):
            self.requests.reset_mock()
            self.image_backed(status=status)
            code, out, err = self.verify(fakes.IMAGE_ID)
            self.assertEqual(1, code, err)
            self.assertEqual('image %s is %s, not active' % (
                fakes.IMAGE_ID, status), json.loads(out)[0]['Result'])

    def test_image_backed_without_data_or_hash(self):
        self.image_backed(size=0, os_hash_value=None, checksum=None)
        code, out, err = self.verify(fakes.IMAGE_ID)
        self.assertEqual(1, code, err)
        self.assertEqual('image %s has no data (size 0); image %s has no '
                         'stored hash' % (fakes.IMAGE_ID, fakes.IMAGE_ID),
                         json.loads(out)[0]['Result'])

    def archived(self, *backups):
        from rcsnap_osc.core import archives

        disk = archives.Record('b-root', 10, '/dev/vda', 0, None,
                               snapshot_id=fakes.ROOT_SNAP_ID)
        body = fakes.volume_backed_image(**archives.properties(
            [disk], '2026-12-01T00:00:00Z'))
        fakes.register_image(self.requests, body)
        self.requests.get(base.VOLUME_URL + '/backups/detail',
                          json={'backups': list(backups)})

    def test_archived_backup_missing(self):
        self.archived()
        code, out, err = self.verify(fakes.IMAGE_ID)
        self.assertEqual(1, code, err)
        self.assertEqual('backup b-root (/dev/vda) is missing: deleted, or '
                         'not in this project', json.loads(out)[0]['Result'])
        self.assertEqual(['GET ' + IMAGE, 'GET %s/backups/detail?limit=1000'
                          % base.VOLUME_URL, 'PATCH ' + IMAGE],
                         self.calls())

    def test_archived_backup_available(self):
        self.archived(fakes.backup('b-root', status='available'))
        code, out, err = self.verify(fakes.IMAGE_ID, '--boot')
        self.assertEqual(0, code, err)
        self.assertEqual('default', json.loads(out)[0]['Level'])
        self.assertIn('is archived: its backups are checked', err)

    def test_another_projects_snapshot_is_not_recorded(self):
        self.image_backed(owner=base.OTHER_PROJECT_ID)
        code, out, err = self.verify(fakes.IMAGE_ID)
        self.assertEqual(0, code, err)
        self.assertEqual([], self.writes())
        self.assertIn('belongs to another project', err)

    def test_not_an_instance_snapshot(self):
        fakes.register_image(self.requests, fakes.image())
        self.assertFails('is not an instance snapshot', 'rc', 'snapshot',
                         'verify', fakes.IMAGE_ID)

    def test_bad_timeout_is_an_argument_error(self):
        self.assertBadArgument("'x' is not a whole number", 'rc',
                               'snapshot', 'verify', fakes.IMAGE_ID,
                               '--timeout', 'x')


class TestData(VerifyTest):

    def test_image_bytes_match(self):
        self.image_backed()
        self.requests.get(IMAGE + '/file', content=DATA)
        code, out, err = self.verify(fakes.IMAGE_ID, '--data')
        self.assertEqual(0, code, err)
        self.assertEqual('data', json.loads(out)[0]['Level'])
        self.assertEqual(['GET ' + IMAGE, 'GET %s/file' % IMAGE,
                          'PATCH ' + IMAGE], self.calls())
        self.assertIn('Reading image %s: 100%% of' % fakes.IMAGE_ID, err)

    def test_hash_mismatch(self):
        self.image_backed()
        self.requests.get(IMAGE + '/file', content=DATA[:-1] + b'X')
        code, out, err = self.verify(fakes.IMAGE_ID, '--data')
        self.assertEqual(1, code, err)
        self.assertEqual('image %s: its data does not match its sha512 '
                         'digest' % fakes.IMAGE_ID,
                         json.loads(out)[0]['Result'])

    def volume_states(self, *states, size=10):
        self.requests.post(VOLUMES, status_code=202, json={
            'volume': fakes.volume(status='creating', size=size)})
        self.requests.get(TMP, [{'json': {'volume': fakes.volume(
            status=s, size=size)}} for s in states])
        self.requests.delete(TMP, status_code=202)

    def test_temporary_volume_available_then_deleted(self):
        self.volume_backed()
        self.vsnaps(fakes.volume_snapshot())
        self.volume_states('creating', 'available')
        code, out, err = self.verify(fakes.IMAGE_ID, '--data')
        self.assertEqual(0, code, err)
        self.assertEqual([{'ID': fakes.IMAGE_ID, 'Name': 'analysis-vm-snap',
                           'Level': 'data', 'Result': 'ok'}],
                         json.loads(out))
        self.assertEqual(['GET ' + IMAGE, VSNAP_LIST, 'POST ' + VOLUMES,
                          'GET ' + TMP, 'GET ' + TMP, 'GET ' + TMP,
                          'DELETE %s?cascade=False&force=False' % TMP,
                          'PATCH ' + IMAGE], self.calls())
        posted = [
            r.json() for r in self.requests.request_history
            if r.method == 'POST' and r.url == VOLUMES][0]
        self.assertEqual(fakes.ROOT_SNAP_ID, posted['volume']['snapshot_id'])
        self.assertEqual(10, posted['volume']['size'])
        self.assertIn('Deleted temporary volume %s' % fakes.TMP_VOLUME_ID,
                      err)

    def test_temporary_volume_in_error_is_deleted(self):
        self.volume_backed()
        self.vsnaps(fakes.volume_snapshot())
        self.volume_states('creating', 'error')
        code, out, err = self.verify(fakes.IMAGE_ID, '--data')
        self.assertEqual(1, code, err)
        self.assertEqual('a volume from volume snapshot %s failed: Volume '
                         '%s is error.' % (fakes.ROOT_SNAP_ID,
                                           fakes.TMP_VOLUME_ID),
                         json.loads(out)[0]['Result'])
        self.assertIn('DELETE %s?cascade=False&force=False' % TMP,
                      self.writes())

    def test_temporary_volume_of_the_wrong_size(self):
        self.volume_backed()
        self.vsnaps(fakes.volume_snapshot())
        self.volume_states('available', size=11)
        code, out, err = self.verify(fakes.IMAGE_ID, '--data')
        self.assertEqual(1, code, err)
        self.assertIn('is 11 GiB, not 10', json.loads(out)[0]['Result'])
        self.assertIn('DELETE %s?cascade=False&force=False' % TMP,
                      self.writes())

    def test_ctrl_c_while_the_volume_is_made_deletes_it(self):
        self.volume_backed()
        self.vsnaps(fakes.volume_snapshot())
        self.volume_states('available')

        def interrupt(request, context):
            raise KeyboardInterrupt()
        self.requests.get(TMP, [{'json': interrupt}, {'json': {
            'volume': fakes.volume(status='creating')}}, {'json': {
                'volume': fakes.volume()}}])
        code, out, err = self.verify(fakes.IMAGE_ID, '--data')
        self.assertEqual(130, code, err)
        self.assertEqual(['POST ' + VOLUMES,
                          'DELETE %s?cascade=False&force=False' % TMP],
                         self.writes())
        self.assertIn('Deleted temporary volume', err)


class TestBoot(VerifyTest):

    def drill(self, *states, image_backed=True):
        if image_backed:
            self.image_backed()
        else:
            self.volume_backed()
            self.vsnaps(fakes.volume_snapshot())
            fakes.register_volume_snapshot(self.requests,
                                           fakes.volume_snapshot())
        fakes.register_flavor_list(self.requests)
        fakes.register_create_server(self.requests)
        fakes.register_server_states(self.requests, fakes.NEW_SERVER_ID,
                                     *states)
        self.requests.delete(NEW, status_code=204)
        self.requests.post(NEW + '/action', json={'output': CONSOLE})

    def test_image_backed_drill(self):
        self.drill(fakes.launched_server('BUILD'), fakes.launched_server(),
                   None)
        code, out, err = self.verify(fakes.IMAGE_ID, '--console-contains',
                                     'FAKE CONSOLE')
        self.assertEqual(0, code, err)
        self.assertEqual('boot', json.loads(out)[0]['Level'])
        self.assertEqual([
            'GET ' + IMAGE, 'GET ' + IMAGE,
            'GET %s/flavors/detail' % base.COMPUTE_URL, 'POST ' + SERVERS,
            'GET ' + NEW, 'GET ' + NEW, 'POST %s/action' % NEW,
            'DELETE ' + NEW, 'GET ' + NEW, 'PATCH ' + IMAGE],
            [c for c in self.calls() if c != base.WARM_UP])
        posted = [r.json() for r in self.requests.request_history
                  if r.method == 'POST' and r.url == SERVERS][0]
        self.assertEqual({'server': {
            'name': 'verify-web-vm-snap', 'flavorRef': '2',
            'imageRef': fakes.IMAGE_ID, 'networks': 'none'}}, posted)
        self.assertIn('The console of server %s shows "FAKE CONSOLE"'
                      % fakes.NEW_SERVER_ID, err)

    def test_volume_backed_drill_deletes_its_volumes(self):
        self.drill(fakes.launched_server(volume_ids=[fakes.NEW_VOLUME_ID]),
                   None, image_backed=False)
        fakes.register_volume_states(self.requests, fakes.NEW_VOLUME_ID,
                                     status_code=404, json=fakes.not_found(
                                         'Volume', fakes.NEW_VOLUME_ID))
        code, out, err = self.verify(fakes.IMAGE_ID, '--boot')
        self.assertEqual(0, code, err)
        posted = [r.json() for r in self.requests.request_history
                  if r.method == 'POST' and r.url == SERVERS][0]
        # min_disk 20 over a 10 GiB root: launched as a restore would be
        self.assertEqual([{'boot_index': 0, 'uuid': fakes.ROOT_SNAP_ID,
                           'source_type': 'snapshot',
                           'destination_type': 'volume',
                           'delete_on_termination': True,
                           'volume_size': 20}],
                         posted['server']['block_device_mapping_v2'])
        self.assertIn('DELETE ' + NEW, self.writes())
        self.assertIn('GET %s/%s' % (VOLUMES, fakes.NEW_VOLUME_ID),
                      self.calls())

    def test_boot_to_error(self):
        self.drill(fakes.launched_server('ERROR', fault='No valid host was '
                                         'found.'), None)
        code, out, err = self.verify(fakes.IMAGE_ID, '--boot')
        self.assertEqual(1, code, err)
        self.assertEqual('server %s launched from it went to ERROR: No valid '
                         'host was found.' % fakes.NEW_SERVER_ID,
                         json.loads(out)[0]['Result'])
        self.assertIn('DELETE ' + NEW, self.writes())

    def test_console_text_never_seen(self):
        self.drill(fakes.launched_server(), None)
        code, out, err = self.verify(fakes.IMAGE_ID, '--console-contains',
                                     'login:', '--timeout', '60')
        self.assertEqual(1, code, err)
        self.assertEqual('the console of server %s launched from it did not '
                         'show "login:" in 60 s' % fakes.NEW_SERVER_ID,
                         json.loads(out)[0]['Result'])
        self.assertIn('DELETE ' + NEW, self.writes())

    def test_ctrl_c_during_the_drill_removes_the_server(self):
        self.drill()

        def interrupt(request, context):
            raise KeyboardInterrupt()
        self.requests.get(NEW, [{'json': interrupt},
                                {'status_code': 404, 'json': fakes.not_found(
                                    'Instance', fakes.NEW_SERVER_ID)}])
        code, out, err = self.verify(fakes.IMAGE_ID, '--boot')
        self.assertEqual(130, code, err)
        self.assertIn('DELETE ' + NEW, self.writes())
        self.assertNotIn('PATCH ' + IMAGE, self.writes())
