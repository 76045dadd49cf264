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

"""``rc snapshot delete`` over HTTP fakes: output and requests."""

import json

import requests
import testtools

from tests.unit import base
from tests.unit import fakes

IMAGES = base.IMAGE_URL + '/v2/images'
SNAPS = base.VOLUME_URL + '/snapshots'
VOLUMES = base.VOLUME_URL + '/volumes'
SECOND_IMAGE = 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b'
THIRD_SNAP = 'c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e7f'

LIST_IMAGES = 'GET %s?limit=1000&visibility=all' % IMAGES
LIST_HIDDEN = 'GET %s?limit=1000&os_hidden=true&visibility=all' % IMAGES
LIST_SNAPS = 'GET %s/detail?limit=1000' % SNAPS
LIST_VOLUMES = 'GET %s/detail?limit=1000' % VOLUMES
GATHER = [LIST_IMAGES, LIST_HIDDEN, LIST_SNAPS, LIST_VOLUMES]


def two_volume_image(image_id=fakes.IMAGE_ID, name='analysis-vm-snap',
                     root=fakes.ROOT_SNAP_ID, data=fakes.DATA_SNAP_ID,
                     **fields):
    return fakes.volume_backed_image(
        image_id, name, entries=[fakes.swap_entry(), fakes.root_entry(root),
                                 fakes.data_entry(data)], **fields)


def row(resource, result, kind='volume snapshot',
        name='snapshot for analysis-vm-snap'):
    return {'Resource': resource, 'Kind': kind, 'Name': name,
            'Result': result}


def image_row(result, image_id=fakes.IMAGE_ID, name='analysis-vm-snap'):
    return row(image_id, result, 'image', name)


class DeleteTest(base.TestCommand):

    def cloud(self, images=None, hidden=(), vols=None, volumes=()):
        """Register the listings ``rc snapshot delete`` gathers."""
        if images is None:
            images = [two_volume_image()]
        if vols is None:
            vols = [fakes.volume_snapshot(fakes.ROOT_SNAP_ID),
                    fakes.volume_snapshot(fakes.DATA_SNAP_ID, size=5,
                                          volume_id=fakes.DATA_VOLUME_ID)]
        # requests-mock tries the newest registration first.
        fakes.register_image_list(self.requests, images,
                                  '?visibility=all')
        fakes.register_image_list(self.requests, list(hidden),
                                  '?visibility=all&os_hidden=true')
        fakes.register_volume_snapshot_list(self.requests, vols)
        fakes.register_volume_list(self.requests, list(volumes))

    def accept_deletes(self, image_id=fakes.IMAGE_ID,
                       snapshot_ids=(fakes.ROOT_SNAP_ID, fakes.DATA_SNAP_ID)):
        """Glance and Cinder accept the DELETE of these."""
        fakes.register_delete_image(self.requests, image_id)
        for sid in snapshot_ids:
            fakes.register_delete_volume_snapshot(self.requests, sid)

    def delete(self, *args, code=0):
        """Run the command with ``-f json``: (rows, stderr)."""
        status, out, err = self.run_cli('rc', 'snapshot', 'delete', '--purge',
                                        '--yes', *args,
                                        '-f', 'json')
        self.assertEqual(code, status, err)
        self.assertNotIn('Traceback', err)
        return json.loads(out), err

    def bodies(self):
        """JSON bodies of the write requests (there should be none)."""
        return [r.body for r in self.requests.request_history
                if r.method not in ('GET', 'HEAD')
                and not r.url.startswith(base.AUTH_URL)]


