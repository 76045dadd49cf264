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

"""``rc snapshot prune``: which snapshots go, deleted through ``delete``'s
plan, in a constant number of reads."""

import datetime
import io
import json

import fixtures
import testtools

from rcsnap_osc.core import archives
from rcsnap_osc.core import origin
from rcsnap_osc.core import retention
from rcsnap_osc import errors
from rcsnap_osc.retention import run as retaining
from tests.unit import base
from tests.unit import fakes
from tests.unit.usage import test_usage

NOW = datetime.datetime(2026, 11, 30, 12, 0, 0)


def snap(n, **fields):
    """Volume-backed snapshot ``n`` of the server, made on day ``n`` of
    November 2026, with its own root volume snapshot."""
    return fakes.volume_backed_image(
        'b%07d-e5f6-4a7b-8c9d-0e1f2a3b4c5d' % n, 'snap-%d' % n,
        entries=[fakes.root_entry(vsid(n))],
        created_at='2026-11-%02dT10:00:00Z' % n,
        **{origin.SERVER_PROPERTY: fakes.SERVER_ID, **fields})


def vsid(n):
    return 'a%07d-e5f6-4a7b-8c9d-0e1f2a3b4c5d' % n


def image_id(n):
    return 'b%07d-e5f6-4a7b-8c9d-0e1f2a3b4c5d' % n


class TestChoose(testtools.TestCase):

    def choose(self, images, keep, members=None, older_than=None):
        choice = retention.choose(images, keep, base.PROJECT_ID, members,
                                  older_than, NOW)
        return ([i['id'] for i in choice.delete],
                [(i['id'], why) for i, why in choice.kept])

    def test_keep_zero_deletes_all(self):
        self.assertEqual(([image_id(3), image_id(2)], []),
                         self.choose([snap(3), snap(2)], 0))

    def test_keep_one(self):
        delete, kept = self.choose([snap(3), snap(2), snap(1)], 1)
        self.assertEqual([image_id(2), image_id(1)], delete)
        self.assertEqual([image_id(3)], [k[0] for k in kept])

    def test_keep_more_than_exist(self):
        delete, kept = self.choose([snap(3), snap(2)], 5)
        self.assertEqual([], delete)
        self.assertEqual(2, len(kept))

    def test_protected_and_accepted_are_kept_and_count(self):
        shared = snap(2, visibility='shared')
        members = {image_id(2): [fakes.image_member(
            base.OTHER_PROJECT_ID, 'accepted', image_id(2))]}
        delete, kept = self.choose(
            [snap(4, protected=True), shared, snap(1)], 1, members)
        self.assertEqual([image_id(1)], delete)
        self.assertEqual(image_id(4), kept[0][0])
        self.assertIn('shared with projects that accepted it', kept[1][1])

    def test_older_than(self):
        delete, kept = self.choose([snap(29), snap(20), snap(1)], 0,
                                   older_than=5 * 86400)
        self.assertEqual([image_id(20), image_id(1)], delete)
        self.assertEqual('not older than --older-than', kept[0][1])

    def test_negative_keep(self):
        self.assertRaises(errors.Refused, self.choose, [], -1)

    def test_durations(self):
        self.assertEqual(30 * 86400, retention.parse_duration('30d'))
        self.assertEqual(7200, retention.parse_duration('2h'))
        self.assertRaises(errors.Refused, retention.parse_duration, '30')

    def test_snapshots_of_newest_first(self):
        other = fakes.image_backed_image(instance_uuid=base.USER_ID)
        found = origin.snapshots_of(
            fakes.SERVER_ID, [snap(1), other, snap(3)], base.PROJECT_ID,
            {}, [])
        self.assertEqual([image_id(3), image_id(1)],
                         [i['id'] for i in found])


IMAGES = base.IMAGE_URL + '/v2/images'
SERVER = 'GET %s/servers/%s' % (base.COMPUTE_URL, fakes.SERVER_ID)


def claim_calls(server_id=fakes.SERVER_ID, generation=0):
    """``(take, release)``: the requests that hold a server's retention
    claim at ``generation`` (none before it listed), and let it go."""
    claim = retaining.retention_claim(server_id)
    take = ['GET %s?name=%s&os_hidden=true' % (IMAGES, claim.name),
            'POST ' + IMAGES]
    if generation:
        take.append('DELETE %s/%s' % (IMAGES,
                                      claim.image_id(generation - 1)))
    return take, ['PATCH %s/%s' % (IMAGES, claim.image_id(generation))]


