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

"""Run the real ``openstack`` shell, with the real openstacksdk code, against
HTTP fakes of Keystone, Nova, Glance and Cinder (requests-mock).

Every test asserts what the command printed AND the requests it made;
:meth:`TestCommand.calls` lists them without authentication and version
discovery, which are counted apart.
"""

import io
import json
import re
import threading
import urllib.parse

import fixtures
from keystoneauth1 import fixture as ksa_fixture
from openstackclient import shell
from requests_mock.contrib import fixture as rm_fixture
import testtools

from rcsnap_osc.cloud import find

AUTH_URL = 'http://keystone.example.org/v3'
COMPUTE_URL = 'http://nova.example.org/v2.1'
IMAGE_URL = 'http://glance.example.org'
VOLUME_ROOT = 'http://cinder.example.org'
PROJECT_ID = '7c1e2b6a3f2d4a7e9b0c1d2e3f4a5b6c'
OTHER_PROJECT_ID = 'e4f5a6b7c8d94e0f8a1b2c3d4e5f6a7b'
USER_ID = '5f1c2d3e4a5b4c6d8e9f0a1b2c3d4e5f'
VOLUME_URL = VOLUME_ROOT + '/v3/' + PROJECT_ID

COMPUTE_MAX_MICROVERSION = '2.100'

#: The request that has Cinder validate the token while Glance answers
#: (:func:`rcsnap_osc.cloud.find.warm`).
#: When the unit tests' bin records start, and until when they last.
BIN_NOW = __import__('datetime').datetime(2026, 12, 7, 13, 0, 0)
BIN_UNTIL = '2026-12-14T13:00:00Z'
BINNED = 'binned until %s' % BIN_UNTIL
WARM_UP = 'GET %s/snapshots?limit=1' % VOLUME_URL
# show's early request by ID (rcsnap_osc.cloud.find.volume_page).
VOLUME_PAGE = 'GET %s/volumes/detail?limit=100' % VOLUME_URL
VOLUME_MAX_MICROVERSION = '3.71'


def _compute_versions(max_version=COMPUTE_MAX_MICROVERSION):
    return {'version': {
        'id': 'v2.1', 'status': 'CURRENT', 'version': max_version,
        'min_version': '2.1', 'updated': '2013-07-23T11:33:21Z',
        'links': [{'rel': 'self', 'href': COMPUTE_URL + '/'}],
        'media-types': [{'base': 'application/json',
                         'type': 'application/vnd.openstack.compute+json;'
                                 'version=2.1'}]}}


def _image_versions():
    versions = []
    for number in ('2.17', '2.16', '2.15', '2.9', '2.7', '2.6', '2.5', '2.4',
                   '2.3', '2.2', '2.1', '2.0'):
        versions.append({
            'id': 'v' + number,
            'status': 'CURRENT' if number == '2.17' else 'SUPPORTED',
            'links': [{'rel': 'self', 'href': IMAGE_URL + '/v2/'}]})
    return {'versions': versions}


def _volume_versions():
    return {'versions': [{
        'id': 'v3.0', 'status': 'CURRENT', 'version': VOLUME_MAX_MICROVERSION,
        'min_version': '3.0', 'updated': '2023-08-31T00:00:00Z',
        'links': [{'rel': 'self', 'href': VOLUME_ROOT + '/v3/'}],
        'media-types': [{'base': 'application/json',
                         'type': 'application/vnd.openstack.volume+json;'
                                 'version=3'}]}]}


def _volume_root(request, context):
    """Cinder's versioned root: the version document with a token, 401
    without (as Cinder's paste pipeline answers ``/v3/``)."""
    if not request.headers.get('X-Auth-Token'):
        context.status_code = 401
        context.headers['WWW-Authenticate'] = 'Keystone uri="%s"' % AUTH_URL
        return {'error': {'code': 401, 'title': 'Unauthorized',
                          'message': 'The request you have made requires '
                          'authentication.'}}
    return _volume_versions()


