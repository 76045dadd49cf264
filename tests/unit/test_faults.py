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

"""Faults a real cloud cannot be made to produce on demand: a service
answering 500, timing out, refusing with 409, or going away in the middle
of a long command, and Ctrl-C. Each case asserts the one-line error, the
exact requests made and, where the command had created something, the
requests that removed it (the rest of the catalogue runs against a real
cloud in ``tests/functional/test_faults.py``)."""

import requests

from rcsnap_osc.cloud import session
from tests.unit import base
from tests.unit import fakes

IMAGES = base.IMAGE_URL + '/v2/images'
SNAPS = base.VOLUME_URL + '/snapshots'
VOLUMES = base.VOLUME_URL + '/volumes'
DELETE_VOLUME = 'DELETE %s/%s?cascade=False&force=False' % (
    VOLUMES, fakes.TMP_VOLUME_ID)
SERVERS = base.COMPUTE_URL + '/servers'
DOWN = {'exc': requests.exceptions.ConnectionError}
TIMEOUT = {'exc': requests.exceptions.ReadTimeout}
#: What a load balancer says while the service behind it restarts.
UNAVAILABLE = {'status_code': 503, 'text': '<html><body><h1>503 Service '
               'Unavailable</h1>No server is available to handle this '
               'request.</body></html>', 'headers': {
                   'Content-Type': 'text/html'}}
BAD_GATEWAY = {'status_code': 502, 'text': '<html><body><h1>502 Bad '
               'Gateway</h1></body></html>', 'headers': {
                   'Content-Type': 'text/html'}}
CTRL_C = {'exc': KeyboardInterrupt}
#: share --copy writes when it fails after the upload began: the temporary
#: volume and the upload, then the cleanup of both.
UPLOADED_THEN_BOTH_DELETED = [
    'POST %s' % VOLUMES,
    'POST %s/%s/action' % (VOLUMES, fakes.TMP_VOLUME_ID),
    'DELETE %s/%s' % (IMAGES, fakes.COPY_IMAGE_ID),
    DELETE_VOLUME]


def server_error(service):
    return {'status_code': 500, 'json': fakes.glance_error(
        500, '%s: The server has either erred or is incapable of performing '
        'the requested operation.' % service)}


def register_server(requests):
    """The server to snapshot, and its root volume (what the quiesce
    verdict is read from)."""
    fakes.register_server(requests, fakes.server())
    fakes.register_root_volume(requests)


class FaultTest(base.TestCommand):

    def assertFailsLast(self, expected, *argv):
        """Exit 1, nothing on stdout, no traceback, and the error as the
        last stderr line (earlier lines are progress and cleanup)."""
        code, out, err = self.run_cli(*argv)
        self.assertEqual(1, code, 'stdout: %s stderr: %s' % (out, err))
        self.assertEqual('', out)
        self.assertNotIn('Traceback', err)
        lines = err.strip().splitlines()
        self.assertIn(expected, lines[-1])
        return lines


