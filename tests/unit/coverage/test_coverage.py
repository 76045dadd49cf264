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

"""``rc snapshot coverage`` over a fake cloud: the output, the exit code,
and the requests, the same whatever the number of servers."""

import fixtures

from rcsnap_osc.core import holds
from rcsnap_osc.core import origin
from rcsnap_osc.schedule import plan as schedules
from tests.unit import base
from tests.unit import fakes

NOW = '2026-11-30T12:00:00Z'
SERVERS = base.COMPUTE_URL + '/servers'
IMAGES = base.IMAGE_URL + '/v2/images'
LISTINGS = ['GET %s/detail' % SERVERS,
            'GET %s?limit=1000&owner=%s' % (IMAGES, base.PROJECT_ID)]


def server_id(n):
    return '%08d-0000-4000-8000-000000000000' % n


def image_id(n):
    return '%08d-1111-4000-8000-000000000000' % n


class CoverageTest(base.TestCommand):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.EnvironmentVariable(
            'RCSNAP_SCHEDULE_NOW', NOW))

    def cloud(self, count, policy='every=1d;keep=3', last=None, age='10:00',
              image=None):
        """``count`` servers with ``policy``, each with one image-backed
        snapshot made today at ``age`` (and ``image`` fields)."""
        servers, images = [], []
        for n in range(count):
            body = fakes.server(server_id(n), 'node-%d' % n)
            if policy:
                body['metadata'] = {schedules.POLICY_KEY: policy}
            if last:
                body['metadata'][schedules.LAST_KEY] = last
            servers.append(body)
            images.append(fakes.image_backed_image(
                image_id(n), 'node-%d-snap' % n,
                created_at='2026-11-30T%s:00Z' % age,
                **dict({origin.SERVER_PROPERTY: server_id(n)},
                       **(image or {}))))
        self.requests.get(SERVERS + '/detail', json={'servers': servers})
        fakes.register_image_list(self.requests, images,
                                  '?limit=1000&owner=%s' % base.PROJECT_ID)

    def coverage(self, *args, code=0):
        import json

        got, out, err = self.run_cli('rc', 'snapshot', 'coverage', *args,
                                     '-f', 'json')
        self.assertEqual(code, got, err)
        return json.loads(out), err.strip().splitlines()


class TestCoverage(CoverageTest):

    def test_protected_servers_exit_0(self):
        self.cloud(1, last='result=ok;window=20261130T0000Z;'
                           'at=20261130T100500Z;made=20261130T0000Z')
        rows, lines = self.coverage()
        self.assertEqual([{
            'Server': 'node-0', 'Server ID': server_id(0),
            'Policy': 'every=1d;keep=3', 'RPO': 172800,
            'Newest Snapshot': image_id(0), 'Age': 7200,
            'Last Verified': '', 'Last Run': '20261130T100500Z',
            'Last Result': 'ok', 'Verdict': 'protected', 'Why': ''}], rows)
        self.assertEqual([], lines)
        self.assertCalls([set(LISTINGS)])

    def test_requests_are_constant_in_the_number_of_servers(self):
        self.cloud(12)
        rows, lines = self.coverage()
        self.assertEqual(12, len(rows))
        self.assertCalls([set(LISTINGS)])

    def test_a_server_not_protected_exits_1_after_the_rows(self):
        self.cloud(3, policy=None)
        rows, lines = self.coverage('--server', 'node-1', code=1)
        self.assertEqual([('node-1', 'unprotected', 'no schedule policy')],
                         [(r['Server'], r['Verdict'], r['Why'])
                          for r in rows])
        self.assertEqual(['1 of 1 servers are not protected: node-1'],
                         lines)

    def test_verified_snapshots_and_the_rpo(self):
        self.cloud(1, policy='every=6h;keep=3;verify=1d', image={
            holds.VERIFIED_AT: '2026-11-30T11:00:00Z',
            holds.VERIFIED_LEVEL: 'data', holds.VERIFIED_RESULT: 'ok'})
        rows, _ = self.coverage()
        self.assertEqual(('protected', '2026-11-30T11:00:00Z data ok'),
                         (rows[0]['Verdict'], rows[0]['Last Verified']))
        rows, _ = self.coverage('--rpo', '1h', code=1)
        self.assertEqual(('overdue', 3600), (rows[0]['Verdict'],
                                             rows[0]['RPO']))

    def test_table_shows_durations(self):
        self.cloud(1, age='09:30')
        got, out, err = self.run_cli('rc', 'snapshot', 'coverage', '-c',
                                     'RPO', '-c', 'Age', '-f', 'csv')
        self.assertEqual((0, '"RPO","Age"\n"172800","9000"\n'),
                         (got, out), err)
        got, out, err = self.run_cli('rc', 'snapshot', 'coverage', '-c',
                                     'RPO', '-c', 'Age')
        self.assertEqual('| 2d  | 2h 30m |', out.splitlines()[3], out)

    def test_an_unknown_server_is_refused(self):
        self.cloud(1)
        self.assertFails("No server with a name or ID of 'nope' exists.",
                         'rc', 'snapshot', 'coverage', '--server', 'nope')

    def test_a_bad_rpo_costs_no_request(self):
        self.assertBadArgument("Invalid duration 'soon'", 'rc', 'snapshot',
                               'coverage', '--rpo', 'soon')

    def test_all_projects_needs_the_admin_role(self):
        self.assertFails('--all-projects needs the admin role', 'rc',
                         'snapshot', 'coverage', '--all-projects')
        self.assertEqual([], self.calls())


