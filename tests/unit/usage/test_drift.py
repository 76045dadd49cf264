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

"""Quota drift: Cinder's counters against what the listings hold, in
``usage`` and in ``create``'s pre-flight."""

import json

import testtools

from rcsnap_osc.core import quota
from tests.unit import base
from tests.unit.create import base as create_base
from tests.unit import fakes
from tests.unit.usage import test_usage

DRIFT_LINE = (
    "Cinder's quota counters have drifted from what the listings hold: "
    "'snapshots' 5 (1 reserved), 3 listed; 'gigabytes' 45, 39 listed. The "
    "listed figures are the real use, but Cinder enforces its counters "
    "until an operator resyncs them (cinder-manage quota sync).")


def drifted(snapshots=(4, 10), reserved=1, gigabytes=(45, -1)):
    """A quota set whose counters say more than the listings hold."""
    body = test_usage.quota_set(snapshots, gigabytes)
    body['quota_set']['snapshots']['reserved'] = reserved
    return body


class TestCounted(testtools.TestCase):

    def test_counts_what_consumes_quota(self):
        snaps = [fakes.volume_snapshot(size=10),
                 fakes.volume_snapshot('b', size=4, consumes_quota=False),
                 {'id': 'c', 'size': 1}]
        volumes = [{'id': 'v', 'size': 20},
                   {'id': 't', 'size': 20, 'consumes_quota': False}]
        self.assertEqual({'snapshots': 2, 'gigabytes': 31},
                         quota.counted(snaps, volumes))

    def test_drift_counts_reserved(self):
        self.assertEqual(
            [('snapshots', 4, 1, 3), ('gigabytes', 45, 0, 39)],
            quota.drift(drifted()['quota_set'],
                        {'snapshots': 3, 'gigabytes': 39}))

    def test_in_step(self):
        body = test_usage.quota_set()['quota_set']
        self.assertEqual([], quota.drift(
            body, {'snapshots': 3, 'gigabytes': 39}))
        self.assertEqual([], quota.drift(None, {'snapshots': 3}))
        self.assertIsNone(quota.drift_message([]))

    def test_message(self):
        self.assertEqual(DRIFT_LINE, quota.drift_message(
            [('snapshots', 4, 1, 3), ('gigabytes', 45, 0, 39)]))

    def test_refusal_from_drift(self):
        need = quota.need([{'id': 'a', 'size': 1}])
        body = fakes.quota_set(snapshots=(10, 10))['quota_set']
        verdict = quota.check(body, [('s', 'one', need)],
                              {'snapshots': 7, 'gigabytes': 0})['s']
        self.assertEqual(
            "Cinder quota 'snapshots' is at 10 of 10 by its counters, which "
            "have drifted from what the project holds ('snapshots' 7): a "
            "snapshot of server one needs 1 volume snapshots, 1 GiB, and "
            "would fit; deleting snapshots will not make room, an operator "
            "can resync the counters (cinder-manage quota sync)", verdict)

    def test_refusal_not_from_drift(self):
        need = quota.need([{'id': 'a', 'size': 1}])
        body = fakes.quota_set(snapshots=(10, 10))['quota_set']
        verdict = quota.check(body, [('s', 'one', need)],
                              {'snapshots': 10, 'gigabytes': 0})['s']
        self.assertIn("'openstack rc snapshot orphans'", verdict)


class TestUsageDrift(test_usage.UsageCommandTest):

    def test_drift_line_and_fields(self):
        self.register(quota={'json': drifted()})
        code, out, err = self.run_cli('rc', 'snapshot', 'usage', '-f',
                                      'json')
        self.assertEqual(0, code, err)
        self.assertEqual(DRIFT_LINE + '\n', err)
        view = json.loads(out)
        self.assertEqual(
            (5, 3, 45, 39),
            (view['quota_snapshots_used'], view['quota_snapshots_counted'],
             view['quota_gigabytes_used'],
             view['quota_gigabytes_counted']))
        self.assertNotIn('drift', view)
        self.assertEqual(sorted(test_usage.LISTINGS + [
            test_usage.BACKUPS, 'GET ' + test_usage.QUOTA,
            'GET ' + test_usage.GLANCE_USAGE]), sorted(self.calls()))

    def test_in_step_says_nothing(self):
        self.register()
        code, out, err = self.run_cli('rc', 'snapshot', 'usage')
        self.assertEqual(0, code, err)
        self.assertEqual('', err)
        self.assertIn('| quota_snapshots_counted | 3 ', out)

    def test_hidden_quota_still_counts(self):
        self.register(quota={'status_code': 403,
                             'json': fakes.QUOTA_FORBIDDEN})
        code, out, err = self.run_cli('rc', 'snapshot', 'usage', '-f',
                                      'json')
        self.assertEqual(('', 0), (err, code))
        view = json.loads(out)
        self.assertEqual((None, 3), (view['quota_snapshots_used'],
                                     view['quota_snapshots_counted']))


