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

"""``delete --wait`` waits for the source volumes too, and says
``deleted`` once they are gone."""

from tests.unit import base
from tests.unit import fakes
from tests.unit.unarchive import test_delete as td


class TestDeleteWaitsForTheSourceVolumes(base.TestCommand):

    def setUp(self):
        super().setUp()
        self.clock = self.useFixture(base.FakeClock())

    cloud = td.TestDeleteUnarchived.cloud
    delete = td.TestDeleteUnarchived.delete

    def test_wait_reports_the_volumes_deleted(self):
        self.cloud([td.source_volume(td.ROOT),
                    td.source_volume(td.DATA, size=5)])
        self.requests.get(td.SNAPS + '/detail', td.listed_then_gone())
        for vid, size in ((td.ROOT, 10), (td.DATA, 5)):
            self.requests.delete('%s/%s' % (td.VOLUMES, vid),
                                 status_code=202)
            self.requests.get('%s/%s' % (td.VOLUMES, vid), [
                {'json': {'volume': td.source_volume(
                    vid, size=size, status='deleting')}},
                {'status_code': 404,
                 'json': fakes.not_found('Volume', vid)}])
        rows, err = self.delete('--wait')
        self.assertEqual([[td.ROOT, 'deleted'], [td.DATA, 'deleted']],
                         [[r['Resource'], r['Result']] for r in rows
                          if r['Kind'] == 'volume'])
        self.assertEqual(2, self.calls().count(
            'GET %s/%s' % (td.VOLUMES, td.ROOT)))

    def test_a_volume_cinder_fails_to_delete_is_said(self):
        self.cloud([td.source_volume(td.ROOT),
                    td.source_volume(td.DATA, size=5)])
        self.requests.get(td.SNAPS + '/detail', td.listed_then_gone())
        for vid in (td.ROOT, td.DATA):
            self.requests.delete('%s/%s' % (td.VOLUMES, vid),
                                 status_code=202)
        self.requests.get('%s/%s' % (td.VOLUMES, td.ROOT),
                          status_code=404,
                          json=fakes.not_found('Volume', td.ROOT))
        self.requests.get('%s/%s' % (td.VOLUMES, td.DATA), json={
            'volume': td.source_volume(td.DATA, size=5,
                                       status='error_deleting')})
        rows, err = self.delete('--wait', code=1)
        self.assertEqual(
            [[td.ROOT, 'deleted'],
             [td.DATA, 'failed (Cinder gave up: status is error_deleting)']],
            [[r['Resource'], r['Result']] for r in rows
             if r['Kind'] == 'volume'])
