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

"""``rc snapshot files`` of a volume-backed snapshot: its root volume
snapshot through a temporary volume and a temporary image, read with
ranges, and both removed after success, failure and Ctrl-C."""

import fixtures

from tests.unit import fakes
from tests.unit.files import test_commands as tc

TMP_DELETE = tc.TMP + '?cascade=False&force=False'


class TestVolumeBacked(tc.FilesTest):

    def setUp(self):
        super().setUp()
        self.data = tc.disk('ext4-gpt.raw')
        fakes.register_image(self.requests, fakes.volume_backed_image())
        fakes.register_volume_snapshot(self.requests,
                                       fakes.volume_snapshot(size=1))
        self.requests.post(tc.VOLUMES, status_code=202, json={
            'volume': fakes.volume(status='creating', size=1)})
        fakes.register_volume_states(self.requests, fakes.TMP_VOLUME_ID,
                                     'creating', 'available')
        self.requests.post(tc.TMP + '/action', status_code=202,
                           json=fakes.upload_answer())
        copy = fakes.image(fakes.COPY_IMAGE_ID, 'rcsnap-files-%s' %
                           fakes.IMAGE_ID, disk_format='raw',
                           size=len(self.data))
        self.requests.get(tc.COPY, [{'json': dict(copy, status='saving')},
                                    {'json': copy}])
        self.requests.delete(tc.TMP, status_code=202)
        self.requests.delete(tc.COPY, status_code=204)
        self.requests.get(tc.COPY + '/file',
                          content=tc.glance_file(self.data))

    def steps(self):
        """The requests, the ranged reads of the copy counted apart."""
        calls = self.calls()
        reads = [c for c in calls if c == 'GET %s/file' % tc.COPY]
        return [c for c in calls if c not in reads], len(reads)

    def test_list_through_a_temporary_image(self):
        rows = self.run_json('rc', 'snapshot', 'files', 'list',
                             fakes.IMAGE_ID, '/etc')
        self.assertEqual([{'Path': '/etc/hostname', 'Type': 'file',
                           'Size': 14}], rows)
        steps, reads = self.steps()
        self.assertEqual([
            'GET %s' % tc.IMAGE,
            'GET %s/%s' % (tc.SNAPS, fakes.ROOT_SNAP_ID),
            'POST %s' % tc.VOLUMES,
            'GET %s' % tc.TMP, 'GET %s' % tc.TMP,
            'POST %s/action' % tc.TMP,
            'GET %s' % tc.COPY, 'GET %s' % tc.COPY,
            'GET %s' % tc.TMP,
            'DELETE %s' % TMP_DELETE,
            'DELETE %s' % tc.COPY], steps)
        self.assertGreater(reads, 0)
        upload = [r for r in self.requests.request_history
                  if r.url == tc.TMP + '/action'][0].json()
        self.assertEqual('raw', upload['os-volume_upload_image'][
            'disk_format'])

    def test_a_failed_read_removes_the_temporary_image(self):
        code, out, err = self.files('list', fakes.IMAGE_ID, '/nope')
        self.assertEqual(1, code)
        self.assertIn('No such file or directory in snapshot '
                      'analysis-vm-snap: /nope', err)
        self.assertIn('Deleted partial image %s' % fakes.COPY_IMAGE_ID, err)
        steps, _reads = self.steps()
        self.assertEqual('DELETE %s' % tc.COPY, steps[-1])

    def test_ctrl_c_removes_the_temporary_image(self):
        from rcsnap_osc.files import tree

        def interrupted(*args):
            raise KeyboardInterrupt
        self.useFixture(fixtures.MonkeyPatch(
            'rcsnap_osc.files.tree.Tree.lookup', interrupted))
        self.assertIsNotNone(tree)
        code, _out, err = self.files('list', fakes.IMAGE_ID, '/etc')
        self.assertNotEqual(0, code)
        steps, _reads = self.steps()
        self.assertEqual('DELETE %s' % tc.COPY, steps[-1])
        self.assertIn('DELETE %s' % TMP_DELETE, steps)