class TestDelete(DeleteTest):

    def test_deletes_image_then_its_volume_snapshots(self):
        self.cloud()
        self.accept_deletes()
        rows, err = self.delete(fakes.IMAGE_ID)
        self.assertEqual([image_row('deleted'),
                          row(fakes.ROOT_SNAP_ID, 'deleting'),
                          row(fakes.DATA_SNAP_ID, 'deleting')], rows)
        self.assertEqual('', err)
        self.assertEqual(
            ['DELETE %s/%s' % (IMAGES, fakes.IMAGE_ID),
             'DELETE %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
             'DELETE %s/%s' % (SNAPS, fakes.DATA_SNAP_ID)], self.writes())
        self.assertEqual(sorted(GATHER), sorted(self.calls()[:4]))
        self.assertEqual(7, len(self.calls()))
        self.assertEqual([None, None, None], self.bodies())

    def listings_then(self, *polls):
        """Cinder's snapshot listing: the gathered one, then one per poll
        (each a list of (id, status))."""
        first = [fakes.volume_snapshot(fakes.ROOT_SNAP_ID),
                 fakes.volume_snapshot(fakes.DATA_SNAP_ID, size=5,
                                       volume_id=fakes.DATA_VOLUME_ID)]
        self.requests.get(SNAPS + '/detail', [
            {'json': {'snapshots': bodies}} for bodies in [first] + [
                [fakes.volume_snapshot(sid, status=status)
                 for sid, status in poll] for poll in polls]])

    def test_wait_until_gone(self):
        self.cloud()
        self.listings_then([(fakes.ROOT_SNAP_ID, 'deleting')])
        self.accept_deletes()
        fakes.register_volume_snapshot_states(
            self.requests, fakes.ROOT_SNAP_ID, 'deleting', None)
        rows, err = self.delete(fakes.IMAGE_ID, '--wait')
        self.assertEqual([image_row('deleted'),
                          row(fakes.ROOT_SNAP_ID, 'deleted'),
                          row(fakes.DATA_SNAP_ID, 'deleted')], rows)
        self.assertEqual(
            ['Deleting: volume snapshot %s deleting (0 s)'
             % fakes.ROOT_SNAP_ID], err.strip().splitlines())
        # Several pending: one listing per poll; one pending: one GET.
        self.assertEqual([LIST_SNAPS,
                          'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
                          'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID)],
                         self.calls()[7:])

    def test_late_failure_back_to_available(self):
        self.cloud()
        self.listings_then([(fakes.ROOT_SNAP_ID, 'deleting'),
                            (fakes.DATA_SNAP_ID, 'error_deleting')])
        self.accept_deletes()
        fakes.register_volume_snapshot_states(
            self.requests, fakes.ROOT_SNAP_ID, 'deleting', 'available')
        rows, err = self.delete(fakes.IMAGE_ID, '--wait', code=1)
        self.assertEqual([
            image_row('deleted'),
            row(fakes.ROOT_SNAP_ID, 'failed (Cinder gave up: it is '
                'available again (busy: a volume or clone may depend on '
                'it))'),
            row(fakes.DATA_SNAP_ID, 'failed (Cinder gave up: status is '
                'error_deleting)')], rows)
        self.assertEqual(
            '1 of 1 snapshots could not be deleted: %s' % fakes.IMAGE_ID,
            err.strip().splitlines()[-1])

    def test_wait_times_out(self):
        self.cloud([fakes.volume_backed_image(
            entries=[fakes.root_entry()])])
        fakes.register_delete_image(self.requests)
        fakes.register_delete_volume_snapshot(self.requests)
        fakes.register_volume_snapshot_states(
            self.requests, fakes.ROOT_SNAP_ID, 'deleting')
        rows, err = self.delete(fakes.IMAGE_ID, '--wait', '--timeout', '0',
                                code=1)
        self.assertEqual(row(fakes.ROOT_SNAP_ID,
                             'failed (still deleting after 0 s)'), rows[1])
        self.assertEqual(1, self.calls().count(
            'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID)))

    def test_wait_cinder_500_on_every_poll_is_named(self):
        # Cinder answers 500 to every poll of the deleting volume
        # snapshot: the wait does not call it slow, it says the server
        # erred and that the state is unknown, and exits 1.
        self.cloud([fakes.volume_backed_image(
            entries=[fakes.root_entry()])])
        fakes.register_delete_image(self.requests)
        fakes.register_delete_volume_snapshot(self.requests)
        self.requests.get('%s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
                          **fakes.server_fault())
        rows, err = self.delete(fakes.IMAGE_ID, '--wait', '--timeout', '20',
                                code=1)
        self.assertEqual([
            image_row('deleted'),
            row(fakes.ROOT_SNAP_ID, 'failed (Cinder answered 500 to every '
                'poll for 20 s; the state of volume snapshot %s is '
                'unknown)' % fakes.ROOT_SNAP_ID)], rows)
        self.assertEqual([
            'Deleting: volume snapshot %s unknown (Cinder answered 500) '
            '(0 s)' % fakes.ROOT_SNAP_ID,
            'Deleting: volume snapshot %s unknown (Cinder answered 500) '
            '(16 s)' % fakes.ROOT_SNAP_ID,
            '1 of 1 snapshots could not be deleted: %s' % fakes.IMAGE_ID],
            err.strip().splitlines())
        # A poll every 2 s, from 0 s to 20 s.
        self.assertEqual(
            ['GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID)] * 11,
            self.calls()[-11:])
        self.assertEqual(
            ['DELETE %s/%s' % (IMAGES, fakes.IMAGE_ID),
             'DELETE %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID)], self.writes())

    def test_wait_cinder_500_then_answers(self):
        # One poll left unanswered does not end the wait: the next answer
        # (404: gone) does.
        self.cloud([fakes.volume_backed_image(
            entries=[fakes.root_entry()])])
        fakes.register_delete_image(self.requests)
        fakes.register_delete_volume_snapshot(self.requests)
        self.requests.get('%s/%s' % (SNAPS, fakes.ROOT_SNAP_ID), [
            {'json': {'snapshot': fakes.volume_snapshot(
                status='deleting')}},
            fakes.server_fault(),
            {'status_code': 404,
             'json': fakes.not_found('Snapshot', fakes.ROOT_SNAP_ID)}])
        rows, err = self.delete(fakes.IMAGE_ID, '--wait', '--timeout', '20')
        self.assertEqual([image_row('deleted'),
                          row(fakes.ROOT_SNAP_ID, 'deleted')], rows)
        self.assertEqual([
            'Deleting: volume snapshot %s deleting (0 s)'
            % fakes.ROOT_SNAP_ID,
            'Deleting: volume snapshot %s unknown (Cinder answered 500) '
            '(2 s)' % fakes.ROOT_SNAP_ID], err.strip().splitlines())

    def test_wait_cinder_500_after_answers_names_the_last_polls(self):
        self.cloud([fakes.volume_backed_image(
            entries=[fakes.root_entry()])])
        fakes.register_delete_image(self.requests)
        fakes.register_delete_volume_snapshot(self.requests)
        self.requests.get('%s/%s' % (SNAPS, fakes.ROOT_SNAP_ID), [
            {'json': {'snapshot': fakes.volume_snapshot(
                status='deleting')}}] * 3 + [fakes.server_fault()])
        rows, err = self.delete(fakes.IMAGE_ID, '--wait', '--timeout', '20',
                                code=1)
        self.assertEqual(
            row(fakes.ROOT_SNAP_ID, 'failed (Cinder answered 500 to every '
                'poll of the last 14 s; the state of volume snapshot %s is '
                'unknown)' % fakes.ROOT_SNAP_ID), rows[1])

    def test_dry_run_makes_no_write(self):
        self.cloud(volumes=[fakes.volume(fakes.DATA_VOLUME_ID,
                                         snapshot_id=None)])
        rows, err = self.delete(fakes.IMAGE_ID, '--dry-run', '--wait')
        self.assertEqual([
            image_row('would delete'),
            row(fakes.ROOT_SNAP_ID, 'would delete'),
            row(fakes.DATA_SNAP_ID, 'would delete')], rows)
        self.assertEqual([], self.writes())
        self.assertEqual(sorted(GATHER), sorted(self.calls()))

    def test_dependent_volume_refuses_never_orphans(self):
        volume = fakes.volume(snapshot_id=fakes.DATA_SNAP_ID, attachments=[{
            'id': fakes.TMP_VOLUME_ID, 'attachment_id': 'a-1',
            'volume_id': fakes.TMP_VOLUME_ID, 'server_id': fakes.SERVER_ID,
            'host_name': None, 'device': '/dev/vdb',
            'attached_at': '2026-11-20T11:00:05.000000'}], status='in-use')
        self.cloud(volumes=[volume])
        why = ('volume snapshot %s would be left behind: volume %s '
               '(attached to server %s) was created from it; delete that '
               'volume first, or use --keep-volume-snapshots to delete the '
               'image alone'
               % (fakes.DATA_SNAP_ID, fakes.TMP_VOLUME_ID, fakes.SERVER_ID))
        for args, verb in (((), 'refused'), (('--dry-run',),
                                             'would be refused')):
            rows, err = self.delete(fakes.IMAGE_ID, *args, code=1)
            self.assertEqual([
                image_row('%s (%s)' % (verb, why)),
                row(fakes.ROOT_SNAP_ID, 'kept (image not deleted)'),
                row(fakes.DATA_SNAP_ID, 'kept (volume %s was created from '
                    'it)' % fakes.TMP_VOLUME_ID)], rows)
            self.assertEqual(1, len(err.strip().splitlines()), err)
            self.assertIn(why, err)
        self.assertEqual([], self.writes())

    def test_dependent_volume_stuck_uploading_is_named(self):
        # A temporary volume an interrupted copy left uploading keeps the
        # root volume snapshot: the refusal says what it is and who can
        # change it, not just "delete that volume first" (which Cinder
        # would refuse with a 400).
        volume = fakes.volume(snapshot_id=fakes.ROOT_SNAP_ID,
                              status='uploading')
        self.cloud(volumes=[volume])
        rows, err = self.delete(fakes.IMAGE_ID, code=1)
        why = ('volume snapshot %(snap)s would be left behind: volume '
               '%(vol)s (uploading: Cinder deletes nothing in that state '
               'until it ends; if it stays so, an operator can reset it with '
               '`openstack volume set --state available %(vol)s` (admin '
               'only)) was created from it; delete that volume first, or use '
               '--keep-volume-snapshots to delete the image alone' % {
                   'snap': fakes.ROOT_SNAP_ID, 'vol': fakes.TMP_VOLUME_ID})
        self.assertEqual(image_row('refused (%s)' % why), rows[0])
        self.assertEqual(['1 of 1 snapshots could not be deleted: %s (%s)'
                          % (fakes.IMAGE_ID, why)], err.strip().splitlines())
        self.assertEqual([], self.writes())

    def test_requests_do_not_grow_with_snapshots(self):
        images, vols, names = [], [], []
        for n in range(20):
            sid = 'a%07d-e5f6-4a7b-8c9d-0e1f2a3b4c5d' % n
            image_id = 'c%07d-5b6d-4e8a-9c0b-1d2e3f4a5b6c' % n
            images.append(fakes.volume_backed_image(
                image_id, 'snap-%d' % n, entries=[fakes.root_entry(sid)]))
            vols.append(fakes.volume_snapshot(sid))
            names.append(image_id)
        self.cloud(images, vols=vols)
        rows, err = self.delete(*names, '--dry-run')
        self.assertEqual(40, len(rows))
        self.assertEqual(sorted(GATHER), sorted(self.calls()))

    def test_image_backed_asks_cinder_one_listing(self):
        # started with Glance's listings, before the images are known
        self.cloud([fakes.image_backed_image()])
        fakes.register_delete_image(self.requests)
        rows, err = self.delete('web-vm-snap')
        self.assertEqual([image_row('deleted', name='web-vm-snap')], rows)
        self.assertEqual(sorted([LIST_IMAGES, LIST_HIDDEN, LIST_SNAPS,
                                 'DELETE %s/%s' % (IMAGES, fakes.IMAGE_ID)]),
                         sorted(self.calls()))

    def test_keep_volume_snapshots_asks_cinder_nothing(self):
        self.cloud()
        fakes.register_delete_image(self.requests)
        rows, err = self.delete(fakes.IMAGE_ID, '--keep-volume-snapshots')
        self.assertEqual([image_row('deleted'),
                          row(fakes.ROOT_SNAP_ID,
                              'kept (--keep-volume-snapshots)', name=''),
                          row(fakes.DATA_SNAP_ID,
                              'kept (--keep-volume-snapshots)', name='')],
                         rows)
        self.assertEqual(sorted([LIST_IMAGES, LIST_HIDDEN,
                                 'DELETE %s/%s' % (IMAGES, fakes.IMAGE_ID)]),
                         sorted(self.calls()))

    def test_hidden_snapshot_and_hidden_reference(self):
        other = fakes.volume_backed_image(
            SECOND_IMAGE, 'old', entries=[fakes.root_entry()],
            os_hidden=True)
        self.cloud([], hidden=[two_volume_image(os_hidden=True), other])
        rows, err = self.delete(fakes.IMAGE_ID, '--dry-run')
        self.assertEqual(row(fakes.ROOT_SNAP_ID, 'kept (also used by image '
                             '%s)' % SECOND_IMAGE), rows[1])

    def test_table_output(self):
        self.cloud()
        code, out, err = self.run_cli('rc', 'snapshot', 'delete',
                                      fakes.IMAGE_ID, '--dry-run')
        self.assertEqual(0, code, err)
        self.assertIn('| Resource', out)
        self.assertIn('| %s | image           | analysis-vm-snap'
                      % fakes.IMAGE_ID, out)


class TestRefusalsAndFailures(DeleteTest):

    def test_protected_refused_nothing_deleted(self):
        self.cloud([two_volume_image(protected=True)])
        rows, err = self.delete(fakes.IMAGE_ID, code=1)
        self.assertEqual([
            image_row('refused (protected; run "openstack image set '
                      '--unprotected %s" first)' % fakes.IMAGE_ID),
            row(fakes.ROOT_SNAP_ID, 'kept (image not deleted)'),
            row(fakes.DATA_SNAP_ID, 'kept (image not deleted)')], rows)
        self.assertEqual(
            '1 of 1 snapshots could not be deleted: %s' % fakes.IMAGE_ID,
            err.strip())
        self.assertEqual([], self.writes())

    def test_not_owner_refused_after_one_cinder_listing(self):
        self.cloud([two_volume_image(owner=base.OTHER_PROJECT_ID)])
        rows, err = self.delete(fakes.IMAGE_ID, '--force', code=1)
        self.assertEqual(image_row('refused (owned by project %s, not this '
                                   'one)' % base.OTHER_PROJECT_ID), rows[0])
        self.assertEqual(sorted([LIST_IMAGES, LIST_HIDDEN, LIST_SNAPS]),
                         sorted(self.calls()))

    def test_accepted_members_refused_unless_force(self):
        self.cloud([two_volume_image(visibility='shared')])
        fakes.register_members(self.requests, fakes.IMAGE_ID, [
            fakes.image_member(base.OTHER_PROJECT_ID, 'accepted'),
            fakes.image_member('p-pending')])
        rows, err = self.delete(fakes.IMAGE_ID, code=1)
        self.assertEqual(image_row(
            'refused (shared with projects that accepted it: %s; use '
            '--force)' % base.OTHER_PROJECT_ID), rows[0])
        self.assertEqual([], self.writes())
        self.assertIn('GET %s/%s/members' % (IMAGES, fakes.IMAGE_ID),
                      self.calls())
        self.assertEqual(5, len(self.calls()))

    def test_accepted_members_with_force(self):
        self.cloud([two_volume_image(visibility='shared')])
        fakes.register_members(self.requests, fakes.IMAGE_ID, [
            fakes.image_member(base.OTHER_PROJECT_ID, 'accepted')])
        self.accept_deletes()
        rows, err = self.delete(fakes.IMAGE_ID, '--force')
        self.assertEqual(['deleted', 'deleting', 'deleting'],
                         [r['Result'] for r in rows])

    def test_not_a_snapshot_refused(self):
        self.cloud([fakes.image(name='ubuntu')])
        rows, err = self.delete('ubuntu', code=1)
        self.assertEqual([image_row('refused (not an instance snapshot)',
                                    name='ubuntu')], rows)

    def test_unknown_name(self):
        self.cloud([])
        rows, err = self.delete('nope', code=1)
        self.assertEqual([row('nope', "failed (no image with a name or ID "
                              "of 'nope')", 'image', '')], rows)
        self.assertEqual('1 of 1 snapshots could not be deleted: nope',
                         err.strip())

    def test_unknown_name_dry_run(self):
        self.cloud([fakes.image(name='ubuntu')])
        rows, err = self.delete('nope', 'ubuntu', '--dry-run', code=1)
        self.assertEqual([
            row('nope', "would fail (no image with a name or ID of 'nope')",
                'image', ''),
            image_row('would be refused (not an instance snapshot)',
                      name='ubuntu')], rows)
        self.assertEqual('2 of 2 snapshots would not be deleted: nope, '
                         'ubuntu', err.strip())
        self.assertEqual([], self.writes())

    def test_several_go_on_after_a_failure(self):
        self.cloud([two_volume_image(),
                    fakes.volume_backed_image(
                        SECOND_IMAGE, 'second',
                        entries=[fakes.root_entry(THIRD_SNAP)])],
                   vols=[fakes.volume_snapshot(fakes.ROOT_SNAP_ID),
                         fakes.volume_snapshot(fakes.DATA_SNAP_ID),
                         fakes.volume_snapshot(THIRD_SNAP)])
        fakes.register_delete_image(
            self.requests, status_code=409,
            json=fakes.glance_error(409, 'Image status transition from '
                                    'saving to deleted is not allowed'))
        fakes.register_delete_image(self.requests, SECOND_IMAGE)
        fakes.register_delete_volume_snapshot(self.requests, THIRD_SNAP)
        rows, err = self.delete(fakes.IMAGE_ID, SECOND_IMAGE, 'nope',
                                code=1)
        self.assertEqual([
            image_row('failed (Image status transition from saving to '
                      'deleted is not allowed (HTTP 409))'),
            row(fakes.ROOT_SNAP_ID, 'kept (image %s not deleted)'
                % fakes.IMAGE_ID),
            row(fakes.DATA_SNAP_ID, 'kept (image %s not deleted)'
                % fakes.IMAGE_ID),
            image_row('deleted', SECOND_IMAGE, 'second'),
            row(THIRD_SNAP, 'deleting'),
            row('nope', "failed (no image with a name or ID of 'nope')",
                'image', '')], rows)
        self.assertEqual(['DELETE %s/%s' % (IMAGES, fakes.IMAGE_ID),
                          'DELETE %s/%s' % (IMAGES, SECOND_IMAGE),
                          'DELETE %s/%s' % (SNAPS, THIRD_SNAP)],
                         self.writes())
        self.assertEqual('2 of 3 snapshots could not be deleted: %s, nope'
                         % fakes.IMAGE_ID, err.strip())

    def test_cinder_refuses_the_delete(self):
        self.cloud()
        fakes.register_delete_image(self.requests)
        fakes.register_delete_volume_snapshot(self.requests,
                                              fakes.ROOT_SNAP_ID)
        fakes.register_delete_volume_snapshot(
            self.requests, fakes.DATA_SNAP_ID, status_code=400,
            json={'badRequest': {'code': 400, 'message': 'Invalid snapshot: '
                                 'Snapshot status must be available or error '
                                 'and must not be part of a group.'}})
        # Read back after the refusal: available, so Cinder's words stand.
        fakes.register_volume_snapshot_states(
            self.requests, fakes.DATA_SNAP_ID, 'available')
        rows, err = self.delete(fakes.IMAGE_ID, code=1)
        self.assertEqual(row(fakes.DATA_SNAP_ID, 'failed (Invalid snapshot: '
                             'Snapshot status must be available or error '
                             'and must not be part of a group. (HTTP 400))'),
                         rows[2])
        self.assertEqual('deleting', rows[1]['Result'])

    def test_glance_listing_fails_one_line(self):
        self.requests.get(IMAGES, status_code=500,
                          json=fakes.glance_error(500, 'boom'))
        self.assertFails('failed (HTTP 500): boom', 'rc', 'snapshot',
                         'delete', fakes.IMAGE_ID)
        self.assertEqual([], self.writes())

    def test_cinder_unreachable_one_line(self):
        fakes.register_image_list(self.requests, [two_volume_image()])
        self.requests.get(SNAPS + '/detail',
                          exc=requests.exceptions.ConnectTimeout)
        fakes.register_volume_list(self.requests, [])
        self.assertFails('Cannot reach the cloud:', 'rc', 'snapshot',
                         'delete', fakes.IMAGE_ID)
        self.assertEqual([], self.writes())

    def test_no_snapshot_given(self):
        self.assertFails('Name the snapshots to delete, or give --orphans.',
                         'rc', 'snapshot', 'delete')
        self.assertEqual([], self.calls())

    def test_orphans_arguments(self):
        for args, message in (
                (('snap', '--orphans'),
                 'Give snapshot names or --orphans, not both.'),
                (('snap', '--all'), '--all applies only with --orphans.'),
                (('--orphans', '--force'), '--force and '
                 '--keep-volume-snapshots do not apply with --orphans.'),
                (('--orphans', '--keep-volume-snapshots'), '--force and '
                 '--keep-volume-snapshots do not apply with --orphans.')):
            self.assertFails(message, 'rc', 'snapshot', 'delete', *args)
        self.assertEqual([], self.calls())

    def test_ambiguous_name(self):
        self.cloud([two_volume_image(), two_volume_image(SECOND_IMAGE)])
        rows, err = self.delete('analysis-vm-snap', code=1)
        self.assertEqual([row(
            'analysis-vm-snap', "failed (more than one image is named "
            "'analysis-vm-snap': %s, %s; use an ID)"
            % (fakes.IMAGE_ID, SECOND_IMAGE), 'image', '')], rows)
        self.assertEqual([], self.writes())

    def test_public_refused_unless_force(self):
        self.cloud([fakes.image_backed_image(visibility='public')])
        rows, err = self.delete(fakes.IMAGE_ID, code=1)
        self.assertEqual(image_row('refused (visibility is public: other '
                                   'projects may use it; use --force)',
                                   name='web-vm-snap'), rows[0])
        self.assertEqual([], self.writes())

    def test_glance_unreachable_during_delete(self):
        self.cloud([fakes.image_backed_image()])
        fakes.register_delete_image(
            self.requests, exc=requests.exceptions.ConnectionError)
        rows, err = self.delete(fakes.IMAGE_ID, code=1)
        self.assertTrue(rows[0]['Result'].startswith(
            'failed (Cannot reach the cloud:'), rows[0])
        self.assertEqual(
            '1 of 1 snapshots could not be deleted: %s' % fakes.IMAGE_ID,
            err.strip())


class TestDeletionState(testtools.TestCase):

    def test_states(self):
        from rcsnap_osc.cloud import removal
        self.assertEqual((True, None), removal.deletion_state(None))
        self.assertEqual((False, None),
                         removal.deletion_state({'status': 'deleting'}))
        done, failure = removal.deletion_state({'status': 'available'})
        self.assertTrue(done)
        self.assertIn('available again', failure)
        for status in ('error_deleting', 'error'):
            self.assertEqual(
                (True, 'Cinder gave up: status is %s' % status),
                removal.deletion_state({'status': status}))