class TestCreateDrift(create_base.CreateTest):
    """create refuses with Cinder's figures (the ones it enforces), and
    says when the listings would have fitted."""

    LISTINGS = {'GET %s/snapshots/detail?limit=1000' % base.VOLUME_URL,
                'GET %s/volumes/detail?limit=1000' % base.VOLUME_URL,
                'GET %s/v2/images?limit=1000&os_hidden=true&owner=%s' % (
                    base.IMAGE_URL, base.PROJECT_ID)}

    def setUp(self):
        super().setUp()
        self.fake = create_base.FakeNova(self, [fakes.server()])
        fakes.register_image_list(self.requests, [], '?os_hidden=true')
        self.requests.get('%s/%s' % (create_base.VOLUMES,
                                     fakes.ROOT_VOLUME_ID),
                          json={'volume': create_base.attached_volume()})
        fakes.register_quota(self.requests, fakes.quota_set(
            snapshots=(10, 10)))
        fakes.register_volume_list(self.requests,
                                   [create_base.attached_volume()])

    def refused(self, expected, snapshot_count):
        fakes.register_volume_snapshot_list(self.requests, [
            fakes.volume_snapshot('s%d' % n, size=1)
            for n in range(snapshot_count)])
        self.assertFails(expected, 'rc', 'snapshot', 'create',
                         fakes.SERVER_ID)
        server = '%s/%s' % (create_base.SERVERS, fakes.SERVER_ID)
        self.assertCalls([
            'GET ' + server,
            {'GET %s/%s' % (create_base.VOLUMES, fakes.ROOT_VOLUME_ID),
             'GET ' + fakes.QUOTA_URL},
            self.LISTINGS])

    def test_refusal_from_drift(self):
        self.refused(
            "Cinder quota 'snapshots' is at 10 of 10 by its counters, which "
            "have drifted from what the project holds ('snapshots' 7): a "
            "snapshot of server analysis-vm needs 1 volume snapshots, 10 "
            "GiB, and would fit; deleting snapshots will not make room, an "
            "operator can resync the counters (cinder-manage quota sync); "
            "nothing was made.", 7)

    def test_refusal_of_a_full_quota(self):
        self.refused("Cinder quota 'snapshots' is at 10 of 10: a snapshot "
                     "of server analysis-vm needs 1 volume snapshots", 10)


class TestListingMicroversion(test_usage.UsageCommandTest):
    """Cinder shows ``consumes_quota`` from 3.65: the listings ask for it
    where Cinder accepts it, and go without where it does not."""

    def versions(self):
        return [r.headers.get('OpenStack-API-Version')
                for r in self.requests.request_history
                if '/snapshots/detail' in r.url or '/volumes/detail' in r.url]

    def test_asked_where_accepted(self):
        self.register()
        self.run_json('rc', 'snapshot', 'usage')
        self.assertEqual(['volume 3.65'] * 2, self.versions())

    def test_not_asked_of_an_older_cinder(self):
        body = base._volume_versions()
        body['versions'][0]['version'] = '3.59'
        for url in (base.VOLUME_ROOT + '/', base.VOLUME_ROOT + '/v3/',
                    base.VOLUME_ROOT + '/v3'):
            self.requests.get(url, json=body)
        self.register()
        self.run_json('rc', 'snapshot', 'usage')
        self.assertEqual([None] * 2, self.versions())