class TestReadFaults(FaultTest):
    """show and list: a failing service is named, nothing is written."""

    def test_show_cinder_500(self):
        fakes.register_image(self.requests, fakes.volume_backed_image())
        self.requests.get('%s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
                          **server_error('Cinder'))
        line = self.assertFails('failed (HTTP 500)', 'rc', 'snapshot',
                                'show', fakes.IMAGE_ID)
        self.assertIn('GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID), line)
        self.assertIn('erred', line)
        self.assertEqual(['GET %s/%s' % (IMAGES, fakes.IMAGE_ID),
                          'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID)],
                         self.after_warm_up())

    def test_show_glance_timeout(self):
        self.requests.get('%s/%s' % (IMAGES, fakes.IMAGE_ID), **TIMEOUT)
        line = self.assertFails('Cannot reach the cloud:', 'rc', 'snapshot',
                                'show', fakes.IMAGE_ID)
        self.assertIn('glance.example.org', line)
        self.assertEqual([], self.writes())

    def test_list_cinder_500(self):
        fakes.register_image_list(self.requests,
                                  [fakes.volume_backed_image()])
        self.requests.get(SNAPS + '/detail', **server_error('Cinder'))
        line = self.assertFails('failed (HTTP 500)', 'rc', 'snapshot',
                                'list')
        self.assertIn('GET %s/detail' % SNAPS, line)
        self.assertEqual(['GET %s?limit=1000' % IMAGES,
                          'GET %s/detail?limit=1000' % SNAPS], self.calls())

    def test_list_glance_500(self):
        self.requests.get(IMAGES, **server_error('Glance'))
        line = self.assertFails('failed (HTTP 500)', 'rc', 'snapshot',
                                'list')
        self.assertIn('GET %s' % IMAGES, line)
        self.assertEqual(['GET %s?limit=1000' % IMAGES], self.calls())

    def test_list_cinder_timeout(self):
        fakes.register_image_list(self.requests,
                                  [fakes.volume_backed_image()])
        self.requests.get(SNAPS + '/detail', **TIMEOUT)
        line = self.assertFails('Cannot reach the cloud:', 'rc', 'snapshot',
                                'list', '--long')
        self.assertIn('cinder.example.org', line)


class TestCreateFaults(FaultTest):

    def setUp(self):
        super().setUp()
        register_server(self.requests)

    def test_nova_409_writes_nothing_else(self):
        fakes.register_create_image(
            self.requests, status_code=409, json=fakes.nova_error(
                'conflictingRequest', 409,
                "Cannot 'createImage' instance %s while it is in task_state "
                "image_snapshot" % fakes.SERVER_ID))
        lines = self.assertFailsLast('Cannot snapshot server', 'rc',
                                     'snapshot', 'create', fakes.SERVER_ID,
                                     '--wait')
        self.assertIn('task_state image_snapshot', lines[-1])
        self.assertEqual(['POST %s/%s/action' % (SERVERS, fakes.SERVER_ID)],
                         self.writes())

    def test_nova_500(self):
        fakes.register_create_image(self.requests, status_code=500,
                                    json=fakes.nova_error(
                                        'computeFault', 500,
                                        'Unexpected API Error.'))
        lines = self.assertFailsLast('failed (HTTP 500)', 'rc', 'snapshot',
                                     'create', fakes.SERVER_ID)
        self.assertIn('Unexpected API Error.', lines[-1])
        self.assertEqual(1, len(self.writes()))

    def test_cinder_stops_during_wait(self):
        fakes.register_create_image(self.requests)
        fakes.register_image(self.requests, fakes.volume_backed_image())
        self.requests.get('%s/%s' % (SNAPS, fakes.ROOT_SNAP_ID), [
            {'json': {'snapshot': fakes.volume_snapshot(status='creating')}},
            DOWN])
        lines = self.assertFailsLast('Cannot reach the cloud:', 'rc',
                                     'snapshot', 'create', fakes.SERVER_ID,
                                     '--wait')
        self.assertIn('cinder.example.org', lines[-1])
        # The snapshot Nova made is what the command was meant to create:
        # it stays, and no other write was made.
        self.assertEqual(['POST %s/%s/action' % (SERVERS, fakes.SERVER_ID)],
                         self.writes())
        self.assertCalls([
            'GET %s/%s' % (SERVERS, fakes.SERVER_ID),
            {'GET %s/%s' % (VOLUMES, fakes.ROOT_VOLUME_ID),
             'GET ' + fakes.QUOTA_URL},
            'POST %s/%s/action' % (SERVERS, fakes.SERVER_ID),
            'GET %s/%s' % (IMAGES, fakes.IMAGE_ID),
            'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID)] +
            # The read that lost its connection, tried again before the
            # command gives up.
            ['GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID)] *
            (1 + session.CONNECT_RETRIES))

    def test_glance_500_during_wait(self):
        # Glance answers once, then 500 to every poll: the wait goes on to
        # its deadline, and says the server erred, not that it timed out.
        fakes.register_create_image(self.requests)
        self.requests.get('%s/%s' % (IMAGES, fakes.IMAGE_ID), [
            {'json': fakes.image_backed_image(status='queued')},
            server_error('Glance')])
        lines = self.assertFailsLast(
            'Glance answered 500 to every poll of the last 18 s; the state '
            'of snapshot %s is unknown.' % fakes.IMAGE_ID, 'rc', 'snapshot',
            'create', fakes.SERVER_ID, '--wait', '--timeout', '20')
        self.assertNotIn('Timed out', lines[-1])
        self.assertEqual(1, len(self.writes()))
        # A poll every 2 s from 0 s to 20 s: one answered, ten not.
        self.assertEqual(11, self.calls().count(
            'GET %s/%s' % (IMAGES, fakes.IMAGE_ID)))
        self.assertEqual(
            ['Snapshot %s: image queued (0 s)' % fakes.IMAGE_ID,
             'Snapshot %s: image unknown (Glance answered 500) (2 s)'
             % fakes.IMAGE_ID,
             'Snapshot %s: image unknown (Glance answered 500) (18 s)'
             % fakes.IMAGE_ID], lines[-4:-1])


class CopyFaultTest(FaultTest):
    """``share --copy`` of a volume-backed snapshot, and its cleanup."""

    def setUp(self):
        super().setUp()
        self.snapshot = fakes.volume_backed_image()
        fakes.register_image(self.requests, self.snapshot)
        fakes.register_copies(self.requests)
        fakes.register_volume_snapshot(self.requests,
                                       fakes.volume_snapshot())
        self.requests.post(VOLUMES, status_code=202, json={
            'volume': fakes.volume(status='creating')})
        self.requests.post('%s/%s/action' % (VOLUMES, fakes.TMP_VOLUME_ID),
                           status_code=202, json=fakes.upload_answer())
        self.requests.delete('%s/%s' % (VOLUMES, fakes.TMP_VOLUME_ID),
                             status_code=202)
        self.requests.delete('%s/%s' % (IMAGES, fakes.COPY_IMAGE_ID),
                             status_code=204)
        self.copy = fakes.image(fakes.COPY_IMAGE_ID, 'analysis-vm-snap-copy',
                                disk_format='raw')
        fakes.register_image_update(self.requests, self.copy)

    def share_copy(self):
        return ('rc', 'snapshot', 'share', fakes.IMAGE_ID, '--copy',
                '--project', base.OTHER_PROJECT_ID)

    def volume_states(self, *answers):
        self.requests.get('%s/%s' % (VOLUMES, fakes.TMP_VOLUME_ID), [
            a if isinstance(a, dict) else
            {'json': {'volume': fakes.volume(status=a)}} for a in answers])

    def copy_states(self, *answers):
        self.requests.get('%s/%s' % (IMAGES, fakes.COPY_IMAGE_ID), [
            a if isinstance(a, dict) else
            {'json': dict(self.copy, status=a)} for a in answers])


class TestShareCopyFaults(CopyFaultTest):

    def test_cinder_stops_after_upload_image_is_deleted(self):
        self.volume_states('available', DOWN)
        self.copy_states('saving', 'active')
        lines = self.assertFailsLast('Cannot reach the cloud:',
                                     *self.share_copy())
        self.assertEqual([
            'POST %s' % VOLUMES,
            'POST %s/%s/action' % (VOLUMES, fakes.TMP_VOLUME_ID),
            'PATCH %s/%s' % (IMAGES, fakes.COPY_IMAGE_ID),
            'DELETE %s/%s' % (IMAGES, fakes.COPY_IMAGE_ID)], self.writes())
        text = '\n'.join(lines)
        self.assertIn('Deleted partial image %s' % fakes.COPY_IMAGE_ID, text)
        # Cinder is gone: the volume cannot be deleted, and the user is
        # told exactly how to do it.
        self.assertIn('openstack volume delete %s' % fakes.TMP_VOLUME_ID,
                      text)

    def test_cinder_stops_while_volume_is_created(self):
        self.volume_states('creating', DOWN)
        lines = self.assertFailsLast('Cannot reach the cloud:',
                                     *self.share_copy())
        self.assertEqual(['POST %s' % VOLUMES], self.writes())
        self.assertIn('openstack volume delete %s' % fakes.TMP_VOLUME_ID,
                      '\n'.join(lines))

    def test_glance_500_on_upload_poll_deletes_both(self):
        self.volume_states('available')
        self.copy_states('queued', server_error('Glance'))
        lines = self.assertFailsLast(
            'Glance answered 500 to every poll of the last 1798 s; the state '
            'of image %s is unknown.' % fakes.COPY_IMAGE_ID,
            *self.share_copy())
        self.assertEqual(UPLOADED_THEN_BOTH_DELETED, self.writes())
        self.assertIn('Deleted temporary volume %s' % fakes.TMP_VOLUME_ID,
                      '\n'.join(lines))

    def test_cinder_500_on_volume_create_writes_nothing_else(self):
        self.requests.post(VOLUMES, **server_error('Cinder'))
        self.assertFailsLast('failed (HTTP 500)', *self.share_copy())
        self.assertEqual(['POST %s' % VOLUMES], self.writes())

    def test_volume_error_state_deletes_volume(self):
        self.volume_states('creating', 'error')
        lines = self.assertFailsLast(
            'Volume %s is error.' % fakes.TMP_VOLUME_ID, *self.share_copy())
        self.assertEqual([
            'POST %s' % VOLUMES,
            DELETE_VOLUME], self.writes())
        self.assertIn('Deleted temporary volume', '\n'.join(lines))

    def test_ctrl_c_during_upload_deletes_both(self):
        self.volume_states('available')
        self.copy_states('saving', CTRL_C)
        code, out, err = self.run_cli(*self.share_copy())
        self.assertEqual(130, code, err)
        self.assertEqual('', out)
        self.assertNotIn('Traceback', err)
        self.assertEqual(UPLOADED_THEN_BOTH_DELETED, self.writes())
        self.assertIn('Deleted temporary volume %s' % fakes.TMP_VOLUME_ID,
                      err)

    def test_ctrl_c_image_already_deleted_is_no_warning(self):
        # Glance refuses to delete an image that is deleted already (400):
        # it is gone, and the cleanup says so, with no warning.
        self.volume_states('available')
        self.copy_states('saving', CTRL_C)
        self.requests.delete('%s/%s' % (IMAGES, fakes.COPY_IMAGE_ID),
                             status_code=400, json=fakes.glance_error(
                                 400, 'Image status transition from deleted '
                                 'to deleted is not allowed'))
        code, out, err = self.run_cli(*self.share_copy())
        self.assertEqual(130, code, err)
        self.assertNotIn('Warning', err)
        self.assertEqual(UPLOADED_THEN_BOTH_DELETED, self.writes())
        self.assertEqual([
            'Deleted partial image %s' % fakes.COPY_IMAGE_ID,
            'Deleted temporary volume %s' % fakes.TMP_VOLUME_ID],
            err.strip().splitlines()[-2:])

    def test_image_delete_500_but_gone_when_read_back(self):
        # The DELETE's answer is a 500, but the image is gone when read
        # back (404): removed, no warning.
        self.volume_states('available')
        self.copy_states('saving', CTRL_C, {
            'status_code': 404, 'json': fakes.glance_error(
                404, 'No image found with ID %s' % fakes.COPY_IMAGE_ID)})
        self.requests.delete('%s/%s' % (IMAGES, fakes.COPY_IMAGE_ID),
                             **server_error('Glance'))
        code, out, err = self.run_cli(*self.share_copy())
        self.assertEqual(130, code, err)
        self.assertNotIn('Warning', err)
        self.assertIn('Deleted partial image %s' % fakes.COPY_IMAGE_ID, err)
        image = 'GET %s/%s' % (IMAGES, fakes.COPY_IMAGE_ID)
        self.assertEqual([image, image, 'DELETE %s/%s' % (
            IMAGES, fakes.COPY_IMAGE_ID), image], [
                c for c in self.calls() if fakes.COPY_IMAGE_ID in c
                and '/action' not in c])

    def test_image_delete_500_and_there_when_read_back_is_one_warning(self):
        self.volume_states('available')
        self.copy_states('saving', CTRL_C, 'saving')
        self.requests.delete('%s/%s' % (IMAGES, fakes.COPY_IMAGE_ID),
                             **server_error('Glance'))
        code, out, err = self.run_cli(*self.share_copy())
        self.assertEqual(130, code, err)
        url = '%s/%s' % (IMAGES, fakes.COPY_IMAGE_ID)
        self.assertEqual([
            'Warning: could not delete image %(id)s (DELETE %(url)s failed '
            '(HTTP 500): Glance: %(erred)s): delete it with `openstack image '
            'delete %(id)s`.' % {'id': fakes.COPY_IMAGE_ID, 'url': url,
                                 'erred': fakes.ERRED},
            'Deleted temporary volume %s' % fakes.TMP_VOLUME_ID],
            err.strip().splitlines()[-2:])
        # Read back once after the refused DELETE.
        self.assertEqual(['GET ' + url, 'GET ' + url, 'DELETE ' + url,
                          'GET ' + url], [
            c for c in self.calls() if fakes.COPY_IMAGE_ID in c
            and '/action' not in c])

    def test_volume_delete_500_but_gone_when_read_back(self):
        # Cinder answers the DELETE with a 500, and "could not be found"
        # when the volume is read back: removed, no warning.
        self.volume_states('available', 'available', {
            'status_code': 404,
            'json': fakes.not_found('Volume', fakes.TMP_VOLUME_ID)})
        self.copy_states('saving', CTRL_C)
        self.requests.delete('%s/%s' % (VOLUMES, fakes.TMP_VOLUME_ID),
                             **fakes.server_fault())
        code, out, err = self.run_cli(*self.share_copy())
        self.assertEqual(130, code, err)
        self.assertNotIn('Warning', err)
        self.assertEqual(UPLOADED_THEN_BOTH_DELETED, self.writes())
        self.assertEqual(
            'Deleted temporary volume %s' % fakes.TMP_VOLUME_ID,
            err.strip().splitlines()[-1])
        self.assertEqual(3, self.calls().count(
            'GET %s/%s' % (VOLUMES, fakes.TMP_VOLUME_ID)))

    def test_temporary_volume_stuck_uploading_is_named(self):
        # Cinder keeps the temporary volume uploading: its owner cannot
        # delete it. The warning names the state and what to do, rather
        # than a command that would be refused.
        self.volume_states('available', 'uploading')
        self.copy_states('saving', CTRL_C)
        code, out, err = self.run_cli(*self.share_copy())
        self.assertEqual(130, code, err)
        self.assertEqual(
            'Warning: could not delete temporary volume %(id)s: it is '
            'uploading, a state Cinder deletes nothing in: wait until it '
            'ends, then delete it with `openstack volume delete %(id)s`; '
            'if it stays uploading, ask an operator to reset its state '
            '(`openstack volume set --state available %(id)s`, admin '
            'only).' % {'id': fakes.TMP_VOLUME_ID},
            err.strip().splitlines()[-1])
        self.assertEqual(UPLOADED_THEN_BOTH_DELETED[:-1], self.writes())
        # Polled every 2 s for the cleanup's 300 s, then read back once.
        self.assertEqual(1 + 151 + 1, self.calls().count(
            'GET %s/%s' % (VOLUMES, fakes.TMP_VOLUME_ID)))

    def test_glance_500_on_sharing_the_copy_deletes_it(self):
        self.volume_states('available')
        self.copy_states('active')
        shared = dict(self.copy, visibility='shared')
        self.requests.patch('%s/%s' % (IMAGES, fakes.COPY_IMAGE_ID), [
            {'json': self.copy}, {'json': shared}, {'json': self.copy}])
        fakes.register_add_member(self.requests, fakes.COPY_IMAGE_ID,
                                  **server_error('Glance'))
        lines = self.assertFailsLast('failed (HTTP 500)', *self.share_copy())
        writes = self.writes()
        self.assertEqual('DELETE %s/%s' % (IMAGES, fakes.COPY_IMAGE_ID),
                         writes[-1])
        self.assertIn('POST %s/%s/members' % (IMAGES, fakes.COPY_IMAGE_ID),
                      writes)
        self.assertIn(DELETE_VOLUME, writes)
        self.assertIn('Deleted partial image', '\n'.join(lines))


class TestMemberFaults(FaultTest):

    def test_share_glance_500_on_member_add_reverts_visibility(self):
        snap = fakes.image_backed_image()
        fakes.register_image(self.requests, snap)
        fakes.register_members(self.requests, fakes.IMAGE_ID, [])
        self.requests.patch('%s/%s' % (IMAGES, fakes.IMAGE_ID), [
            {'json': dict(snap, visibility='shared')}, {'json': snap}])
        fakes.register_add_member(self.requests, fakes.IMAGE_ID,
                                  **server_error('Glance'))
        self.assertFails('failed (HTTP 500)', 'rc', 'snapshot', 'share',
                         fakes.IMAGE_ID, '--project', base.OTHER_PROJECT_ID)
        self.assertEqual([
            'PATCH %s/%s' % (IMAGES, fakes.IMAGE_ID),
            'POST %s/%s/members' % (IMAGES, fakes.IMAGE_ID),
            'PATCH %s/%s' % (IMAGES, fakes.IMAGE_ID)], self.writes())
        patches = [r.json() for r in self.requests.request_history
                   if r.method == 'PATCH']
        self.assertEqual(
            [[{'op': 'replace', 'path': '/visibility', 'value': 'shared'}],
             [{'op': 'replace', 'path': '/visibility', 'value': 'private'}]],
            patches)

    def test_share_revert_fails_too_says_so(self):
        snap = fakes.image_backed_image()
        fakes.register_image(self.requests, snap)
        # Read back after the failed revert: still shared.
        self.requests.get('%s/%s' % (IMAGES, fakes.IMAGE_ID), [
            {'json': snap}, {'json': dict(snap, visibility='shared')}])
        self.requests.patch('%s/%s' % (IMAGES, fakes.IMAGE_ID), [
            {'json': dict(snap, visibility='shared')},
            server_error('Glance')])
        fakes.register_add_member(self.requests, fakes.IMAGE_ID,
                                  **server_error('Glance'))
        lines = self.assertFailsLast(
            'failed (HTTP 500)', 'rc', 'snapshot', 'share', fakes.IMAGE_ID,
            '--project', base.OTHER_PROJECT_ID)
        self.assertEqual(2, len(lines), lines)
        self.assertTrue(lines[0].startswith(
            'Warning: could not make image %s private again (PATCH '
            % fakes.IMAGE_ID), lines[0])
        self.assertTrue(lines[0].endswith(
            'it stays shared, with no members; `openstack image set '
            '--private %s` does it.' % fakes.IMAGE_ID), lines[0])
        self.assertIn('POST', lines[1])
        self.assertEqual(2, self.calls().count(
            'GET %s/%s' % (IMAGES, fakes.IMAGE_ID)))

    def revert_fails(self, *reads, **answer):
        """Adding the member fails (500), then the PATCH that makes the
        image private again answers ``answer``; the image reads back as
        ``reads`` say. The stderr lines."""
        snap = fakes.image_backed_image()
        fakes.register_image(self.requests, snap)
        if reads:
            self.requests.get('%s/%s' % (IMAGES, fakes.IMAGE_ID), [
                {'json': snap}] + list(reads))
        self.requests.patch('%s/%s' % (IMAGES, fakes.IMAGE_ID), [
            {'json': dict(snap, visibility='shared')}, answer])
        fakes.register_add_member(self.requests, fakes.IMAGE_ID,
                                  **server_error('Glance'))
        return self.assertFailsLast(
            'failed (HTTP 500)', 'rc', 'snapshot', 'share', fakes.IMAGE_ID,
            '--project', base.OTHER_PROJECT_ID)

    def test_share_revert_500_but_private_when_read_back_is_no_warning(self):
        # The revert's answer is lost in a 500, but Glance applied it.
        lines = self.revert_fails(**server_error('Glance'))
        self.assertEqual(1, len(lines), lines)
        self.assertIn('POST', lines[0])

    def test_share_revert_of_an_image_deleted_meanwhile_is_no_warning(self):
        gone = {'status_code': 404, 'json': fakes.glance_error(
            404, 'No image found with ID %s' % fakes.IMAGE_ID)}
        lines = self.revert_fails(gone, **gone)
        self.assertEqual(1, len(lines), lines)
        self.assertIn('POST', lines[0])
        # The 404 says it is gone: not read back.
        self.assertEqual(1, self.calls().count(
            'GET %s/%s' % (IMAGES, fakes.IMAGE_ID)))

    def test_accept_glance_timeout(self):
        snap = fakes.image_backed_image(owner=base.OTHER_PROJECT_ID,
                                        visibility='shared')
        fakes.register_image(self.requests, snap)
        self.requests.put('%s/%s/members/%s' % (
            IMAGES, fakes.IMAGE_ID, base.PROJECT_ID), **TIMEOUT)
        self.assertFails('Cannot reach the cloud:', 'rc', 'snapshot',
                         'accept', fakes.IMAGE_ID)
        self.assertEqual(['PUT %s/%s/members/%s' % (
            IMAGES, fakes.IMAGE_ID, base.PROJECT_ID)], self.writes())


class TestRetries(FaultTest):
    """Reads are retried on dropped connections and on 502/503/504;
    writes go out once."""

    def setUp(self):
        super().setUp()
        register_server(self.requests)

    def test_dropped_reads_are_retried(self):
        snap = fakes.volume_snapshot()
        self.requests.get('%s/%s' % (IMAGES, fakes.IMAGE_ID), [
            DOWN, UNAVAILABLE, {'json': fakes.volume_backed_image(
                entries=[fakes.root_entry()])}])
        self.requests.get('%s/%s' % (SNAPS, fakes.ROOT_SNAP_ID), [
            TIMEOUT, BAD_GATEWAY, {'json': {'snapshot': snap}}])
        # the early volume page is not retried: the volume's GET is
        self.requests.get(base.VOLUME_PAGE.split()[1], complete_qs=True,
                          **BAD_GATEWAY)
        fakes.register_root_volume(self.requests)
        data = self.run_json('rc', 'snapshot', 'show', fakes.IMAGE_ID)
        self.assertEqual(10, data['size_gib'])
        self.assertEqual(['GET %s/%s' % (IMAGES, fakes.IMAGE_ID)] * 3 +
                         ['GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID)] * 3 +
                         ['GET %s/%s' % (VOLUMES, fakes.ROOT_VOLUME_ID)],
                         self.after_warm_up())

    def test_poll_survives_a_restart(self):
        fakes.register_create_image(self.requests)
        self.requests.get('%s/%s' % (IMAGES, fakes.IMAGE_ID), [
            {'json': fakes.image_backed_image(status='saving')},
            DOWN, UNAVAILABLE,
            {'json': fakes.image_backed_image(status='active')}])
        data = self.run_json('rc', 'snapshot', 'create', fakes.SERVER_ID,
                             '--wait')
        self.assertEqual('active', data['status'])
        self.assertEqual(['POST %s/%s/action' % (SERVERS, fakes.SERVER_ID)],
                         self.writes())

    def test_dead_service_fails_in_one_line(self):
        self.requests.get('%s/%s' % (IMAGES, fakes.IMAGE_ID), **DOWN)
        self.assertFails('Cannot reach the cloud:', 'rc', 'snapshot',
                         'show', fakes.IMAGE_ID)
        self.assertEqual(1 + session.CONNECT_RETRIES,
                         len(self.after_warm_up()))

    def lost_create_answer(self, *listings, lost=DOWN):
        """createImage loses its answer; Glance then lists ``listings``."""
        self.useFixture(base.FakeClock())
        fakes.register_create_image(self.requests, **lost)
        self.requests.get(
            '%s?name=analysis-vm&rcsnap%%3Aserver_id=%s'
            % (IMAGES, fakes.SERVER_ID),
            [{'json': {'images': list(images), 'schema': '/v2/schemas/images',
                       'first': '/v2/images'}} for images in listings])
        return ['GET %s?limit=1000&name=analysis-vm&rcsnap%%3Aserver_id=%s'
                % (IMAGES, fakes.SERVER_ID)]

    def test_lost_create_answer_checked_not_repeated(self):
        listing = self.lost_create_answer([])
        lines = self.assertFailsLast(
            "Nova's answer to the snapshot request was lost", 'rc',
            'snapshot', 'create', fakes.SERVER_ID)
        self.assertIn('no snapshot analysis-vm of server analysis-vm '
                      'appeared: none was made', lines[-1])
        self.assertEqual(['POST %s/%s/action' % (SERVERS, fakes.SERVER_ID)],
                         self.writes())
        # Glance asked again for 10 s, every 2 s, before giving up.
        self.assertEqual(listing * 6, [c for c in self.calls()
                                       if c.startswith('GET %s?' % IMAGES)])

    def assertLostCreateAnswerSentOnce(self, lost):
        """Whichever way the answer is lost, the POST went out once: the
        SDK and keystoneauth retry no write, on the lowest versions
        requirements.txt allows too (tox -e lower-constraints)."""
        self.lost_create_answer([], lost=lost)
        self.assertFailsLast(
            "Nova's answer to the snapshot request was lost", 'rc',
            'snapshot', 'create', fakes.SERVER_ID)
        self.assertEqual(['POST %s/%s/action' % (SERVERS, fakes.SERVER_ID)],
                         self.writes())

    def test_create_connection_dropped_is_never_sent_again(self):
        self.assertLostCreateAnswerSentOnce(DOWN)

    def test_create_answer_timed_out_is_never_sent_again(self):
        # Nova had the request: the answer did not come back in time.
        self.assertLostCreateAnswerSentOnce(TIMEOUT)

    def test_lost_create_answer_but_made(self):
        snap = fakes.volume_backed_image(name='analysis-vm',
                                         entries=[fakes.root_entry()])
        fakes.register_image(self.requests, snap)
        fakes.register_volume_snapshot(self.requests,
                                       fakes.volume_snapshot())
        self.lost_create_answer([], [snap])
        data = self.run_json('rc', 'snapshot', 'create', fakes.SERVER_ID)
        self.assertEqual(fakes.IMAGE_ID, data['id'])
        self.assertEqual(['POST %s/%s/action' % (SERVERS, fakes.SERVER_ID)],
                         self.writes())

    def test_user_settings_win(self):
        fake = type('Session', (), {})()
        seen = []
        fake.request = lambda url, method, **kw: seen.append(kw)
        session.retry_reads(fake)
        session.retry_reads(fake)  # once only
        fake.request('u', 'GET', connect_retries=0)
        fake.request('u', 'POST')
        self.assertEqual(0, seen[0]['connect_retries'])
        self.assertEqual(session.STATUS_CODE_RETRIES,
                         seen[0]['status_code_retries'])
        self.assertEqual([502, 503, 504], seen[0]['retriable_status_codes'])
        self.assertEqual({}, seen[1])
