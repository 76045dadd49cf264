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

"""``rc snapshot share|accept|unshare`` over HTTP fakes: output, and the
exact requests each path makes (bodies of writes included)."""

import json

import requests

from tests.unit import base
from tests.unit import fakes

IMAGES = base.IMAGE_URL + '/v2/images'
IMAGE = IMAGES + '/' + fakes.IMAGE_ID
MEMBERS = IMAGE + '/members'
COPY = IMAGES + '/' + fakes.COPY_IMAGE_ID
VOLUMES = base.VOLUME_URL + '/volumes'
TMP = VOLUMES + '/' + fakes.TMP_VOLUME_ID
TMP_DELETE = TMP + '?cascade=False&force=False'
SNAPS = base.VOLUME_URL + '/snapshots'
BETA = base.OTHER_PROJECT_ID
LIST_COPIES = ('GET %s?limit=1000&owner=%s&rcsnap_source_snapshot_id=%s'
               % (IMAGES, base.PROJECT_ID, fakes.IMAGE_ID))
GAMMA = '0a1b2c3d4e5f40718293a4b5c6d7e8f9'


def replace(path, value):
    return [{'op': 'replace', 'path': path, 'value': value}]


class ShareTest(base.TestCommand):

    def bodies(self):
        """(METHOD url, JSON body) of each write, in order."""
        made = []
        for request in self.requests.request_history:
            if request.method in ('GET', 'HEAD') or request.url.startswith(
                    base.AUTH_URL + '/auth/'):
                continue
            made.append(('%s %s' % (request.method, request.url),
                         request.json() if request.body else None))
        return made


