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


"""An operator's view: ``orphans``, ``usage`` and ``delete --orphans``
across projects, for the admin role, in one listing per service."""

import json

from tests.unit import backup_fakes as bf
from tests.unit import base
from tests.unit import fakes
from tests.unit.usage import test_drift

OTHER = base.OTHER_PROJECT_ID
PROJECT = 'os-extended-snapshot-attributes:project_id'
VOLUME_PROJECT = 'os-vol-tenant-attr:tenant_id'
ALPHA_ORPHAN = 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f'
BETA_ORPHAN = 'd4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70'
BETA_BACKUP = '0d226cdd-be56-4c96-bc07-562f64ffadbc'
OTHER_QUOTA = '%s/os-quota-sets/%s?usage=True' % (base.VOLUME_URL, OTHER)
IMAGES = base.IMAGE_URL + '/v2/images'
EVERYTHING = sorted([
    'GET %s?limit=1000&visibility=all' % IMAGES,
    'GET %s?limit=1000&os_hidden=true&visibility=all' % IMAGES,
    'GET %s/snapshots/detail?all_tenants=1&limit=1000' % base.VOLUME_URL,
    'GET %s/volumes/detail?all_tenants=1&limit=1000' % base.VOLUME_URL,
    'GET %s/backups/detail?all_tenants=1&limit=1000' % base.VOLUME_URL,
    'GET %s/projects' % base.AUTH_URL])
NEEDS_ADMIN = ('--all-projects needs the admin role (this token has: '
               'member, reader).')


def beta(snapshot_id, **fields):
    """A volume snapshot of project beta."""
    return fakes.volume_snapshot(snapshot_id, **dict({PROJECT: OTHER},
                                                     **fields))


class AllProjectsTest(base.TestCommand):
    """Two projects: alpha (the admin's own) with an instance snapshot and
    an orphan, beta with an orphan."""

    def setUp(self):
        super().setUp()
        self.token.add_role(name='admin')
        self.register_cloud()

    def cloud(self, extra_orphans=0):
        images = [fakes.volume_backed_image(entries=[fakes.root_entry()])]
        fakes.register_image_list(self.requests, images, '?visibility=all')
        fakes.register_image_list(self.requests, [],
                                  '?visibility=all&os_hidden=true')
        snaps = [fakes.volume_snapshot(), fakes.volume_snapshot(ALPHA_ORPHAN),
                 beta(BETA_ORPHAN, size=4)]
        snaps += [beta('e%07d-0000-4000-8000-000000000000' % n, size=1)
                  for n in range(extra_orphans)]
        fakes.register_volume_snapshot_list(self.requests, snaps)
        fakes.register_volume_list(self.requests, [
            fakes.volume(fakes.ROOT_VOLUME_ID, snapshot_id=None, **{
                VOLUME_PROJECT: base.PROJECT_ID}),
            fakes.volume('f1a2b3c4-d5e6-4f7a-8b9c-0d1e2f3a4b5c', size=20,
                         snapshot_id=None, **{VOLUME_PROJECT: OTHER})])
        fakes.register_backup_list(self.requests)
        self.requests.get(base.AUTH_URL + '/projects', json=(
            fakes.keystone_projects((base.PROJECT_ID, 'alpha'),
                                    (OTHER, 'beta'))))

    def as_member(self):
        self.token = base.token_body()
        self.register_cloud()
        base.forget_connection()