TAKE, RELEASE = claim_calls()


class TestPruneCommand(base.TestCommand):

    def register(self, images, server=True):
        self.claims = fakes.FakeClaims(self.requests)
        days = sorted(int(i['id'][1:8]) for i in images)
        fakes.register_image_list(self.requests, images, '?visibility=all')
        fakes.register_image_list(self.requests, [],
                                  '?visibility=all&os_hidden=true')
        fakes.register_volume_snapshot_list(self.requests, [
            fakes.volume_snapshot(vsid(n), size=1, volume_id=None)
            for n in days])
        fakes.register_volume_list(self.requests, [])
        if server:
            fakes.register_server(self.requests, fakes.server())
        else:
            fakes.register_server_states(self.requests, fakes.SERVER_ID,
                                         None)
        for n in days:
            fakes.register_delete_image(self.requests, image_id(n))
            fakes.register_delete_volume_snapshot(self.requests, vsid(n))

    def prune(self, *extra):
        return self.run_json('rc', 'snapshot', 'prune', '--server',
                             fakes.SERVER_ID, *extra)

    def test_dry_run_reads_only(self):
        self.register([snap(1), snap(2), snap(3)])
        rows = self.prune('--keep', '1', '--dry-run')
        self.assertEqual([
            (image_id(2), 'would bin'), (vsid(2), 'would bin'),
            (image_id(1), 'would bin'), (vsid(1), 'would bin'),
            (image_id(3), 'kept (one of the newest 1)')],
            [(r['Resource'], r['Result']) for r in rows])
        self.assertEqual([], self.writes())
        self.assertEqual(sorted(test_usage.LISTINGS + [SERVER]),
                         sorted(self.calls()))

    def test_yes_deletes_image_then_volume_snapshot(self):
        self.register([snap(1), snap(2)])
        rows = self.prune('--keep', '1', '--yes')
        self.assertEqual([base.BINNED, base.BINNED, 'kept (one of the newest '
                          '1)'], [r['Result'] for r in rows])
        self.assertEqual(TAKE[1:] + [
            'PATCH %s/%s' % (IMAGES, image_id(1)),
            'POST %s/%s/actions/deactivate' % (IMAGES, image_id(1)),
            'POST %s/snapshots/%s/metadata' % (base.VOLUME_URL, vsid(1))]
            + RELEASE,
            self.writes())

    def test_deleted_server_by_id(self):
        self.register([snap(1), snap(2)], server=False)
        rows = self.prune('--keep', '0', '--dry-run')
        self.assertEqual(4, len(rows))

    def test_shared_accepted_kept_with_one_more_read(self):
        images = [snap(1, visibility='shared'), snap(2)]
        self.register(images)
        fakes.register_members(self.requests, image_id(1), [
            fakes.image_member(base.OTHER_PROJECT_ID, 'accepted',
                               image_id(1))])
        rows = self.prune('--keep', '0', '--yes')
        self.assertIn('shared with projects that accepted it',
                      rows[-1]['Result'])
        self.assertEqual(TAKE[1:] + [
            'PATCH %s/%s' % (IMAGES, image_id(2)),
            'POST %s/%s/actions/deactivate' % (IMAGES, image_id(2)),
            'POST %s/snapshots/%s/metadata' % (base.VOLUME_URL, vsid(2))]
            + RELEASE,
            self.writes())

    def test_not_on_a_terminal_needs_yes(self):
        self.register([snap(1)])
        self.assertFails('add --yes to confirm', 'rc', 'snapshot', 'prune',
                         '--server', fakes.SERVER_ID, '--keep', '0')
        self.assertEqual([], self.calls())

    def on_a_terminal(self, answer):
        terminal = io.StringIO(answer)
        terminal.isatty = lambda: True
        self.useFixture(fixtures.MonkeyPatch('sys.stdin', terminal))

    def test_on_a_terminal_asks_once_the_claim_is_held(self):
        self.register([snap(1), snap(2)])
        self.on_a_terminal('y\n')
        code, out, err = self.run_cli('rc', 'snapshot', 'prune', '--server',
                                      fakes.SERVER_ID, '--keep', '1')
        self.assertEqual(0, code, err)
        self.assertIn('Delete 1 snapshots of server %s? [y/N] '
                      % fakes.server()['name'], err)
        self.assertEqual(TAKE[1:] + [
            'PATCH %s/%s' % (IMAGES, image_id(1)),
            'POST %s/%s/actions/deactivate' % (IMAGES, image_id(1)),
            'POST %s/snapshots/%s/metadata' % (base.VOLUME_URL, vsid(1))]
            + RELEASE,
            self.writes())

    def test_on_a_terminal_no_deletes_nothing_and_releases(self):
        self.register([snap(1), snap(2)])
        self.on_a_terminal('\n')
        code, out, err = self.run_cli('rc', 'snapshot', 'prune', '--server',
                                      fakes.SERVER_ID, '--keep', '1')
        self.assertEqual(1, code, err)
        self.assertIn('would bin', err)
        self.assertIn('Nothing was done.', err.strip().splitlines()[-1])
        self.assertEqual(TAKE[1:] + RELEASE, self.writes())

    def test_bad_duration(self):
        self.assertFails("Invalid duration '3x'", 'rc', 'snapshot', 'prune',
                         '--server', fakes.SERVER_ID, '--keep', '0',
                         '--older-than', '3x', '--dry-run')

    def test_calendar_rules_delete_the_rest(self):
        # Nov 1 2026 is a Sunday (W44), Nov 2 and 3 are in W45.
        self.register([snap(3), snap(2), snap(1)])
        rows = self.prune('--keep-daily', '2', '--keep-weekly', '1',
                          '--yes')
        self.assertEqual([
            (image_id(1), base.BINNED), (vsid(1), base.BINNED),
            (image_id(3), 'kept (daily 2026-11-03, weekly 2026-W45)'),
            (image_id(2), 'kept (daily 2026-11-02)')],
            [(r['Resource'], r['Result']) for r in rows])
        self.assertEqual(TAKE[1:] + [
            'PATCH %s/%s' % (IMAGES, image_id(1)),
            'POST %s/%s/actions/deactivate' % (IMAGES, image_id(1)),
            'POST %s/snapshots/%s/metadata' % (base.VOLUME_URL, vsid(1))]
            + RELEASE,
            self.writes())

    def test_keep_within_and_newest_combined(self):
        self.register([snap(20), snap(10), snap(9), snap(1)])
        rows = self.prune('--keep', '1', '--keep-within', '10d',
                          '--keep-monthly', '1', '--dry-run')
        self.assertEqual([
            (image_id(9), 'would bin'), (vsid(9), 'would bin'),
            (image_id(1), 'would bin'), (vsid(1), 'would bin'),
            (image_id(20), 'kept (one of the newest 1, within 10d, '
             'monthly 2026-11)'),
            (image_id(10), 'kept (within 10d)')],
            [(r['Resource'], r['Result']) for r in rows])
        self.assertEqual([], self.writes())

    def test_protected_past_the_buckets_kept_with_reason(self):
        self.register([snap(3), snap(2, protected=True), snap(1)])
        rows = self.prune('--keep-daily', '1', '--yes')
        self.assertEqual([image_id(1), vsid(1), image_id(3), image_id(2)],
                         [r['Resource'] for r in rows])
        self.assertIn('kept (protected', rows[-1]['Result'])
        self.assertEqual(TAKE[1:] + [
            'PATCH %s/%s' % (IMAGES, image_id(1)),
            'POST %s/%s/actions/deactivate' % (IMAGES, image_id(1)),
            'POST %s/snapshots/%s/metadata' % (base.VOLUME_URL, vsid(1))]
            + RELEASE,
            self.writes())

    def test_a_keep_rule_is_needed(self):
        self.assertFails('Give at least one rule of what to keep', 'rc',
                         'snapshot', 'prune', '--server', fakes.SERVER_ID,
                         '--yes')
        self.assertFails('Give at least one rule of what to keep', 'rc',
                         'snapshot', 'prune', '--server', fakes.SERVER_ID,
                         '--older-than', '30d', '--dry-run')
        self.assertEqual([], self.calls())

    def test_bad_bucket_counts_and_within(self):
        for option in ('--keep-daily', '--keep-weekly', '--keep-monthly'):
            self.assertBadArgument(
                "argument %s: '0' is not a whole number of 1 or more: "
                "leave the option out" % option, 'rc', 'snapshot', 'prune',
                '--server', fakes.SERVER_ID, option, '0', '--yes')
        self.assertFails("Invalid duration '2 weeks'", 'rc', 'snapshot',
                         'prune', '--server', fakes.SERVER_ID,
                         '--keep-within', '2 weeks', '--yes')
        self.assertEqual([], self.calls())

    def test_constant_requests(self):
        made = []
        for count in (1, 50, 500):
            before = len(self.calls())
            self.register([snap(n) for n in range(1, count + 1)])
            rows = self.prune('--keep', '0', '--dry-run')
            self.assertEqual(2 * count, len(rows))
            made.append(len(self.calls()) - before)
        self.assertEqual([5, 5, 5], made)


