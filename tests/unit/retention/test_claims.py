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

"""One retention at a time per server: the claim ``prune``, ``create
--keep`` and ``batch create --keep`` hold, over a Glance that answers as
the real one (409 "Image ID ... already exists!" for an ID that exists or
existed, 404 for a deleted one); output and exact requests."""

import json

import fixtures
import testtools

from rcsnap_osc.cloud import claims
from rcsnap_osc.core import snapshots
from rcsnap_osc.retention import plan as retention_plan
from rcsnap_osc.retention import run as retaining
from tests.unit import base
from tests.unit import fakes
from tests.unit.retention import test_prune
from tests.unit.usage import test_usage

snap, vsid, image_id = test_prune.snap, test_prune.vsid, test_prune.image_id
IMAGES = test_prune.IMAGES
SERVER = test_prune.SERVER
CLAIM = retaining.retention_claim(fakes.SERVER_ID)
LIST = 'GET %s?name=%s&os_hidden=true' % (IMAGES, CLAIM.name)
HOLDER = ('host cron-2, pid 4242, since 2026-11-30T12:00:00Z, until '
          '2099-11-30T13:00:00Z')


def claim_body(generation=0, expires='2099-11-30T13:00:00Z', **extra):
    """The claim image another run made, as it POSTed it."""
    body = {'id': CLAIM.image_id(generation), 'name': CLAIM.name,
            'visibility': 'private', 'os_hidden': True,
            claims.KEY: CLAIM.key, claims.GENERATION: str(generation),
            claims.HOST: 'cron-2', claims.PID: '4242',
            claims.USER: 'backup', claims.STARTED: '2026-11-30T12:00:00Z',
            claims.EXPIRES: expires}
    body.update(extra)
    return body


class TestClaimIDs(testtools.TestCase):

    def test_one_id_per_server_and_generation(self):
        other = retaining.retention_claim(fakes.NEW_SERVER_ID)
        self.assertEqual(CLAIM.image_id(0), retaining.retention_claim(
            fakes.SERVER_ID, 'analysis-vm').image_id(0))
        self.assertEqual(4, len({CLAIM.image_id(0), CLAIM.image_id(1),
                                 other.image_id(0), other.image_id(1)}))
        self.assertEqual('rcsnap-lock-%s' % fakes.SERVER_ID, CLAIM.name)

    def test_a_claim_is_no_instance_snapshot(self):
        record = claim_body()
        record.update(status='queued', owner=base.PROJECT_ID)
        self.assertFalse(snapshots.is_instance_snapshot(record))

    def test_ttl_covers_the_waits_of_the_run(self):
        self.assertEqual(retention_plan.Lock(None, 3600),
                         retention_plan.lock_for(None, 0))
        self.assertEqual(retention_plan.Lock(60, 3600 + 4 * 1800),
                         retention_plan.lock_for(60, 1800))