class TestShare(ShareTest):

    def setUp(self):
        super().setUp()
        self.image = fakes.image_backed_image()
        fakes.register_image(self.requests, self.image)
        fakes.register_image_update(self.requests, dict(
            self.image, visibility='shared'))
        fakes.register_add_member(self.requests, fakes.IMAGE_ID)

    def test_private_becomes_shared(self):
        fakes.register_members(self.requests, fakes.IMAGE_ID, [])
        data = self.run_json('rc', 'snapshot', 'share', fakes.IMAGE_ID,
                             '--project', BETA)
        self.assertEqual({
            'id': fakes.IMAGE_ID, 'name': 'web-vm-snap',
            'visibility': 'shared',
            'members': [{'project_id': BETA, 'status': 'pending'}]}, data)
        # A private image has no members, and Glance refuses to list them
        # (403): no member listing is asked for.
        self.assertEqual([
            'GET %s' % IMAGE, 'PATCH %s' % IMAGE,
            'POST %s' % MEMBERS], self.calls())
        self.assertEqual([
            ('PATCH %s' % IMAGE, replace('/visibility', 'shared')),
            ('POST %s' % MEMBERS, {'member': BETA})], self.bodies())
        patch = self.requests.request_history[-2]
        self.assertEqual('application/openstack-images-v2.1-json-patch',
                         patch.headers['Content-Type'])

    def test_sharing_again_writes_nothing(self):
        self.image.update(visibility='shared')
        fakes.register_members(self.requests, fakes.IMAGE_ID, [
            fakes.image_member(BETA, 'accepted')])
        data = self.run_json('rc', 'snapshot', 'share', fakes.IMAGE_ID,
                             '--project', BETA)
        self.assertEqual([{'project_id': BETA, 'status': 'accepted'}],
                         data['members'])
        self.assertEqual(['GET %s' % IMAGE, 'GET %s' % MEMBERS],
                         self.calls())

    def test_adds_only_new_members(self):
        self.image.update(visibility='shared')
        fakes.register_members(self.requests, fakes.IMAGE_ID, [
            fakes.image_member(BETA, 'accepted')])
        data = self.run_json('rc', 'snapshot', 'share', fakes.IMAGE_ID,
                             '--project', BETA, '--project', GAMMA,
                             '--project', GAMMA)
        self.assertEqual([{'project_id': BETA, 'status': 'accepted'},
                          {'project_id': GAMMA, 'status': 'pending'}],
                         data['members'])
        self.assertEqual([('POST %s' % MEMBERS, {'member': GAMMA})],
                         self.bodies())

    def test_project_by_name(self):
        fakes.register_members(self.requests, fakes.IMAGE_ID, [])
        self.requests.get(base.AUTH_URL + '/projects?name=beta',
                          json=fakes.keystone_projects((BETA, 'beta')))
        data = self.run_json('rc', 'snapshot', 'share', fakes.IMAGE_ID,
                             '--project', 'beta')
        self.assertEqual(BETA, data['members'][0]['project_id'])
        self.assertIn('GET %s/projects?name=beta' % base.AUTH_URL,
                      self.calls())

    def test_by_snapshot_name_and_several_project_names(self):
        fakes.register_image_list(self.requests, [self.image],
                                  '?name=web-vm-snap')
        fakes.register_members(self.requests, fakes.IMAGE_ID, [])
        self.requests.get(base.AUTH_URL + '/projects', json=(
            fakes.keystone_projects((BETA, 'beta'), (GAMMA, 'gamma'))))
        data = self.run_json('rc', 'snapshot', 'share', 'web-vm-snap',
                             '--project', 'gamma', '--project', 'beta')
        self.assertEqual([GAMMA, BETA],
                         [m['project_id'] for m in data['members']])
        self.assertEqual(1, len([c for c in self.calls()
                                 if '/projects' in c]))

    def test_names_forbidden_falls_back_to_own_projects(self):
        fakes.register_members(self.requests, fakes.IMAGE_ID, [])
        self.requests.get(base.AUTH_URL + '/projects?name=beta',
                          status_code=403, json={'error': {
                              'code': 403, 'title': 'Forbidden',
                              'message': 'You are not authorized'}})
        self.requests.get('%s/users/%s/projects' % (base.AUTH_URL,
                                                    base.USER_ID),
                          json=fakes.keystone_projects(
                              (base.PROJECT_ID, 'alpha'), (BETA, 'beta')))
        data = self.run_json('rc', 'snapshot', 'share', fakes.IMAGE_ID,
                             '--project', 'beta')
        self.assertEqual(BETA, data['members'][0]['project_id'])

    def test_names_forbidden_asks_for_id(self):
        self.requests.get(base.AUTH_URL + '/projects?name=gamma',
                          status_code=403, json={'error': {
                              'code': 403, 'title': 'Forbidden',
                              'message': 'You are not authorized'}})
        self.requests.get('%s/users/%s/projects' % (base.AUTH_URL,
                                                    base.USER_ID),
                          json=fakes.keystone_projects(
                              (base.PROJECT_ID, 'alpha')))
        self.assertFails(
            "Cannot look up project 'gamma' by name: this cloud lets only "
            "administrators list projects. Use the project ID instead",
            'rc', 'snapshot', 'share', fakes.IMAGE_ID, '--project', 'gamma')
        self.assertEqual([], self.writes())

    def test_unknown_project_name(self):
        self.requests.get(base.AUTH_URL + '/projects?name=nope',
                          json=fakes.keystone_projects())
        self.assertFails("No project named 'nope' exists.", 'rc',
                         'snapshot', 'share', fakes.IMAGE_ID, '--project',
                         'nope')
        self.assertEqual([], self.writes())

    def test_own_project_refused(self):
        self.assertFails('cannot be shared with itself', 'rc', 'snapshot',
                         'share', fakes.IMAGE_ID, '--project',
                         base.PROJECT_ID)
        self.assertEqual(['GET %s' % IMAGE], self.calls())

    def test_not_owner_refused_before_any_write(self):
        self.image.update(owner=BETA)
        line = self.assertFails('only its owner can share or unshare it',
                                'rc', 'snapshot', 'share', fakes.IMAGE_ID,
                                '--project', GAMMA)
        self.assertIn('belongs to project %s' % BETA, line)
        self.assertEqual(['GET %s' % IMAGE], self.calls())

    def test_public_refused(self):
        self.image.update(visibility='public')
        self.assertFails('is public: every project can already see it',
                         'rc', 'snapshot', 'share', fakes.IMAGE_ID,
                         '--project', BETA)
        self.assertEqual([], self.writes())

    def test_unknown_snapshot(self):
        fakes.register_image_list(self.requests, [], '?name=nope')
        self.assertFails("No image with a name or ID of 'nope' exists.",
                         'rc', 'snapshot', 'share', 'nope', '--project',
                         BETA)

    def test_forbidden_member_add_reverts_to_private(self):
        fakes.register_members(self.requests, fakes.IMAGE_ID, [])
        fakes.register_add_member(
            self.requests, fakes.IMAGE_ID, status_code=403,
            json=fakes.glance_error(403, 'Forbidden by policy'))
        self.assertFails(
            'The cloud does not allow this project to change who can see '
            'snapshot %s (HTTP 403)' % fakes.IMAGE_ID, 'rc', 'snapshot',
            'share', fakes.IMAGE_ID, '--project', BETA)
        self.assertEqual([
            ('PATCH %s' % IMAGE, replace('/visibility', 'shared')),
            ('POST %s' % MEMBERS, {'member': BETA}),
            ('PATCH %s' % IMAGE, replace('/visibility', 'private'))],
            self.bodies())

    def test_member_quota(self):
        fakes.register_members(self.requests, fakes.IMAGE_ID, [])
        fakes.register_add_member(
            self.requests, fakes.IMAGE_ID, status_code=413,
            json=fakes.glance_error(
                413, 'The request returned a 413 Request Entity Too Large. '
                'Maximum image member quota exceeded'))
        self.assertFails('Quota exceeded', 'rc', 'snapshot', 'share',
                         fakes.IMAGE_ID, '--project', BETA)

    def test_name_without_copy(self):
        for option in (('--name', 'x'), ('--new-copy',),
                       ('--volumes', 'all')):
            self.assertFails('--name, --disk-format, --new-copy and '
                             '--volumes apply only with --copy.', 'rc',
                             'snapshot', 'share', fakes.IMAGE_ID,
                             '--project', BETA, *option)
        self.assertEqual([], self.calls())

    def test_project_required(self):
        code, out, err = self.run_cli('rc', 'snapshot', 'share',
                                      fakes.IMAGE_ID)
        self.assertEqual(2, code)
        self.assertIn('--project', err)

    def test_copy_of_image_backed_shares_it_as_is(self):
        fakes.register_members(self.requests, fakes.IMAGE_ID, [])
        code, out, err = self.run_cli('rc', 'snapshot', 'share',
                                      fakes.IMAGE_ID, '--project', BETA,
                                      '--copy', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertIn('is image-backed: other projects can launch it as '
                      'it is, no copy made.', err)
        self.assertEqual(['PATCH %s' % IMAGE, 'POST %s' % MEMBERS],
                         self.writes())


class TestVolumeBackedRefused(ShareTest):

    def test_refused_without_copy(self):
        fakes.register_image(self.requests, fakes.volume_backed_image())
        line = self.assertFails(
            'is volume-backed: its data is volume snapshot %s of this '
            'project, which other projects cannot use' % fakes.ROOT_SNAP_ID,
            'rc', 'snapshot', 'share', fakes.IMAGE_ID, '--project', BETA)
        self.assertIn('Use --copy', line)
        self.assertEqual(['GET %s' % IMAGE], self.calls())


class TestAccept(ShareTest):

    def setUp(self):
        super().setUp()
        self.image = fakes.image_backed_image(owner=BETA,
                                              visibility='shared')
        fakes.register_image(self.requests, self.image)
        self.member_url = '%s/%s' % (MEMBERS, base.PROJECT_ID)

    def answer(self, status):
        self.requests.put(self.member_url, json=fakes.image_member(
            base.PROJECT_ID, status))

    def test_accept(self):
        self.answer('accepted')
        data = self.run_json('rc', 'snapshot', 'accept', fakes.IMAGE_ID)
        self.assertEqual({'id': fakes.IMAGE_ID, 'name': 'web-vm-snap',
                          'owner': BETA, 'member_status': 'accepted'}, data)
        self.assertEqual([('PUT %s' % self.member_url,
                           {'member': base.PROJECT_ID,
                            'status': 'accepted'})], self.bodies())

    def test_reject(self):
        self.answer('rejected')
        data = self.run_json('rc', 'snapshot', 'accept', fakes.IMAGE_ID,
                             '--reject')
        self.assertEqual('rejected', data['member_status'])
        self.assertEqual([('PUT %s' % self.member_url,
                           {'member': base.PROJECT_ID,
                            'status': 'rejected'})], self.bodies())

    def test_pending_found_by_name(self):
        self.answer('accepted')
        query = '?member_status=all&name=web-vm-snap&visibility=shared'
        fakes.register_image_list(self.requests, [self.image], query)
        self.run_json('rc', 'snapshot', 'accept', 'web-vm-snap')
        self.assertEqual(['GET %s?limit=1000&member_status=all&'
                          'name=web-vm-snap&visibility=shared' % IMAGES,
                          'PUT %s' % self.member_url],
                         self.calls())

    def test_own_snapshot_refused(self):
        self.image.update(owner=base.PROJECT_ID)
        self.assertFails('is owned by this project: accept and reject are '
                         'for the projects it is shared with', 'rc',
                         'snapshot', 'accept', fakes.IMAGE_ID)
        self.assertEqual([], self.writes())

    def test_not_a_member(self):
        self.requests.put(self.member_url, status_code=404,
                          json=fakes.glance_error(404, 'Not found'))
        self.assertFails('Snapshot %s is not shared with this project (%s).'
                         % (fakes.IMAGE_ID, base.PROJECT_ID), 'rc',
                         'snapshot', 'accept', fakes.IMAGE_ID)


class TestUnshare(ShareTest):

    def setUp(self):
        super().setUp()
        self.image = fakes.image_backed_image(visibility='shared')
        fakes.register_image(self.requests, self.image)
        fakes.register_image_update(self.requests, dict(
            self.image, visibility='private'))
        for project in (BETA, GAMMA):
            self.requests.delete('%s/%s' % (MEMBERS, project),
                                 status_code=204)

    def test_last_member_goes_private(self):
        fakes.register_members(self.requests, fakes.IMAGE_ID, [
            fakes.image_member(BETA, 'accepted')])
        data = self.run_json('rc', 'snapshot', 'unshare', fakes.IMAGE_ID,
                             '--project', BETA)
        self.assertEqual({'id': fakes.IMAGE_ID, 'name': 'web-vm-snap',
                          'visibility': 'private', 'members': []}, data)
        self.assertEqual([
            ('DELETE %s/%s' % (MEMBERS, BETA), None),
            ('PATCH %s' % IMAGE, replace('/visibility', 'private'))],
            self.bodies())

    def test_members_remain(self):
        fakes.register_members(self.requests, fakes.IMAGE_ID, [
            fakes.image_member(BETA), fakes.image_member(GAMMA)])
        data = self.run_json('rc', 'snapshot', 'unshare', fakes.IMAGE_ID,
                             '--project', BETA)
        self.assertEqual('shared', data['visibility'])
        self.assertEqual([{'project_id': GAMMA, 'status': 'pending'}],
                         data['members'])
        self.assertEqual(['DELETE %s/%s' % (MEMBERS, BETA)], self.writes())

    def test_all(self):
        fakes.register_members(self.requests, fakes.IMAGE_ID, [
            fakes.image_member(BETA), fakes.image_member(GAMMA)])
        self.run_json('rc', 'snapshot', 'unshare', fakes.IMAGE_ID, '--all')
        self.assertEqual(['DELETE %s/%s' % (MEMBERS, BETA),
                          'DELETE %s/%s' % (MEMBERS, GAMMA),
                          'PATCH %s' % IMAGE], self.writes())

    def unshare_not_member(self):
        """unshare GAMMA, which is not a member: exit 0 and one note."""
        code, out, err = self.run_cli('rc', 'snapshot', 'unshare',
                                      fakes.IMAGE_ID, '--project', GAMMA,
                                      '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual('Project %s was not a member of snapshot %s.'
                         % (GAMMA, fakes.IMAGE_ID), err.strip())
        return out

    def test_not_a_member_noted(self):
        fakes.register_members(self.requests, fakes.IMAGE_ID, [
            fakes.image_member(BETA)])
        self.unshare_not_member()
        self.assertEqual([], self.writes())

    def test_never_shared_is_a_noop(self):
        # Glance refuses to list the members of a private image (403): a
        # snapshot that was never shared has none, and nothing is written.
        self.image.update(visibility='private')
        out = self.unshare_not_member()
        self.assertEqual({'id': fakes.IMAGE_ID, 'name': 'web-vm-snap',
                          'visibility': 'private', 'members': []},
                         json.loads(out))
        self.assertEqual(['GET %s' % IMAGE], self.calls())

    def test_never_shared_all_is_a_noop(self):
        self.image.update(visibility='private')
        data = self.run_json('rc', 'snapshot', 'unshare', fakes.IMAGE_ID,
                             '--all')
        self.assertEqual([], data['members'])
        self.assertEqual(['GET %s' % IMAGE], self.calls())

    def test_project_or_all_required(self):
        code, out, err = self.run_cli('rc', 'snapshot', 'unshare',
                                      fakes.IMAGE_ID)
        self.assertEqual(2, code)
        code, out, err = self.run_cli('rc', 'snapshot', 'unshare',
                                      fakes.IMAGE_ID, '--all', '--project',
                                      BETA)
        self.assertEqual(2, code)

    def test_not_owner(self):
        self.image.update(owner=BETA)
        self.assertFails('only its owner can share or unshare it', 'rc',
                         'snapshot', 'unshare', fakes.IMAGE_ID, '--all')
        self.assertEqual(['GET %s' % IMAGE], self.calls())

    def test_forbidden(self):
        fakes.register_members(self.requests, fakes.IMAGE_ID, [
            fakes.image_member(BETA)])
        self.requests.delete('%s/%s' % (MEMBERS, BETA), status_code=403,
                             json=fakes.glance_error(403, 'Forbidden'))
        self.assertFails('does not allow this project to change who can '
                         'see snapshot', 'rc', 'snapshot', 'unshare',
                         fakes.IMAGE_ID, '--all')


class TestShareCopy(ShareTest):
    """``share --copy``: the pipeline, and its cleanup when any step
    fails."""

    ARGS = ('rc', 'snapshot', 'share', fakes.IMAGE_ID, '--project', BETA,
            '--copy', '--wait')

    def setUp(self):
        super().setUp()
        self.useFixture(base.FakeClock())
        fakes.register_image(self.requests, fakes.volume_backed_image(
            entries=[fakes.swap_entry(), fakes.root_entry(),
                     fakes.data_entry()], min_ram=1024))
        fakes.register_copies(self.requests)
        fakes.register_volume_snapshot(self.requests,
                                       fakes.volume_snapshot(size=10))
        self.requests.post(VOLUMES, status_code=202, json={
            'volume': fakes.volume(status='creating')})
        fakes.register_volume_states(self.requests, fakes.TMP_VOLUME_ID,
                                     'creating', 'available')
        self.requests.post(TMP + '/action', status_code=202,
                           json=fakes.upload_answer())
        self.copy_states('queued', 'saving', 'active')
        fakes.register_image_update(self.requests, self.copy_body('active'))
        self.requests.delete(TMP, status_code=202)
        self.requests.delete(COPY, status_code=204)
        fakes.register_add_member(self.requests, fakes.COPY_IMAGE_ID)

    def copy_body(self, status):
        return fakes.image(fakes.COPY_IMAGE_ID, 'analysis-vm-snap-copy',
                           status=status, disk_format='raw',
                           size=10 * 1024 ** 3)

    def copy_states(self, *states, **kwargs):
        if kwargs:
            self.requests.get(COPY, **kwargs)
        else:
            self.requests.get(COPY, [{'json': self.copy_body(s)}
                                     for s in states])

    def fails(self, expected, *args):
        """Exit 1, the error as the last stderr line, nothing on stdout."""
        code, out, err = self.run_cli(*(args or self.ARGS))
        self.assertEqual(1, code, err)
        self.assertEqual('', out)
        self.assertNotIn('Traceback', err)
        self.assertIn(expected, err.strip().splitlines()[-1])
        return err

    def test_copy_shared(self):
        code, out, err = self.run_cli(*self.ARGS, '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual({
            'id': fakes.COPY_IMAGE_ID, 'name': 'analysis-vm-snap-copy',
            'visibility': 'shared',
            'members': [{'project_id': BETA, 'status': 'pending'}],
            'source_snapshot': fakes.IMAGE_ID,
            'not_copied': [fakes.DATA_SNAP_ID], 'data_images': []},
            __import__('json').loads(out))
        self.assertEqual([
            'GET %s' % IMAGE,
            LIST_COPIES,
            'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
            'POST %s' % VOLUMES,
            'GET %s' % TMP, 'GET %s' % TMP,
            'POST %s/action' % TMP,
            'GET %s' % COPY, 'GET %s' % COPY, 'GET %s' % COPY,
            'PATCH %s' % COPY,
            'GET %s' % TMP,
            'DELETE %s' % TMP_DELETE,
            'PATCH %s' % COPY,
            'POST %s/members' % COPY], self.after_warm_up())
        writes = self.bodies()
        self.assertEqual(('POST %s' % VOLUMES, {'volume': {
            'snapshot_id': fakes.ROOT_SNAP_ID, 'size': 10,
            'name': 'analysis-vm-snap-copy-tmp',
            'description': 'Temporary volume for a copy of snapshot %s'
            % fakes.IMAGE_ID}}), writes[0])
        self.assertEqual(('POST %s/action' % TMP, {'os-volume_upload_image': {
            'image_name': 'analysis-vm-snap-copy', 'force': False,
            'disk_format': 'raw', 'container_format': 'bare'}}), writes[1])
        self.assertEqual(('PATCH %s' % COPY, [
            {'op': 'add', 'path': '/hw_disk_bus', 'value': 'virtio'},
            {'op': 'add', 'path': '/image_type', 'value': 'snapshot'},
            {'op': 'add', 'path': '/min_disk', 'value': 20},
            {'op': 'add', 'path': '/min_ram', 'value': 1024},
            {'op': 'add', 'path': '/os_distro', 'value': 'ubuntu'},
            {'op': 'add', 'path': '/rcsnap_source_snapshot_id',
             'value': fakes.IMAGE_ID},
            {'op': 'add', 'path': '/rcsnap_source_updated_at',
             'value': fakes.CREATED}]), writes[2])
        self.assertEqual([
            ('DELETE %s' % TMP_DELETE, None),
            ('PATCH %s' % COPY, replace('/visibility', 'shared')),
            ('POST %s/members' % COPY, {'member': BETA})], writes[3:])
        self.assertEqual([
            'Not copied: data volume snapshot %s (/dev/vdb); the copy holds '
            'the root disk only (--volumes all copies it).'
            % fakes.DATA_SNAP_ID,
            'Creating temporary volume %s from volume snapshot %s'
            % (fakes.TMP_VOLUME_ID, fakes.ROOT_SNAP_ID),
            'Volume %s: creating (0 s)' % fakes.TMP_VOLUME_ID,
            'Uploading volume %s to image %s' % (fakes.TMP_VOLUME_ID,
                                                 fakes.COPY_IMAGE_ID),
            'Image %s: queued (2 s)' % fakes.COPY_IMAGE_ID,
            'Image %s: saving (4 s)' % fakes.COPY_IMAGE_ID,
            'Image %s is active' % fakes.COPY_IMAGE_ID,
            'Deleted temporary volume %s' % fakes.TMP_VOLUME_ID],
            err.strip().splitlines())

    def test_name_and_disk_format(self):
        self.run_json(*self.ARGS, '--name', 'shared-vm',
                      '--disk-format', 'qcow2')
        upload = self.bodies()[1][1]['os-volume_upload_image']
        self.assertEqual(('shared-vm', 'qcow2'),
                         (upload['image_name'], upload['disk_format']))
        self.assertEqual('shared-vm-tmp',
                         self.bodies()[0][1]['volume']['name'])

    def test_root_volume_snapshot_missing(self):
        fakes.register_missing_volume_snapshot(self.requests,
                                               fakes.ROOT_SNAP_ID)
        self.fails('its root volume snapshot %s is missing'
                   % fakes.ROOT_SNAP_ID)
        self.assertEqual([], self.writes())

    def test_root_volume_snapshot_not_available(self):
        fakes.register_volume_snapshot(self.requests, fakes.volume_snapshot(
            status='creating'))
        self.fails('is creating, not available')
        self.assertEqual([], self.writes())

    def test_volume_quota(self):
        self.requests.post(VOLUMES, status_code=413, json={'overLimit': {
            'code': 413, 'message': 'VolumeSizeExceedsAvailableQuota: '
            'Requested volume or snapshot exceeds allowed gigabytes quota. '
            'Requested 10G, quota is 10G and 5G has been consumed.',
            'retryAfter': '0'}})
        err = self.fails('Quota exceeded: VolumeSizeExceedsAvailableQuota')
        self.assertEqual(1, len(err.strip().splitlines()) - 1)
        self.assertEqual(['POST %s' % VOLUMES], self.writes())

    def test_volume_error(self):
        fakes.register_volume_states(self.requests, fakes.TMP_VOLUME_ID,
                                     'creating', 'error')
        err = self.fails('Volume %s is error.' % fakes.TMP_VOLUME_ID)
        self.assertIn('Deleted temporary volume', err)
        self.assertEqual(['POST %s' % VOLUMES, 'DELETE %s' % TMP_DELETE],
                         self.writes())

    def test_upload_refused(self):
        self.requests.post(TMP + '/action', status_code=400, json={
            'badRequest': {'code': 400, 'message': 'Invalid volume'}})
        self.fails('Invalid volume')
        self.assertEqual(['POST %s' % VOLUMES, 'POST %s/action' % TMP,
                          'DELETE %s' % TMP_DELETE], self.writes())

    def test_image_quota_on_upload(self):
        self.requests.post(TMP + '/action', status_code=413, json={
            'overLimit': {'code': 413, 'message': 'Image quota exceeded'}})
        self.fails('Quota exceeded: Image quota exceeded')
        self.assertEqual('DELETE %s' % TMP_DELETE, self.writes()[-1])

    def test_image_killed(self):
        self.copy_states('queued', 'killed')
        err = self.fails('Image %s is killed.' % fakes.COPY_IMAGE_ID)
        self.assertIn('Deleted partial image %s' % fakes.COPY_IMAGE_ID, err)
        self.assertEqual(['POST %s' % VOLUMES, 'POST %s/action' % TMP,
                          'DELETE %s' % COPY, 'DELETE %s' % TMP_DELETE],
                         self.writes())

    def test_image_deleted_while_uploading(self):
        self.copy_states(status_code=404,
                         json=fakes.glance_error(404, 'Not found'))
        self.requests.delete(COPY, status_code=404,
                             json=fakes.glance_error(404, 'Not found'))
        self.fails('Image %s is deleted.' % fakes.COPY_IMAGE_ID)
        self.assertEqual(['DELETE %s' % COPY, 'DELETE %s' % TMP_DELETE],
                         self.writes()[-2:])

    def test_timeout_waits_for_busy_volume_before_deleting(self):
        self.copy_states('saving')
        fakes.register_volume_states(self.requests, fakes.TMP_VOLUME_ID,
                                     'creating', 'available', 'uploading',
                                     'available')
        self.fails('Timed out after 10 s waiting for Image %s (saving).'
                   % fakes.COPY_IMAGE_ID, *self.ARGS, '--timeout', '10')
        self.assertEqual(['DELETE %s' % COPY, 'DELETE %s' % TMP_DELETE],
                         self.writes()[-2:])

    def test_properties_update_fails(self):
        fakes.register_image_update(
            self.requests, self.copy_body('active'), status_code=500,
            json=fakes.glance_error(500, 'Internal Server Error'))
        self.fails('failed (HTTP 500)')
        self.assertEqual(['POST %s' % VOLUMES, 'POST %s/action' % TMP,
                          'PATCH %s' % COPY, 'DELETE %s' % COPY,
                          'DELETE %s' % TMP_DELETE], self.writes())

    def test_temporary_volume_delete_fails(self):
        self.requests.delete(TMP, status_code=500, json={
            'computeFault': {'code': 500, 'message': 'boom'}})
        err = self.fails('boom')
        self.assertIn('Deleted partial image %s' % fakes.COPY_IMAGE_ID, err)
        self.assertIn('Warning: could not delete temporary volume %s'
                      % fakes.TMP_VOLUME_ID, err)
        self.assertIn('openstack volume delete %s' % fakes.TMP_VOLUME_ID,
                      err)

    def lost_delete_then(self, *states):
        """DELETE of the temporary volume loses its answer; the volume is
        then seen in ``states``."""
        self.requests.delete(TMP, [
            {'exc': requests.exceptions.ConnectionError},
            {'status_code': 202}])
        fakes.register_volume_states(self.requests, fakes.TMP_VOLUME_ID,
                                     'creating', 'available', 'available',
                                     *states)
        code, out, err = self.run_cli(*self.ARGS)
        self.assertEqual(0, code, err)
        return [w for w in self.writes() if w.startswith('DELETE')]

    def test_lost_delete_answer_checked_not_repeated(self):
        self.assertEqual(['DELETE %s' % TMP_DELETE],
                         self.lost_delete_then('deleting'))

    def test_lost_delete_repeated_when_it_did_not_happen(self):
        self.assertEqual(['DELETE %s' % TMP_DELETE] * 2,
                         self.lost_delete_then('available'))

    def test_sharing_the_copy_fails(self):
        fakes.register_add_member(
            self.requests, fakes.COPY_IMAGE_ID, status_code=403,
            json=fakes.glance_error(403, 'Forbidden'))
        self.fails('does not allow this project to change who can see '
                   'snapshot %s' % fakes.COPY_IMAGE_ID)
        self.assertEqual([
            'POST %s' % VOLUMES, 'POST %s/action' % TMP, 'PATCH %s' % COPY,
            'DELETE %s' % TMP_DELETE, 'PATCH %s' % COPY,
            'POST %s/members' % COPY,
            'PATCH %s' % COPY, 'DELETE %s' % COPY], self.writes())

    def earlier_copy(self, **fields):
        body = dict(self.copy_body('active'), owner=base.PROJECT_ID,
                    rcsnap_source_snapshot_id=fakes.IMAGE_ID,
                    rcsnap_source_updated_at=fakes.CREATED)
        body.update(fields)
        return body

    def test_second_copy_reuses_the_first(self):
        copy = self.earlier_copy()
        fakes.register_copies(self.requests, [copy])
        fakes.register_image(self.requests, copy)
        code, out, err = self.run_cli(*self.ARGS, '--project', GAMMA,
                                      '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertIn('Reused copy %s of snapshot %s' % (
            fakes.COPY_IMAGE_ID, fakes.IMAGE_ID), err)
        self.assertEqual(fakes.COPY_IMAGE_ID, json.loads(out)['id'])
        # No disk is copied: the copy is made shared and gets the members.
        self.assertEqual([
            'PATCH %s' % COPY, 'POST %s/members' % COPY,
            'POST %s/members' % COPY], self.writes())

    def test_shared_copy_reused_for_a_new_project(self):
        copy = self.earlier_copy(visibility='shared')
        fakes.register_copies(self.requests, [copy])
        fakes.register_image(self.requests, copy)
        fakes.register_members(self.requests, fakes.COPY_IMAGE_ID, [
            fakes.image_member(BETA, 'accepted',
                               image_id=fakes.COPY_IMAGE_ID)])
        data = self.run_json(*self.ARGS, '--project', GAMMA)
        self.assertEqual([{'project_id': BETA, 'status': 'accepted'},
                          {'project_id': GAMMA, 'status': 'pending'}],
                         data['members'])
        self.assertEqual(['POST %s/members' % COPY], self.writes())

    def test_changed_source_is_copied_again(self):
        fakes.register_copies(self.requests, [self.earlier_copy(
            rcsnap_source_updated_at='2026-11-19T08:00:00Z')])
        code, out, err = self.run_cli(*self.ARGS)
        self.assertEqual(0, code, err)
        self.assertNotIn('Reused', err)
        self.assertIn('POST %s' % VOLUMES, self.writes())

    def test_new_copy_does_not_look(self):
        fakes.register_copies(self.requests, [self.earlier_copy()])
        code, out, err = self.run_cli(*self.ARGS, '--new-copy')
        self.assertEqual(0, code, err)
        self.assertNotIn(LIST_COPIES, self.calls())
        self.assertIn('POST %s' % VOLUMES, self.writes())

    def test_interrupted_while_creating_volume(self):
        states = iter(['creating', 'available'])

        def interrupt_once(request, context):
            if not getattr(interrupt_once, 'done', False):
                interrupt_once.done = True
                raise KeyboardInterrupt()
            return {'volume': fakes.volume(status=next(states))}
        fakes.register_volume_states(self.requests, fakes.TMP_VOLUME_ID,
                                     json=interrupt_once)
        code, out, err = self.run_cli(*self.ARGS)
        self.assertEqual(130, code)
        self.assertEqual('', out)
        self.assertNotIn('Traceback', err)
        # The volume is deleted once Cinder finished creating it.
        self.assertEqual(['POST %s' % VOLUMES, 'GET %s' % TMP,
                          'GET %s' % TMP, 'GET %s' % TMP,
                          'DELETE %s' % TMP_DELETE], self.after_warm_up()[3:])
        self.assertIn('Deleted temporary volume', err)

    def test_interrupted_while_uploading(self):
        def interrupt(request, context):
            raise KeyboardInterrupt()
        self.copy_states(json=interrupt)
        code, out, err = self.run_cli(*self.ARGS)
        self.assertEqual(130, code)
        self.assertEqual('', out)
        self.assertEqual(['POST %s' % VOLUMES, 'POST %s/action' % TMP,
                          'DELETE %s' % COPY, 'DELETE %s' % TMP_DELETE],
                         self.writes())