class TestPruneArchived(base.TestCommand):
    """An archived snapshot past the keep rules goes with its backups, by
    ``delete``'s rules; the backups are listed only then."""

    register = TestPruneCommand.register
    prune = TestPruneCommand.prune

    BACKUP_ID = '31f72774-9044-4f54-9a21-151ab3493932'
    NEWER_ID = '0d226cdd-be56-4c96-bc07-562f64ffadbc'

    def archived(self, *backups):
        old = snap(1, **archives.properties([archives.Record(
            self.BACKUP_ID, 1, '/dev/vda', 0, '__DEFAULT__', vsid(1),
            fakes.ROOT_VOLUME_ID)], '2026-11-02T10:00:00Z'))
        self.register([old, snap(2)])
        # archived: its volume snapshot is gone
        fakes.register_volume_snapshot_list(self.requests, [
            fakes.volume_snapshot(vsid(2), size=1, volume_id=None)])
        fakes.register_backup_list(self.requests, backups)
        self.requests.delete('%s/backups/%s' % (base.VOLUME_URL,
                                                self.BACKUP_ID),
                             status_code=202)

    def backup(self, backup_id, **fields):
        return dict({
            'id': backup_id, 'status': 'available', 'size': 1,
            'volume_id': fakes.ROOT_VOLUME_ID, 'snapshot_id': vsid(1),
            'is_incremental': False, 'has_dependent_backups': False,
            'created_at': '2026-11-02T10:00:00.000000',
            'metadata': {'rcsnap_image_id': image_id(1)}}, **fields)

    def test_deleted_with_its_backup(self):
        self.archived(self.backup(self.BACKUP_ID))
        rows = self.prune('--keep', '1', '--yes')
        self.assertEqual([
            (image_id(1), base.BINNED), (self.BACKUP_ID, base.BINNED),
            (image_id(2), 'kept (one of the newest 1)')],
            [(r['Resource'], r['Result']) for r in rows])
        self.assertEqual(TAKE[1:] + [
            'PATCH %s/%s' % (IMAGES, image_id(1)),
            'POST %s/%s/actions/deactivate' % (IMAGES, image_id(1)),
            'PUT %s/backups/%s' % (base.VOLUME_URL, self.BACKUP_ID)]
            + RELEASE, self.writes())
        self.assertEqual(1, self.calls().count(
            'GET %s/backups/detail?limit=1000' % base.VOLUME_URL))

    def test_refused_while_a_newer_incremental_builds_on_it(self):
        self.archived(
            self.backup(self.BACKUP_ID, has_dependent_backups=True),
            self.backup(self.NEWER_ID, is_incremental=True,
                        created_at='2026-11-20T10:00:00.000000',
                        metadata={}))
        status, out, err = self.run_cli(
            'rc', 'snapshot', 'prune', '--server', fakes.SERVER_ID,
            '--keep', '1', '--yes', '-f', 'json')
        self.assertEqual(1, status, err)
        why = ('incremental backup %s builds on it: Cinder deletes it once '
               'that one is gone' % self.NEWER_ID)
        self.assertEqual([
            (image_id(1), 'refused (backup %s would be left behind: %s)'
             % (self.BACKUP_ID, why)),
            (self.BACKUP_ID, 'kept (%s)' % why),
            (image_id(2), 'kept (one of the newest 1)')],
            [(r['Resource'], r['Result']) for r in json.loads(out)])
        self.assertEqual(TAKE[1:] + RELEASE, self.writes())

    def test_not_archived_lists_no_backups(self):
        self.register([snap(1), snap(2)])
        self.prune('--keep', '1', '--dry-run')
        self.assertFalse([c for c in self.calls() if '/backups' in c])