class TestPruneHeld(base.TestCommand):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MockPatchObject(claims, 'now', lambda: (
            claims.parse('2026-11-30T12:30:00Z'))))
        test_prune.TestPruneCommand.register(self, [snap(1), snap(2)])

    def prune(self, *extra):
        return self.run_cli('rc', 'snapshot', 'prune', '--server',
                            fakes.SERVER_ID, '--keep', '1', '--yes',
                            *extra)

    def test_held_exits_1_naming_the_holder_before_any_listing(self):
        self.claims.hold(claim_body())
        line = self.assertFails(
            'Another run holds', 'rc', 'snapshot', 'prune', '--server',
            fakes.SERVER_ID, '--keep', '1', '--yes')
        self.assertEqual(
            'Another run holds the retention of server analysis-vm (%s): '
            'nothing was done; --wait-lock waits for it.' % HOLDER, line)
        self.assertEqual([SERVER, LIST], self.calls())

    def test_409_on_the_claim_is_a_run_that_came_first(self):
        """The listing did not show it yet; Glance's 409 decides."""
        self.claims.hold(claim_body())
        self.requests.get(IMAGES, json={'images': []},
                          additional_matcher=lambda r: 'rcsnap-lock' in r.url)
        code, out, err = self.prune()
        self.assertEqual(1, code, err)
        self.assertIn('Another run holds the retention of server '
                      'analysis-vm (%s)' % HOLDER, err)
        self.assertEqual([SERVER, LIST, 'POST ' + IMAGES,
                          'GET %s/%s' % (IMAGES, CLAIM.image_id(0))],
                         self.calls())
        post = [r for r in self.requests.request_history
                if r.method == 'POST' and r.url == IMAGES][0]
        self.assertEqual(CLAIM.image_id(0), post.json()['id'])

    def test_expired_claim_is_taken_over(self):
        self.claims.hold(claim_body(expires='2026-11-30T12:10:00Z'))
        code, out, err = self.prune('-f', 'json')
        self.assertEqual(0, code, err)
        take, release = test_prune.claim_calls(generation=1)
        self.assertEqual(take[1:] + [
            'PATCH %s/%s' % (IMAGES, image_id(1)),
            'POST %s/%s/actions/deactivate' % (IMAGES, image_id(1)),
            'POST %s/snapshots/%s/metadata' % (base.VOLUME_URL, vsid(1))]
            + release,
            self.writes())
        self.assertEqual([CLAIM.image_id(1)], list(self.claims.images))
        mine = self.claims.images[CLAIM.image_id(1)]
        self.assertEqual('2026-11-30T12:30:00Z', mine[claims.RELEASED])
        self.assertEqual('1', mine[claims.GENERATION])

    def test_two_takers_of_an_expired_claim_one_wins(self):
        """The other taker created generation 1 after our listing: its
        409 sends us to read it, held."""
        stale = self.claims.hold(claim_body(expires='2026-11-30T12:10:00Z'))
        self.claims.hold(claim_body(1, **{claims.HOST: 'cron-3'}))
        self.requests.get(IMAGES, json={'images': [stale]},
                          additional_matcher=lambda r: 'rcsnap-lock' in r.url)
        code, out, err = self.prune()
        self.assertEqual(1, code, err)
        self.assertIn('(host cron-3, pid 4242,', err)
        self.assertEqual([SERVER, LIST, 'POST ' + IMAGES,
                          'GET %s/%s' % (IMAGES, CLAIM.image_id(1))],
                         self.calls())

    def test_released_claim_is_taken_in_four_requests(self):
        self.claims.hold(claim_body(**{
            claims.RELEASED: '2026-11-30T12:05:00Z'}))
        code, out, err = self.prune('-f', 'json')
        self.assertEqual(0, code, err)
        take, release = test_prune.claim_calls(generation=1)
        self.assertEqual([SERVER] + take, self.calls()[:4])
        self.assertEqual(release, self.calls()[-1:])

    def test_claims_deleted_by_hand_walk_up_the_chain(self):
        self.claims.ever.update([CLAIM.image_id(0), CLAIM.image_id(1)])
        code, out, err = self.prune('-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([
            SERVER, LIST,
            'POST ' + IMAGES, 'GET %s/%s' % (IMAGES, CLAIM.image_id(0)),
            'POST ' + IMAGES, 'GET %s/%s' % (IMAGES, CLAIM.image_id(1)),
            'POST ' + IMAGES, 'DELETE %s/%s' % (IMAGES, CLAIM.image_id(1))],
            self.calls()[:8])
        self.assertEqual([CLAIM.image_id(2)], list(self.claims.images))

    def test_wait_lock_waits_until_the_holder_releases(self):
        held = self.claims.hold(claim_body())
        listing = self.claims.listing

        def release_at_third(request, context):
            self.listed = getattr(self, 'listed', 0) + 1
            if self.listed == 3:
                held[claims.RELEASED] = '2026-11-30T12:31:00Z'
            return listing(request, context)
        self.claims.listing = release_at_third
        code, out, err = self.prune('--wait-lock', '-f', 'json')
        self.assertEqual(0, code, err)
        lines = err.strip().splitlines()
        self.assertEqual(
            'Waiting: the retention of server analysis-vm held (%s) (0 s)'
            % HOLDER, lines[0])
        # The same text, said once; then where the pruned one went.
        self.assertEqual(2, len(lines), err)
        self.assertIn('moved to the recycle bin', lines[1])
        self.assertEqual(3, self.calls().count(LIST))
        self.assertEqual([base.BINNED, base.BINNED], [
            r['Result'] for r in json.loads(out)][:2])

    def test_wait_lock_gives_up_after_the_timeout(self):
        self.claims.hold(claim_body())
        code, out, err = self.prune('--wait-lock', '--timeout', '12')
        self.assertEqual(1, code, err)
        self.assertNotIn('deprecated', err)
        self.assertEqual(
            'Another run still holds the retention of server analysis-vm '
            '(%s) after 12 s of --wait-lock: nothing was done.' % HOLDER,
            err.strip().splitlines()[-1])
        # At 0, 5, 10 and 15 s.
        self.assertEqual(4, self.calls().count(LIST))
        self.assertEqual([], self.writes())

    def test_wait_lock_seconds_still_work_with_a_warning(self):
        self.claims.hold(claim_body())
        code, out, err = self.prune('--wait-lock', '12')
        self.assertEqual(1, code, err)
        lines = err.strip().splitlines()
        self.assertEqual('Warning: --wait-lock <seconds> is deprecated and '
                         'will be removed; use --wait-lock --timeout '
                         '<seconds>.', lines[0])
        self.assertIn('after 12 s of --wait-lock: nothing was done.',
                      lines[-1])
        self.assertEqual(4, self.calls().count(LIST))
        self.assertEqual([], self.writes())

    def test_dry_run_holds_nothing(self):
        self.claims.hold(claim_body())
        code, out, err = self.prune('--dry-run', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual(sorted(test_usage.LISTINGS + [SERVER]),
                         sorted(self.calls()))

    def test_release_refused_is_one_true_warning(self):
        self.requests.patch('%s/%s' % (IMAGES, CLAIM.image_id(0)),
                            status_code=503, text='unavailable')
        code, out, err = self.prune('-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual(
            'Warning: could not release the claim %s (HTTP 503): other runs '
            'wait for it until %s.' % (
                CLAIM.image_id(0),
                self.claims.images[CLAIM.image_id(0)][claims.EXPIRES]),
            err.strip().splitlines()[-2])

    def test_release_of_a_claim_deleted_meanwhile_is_no_warning(self):
        # Someone deleted the claim image during the run: Glance answers
        # the release 404; nobody waits for it, so nothing is said.
        self.requests.patch(
            '%s/%s' % (IMAGES, CLAIM.image_id(0)), status_code=404,
            text=fakes.glance_html_error(404, 'No image found with ID %s'
                                         % CLAIM.image_id(0)),
            headers={'Content-Type': 'text/html'})
        code, out, err = self.prune('-f', 'json')
        self.assertEqual(0, code, err)
        self.assertNotIn('Warning', err)
        self.assertEqual('PATCH %s/%s' % (IMAGES, CLAIM.image_id(0)),
                         self.calls()[-1])


class TestHoldingReleases(testtools.TestCase):

    def test_released_on_ctrl_c(self):
        taken, released = [], []
        self.useFixture(fixtures.MockPatchObject(
            claims, 'hold', lambda conn, claim, ttl, wait, progress:
            taken.append(claim.key) or claim.key))
        self.useFixture(fixtures.MockPatchObject(
            claims, 'release', lambda conn, mine: released.append(mine)))
        reporter = type('R', (), {'progress': lambda s, label: None,
                                  'say': lambda s, text: None})()

        def interrupted():
            with retaining.holding(None, [('b', 'B'), ('a', 'A')],
                                   retention_plan.Lock(), reporter):
                raise KeyboardInterrupt

        self.assertRaises(KeyboardInterrupt, interrupted)
        self.assertEqual(['retention:a', 'retention:b'], taken)
        self.assertEqual(taken, released)