class TestListShared(ShareTest):

    def register(self, per_status):
        for status in ('accepted', 'pending', 'rejected'):
            fakes.register_image_list(
                self.requests, per_status.get(status, []),
                '?member_status=%s&visibility=shared' % status)

    def test_member_status_in_three_listings(self):
        theirs = [fakes.image_backed_image(
            'id-%d' % n, 'snap-%d' % n, owner=BETA, visibility='shared')
            for n in range(30)]
        mine = fakes.image_backed_image('mine', visibility='shared')
        plain = fakes.image('plain', owner=BETA, visibility='shared')
        self.register({'accepted': theirs[:10] + [mine, plain],
                       'pending': theirs[10:25], 'rejected': theirs[25:]})
        rows = self.run_json('rc', 'snapshot', 'list', '--shared')
        self.assertEqual(30, len(rows))
        self.assertEqual(
            ['accepted'] * 10 + ['pending'] * 15 + ['rejected'] * 5,
            [r['Member Status'] for r in rows])
        self.assertEqual(('id-0', 'snap-0', 'image-backed'), (
            rows[0]['ID'], rows[0]['Name'], rows[0]['Type']))
        self.assertEqual(sorted(
            'GET %s?limit=1000&member_status=%s&visibility=shared'
            % (IMAGES, status)
            for status in ('accepted', 'pending', 'rejected')),
            sorted(self.calls()))

    def test_by_name(self):
        self.register({})
        self.assertEqual([], self.run_json('rc', 'snapshot', 'list',
                                           '--shared', '--name', 'x'))
        for call in self.calls():
            self.assertIn('name=x', call)
        self.assertEqual(3, len(self.calls()))

    def test_other_scopes_have_no_member_status(self):
        fakes.register_image_list(self.requests, [
            fakes.image_backed_image()])
        rows = self.run_json('rc', 'snapshot', 'list', '--mine')
        self.assertNotIn('Member Status', rows[0])


