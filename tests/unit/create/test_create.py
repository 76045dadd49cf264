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

"""``rc snapshot create`` over HTTP fakes: the quiesce verdict,
--require-quiesce and --stop; output and requests."""

import json

from tests.unit.create import base as create_base
from tests.unit import fakes

IMAGES = create_base.IMAGES
SNAPS = create_base.SNAPS
VOLUMES = create_base.VOLUMES
SERVERS = create_base.SERVERS
QUOTA = 'GET ' + fakes.QUOTA_URL


class TestVerdict(create_base.CreateTest):
    """The verdict said before Nova is asked, and recorded on the image."""

    def create(self, server_body, *volumes):
        create_base.FakeNova(self, [server_body])
        for volume in volumes:
            self.requests.get('%s/%s' % (VOLUMES, volume['id']),
                              json={'volume': volume})
        self.snapshot_ready()
        code, out, err = self.run_cli('rc', 'snapshot', 'create',
                                      server_body['id'], '-f', 'json')
        self.assertEqual(0, code, err)
        return err.strip().splitlines(), json.loads(out)

    def recorded(self):
        return self.action_bodies()[-1]['createImage']['metadata'][
            'rcsnap:consistency']

    def test_volume_backed_agent_declared(self):
        lines, data = self.create(fakes.server(), create_base.attached_volume(
            metadata={'hw_qemu_guest_agent': 'yes'}))
        self.assertEqual(['Server analysis-vm: file systems frozen by the '
                          'guest agent.'], lines)
        self.assertEqual('quiesced', self.recorded())
        self.assertCalls([
            'GET %s/%s' % (SERVERS, fakes.SERVER_ID),
            {'GET %s/%s' % (VOLUMES, fakes.ROOT_VOLUME_ID), QUOTA},
            'POST %s/%s/action' % (SERVERS, fakes.SERVER_ID),
            'GET %s/%s' % (IMAGES, fakes.IMAGE_ID),
            'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID)])
        self.assertEqual(fakes.IMAGE_ID, data['id'])

    def test_volume_snapshot_cinder_does_not_find_is_one_warning(self):
        # The image is there, but Cinder answers "could not be found" for
        # its volume snapshot: said once, after the verdict.
        create_base.FakeNova(self, [fakes.server()])
        self.requests.get('%s/%s' % (VOLUMES, fakes.ROOT_VOLUME_ID),
                          json={'volume': create_base.attached_volume()})
        self.snapshot_ready()
        fakes.register_missing_volume_snapshot(self.requests,
                                               fakes.ROOT_SNAP_ID)
        code, out, err = self.run_cli('rc', 'snapshot', 'create',
                                      fakes.SERVER_ID, '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual(
            'Warning: volume snapshot %s (/dev/vda) of snapshot %s is '
            'missing: deleted, or not visible to this project.' % (
                fakes.ROOT_SNAP_ID, fakes.IMAGE_ID),
            err.strip().splitlines()[-1])
        self.assertEqual(2, len(err.strip().splitlines()))

    def test_volume_backed_agent_not_declared(self):
        lines, _ = self.create(fakes.server(), create_base.attached_volume())
        self.assertEqual(['Server analysis-vm: crash-consistent: the guest '
                          'agent is not declared; use --stop for a clean '
                          'snapshot.'], lines)
        self.assertEqual('crash-consistent', self.recorded())

    def test_root_volume_is_the_boot_device_not_a_data_volume(self):
        body = fakes.server()
        body['os-extended-volumes:volumes_attached'] = [
            {'id': fakes.DATA_VOLUME_ID, 'delete_on_termination': False},
            {'id': fakes.ROOT_VOLUME_ID, 'delete_on_termination': False}]
        lines, _ = self.create(body, create_base.attached_volume(
            fakes.DATA_VOLUME_ID, device='/dev/vdb', bootable='false',
            metadata={'hw_qemu_guest_agent': 'yes'}),
            create_base.attached_volume())
        self.assertIn('crash-consistent', lines[0])

    def test_image_backed_agent_declared(self):
        fakes.register_image(self.requests, fakes.image(
            fakes.BASE_IMAGE_ID, 'base-image', hw_qemu_guest_agent='yes'))
        create_base.FakeNova(self, [create_base.image_backed_server()])
        fakes.register_image(self.requests, fakes.image_backed_image())
        code, out, err = self.run_cli('rc', 'snapshot', 'create',
                                      fakes.SERVER_ID)
        self.assertEqual(0, code, err)
        self.assertEqual('Server web-vm: file systems frozen by the guest '
                         'agent.', err.strip())
        self.assertEqual([
            'GET %s/%s' % (SERVERS, fakes.SERVER_ID),
            'GET %s/%s' % (IMAGES, fakes.BASE_IMAGE_ID),
            'POST %s/%s/action' % (SERVERS, fakes.SERVER_ID),
            'GET %s/%s' % (IMAGES, fakes.IMAGE_ID)], self.calls())
        self.assertEqual('quiesced', self.recorded())

    def test_image_backed_image_gone_is_unknown(self):
        self.requests.get('%s/%s' % (IMAGES, fakes.BASE_IMAGE_ID),
                          status_code=404,
                          json=fakes.glance_error(404, 'not found'))
        create_base.FakeNova(self, [create_base.image_backed_server()])
        fakes.register_image(self.requests, fakes.image_backed_image())
        code, out, err = self.run_cli('rc', 'snapshot', 'create',
                                      fakes.SERVER_ID)
        self.assertEqual(0, code, err)
        self.assertIn('Server web-vm: consistency unknown', err)
        self.assertEqual('unknown', self.recorded())

    def test_stopped_server(self):
        lines, _ = self.create(fakes.server(status='SHUTOFF'),
                               create_base.attached_volume())
        self.assertEqual(['Server analysis-vm: server is stopped: '
                          'consistent.'], lines)
        self.assertEqual('stopped', self.recorded())

    def test_user_property_kept_verdict_wins(self):
        create_base.FakeNova(self, [fakes.server()])
        self.requests.get('%s/%s' % (VOLUMES, fakes.ROOT_VOLUME_ID),
                          json={'volume': create_base.attached_volume()})
        self.snapshot_ready()
        self.run_json('rc', 'snapshot', 'create', fakes.SERVER_ID,
                      '--property', 'purpose=course', '--property',
                      'rcsnap:consistency=quiesced')
        self.assertEqual({'purpose': 'course',
                          'rcsnap:consistency': 'crash-consistent',
                          'rcsnap:server_id': fakes.SERVER_ID},
                         self.action_bodies()[0]['createImage']['metadata'])

    def test_require_quiesce_refuses_before_any_write(self):
        create_base.FakeNova(self, [fakes.server()])
        self.requests.get('%s/%s' % (VOLUMES, fakes.ROOT_VOLUME_ID),
                          json={'volume': create_base.attached_volume()})
        self.assertFails(
            'Server analysis-vm: crash-consistent: the guest agent is not '
            'declared; use --stop for a clean snapshot (refused: '
            '--require-quiesce); nothing was made.',
            'rc', 'snapshot', 'create', fakes.SERVER_ID,
            '--require-quiesce')
        self.assertEqual([], self.writes())

    def test_require_quiesce_nova_refuses(self):
        create_base.FakeNova(self, [fakes.server()], create={
            fakes.SERVER_ID: (400, create_base.AGENT_REFUSAL)})
        self.requests.get('%s/%s' % (VOLUMES, fakes.ROOT_VOLUME_ID),
                          json={'volume': create_base.attached_volume(
                              metadata={'hw_qemu_guest_agent': 'yes',
                                        'os_require_quiesce': 'yes'})})
        lines = self.assertFailsAfterVerdict(
            'Nova could not freeze the file systems of server analysis-vm '
            'and its image requires it: QEMU guest agent is not enabled; no '
            'snapshot was made. Use --stop for a consistent snapshot.',
            'rc', 'snapshot', 'create', fakes.SERVER_ID,
            '--require-quiesce')
        self.assertEqual(2, len(lines))


class TestStop(create_base.CreateTest):
    """``create --stop``: the server is started again on every path."""

    def setUp(self):
        super().setUp()
        self.requests.get('%s/%s' % (VOLUMES, fakes.ROOT_VOLUME_ID),
                          json={'volume': create_base.attached_volume()})

    def nova(self, **kwargs):
        self.fake = create_base.FakeNova(self, [fakes.server()], **kwargs)
        return self.fake

    def test_stop_snapshot_start(self):
        self.nova()
        self.snapshot_ready()
        code, out, err = self.run_cli('rc', 'snapshot', 'create',
                                      fakes.SERVER_ID, '--stop', '-f',
                                      'json')
        self.assertEqual(0, code, err)
        data = json.loads(out)
        self.assertEqual('active', data['status'])
        self.assertEqual(10, data['size_gib'])
        self.assertEqual([('analysis-vm', 'os-stop'),
                          ('analysis-vm', 'createImage'),
                          ('analysis-vm', 'os-start')], self.fake.actions)
        self.assertEqual('ACTIVE', self.fake.bodies[fakes.SERVER_ID][
            'status'])
        lines = err.strip().splitlines()
        self.assertEqual('Server analysis-vm: server is stopped: '
                         'consistent.', lines[0])
        self.assertRegex(lines[-1], r'^Server analysis-vm was down for '
                                    r'\d+ s\.$')
        self.assertEqual('stopped', self.action_bodies()[1]['createImage'][
            'metadata']['rcsnap:consistency'])
        server = '%s/%s' % (SERVERS, fakes.SERVER_ID)
        self.assertCalls([
            'GET ' + server,
            {'GET %s/%s' % (VOLUMES, fakes.ROOT_VOLUME_ID), QUOTA},
            'POST %s/action' % server, 'GET ' + server,
            'POST %s/action' % server,
            'GET %s/%s' % (IMAGES, fakes.IMAGE_ID),
            'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
            'POST %s/action' % server, 'GET ' + server])

    def test_already_stopped_stays_stopped(self):
        self.fake = create_base.FakeNova(
            self, [fakes.server(status='SHUTOFF')])
        self.snapshot_ready()
        code, out, err = self.run_cli('rc', 'snapshot', 'create',
                                      fakes.SERVER_ID, '--stop')
        self.assertEqual(0, code, err)
        self.assertEqual([('analysis-vm', 'createImage')], self.fake.actions)
        self.assertEqual('SHUTOFF',
                         self.fake.bodies[fakes.SERVER_ID]['status'])
        self.assertNotIn('down for', err)

    def test_nova_refuses_the_snapshot_started_again(self):
        self.nova(create={fakes.SERVER_ID: (409, fakes.nova_error(
            'conflictingRequest', 409, 'Cannot create image now'))})
        lines = self.assertFailsAfterVerdict(
            'Cannot snapshot server analysis-vm now: Cannot create image '
            'now Server analysis-vm was started again (down ',
            'rc', 'snapshot', 'create', fakes.SERVER_ID, '--stop')
        self.assertEqual(2, len(lines))
        self.assertEqual(['os-stop', 'createImage', 'os-start'],
                         [a for _, a in self.fake.actions])
        self.assertEqual('ACTIVE',
                         self.fake.bodies[fakes.SERVER_ID]['status'])

    def test_snapshot_fails_started_again(self):
        self.nova()
        fakes.register_image(self.requests, fakes.volume_backed_image())
        fakes.register_volume_snapshot(self.requests, fakes.volume_snapshot(
            status='error'))
        self.assertFailsAfterVerdict(
            'Snapshot %s failed: volume snapshot %s is error. Server '
            'analysis-vm was started again' % (fakes.IMAGE_ID,
                                               fakes.ROOT_SNAP_ID),
            'rc', 'snapshot', 'create', fakes.SERVER_ID, '--stop')
        self.assertEqual('os-start', self.fake.actions[-1][1])
        self.assertEqual('ACTIVE',
                         self.fake.bodies[fakes.SERVER_ID]['status'])

    def test_snapshot_timeout_started_again(self):
        self.nova()
        fakes.register_image(self.requests, fakes.image_backed_image(
            status='saving'))
        self.assertFailsAfterVerdict(
            'Timed out after 0 s waiting for snapshot %s: image saving. '
            'Server analysis-vm was started again' % fakes.IMAGE_ID,
            'rc', 'snapshot', 'create', fakes.SERVER_ID, '--stop',
            '--timeout', '0')
        self.assertEqual('ACTIVE',
                         self.fake.bodies[fakes.SERVER_ID]['status'])

    def test_stop_timeout_start_tried(self):
        self.nova(stuck=[fakes.SERVER_ID])
        lines = self.assertFailsAfterVerdict(
            'Timed out after 0 s waiting for server analysis-vm to be '
            'SHUTOFF (it is ACTIVE). Server analysis-vm could not be '
            'started again (',
            'rc', 'snapshot', 'create', fakes.SERVER_ID, '--stop',
            '--timeout', '0')
        self.assertIn('`openstack server start %s` starts it.'
                      % fakes.SERVER_ID, lines[-1])
        self.assertEqual(['os-stop', 'os-start'],
                         [a for _, a in self.fake.actions])
        self.assertNotIn('createImage', str(self.action_bodies()))

    def test_paused_server_is_not_stopped(self):
        self.nova()
        self.fake.bodies[fakes.SERVER_ID]['OS-EXT-STS:vm_state'] = 'paused'
        self.fake.bodies[fakes.SERVER_ID]['status'] = 'PAUSED'
        self.snapshot_ready()
        # A paused server is not stopped: snapshotted as it is.
        code, out, err = self.run_cli('rc', 'snapshot', 'create',
                                      fakes.SERVER_ID, '--stop')
        self.assertEqual(0, code, err)
        self.assertIn('crash-consistent: Nova freezes the file systems of '
                      'ACTIVE servers only, this one is PAUSED', err)
        self.assertEqual(['createImage'], [a for _, a in self.fake.actions])

    def test_ctrl_c_starts_the_server_again(self):
        self.nova()

        def interrupt(request, context):
            raise KeyboardInterrupt()
        self.requests.get('%s/%s' % (IMAGES, fakes.IMAGE_ID), json=interrupt)
        code, out, err = self.run_cli('rc', 'snapshot', 'create',
                                      fakes.SERVER_ID, '--stop')
        self.assertNotEqual(0, code)
        self.assertEqual(['os-stop', 'createImage', 'os-start'],
                         [a for _, a in self.fake.actions])
        self.assertIn('Interrupted: server analysis-vm was asked to start '
                      'again.', err)
