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

import datetime
import json

import testtools

from rcsnap_osc.core import dead_claims
from tests.unit import base
from tests.unit.delete import test_orphans as orphan_tests
from tests.unit import fakes

SERVER_ID = '0b6c1d2e-3f4a-4b5c-8d6e-7f8a9b0c1d2e'
GONE_ID = '9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b'
WINDOW = '2026-12-07T12:00:00Z'
WINDOW_CLAIM_ID = '551901d9-08df-566e-b94b-24b570aadc7c'
RETENTION_CLAIM_ID = '66a1b2c3-d4e5-5f6a-8b7c-9d0e1f2a3b4c'
LIVE_CLAIM_ID = '77b2c3d4-e5f6-5a7b-9c8d-0e1f2a3b4c5d'
#: What the tests take as now (the bin's clock of the unit tests).
NOW = base.BIN_NOW
IMAGES = base.IMAGE_URL + '/v2/images'
SERVERS = 'GET %s/servers' % base.COMPUTE_URL


def claim(image_id, key, name, expires='2026-12-07T12:40:00Z',
          released=None, owner=base.PROJECT_ID):
    """A claim image as Glance lists it (copied from the local cloud's
    answer to a claim ``cloud/claims.py`` made)."""
    image = {
        'rcsnap:claim': key, 'rcsnap:claim_generation': '0',
        'rcsnap:claim_host': 'vm', 'rcsnap:claim_pid': '6742',
        'rcsnap:claim_user': 'root',
        'rcsnap:claim_started_at': '2026-12-07T12:00:00Z',
        'rcsnap:claim_expires_at': expires, 'name': name,
        'disk_format': None, 'container_format': None,
        'visibility': 'private', 'size': None, 'virtual_size': None,
        'status': 'queued', 'checksum': None, 'protected': False,
        'min_ram': 0, 'min_disk': 0, 'owner': owner, 'os_hidden': True,
        'os_hash_algo': None, 'os_hash_value': None, 'id': image_id,
        'created_at': '2026-12-07T12:00:00Z',
        'updated_at': '2026-12-07T12:00:00Z', 'tags': [],
        'self': '/v2/images/%s' % image_id,
        'file': '/v2/images/%s/file' % image_id,
        'schema': '/v2/schemas/image'}
    if released:
        image['rcsnap:claim_released_at'] = released
    return image


def window_claim(image_id=WINDOW_CLAIM_ID, server_id=SERVER_ID, **fields):
    return claim(image_id, 'schedule:%s:%s' % (server_id, WINDOW),
                 'rcsnap-lock-%s-%s' % (server_id, WINDOW), **fields)


def retention_claim(image_id=RETENTION_CLAIM_ID, server_id=GONE_ID,
                    **fields):
    return claim(image_id, 'retention:%s' % server_id,
                 'rcsnap-lock-%s' % server_id, **fields)


class TestFindDead(testtools.TestCase):

    def find(self, images, servers=None):
        return [(c.id, c.kind, c.server_id) for c in dead_claims.find_dead(
            images, base.PROJECT_ID, NOW, servers)]

    def test_expired_window_claim_is_dead(self):
        self.assertEqual([(WINDOW_CLAIM_ID, 'schedule', SERVER_ID)],
                         self.find([window_claim()]))

    def test_live_window_claim_is_not(self):
        self.assertEqual([], self.find([window_claim(
            expires='2026-12-07T13:00:01Z')]))

    def test_expiry_is_inclusive(self):
        self.assertEqual(1, len(self.find([window_claim(
            expires='2026-12-07T13:00:00Z')])))

    def test_unreadable_expiry_is_held(self):
        self.assertEqual([], self.find([window_claim(expires='soon')]))

    def test_retention_claim_of_a_gone_server(self):
        released = retention_claim(expires='2026-12-07T14:00:00Z',
                                   released='2026-12-07T12:30:00Z')
        self.assertEqual([(RETENTION_CLAIM_ID, 'retention', GONE_ID)],
                         self.find([released], servers={SERVER_ID}))
        self.assertEqual(1, len(self.find([retention_claim()], {SERVER_ID})))

    def test_retention_claim_of_a_server_that_exists_is_kept(self):
        self.assertEqual([], self.find([retention_claim(
            server_id=SERVER_ID, released='2026-12-07T12:30:00Z')],
            {SERVER_ID}))

    def test_retention_claim_held_now_is_kept(self):
        # A run may prune a gone server's snapshots: its claim is live.
        self.assertEqual([], self.find([retention_claim(
            expires='2026-12-07T14:00:00Z')], set()))

    def test_retention_claims_need_the_servers(self):
        self.assertEqual([], self.find([retention_claim()]))

    def test_only_the_project_s_claims(self):
        self.assertEqual([], self.find([window_claim(
            owner=base.OTHER_PROJECT_ID)]))

    def test_other_images_are_not_claims(self):
        image = fakes.volume_backed_image(entries=[fakes.root_entry()])
        self.assertEqual([], self.find([image, dict(
            window_claim(), name='my-image')]))

    def test_reason_names_server_window_and_expiry(self):
        dead = dead_claims.find_dead([window_claim()], base.PROJECT_ID, NOW)
        self.assertEqual(
            'claim of a dead run: the window %s of server %s, expired at '
            '2026-12-07T12:40:00Z; it holds no data: "delete --orphans" '
            'deletes it outright' % (WINDOW, SERVER_ID), dead[0].reason)


