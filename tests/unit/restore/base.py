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

"""The base of the ``rc snapshot restore`` command tests: the stateful
fake cloud, a fixed clock and a fixed UTC stamp."""

import datetime
import types

import fixtures

from tests.unit import base
from tests.unit import fakes
from tests.unit.restore import cloud
from tests.unit.restore import data

NOVA = cloud.NOVA
NEUTRON = cloud.NEUTRON
CINDER = cloud.CINDER
SERVER = '%s/servers/%s' % (NOVA, data.SERVER_ID)
NEW = '%s/servers/%s' % (NOVA, data.NEW_SERVER_ID)
NOVA_PORT = '%s/ports/%s' % (NEUTRON, data.NOVA_PORT_ID)
USER_PORT = '%s/ports/%s' % (NEUTRON, data.USER_PORT_ID)
FIP = '%s/floatingips/%s' % (NEUTRON, data.FIP_ID)
NEW_ROOT, NEW_DATA = ('%s/volumes/%s' % (CINDER, v)
                      for v in cloud.NEW_VOLUME_IDS)


class _Frozen(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime.datetime(2026, 12, 2, 0, 50, 54, tzinfo=tz)


class RestoreTest(base.TestCommand):

    def setUp(self):
        super().setUp()
        self.clock = self.useFixture(base.FakeClock())
        self.useFixture(fixtures.MonkeyPatch(
            'rcsnap_osc.restore.run.datetime', types.SimpleNamespace(
                datetime=_Frozen, timezone=datetime.timezone)))

    def cloud(self, **kwargs):
        self.fake = cloud.Cloud(self, **kwargs)
        return self.fake

    def restore(self, *args):
        return self.run_cli('rc', 'snapshot', 'restore', fakes.IMAGE_ID,
                            *args)

    def bodies(self, method, url):
        """The JSON bodies of the requests ``method url``."""
        return [r.json() for r in self.requests.request_history
                if r.method == method and r.url.split('?')[0] == url]

    def rows(self, out):
        import json
        return [(r['Resource'], r['Old'], r['New'])
                for r in json.loads(out)]