class TestAttribution(CoverageTest):

    def test_a_volume_backed_snapshot_made_by_nova(self):
        """No recorded server: the volume listings say whose root volume
        it was, still the same requests whatever the number of
        servers."""
        body = fakes.server(fakes.SERVER_ID, 'analysis-vm')
        body['metadata'] = {schedules.POLICY_KEY: 'every=1d;keep=3'}
        self.requests.get(SERVERS + '/detail', json={'servers': [body]})
        fakes.register_image_list(self.requests, [fakes.volume_backed_image(
            created_at='2026-11-30T11:00:00Z')],
            '?limit=1000&owner=%s' % base.PROJECT_ID)
        self.requests.get(base.VOLUME_URL + '/snapshots/detail',
                          json={'snapshots': [fakes.volume_snapshot()]})
        fakes.register_volume_list(self.requests, [fakes.volume(
            fakes.ROOT_VOLUME_ID, 'in-use', attachments=[
                {'server_id': fakes.SERVER_ID, 'attachment_id': 'a1',
                 'volume_id': fakes.ROOT_VOLUME_ID, 'device': '/dev/vda',
                 'id': fakes.ROOT_VOLUME_ID, 'host_name': None}])])
        rows, _ = self.coverage()
        self.assertEqual([('analysis-vm', fakes.IMAGE_ID, 3600,
                           'protected')],
                         [(r['Server'], r['Newest Snapshot'], r['Age'],
                           r['Verdict']) for r in rows])
        self.assertCalls([set(LISTINGS), {
            'GET %s/snapshots/detail?limit=1000' % base.VOLUME_URL,
            'GET %s/volumes/detail?limit=1000' % base.VOLUME_URL}])


class TestAllProjects(CoverageTest):

    def setUp(self):
        super().setUp()
        self.token.add_role(name='admin')
        self.register_cloud()

    def test_every_projects_servers_with_their_project(self):
        body = fakes.server(server_id(0), 'theirs')
        body['tenant_id'] = base.OTHER_PROJECT_ID
        self.requests.get(SERVERS + '/detail', json={'servers': [body]})
        fakes.register_image_list(self.requests, [],
                                  '?limit=1000&visibility=all')
        rows, lines = self.coverage('--all-projects', code=1)
        self.assertEqual([('theirs', 'unprotected', base.OTHER_PROJECT_ID)],
                         [(r['Server'], r['Verdict'], r['Project ID'])
                          for r in rows])
        self.assertCalls([{
            'GET %s/detail?all_tenants=True' % SERVERS,
            'GET %s?limit=1000&visibility=all' % IMAGES}])