class ClaimsTest(orphan_tests.OrphansTest):

    def with_claims(self, claims, servers=None, snaps=True):
        self.cloud([orphan_tests.vsnap(orphan_tests.ORPHAN_ID)] * snaps)
        fakes.register_image_list(self.requests, claims,
                                  '?visibility=all&os_hidden=true')
        if servers is not None:
            self.requests.get('%s/servers' % base.COMPUTE_URL, json={
                'servers': [{'id': s, 'name': 'vm-%s' % s[:4], 'links': []}
                            for s in servers]})


class TestListClaims(ClaimsTest):

    def test_dead_claims_are_listed_live_ones_are_not(self):
        self.with_claims([window_claim(), retention_claim(),
                          retention_claim(LIVE_CLAIM_ID, SERVER_ID),
                          window_claim(LIVE_CLAIM_ID, GONE_ID,
                                       expires='2026-12-07T13:30:00Z')],
                         [SERVER_ID])
        rows = self.run_json('rc', 'snapshot', 'orphans')
        self.assertEqual([orphan_tests.ORPHAN_ID, WINDOW_CLAIM_ID,
                          RETENTION_CLAIM_ID], [r['ID'] for r in rows])
        self.assertEqual({
            'ID': RETENTION_CLAIM_ID, 'Name': 'rcsnap-lock-%s' % GONE_ID,
            'Size GiB': 0, 'Status': 'queued',
            'Created At': '2026-12-07T12:00:00Z', 'Volume': '',
            'Dependent Volumes': [],
            'Reason': 'claim of a dead run: the retention of server %s, '
            'which is gone, expired at 2026-12-07T12:40:00Z; it holds no '
            'data: "delete --orphans" deletes it outright' % GONE_ID},
            rows[2])
        # One listing of the servers beside the usual five, once.
        self.assertEqual(sorted(orphan_tests.GATHER + [SERVERS]),
                         sorted(self.calls()))

    def test_servers_listed_only_for_retention_claims(self):
        self.with_claims([window_claim()])
        rows = self.run_json('rc', 'snapshot', 'orphans')
        self.assertEqual(2, len(rows))
        self.assertEqual(orphan_tests.GATHER, sorted(self.calls()))

    def test_requests_do_not_grow_with_claims(self):
        self.with_claims([retention_claim('%08d-0000-5000-8000-000000000000'
                                          % n, GONE_ID[:-4] + '%04d' % n)
                          for n in range(40)], [SERVER_ID])
        rows = self.run_json('rc', 'snapshot', 'orphans')
        self.assertEqual(41, len(rows))
        self.assertEqual(sorted(orphan_tests.GATHER + [SERVERS]),
                         sorted(self.calls()))


