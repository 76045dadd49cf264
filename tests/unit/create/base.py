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

"""Fakes and a base class for the create command tests: Nova servers
whose status follows os-stop and os-start, and volumes attached to them."""

from tests.unit import base
from tests.unit import fakes

IMAGES = base.IMAGE_URL + '/v2/images'
SNAPS = base.VOLUME_URL + '/snapshots'
VOLUMES = base.VOLUME_URL + '/volumes'
SERVERS = base.COMPUTE_URL + '/servers'

#: Nova's refusal when the image requires quiescing and the guest agent
#: is not enabled (QemuGuestAgentNotEnabled, an Invalid: HTTP 400).
AGENT_REFUSAL = fakes.nova_error('badRequest', 400,
                                 'QEMU guest agent is not enabled')


def attached_volume(volume_id=fakes.ROOT_VOLUME_ID, server_id=fakes.SERVER_ID,
                    device='/dev/vda', metadata=None, bootable='true'):
    """A Cinder volume attached to a server, as the local cloud shows one
    made from an image (``volume_image_metadata``: strings only)."""
    image_metadata = {
        'signature_verified': 'False', 'os_distro': 'ubuntu',
        'image_id': fakes.BASE_IMAGE_ID, 'image_name': 'base-image',
        'checksum': '1d65983aedb5d66f98f251085b922e2f',
        'container_format': 'bare', 'disk_format': 'raw', 'min_disk': '1',
        'min_ram': '0', 'size': '4194304'}
    image_metadata.update(metadata or {})
    return fakes.volume(
        volume_id, status='in-use', snapshot_id=None, bootable=bootable,
        attachments=[{'id': volume_id, 'attachment_id': 'att-' + volume_id,
                      'volume_id': volume_id, 'server_id': server_id,
                      'host_name': None, 'device': device,
                      'attached_at': '2026-11-20T10:00:00.000000'}],
        volume_image_metadata=image_metadata)


class FakeNova:
    """Servers whose status follows os-stop and os-start, as Nova's do
    (the fake driver stops and starts at once), and createImage.

    ``create`` maps a server ID to the requests-mock answer of its
    createImage (default: 202 with the image ID of ``images``);
    ``stuck`` servers never finish stopping.
    """

    def __init__(self, test, servers, images=None, create=None, stuck=()):
        self.test = test
        self.bodies = {s['id']: s for s in servers}
        self.images = images or {}
        self.create = create or {}
        self.stuck = set(stuck)
        self.actions = []
        for body in servers:
            test.requests.get('%s/%s' % (SERVERS, body['id']),
                              json=self.get)
            test.requests.post('%s/%s/action' % (SERVERS, body['id']),
                               json=self.act)
        test.requests.get(SERVERS + '/detail', json=lambda r, c: {
            'servers': list(self.bodies.values())})

    def server_of(self, request):
        return self.bodies[request.path.split('/')[-2 if request.path.endswith(
            '/action') else -1]]

    def get(self, request, context):
        return {'server': self.server_of(request)}

    def act(self, request, context):
        body = self.server_of(request)
        action = next(iter(request.json()))
        self.actions.append((body['name'], action))
        conflict = fakes.nova_error(
            'conflictingRequest', 409, "Cannot '%s' instance %s while it is "
            "in vm_state %s" % (action[3:], body['id'],
                                body['OS-EXT-STS:vm_state']))
        if action == 'createImage':
            answer = self.create.get(body['id'])
            if answer:
                context.status_code = answer[0]
                return answer[1]
            context.status_code = 202
            return {'image_id': self.images.get(body['id'], fakes.IMAGE_ID)}
        context.status_code = 202
        if action == 'os-stop':
            if body['status'] != 'ACTIVE':
                context.status_code = 409
                return conflict
            if body['id'] in self.stuck:
                body['OS-EXT-STS:task_state'] = 'powering-off'
            else:
                self.set(body, 'SHUTOFF')
        elif action == 'os-start':
            if body['status'] != 'SHUTOFF':
                context.status_code = 409
                return conflict
            self.set(body, 'ACTIVE')
        return None

    @staticmethod
    def set(body, status):
        body['status'] = status
        body['OS-EXT-STS:vm_state'] = {'SHUTOFF': 'stopped'}.get(
            status, status.lower())
        body['OS-EXT-STS:power_state'] = 1 if status == 'ACTIVE' else 4
        body['OS-EXT-STS:task_state'] = None


def image_backed_server(server_id=fakes.SERVER_ID, name='web-vm',
                        status='ACTIVE'):
    body = fakes.server(server_id, name, status)
    body['image'] = {'id': fakes.BASE_IMAGE_ID, 'links': []}
    body['os-extended-volumes:volumes_attached'] = []
    return body


class CreateTest(base.TestCommand):

    def action_bodies(self):
        return [r.json() for r in self.requests.request_history
                if r.method == 'POST' and r.url.endswith('/action')]

    def snapshot_ready(self, image_id=fakes.IMAGE_ID, name='analysis-vm'):
        fakes.register_image(self.requests, fakes.volume_backed_image(
            image_id, name=name, entries=[fakes.root_entry()]))
        fakes.register_volume_snapshot(self.requests, fakes.volume_snapshot())

    def assertFailsAfterVerdict(self, expected, *argv):
        """Exit 1, nothing on stdout; the verdict line, then the error."""
        code, out, err = self.run_cli(*argv)
        self.assertEqual(1, code, err)
        self.assertEqual('', out)
        self.assertNotIn('Traceback', err)
        lines = err.strip().splitlines()
        self.assertIn(expected, lines[-1])
        return lines