def _sorted_query(url):
    """The URL with its query parameters in name order, so that tests do
    not depend on the order the SDK writes them in."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.urlencode(
        sorted(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)))
    return urllib.parse.urlunsplit(parts._replace(query=query))


def settle(timeout=10.0):
    """Wait for the requests the commands started in the background and
    left running (their answers were not needed), so that a test counts
    them all and none outlives it."""
    for thread in threading.enumerate():
        if thread.name == find.THREAD_NAME:
            thread.join(timeout)


def forget_connection():
    """Drop the SDK connection OSC cached for the ``rcsnap`` client."""
    from osc_lib import clientmanager
    cache = vars(clientmanager.ClientManager).get('rcsnap')
    if cache is not None:
        cache._handle = None


def token_body():
    token = ksa_fixture.V3Token(user_id=USER_ID, user_name='alpha',
                                project_id=PROJECT_ID, project_name='alpha',
                                project_domain_id='default',
                                user_domain_id='default')
    token.add_role(name='member')
    token.add_role(name='reader')
    for kind, name, url in (
            ('identity', 'keystone', AUTH_URL),
            ('compute', 'nova', COMPUTE_URL),
            ('image', 'glance', IMAGE_URL),
            ('volumev3', 'cinderv3', VOLUME_URL),
            ('placement', 'placement', 'http://placement.example.org')):
        service = token.add_service(kind, name=name)
        service.add_standard_endpoints(public=url, region='RegionOne')
    return token


class TestCommand(testtools.TestCase):
    """Base class: a fake cloud and a way to run ``openstack`` commands."""

    #: (method, url) prefixes of requests that are neither auth nor
    #: discovery; see :meth:`calls`.
    _DISCOVERY = re.compile(
        r'^GET (%s/?|%s/?|%s/v3/?|%s/?|%s/?)$' % (
            re.escape(COMPUTE_URL), re.escape(IMAGE_URL),
            re.escape(VOLUME_ROOT), re.escape(VOLUME_ROOT),
            re.escape(AUTH_URL)))

    def setUp(self):
        super().setUp()
        home = self.useFixture(fixtures.TempDir()).path
        for name in [n for n in __import__('os').environ
                     if n.startswith('OS_')]:
            self.useFixture(fixtures.EnvironmentVariable(name))
        for name, value in (
                ('HOME', home), ('XDG_CONFIG_HOME', home),
                ('OS_AUTH_URL', AUTH_URL), ('OS_USERNAME', 'alpha'),
                ('OS_PASSWORD', 'secret'), ('OS_PROJECT_NAME', 'alpha'),
                ('OS_USER_DOMAIN_NAME', 'Default'),
                ('OS_PROJECT_DOMAIN_NAME', 'Default'),
                ('OS_REGION_NAME', 'RegionOne'),
                ('OS_IDENTITY_API_VERSION', '3')):
            self.useFixture(fixtures.EnvironmentVariable(name, value))
        # Waits in the commands poll with time.sleep: make it instant.
        self.useFixture(fixtures.MonkeyPatch('time.sleep', lambda s: None))
        # ... and the waits' clock moves only when they sleep: a wait
        # whose polls keep failing ends after as many polls as it would on
        # a real cloud, at once.
        self.clock = self.useFixture(FakeClock())
        # OSC caches the plugin's client on the ClientManager class: every
        # test starts with a new connection (a new token, a new catalog).
        forget_connection()
        self.addCleanup(forget_connection)
        self.requests = self.useFixture(rm_fixture.Fixture())
        # Requests a command left running in the background end before
        # the fake cloud goes.
        self.addCleanup(settle)
        self.token = token_body()
        self.register_cloud()
        from tests.unit import fakes
        fakes.register_bin_writes(self.requests)
        # The recycle bin's records start at a known time.
        self.useFixture(fixtures.MonkeyPatch(
            'rcsnap_osc.cloud.binning.now', lambda: BIN_NOW))
        # create's quota pre-flight: room, unless a test says otherwise.
        from tests.unit import fakes
        fakes.register_quota(self.requests)

    def register_cloud(self, compute_max=COMPUTE_MAX_MICROVERSION):
        """Authentication and version discovery; ``compute_max`` is the
        highest microversion Nova says it accepts."""
        self.requests.post(AUTH_URL + '/auth/tokens', json=self.token,
                           headers={'X-Subject-Token': 'a-token'},
                           status_code=201)
        self.requests.get(AUTH_URL, json=ksa_fixture.V3Discovery(AUTH_URL))
        self.requests.get(COMPUTE_URL + '/',
                          json=_compute_versions(compute_max))
        self.requests.get(COMPUTE_URL, json=_compute_versions(compute_max))
        self.requests.get(IMAGE_URL + '/', json=_image_versions())
        self.requests.get(IMAGE_URL, json=_image_versions())
        self.requests.get(VOLUME_ROOT + '/', json=_volume_versions())
        self.requests.get(VOLUME_ROOT + '/v3/', json=_volume_root)
        self.requests.get(VOLUME_ROOT + '/v3', json=_volume_root)
        # The request that has Cinder validate the token early
        # (rcsnap_osc.cloud.find.warm), and the listing of the volume
        # snapshots named after a snapshot (none, unless registered).
        self.requests.get(VOLUME_URL + '/snapshots?limit=1',
                          json={'snapshots': []})
        self.requests.get(VOLUME_URL + '/snapshots/detail',
                          json={'snapshots': []})
        self.requests.get(VOLUME_PAGE.split()[1], complete_qs=True,
                          json={'volumes': []})

    def run_cli(self, *argv):
        """Run ``openstack *argv``; return (exit code, stdout, stderr)."""
        out, err = io.StringIO(), io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', out))
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', err))
        app = shell.OpenStackShell()
        app.stdout, app.stderr = out, err
        try:
            code = app.run(list(argv))
        except SystemExit as exc:  # argparse usage errors, as in main()
            code = exc.code
        return code, out.getvalue(), err.getvalue()

    def run_json(self, *argv):
        """Run a command with ``-f json``; it must succeed. Return the data."""
        code, out, err = self.run_cli(*argv, '-f', 'json')
        self.assertEqual(0, code, 'stderr: %s' % err)
        return json.loads(out)

    def assertFails(self, expected, *argv):
        """The command exits 1 with exactly one line on stderr that
        contains ``expected``, and prints nothing on stdout."""
        self.assertTrue(expected, 'assertFails needs text to look for')
        code, out, err = self.run_cli(*argv)
        self.assertEqual(1, code, 'stdout: %s stderr: %s' % (out, err))
        self.assertEqual('', out)
        lines = err.strip().splitlines()
        self.assertEqual(1, len(lines), err)
        self.assertIn(expected, lines[0])
        self.assertNotIn('Traceback', err)
        return lines[0]

    def assertBadArgument(self, expected, *argv):
        """argparse refuses an argument: exit 2, one line on stderr that
        contains ``expected``, and no request to any service."""
        code, out, err = self.run_cli(*argv)
        self.assertEqual(2, code, 'stdout: %s stderr: %s' % (out, err))
        self.assertEqual('', out)
        lines = err.strip().splitlines()
        self.assertEqual(1, len(lines), err)
        self.assertIn(expected, lines[0])
        self.assertEqual([], self.calls())

    def calls(self):
        """Requests made to the services, as 'METHOD url' strings, without
        authentication and version discovery."""
        settle()
        made = []
        for request in self.requests.request_history:
            line = '%s %s' % (request.method, _sorted_query(request.url))
            if request.url.startswith(AUTH_URL + '/auth/'):
                continue
            if self._DISCOVERY.match(line):
                continue
            made.append(line)
        return made

    def assertCalls(self, expected):
        """:meth:`calls` are ``expected``, in order; an item that is a set
        stands for requests made at once, in any order."""
        made = self.calls()
        got, at = [], 0
        for item in expected:
            if isinstance(item, (set, frozenset)):
                got.append(set(made[at:at + len(item)]))
                at += len(item)
            else:
                got.append(made[at] if at < len(made) else None)
                at += 1
        self.assertEqual(list(expected), got, 'requests made: %s' % made)
        self.assertEqual(at, len(made), 'requests made: %s' % made)

    def after_warm_up(self):
        """:meth:`calls` without Cinder's early request, which was made
        once (it runs beside the first Glance request, in either order):
        the warm-up, or show's volume page."""
        calls = self.calls()
        early = [c for c in calls if c in (WARM_UP, VOLUME_PAGE)]
        self.assertEqual(1, len(early), calls)
        calls.remove(early[0])
        return calls

    def writes(self):
        """Requests that change something (anything but GET/HEAD)."""
        return [c for c in self.calls() if not c.startswith(('GET ', 'HEAD '))]


class FakeClock(fixtures.Fixture):
    """The waits' clock (:data:`rcsnap_osc.cloud.waits.CLOCK`), made to
    move only when a wait sleeps: a long wait runs at once, and its
    timeout comes after as many polls as it would on a real cloud."""

    def _setUp(self):
        from rcsnap_osc.cloud import waits

        self.time = 1000.0
        self.useFixture(fixtures.MockPatchObject(waits, 'CLOCK', self))

    def now(self):
        return self.time

    def sleep(self, seconds):
        self.time += seconds