class TestShowMembers(ShareTest):

    def test_owner_of_shared_sees_members(self):
        fakes.register_image(self.requests, fakes.image_backed_image(
            visibility='shared'))
        fakes.register_members(self.requests, fakes.IMAGE_ID, [
            fakes.image_member(BETA, 'accepted'),
            fakes.image_member(GAMMA, 'rejected')])
        data = self.run_json('rc', 'snapshot', 'show', fakes.IMAGE_ID)
        self.assertEqual([{'project_id': BETA, 'status': 'accepted'},
                          {'project_id': GAMMA, 'status': 'rejected'}],
                         data['members'])
        self.assertEqual(['GET %s' % IMAGE, 'GET %s' % MEMBERS],
                         self.after_warm_up())

    def test_table(self):
        fakes.register_image(self.requests, fakes.image_backed_image(
            visibility='shared'))
        fakes.register_members(self.requests, fakes.IMAGE_ID, [
            fakes.image_member(BETA, 'accepted')])
        code, out, err = self.run_cli('rc', 'snapshot', 'show',
                                      fakes.IMAGE_ID)
        self.assertEqual(0, code, err)
        self.assertIn('| members          | %s: accepted' % BETA, out)

    def test_owner_of_private_no_request(self):
        fakes.register_image(self.requests, fakes.image_backed_image())
        data = self.run_json('rc', 'snapshot', 'show', fakes.IMAGE_ID)
        self.assertEqual([], data['members'])
        self.assertEqual(['GET %s' % IMAGE], self.after_warm_up())

    def test_not_owner_no_members(self):
        fakes.register_image(self.requests, fakes.image_backed_image(
            owner=BETA, visibility='shared'))
        data = self.run_json('rc', 'snapshot', 'show', fakes.IMAGE_ID)
        self.assertNotIn('members', data)
        self.assertEqual(['GET %s' % IMAGE], self.after_warm_up())