class TestDeleteClaims(ClaimsTest):

    def test_dry_run_deletes_nothing(self):
        self.with_claims([window_claim()])
        rows, _err = self.delete('--dry-run')
        self.assertEqual({
            'Resource': WINDOW_CLAIM_ID, 'Kind': 'claim',
            'Name': 'rcsnap-lock-%s-%s' % (SERVER_ID, WINDOW),
            'Result': 'would delete (a claim of a dead run holds no data: '
            'deleted, not binned)'}, rows[-1])
        self.assertEqual(orphan_tests.GATHER, sorted(self.calls()))

    def test_dead_claims_deleted_outright_live_kept(self):
        self.with_claims([window_claim(), retention_claim(),
                          retention_claim(LIVE_CLAIM_ID, SERVER_ID)],
                         [SERVER_ID])
        for image_id in (WINDOW_CLAIM_ID, RETENTION_CLAIM_ID):
            self.requests.delete('%s/%s' % (IMAGES, image_id),
                                 status_code=204, text='')
        status, out, err = self.run_cli('rc', 'snapshot', 'delete',
                                        '--orphans', '-f', 'json')
        self.assertEqual(0, status, err)
        rows = json.loads(out)
        self.assertEqual([
            (orphan_tests.ORPHAN_ID, 'volume snapshot',
             base.BINNED),
            (WINDOW_CLAIM_ID, 'claim', 'deleted (a claim of a dead run '
             'holds no data: deleted, not binned)'),
            (RETENTION_CLAIM_ID, 'claim', 'deleted (a claim of a dead run '
             'holds no data: deleted, not binned)')],
            [(r['Resource'], r['Kind'], r['Result']) for r in rows])
        deletes = [c for c in self.calls() if c.startswith('DELETE')]
        self.assertEqual(['DELETE %s/%s' % (IMAGES, WINDOW_CLAIM_ID),
                          'DELETE %s/%s' % (IMAGES, RETENTION_CLAIM_ID)],
                         deletes)
        self.assertNotIn(LIVE_CLAIM_ID, ' '.join(self.calls()))

    def test_gone_already_is_deleted(self):
        # Another run took the window over (and deleted it) in between:
        # Glance's 404, copied from the local cloud.
        self.with_claims([window_claim()], snaps=False)
        self.requests.delete(
            '%s/%s' % (IMAGES, WINDOW_CLAIM_ID), status_code=404,
            text='<html>\n <head>\n  <title>404 Not Found</title>\n '
            '</head>\n <body>\n  <h1>404 Not Found</h1>\n  Failed to find '
            'image %s to delete<br /><br />\n\n\n\n </body>\n</html>'
            % WINDOW_CLAIM_ID)
        rows, _err = self.delete()
        self.assertEqual(1, len(rows))
        self.assertTrue(rows[-1]['Result'].startswith('deleted ('))

    def test_failure_is_one_line_and_exit_1(self):
        self.with_claims([window_claim()], snaps=False)
        self.requests.delete('%s/%s' % (IMAGES, WINDOW_CLAIM_ID),
                             status_code=503, text='Service Unavailable')
        status, out, err = self.run_cli('rc', 'snapshot', 'delete',
                                        '--orphans', '--purge', '--yes',
                                        '-f', 'json')
        self.assertEqual(1, status, err)
        self.assertNotIn('Traceback', err)
        self.assertEqual('failed (HTTP 503: Service Unavailable)',
                         json.loads(out)[-1]['Result'])
        self.assertEqual('1 of 1 orphans could not be deleted: %s'
                         % WINDOW_CLAIM_ID, err.strip().splitlines()[-1])


class TestTakeOver(base.TestCommand):
    """``schedule run`` meets an expired window claim of its window: it
    takes it over (generation 1) and deletes it (cloud/claims.py)."""

    def test_expired_claim_taken_over_and_deleted(self):
        import openstack

        from rcsnap_osc.cloud import claims
        from rcsnap_osc.schedule import window

        server = type('S', (), {'id': SERVER_ID, 'name': 'vm'})
        wanted = window.window_claim(server, datetime.datetime(
            2026, 12, 7, 12, 0, 0))
        old = wanted.image_id(0)
        self.requests.post(IMAGES, [
            {'status_code': 409, 'text': 'Image ID %s already exists!' % old},
            {'status_code': 201, 'json': window_claim(wanted.image_id(1))}])
        self.requests.get('%s/%s' % (IMAGES, old),
                          json=window_claim(old, released=None))
        self.requests.delete('%s/%s' % (IMAGES, old), status_code=204,
                             text='')
        self.useFixture(__import__('fixtures').MonkeyPatch(
            'rcsnap_osc.cloud.claims.now', lambda: NOW))
        conn = openstack.connect(
            auth_url=base.AUTH_URL, username='alpha', password='secret',
            project_name='alpha', user_domain_name='Default',
            project_domain_name='Default', region_name='RegionOne')
        mine = claims.take(conn, wanted, 60, listed=False)
        self.assertEqual(wanted.image_id(1), mine.image['id'])
        self.assertEqual(['POST %s' % IMAGES, 'GET %s/%s' % (IMAGES, old),
                          'POST %s' % IMAGES,
                          'DELETE %s/%s' % (IMAGES, old)], self.calls())
