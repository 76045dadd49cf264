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

"""A volume-backed snapshot with a data volume shared whole: ``share
--copy --volumes all``, ``accept`` in the other project, ``launch
--with-data-volumes`` there, then ``unshare`` and ``delete`` of the copy
leave nothing of it."""

import json

from tests.functional import base
from tests.functional import test_share


class TestShareAllVolumes(test_share.ShareTest):

    def data_images_of(self, copy_id, cloud=None):
        """Every image the project sees that names the copy as its own
        (the SDK's listing drops filters on custom properties)."""
        response = base.connection(cloud).image.get('/images', params={
            'visibility': 'all', 'member_status': 'all',
            'rcsnap_copy_id': copy_id})
        response.raise_for_status()
        return [i['id'] for i in response.json()['images']]

    def test_share_all_accept_launch_unshare_delete(self):
        server = self.create_server(volume_size=1, data_volume_size=1)
        snap = self.snapshot_server(server)
        copy_name = '%s-copy' % self.prefix
        proc = self.rc('share', snap['id'], '--project', self.other_project,
                       '--copy', '--volumes', 'all', '--name', copy_name,
                       '-f', 'json', parse=False, check=False)
        # the sweep removes the images named with the mark should the
        # command fail; these cleanups remove them whatever happens next
        for image in base.connection().image.images(
                owner=base.connection().current_project_id):
            if (image.name or '').startswith(copy_name):
                self.addCleanup(self.delete_image, image.id)
        self.assertEqual(0, proc.returncode, proc.stderr)
        shared = json.loads(proc.stdout)
        self.assertEqual(snap['id'], shared['source_snapshot'])
        self.assertEqual([], shared['not_copied'])
        self.assertEqual(1, len(shared['data_images']))
        data_id = shared['data_images'][0]
        data = self.openstack('image', 'show', data_id)
        # named after the copy and the device (vdb, or sdb as the local
        # cloud's compute driver names it)
        self.assertRegex(data['name'], '^%s-[sv]db$' % copy_name)
        self.assertEqual(shared['id'],
                         data['properties']['rcsnap_copy_id'])
        self.assertEqual('shared', data['visibility'])

        accepted = self.rc('accept', copy_name, cloud=base.OTHER_CLOUD)
        self.assertEqual('accepted', accepted['member_status'])
        self.assertEqual([data_id], accepted['data_images'])

        launched = self.launch_in_other_with_data(shared['id'])
        self.assertEqual('ACTIVE', launched['status'])
        self.assertEqual('image-backed', launched['type'])
        [volume] = launched['volumes']
        self.assertEqual('image %s' % data_id, volume['made_from'])
        self.assertEqual(1, volume['size_gib'])
        self.assertFalse(volume['depends_on_snapshot'])
        other = base.connection(base.OTHER_CLOUD)
        made = other.block_storage.get_volume(volume['id'])
        self.assertEqual('in-use', made.status)
        self.assertEqual(launched['id'], made.attachments[0]['server_id'])
        self.delete_server(launched['id'], base.OTHER_CLOUD)
        self.delete_volume(volume['id'], base.OTHER_CLOUD)

        unshared = self.rc('unshare', shared['id'], '--all')
        self.assertEqual('private', unshared['visibility'])
        self.assertEqual([data_id], unshared['data_images'])
        self.assertEqual('private', self.openstack(
            'image', 'show', data_id)['visibility'])
        self.assertEqual([], self.data_images_of(shared['id'],
                                                 base.OTHER_CLOUD))

        deleted = self.rc('delete', '--purge', '--yes', shared['id'])
        self.assertEqual([('image', 'deleted'), ('data image', 'deleted')],
                         [(r['Kind'], r['Result']) for r in deleted])
        self.assertEqual([], self.data_images_of(shared['id']))

    def launch_in_other_with_data(self, snapshot):
        """``rc snapshot launch --with-data-volumes --wait`` in the other
        project; the server and its volumes are removed at cleanup."""
        name = '%s-launched' % self.prefix
        proc = self.rc('launch', snapshot, '--name', name,
                       '--with-data-volumes', '--wait', '--timeout',
                       str(base.TIMEOUT), '--no-network', '-f', 'json',
                       cloud=base.OTHER_CLOUD, parse=False, check=False)
        conn = base.connection(base.OTHER_CLOUD)
        for server in conn.compute.servers():
            if server.name == name:
                for attached in server.attached_volumes or []:
                    self.addCleanup(self.delete_volume, attached['id'],
                                    base.OTHER_CLOUD)
                self.addCleanup(self.delete_server, server.id,
                                base.OTHER_CLOUD)
        self.assertEqual(0, proc.returncode, proc.stderr)
        return json.loads(proc.stdout)