class TestOrphansAllProjects(AllProjectsTest):

    def test_every_project_s_with_its_name(self):
        self.cloud()
        rows = self.run_json('rc', 'snapshot', 'orphans', '--all-projects')
        self.assertEqual([('alpha', ALPHA_ORPHAN), ('beta', BETA_ORPHAN)],
                         [(r['Project'], r['ID']) for r in rows])
        self.assertEqual(EVERYTHING, sorted(self.calls()))

    def test_constant_requests(self):
        for extra in (0, 60):
            before = len(self.calls())
            self.cloud(extra)
            rows = self.run_json('rc', 'snapshot', 'orphans',
                                 '--all-projects')
            self.assertEqual(2 + extra, len(rows))
            self.assertEqual(EVERYTHING, sorted(self.calls()[before:]))

    def test_backups_whose_image_is_gone_with_their_project(self):
        self.cloud()
        # Cinder names a backup's project to an admin (3.18).
        gone = bf.backup(BETA_BACKUP, image_id=fakes.COPY_IMAGE_ID, **{
            'os-backup-project-attr:project_id': OTHER})
        fakes.register_backup_list(self.requests, [
            gone, bf.backup(bf.OLD_BACKUP_ID, image_id=None, **{
                'os-backup-project-attr:project_id': OTHER})])
        rows = self.run_json('rc', 'snapshot', 'orphans', '--all-projects')
        self.assertEqual([('alpha', ALPHA_ORPHAN), ('beta', BETA_ORPHAN),
                          ('beta', BETA_BACKUP)],
                         [(r['Project'], r['ID']) for r in rows])
        self.assertEqual(
            'a backup "archive" made for image %s, which is gone: delete it '
            'with `openstack volume backup delete %s`' % (
                fakes.COPY_IMAGE_ID, BETA_BACKUP), rows[-1]['Reason'])
        self.assertEqual(EVERYTHING, sorted(self.calls()))

    def test_member_is_refused_in_one_line_before_any_request(self):
        self.as_member()
        self.cloud()
        self.assertFails(NEEDS_ADMIN, 'rc', 'snapshot', 'orphans',
                         '--all-projects')
        self.assertEqual([], self.calls())

    def test_a_policy_stricter_than_the_role(self):
        self.cloud()
        self.requests.get(base.AUTH_URL + '/projects', status_code=403,
                          json={'error': {
                              'code': 403, 'title': 'Forbidden',
                              'message': 'You are not authorized to perform '
                              'the requested action: identity:list_projects.'
                          }})
        self.assertFails('--all-projects needs the admin role.', 'rc',
                         'snapshot', 'orphans', '--all-projects')


class TestUsageAllProjects(AllProjectsTest):

    def test_a_row_per_project_and_a_drift_line(self):
        self.cloud()
        # alpha: 2 volume snapshots (20 GiB) and a 10 GiB volume, in step;
        # beta: 1 of 4 GiB and a volume of 20, where Cinder counts 3.
        fakes.register_quota(self.requests, fakes.quota_set(
            snapshots=(2, 10), gigabytes=(30, -1)))
        body = test_drift.drifted(snapshots=(3, 10), reserved=0,
                                  gigabytes=(24, 100))
        body['quota_set']['id'] = OTHER
        self.requests.get(OTHER_QUOTA, json=body)
        code, out, err = self.run_cli('rc', 'snapshot', 'usage',
                                      '--all-projects', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual(
            "Cinder's quota counters of project beta have drifted from what "
            "the listings hold: 'snapshots' 3, 1 listed. The listed figures "
            "are the real use, but Cinder enforces its counters until an "
            "operator resyncs them (cinder-manage quota sync).\n", err)
        self.assertEqual([
            {'Project ID': base.PROJECT_ID, 'Project': 'alpha',
             'Snapshots': 1, 'Size GiB': 10, 'Orphans': 1, 'Orphan GiB': 10,
             'Binned': 0, 'Binned GiB': 0, 'Snapshots Used': 2,
             'Snapshots Counted': 2,
             'Snapshots Limit': 10, 'GiB Used': 30, 'GiB Counted': 30,
             'GiB Limit': -1},
            {'Project ID': OTHER, 'Project': 'beta',
             'Snapshots': 0, 'Size GiB': 0, 'Orphans': 1, 'Orphan GiB': 4,
             'Binned': 0, 'Binned GiB': 0, 'Snapshots Used': 3,
             'Snapshots Counted': 1,
             'Snapshots Limit': 10, 'GiB Used': 24, 'GiB Counted': 24,
             'GiB Limit': 100}], json.loads(out))
        self.assertEqual(sorted(EVERYTHING + [
            'GET ' + fakes.QUOTA_URL, 'GET ' + OTHER_QUOTA]),
            sorted(self.calls()))

    def test_member_is_refused(self):
        self.as_member()
        self.cloud()
        self.assertFails(NEEDS_ADMIN, 'rc', 'snapshot', 'usage',
                         '--all-projects')
        self.assertEqual([], self.calls())

    def test_not_with_by_server(self):
        self.assertFails('Give --by-server or --all-projects, not both.',
                         'rc', 'snapshot', 'usage', '--all-projects',
                         '--by-server')


class TestDeleteOrphansOfAProject(AllProjectsTest):

    def delete(self, *args):
        code, out, err = self.run_cli(
            'rc', 'snapshot', 'delete', '--orphans', '--all-projects',
            '--purge', '--yes', *args, '-f', 'json')
        self.assertEqual(0, code, err)
        return json.loads(out), err

    def test_only_that_project_s(self):
        self.cloud()
        fakes.register_delete_volume_snapshot(self.requests, BETA_ORPHAN)
        rows, err = self.delete('--project', 'beta')
        self.assertEqual([(BETA_ORPHAN, 'deleting')],
                         [(r['Resource'], r['Result']) for r in rows])
        self.assertEqual('Freeing 4 GiB (1 volume snapshots being deleted; '
                         '--wait confirms it).', err.strip())
        self.assertEqual(['DELETE %s/snapshots/%s' % (base.VOLUME_URL,
                                                      BETA_ORPHAN)],
                         self.writes())
        self.assertEqual(EVERYTHING, sorted(self.calls()[:-1]))

    def test_by_id_dry_run(self):
        self.cloud()
        rows, err = self.delete('--project', base.PROJECT_ID, '--dry-run')
        self.assertEqual([(ALPHA_ORPHAN, 'would delete')],
                         [(r['Resource'], r['Result']) for r in rows])
        self.assertEqual([], self.writes())

    def test_refusals(self):
        self.cloud()
        for args, expected in (
                ((), '--all-projects and --project go together'),
                (('--project', 'gamma'),
                 "No project with a name or ID of 'gamma' exists.")):
            self.assertFails(expected, 'rc', 'snapshot', 'delete',
                             '--orphans', '--all-projects', *args)
        self.assertFails('--all-projects applies only with --orphans.',
                         'rc', 'snapshot', 'delete', 'snap',
                         '--all-projects', '--project', 'beta')
        self.as_member()
        self.assertFails(NEEDS_ADMIN, 'rc', 'snapshot', 'delete',
                         '--orphans', '--all-projects', '--project', 'beta')


class TestClaimsAllProjects(AllProjectsTest):
    """The claims of dead runs, every project's, for an admin: a window
    claim of beta and a retention claim of alpha's gone server, beside a
    live one of beta."""

    SERVERS = 'GET %s/servers?all_tenants=True' % base.COMPUTE_URL

    def with_claims(self):
        from tests.unit.delete import test_dead_claims as dc

        self.cloud()
        fakes.register_image_list(self.requests, [
            dc.window_claim(owner=OTHER),
            dc.retention_claim(),
            dc.retention_claim(dc.LIVE_CLAIM_ID, dc.SERVER_ID, owner=OTHER,
                               expires='2026-12-07T14:00:00Z')],
            '?visibility=all&os_hidden=true')
        self.requests.get('%s/servers' % base.COMPUTE_URL, json={
            'servers': [{'id': dc.SERVER_ID, 'name': 'vm', 'links': []}]})
        return dc

    def test_listed_with_their_project(self):
        dc = self.with_claims()
        rows = self.run_json('rc', 'snapshot', 'orphans', '--all-projects')
        self.assertEqual([('alpha', ALPHA_ORPHAN), ('beta', BETA_ORPHAN),
                          ('beta', dc.WINDOW_CLAIM_ID),
                          ('alpha', dc.RETENTION_CLAIM_ID)],
                         [(r['Project'], r['ID']) for r in rows])
        # One listing more, of every project's servers (a retention claim
        # no run holds is among them).
        self.assertEqual(sorted(EVERYTHING + [self.SERVERS]),
                         sorted(self.calls()))

    def test_delete_takes_only_that_project_s(self):
        dc = self.with_claims()
        self.requests.delete('%s/%s' % (IMAGES, dc.WINDOW_CLAIM_ID),
                             status_code=204, text='')
        fakes.register_delete_volume_snapshot(self.requests, BETA_ORPHAN)
        code, out, err = self.run_cli(
            'rc', 'snapshot', 'delete', '--orphans', '--all-projects',
            '--project', 'beta', '--purge', '--yes', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([(BETA_ORPHAN, 'deleting'),
                          (dc.WINDOW_CLAIM_ID, 'deleted (a claim of a dead '
                           'run holds no data: deleted, not binned)')],
                         [(r['Resource'], r['Result'])
                          for r in json.loads(out)])
        self.assertEqual(sorted([
            'DELETE %s/%s' % (IMAGES, dc.WINDOW_CLAIM_ID),
            'DELETE %s/snapshots/%s' % (base.VOLUME_URL, BETA_ORPHAN)]),
            sorted(self.writes()))
