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


"""The recycle bin over HTTP fakes: the exact writes of binning,
recover and purge, as Glance and Cinder answer them."""

import datetime
import json

import fixtures

from rcsnap_osc.core import binning
from rcsnap_osc.core import holds
from rcsnap_osc.core import orphans
from tests.unit.archive import test_show
from tests.unit import backup_fakes as bf
from tests.unit import base
from tests.unit.delete import test_delete
from tests.unit.delete import test_orphans
from tests.unit import fakes
from tests.unit.retention import test_prune

IMAGES = base.IMAGE_URL + '/v2/images'
SNAPS = base.VOLUME_URL + '/snapshots'
NOW = datetime.datetime(2026, 12, 7, 13, 0, 0)
AT, UNTIL = '2026-12-07T13:00:00Z', '2026-12-14T13:00:00Z'
RECORD = {holds.BINNED_AT: AT, holds.BINNED_BY: 'delete',
          holds.BIN_UNTIL: UNTIL}
#: Glance's answer to a DELETE of a protected image (the local cloud's).
PROTECTED_403 = (
    '<html>\n <head>\n  <title>403 Forbidden</title>\n </head>\n <body>\n'
    '  <h1>403 Forbidden</h1>\n  Image %s is protected and cannot be '
    'deleted.<br /><br />\n\n\n\n </body>\n</html>' % fakes.IMAGE_ID)


def binned(image, **fields):
    """``image`` as binning leaves it."""
    body = dict(image, os_hidden=True, protected=True, status='deactivated',
                **{binning.WAS_HIDDEN: 'false', binning.WAS_STATUS: 'active',
                   holds.WAS_PROTECTED: 'false'}, **RECORD)
    body.update(fields)
    return body


def marked(body):
    return dict(body, metadata=dict(body.get('metadata') or {}, **RECORD))


class BinTest(test_delete.DeleteTest):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MonkeyPatch(
            'rcsnap_osc.recycle.run.now_utc', lambda: NOW))

    def accept_binning(self, image):
        fakes.register_image_update(self.requests, image)
        self.requests.post('%s/%s/actions/deactivate' % (IMAGES, image['id']),
                           status_code=204, text='')
        self.requests.post('%s/%s/actions/reactivate' % (IMAGES, image['id']),
                           status_code=204, text='')
        for sid in (fakes.ROOT_SNAP_ID, fakes.DATA_SNAP_ID):
            self.requests.post('%s/%s/metadata' % (SNAPS, sid),
                               json={'metadata': RECORD})
            self.requests.put('%s/%s/metadata' % (SNAPS, sid),
                              json={'metadata': {}})

    def rc(self, *args, code=0):
        status, out, err = self.run_cli('rc', 'snapshot', *args, '-f',
                                        'json')
        self.assertEqual(code, status, err)
        self.assertNotIn('Traceback', err)
        return json.loads(out) if out else None, err

    def write_bodies(self):
        return [(r.method, r.url.split('/v', 2)[-1], r.json() if r.body
                 else None) for r in self.requests.request_history
                if r.method not in ('GET', 'HEAD')
                and not r.url.startswith(base.AUTH_URL)]


def patch(*ops):
    return [{'op': op, 'path': '/' + key, 'value': value}
            if op == 'add' else {'op': op, 'path': '/' + key}
            for op, key, value in ops]


BIN_PATCH = patch(
    ('add', 'os_hidden', True), ('add', 'protected', True),
    ('add', holds.BIN_UNTIL, UNTIL), ('add', binning.WAS_HIDDEN, 'false'),
    ('add', binning.WAS_STATUS, 'active'),
    ('add', holds.BINNED_AT, AT), ('add', holds.BINNED_BY, 'delete'),
    ('add', holds.WAS_PROTECTED, 'false'))
BIN_PATCH.sort(key=lambda op: op['path'])


class TestBinning(BinTest):

    def test_volume_backed_one_patch_deactivate_and_each_record(self):
        self.cloud()
        self.accept_binning(test_delete.two_volume_image())
        rows, err = self.rc('delete', fakes.IMAGE_ID)
        self.assertEqual(['binned until %s' % UNTIL] * 3,
                         [r['Result'] for r in rows])
        self.assertEqual([
            ('PATCH', '2/images/%s' % fakes.IMAGE_ID, BIN_PATCH),
            ('POST', '2/images/%s/actions/deactivate' % fakes.IMAGE_ID,
             None),
            ('POST', '3/%s/snapshots/%s/metadata' % (
                base.PROJECT_ID, fakes.ROOT_SNAP_ID), {'metadata': RECORD}),
            ('POST', '3/%s/snapshots/%s/metadata' % (
                base.PROJECT_ID, fakes.DATA_SNAP_ID), {'metadata': RECORD}),
        ], self.write_bodies())
        self.assertIn('1 snapshot(s) moved to the recycle bin until %s'
                      % UNTIL, err)
        self.assertIn('bin purge %s' % fakes.IMAGE_ID, err)
        # No more requests than delete --purge: the same listings.
        self.assertEqual(8, len(self.calls()))

    def test_image_backed_patch_and_deactivate_only(self):
        image = fakes.image_backed_image()
        self.cloud(images=[image], vols=[])
        self.accept_binning(image)
        rows, err = self.rc('delete', fakes.IMAGE_ID, '--bin-days', '3')
        self.assertEqual([['image', 'binned until 2026-12-10T13:00:00Z']],
                         [[r['Kind'], r['Result']] for r in rows])
        self.assertEqual(['PATCH %s/%s' % (IMAGES, fakes.IMAGE_ID),
                          'POST %s/%s/actions/deactivate' % (
                              IMAGES, fakes.IMAGE_ID)], self.writes())

    def test_shared_with_force_keeps_its_members(self):
        image = fakes.image_backed_image(visibility='shared')
        self.cloud(images=[image], vols=[])
        fakes.register_members(self.requests, fakes.IMAGE_ID, [
            fakes.image_member(base.OTHER_PROJECT_ID, 'accepted')])
        self.accept_binning(image)
        rows, err = self.rc('delete', fakes.IMAGE_ID, '--force')
        self.assertEqual(['PATCH %s/%s' % (IMAGES, fakes.IMAGE_ID),
                          'POST %s/%s/actions/deactivate' % (
                              IMAGES, fakes.IMAGE_ID)], self.writes())

    def test_dry_run_writes_nothing(self):
        self.cloud()
        rows, err = self.rc('delete', fakes.IMAGE_ID, '--dry-run')
        self.assertEqual(['would bin'] * 3, [r['Result'] for r in rows])
        self.assertEqual([], self.writes())

    def test_locked_refused_nothing_changed(self):
        image = fakes.image_backed_image(
            **{holds.LOCKED_UNTIL: '2099-01-01T00:00:00Z'})
        self.cloud(images=[image], vols=[])
        self.assertFails('is locked until 2099-01-01T00:00:00Z', 'rc',
                         'snapshot', 'delete', fakes.IMAGE_ID)
        self.assertEqual([], self.writes())

    def test_already_binned_is_refused(self):
        image = binned(fakes.image_backed_image())
        self.cloud(images=[], hidden=[image], vols=[])
        rows, err = self.rc('delete', fakes.IMAGE_ID, code=1)
        self.assertIn('in the bin until %s already' % UNTIL,
                      rows[0]['Result'])
        self.assertEqual([], self.writes())

    def test_bin_days_zero_is_an_argument_error(self):
        for days in ('0', '-1', 'x'):
            code, out, err = self.run_cli('rc', 'snapshot', 'delete',
                                          fakes.IMAGE_ID, '--bin-days', days)
            self.assertEqual(2, code, err)
            self.assertNotIn('Traceback', err)
        self.assertEqual([], self.calls())

    def test_purge_asks_unless_yes(self):
        self.assertFails('delete --purge deletes for good: add --yes',
                         'rc', 'snapshot', 'delete', '--purge',
                         fakes.IMAGE_ID)
        self.assertEqual([], self.calls())


class TestArchivedBinning(BinTest):

    def test_each_backup_gets_the_record_in_one_put(self):
        image = test_show.archived_image()
        self.cloud(images=[image], vols=[])
        backups = [bf.backup(), bf.backup(bf.DATA_BACKUP_ID,
                                          volume_id=fakes.DATA_VOLUME_ID)]
        self.requests.get(bf.BACKUPS + '/detail', json={'backups': backups})
        self.accept_binning(image)
        for backup in backups:
            self.requests.put('%s/%s' % (bf.BACKUPS, backup['id']),
                              json={'backup': {'id': backup['id']}})
        rows, err = self.rc('delete', fakes.IMAGE_ID)
        puts = [r for r in self.requests.request_history
                if r.method == 'PUT']
        self.assertEqual([{'backup': {'metadata': dict(
            rcsnap_image_id=fakes.IMAGE_ID, **RECORD)}}] * 2,
            [r.json() for r in puts])
        self.assertEqual(['volume 3.43'] * 2, [
            r.headers['OpenStack-API-Version'] for r in puts])
        self.assertEqual(['binned until %s' % UNTIL] * 3,
                         [r['Result'] for r in rows])


class TestRecover(BinTest):

    def test_back_as_it_was_one_patch_and_records_removed(self):
        image = binned(test_delete.two_volume_image())
        self.cloud(images=[], hidden=[image], vols=[
            marked(fakes.volume_snapshot(fakes.ROOT_SNAP_ID)),
            marked(fakes.volume_snapshot(fakes.DATA_SNAP_ID,
                                         metadata={'mine': 'x'}))])
        self.accept_binning(image)
        rows, err = self.rc('recover', 'analysis-vm-snap')
        self.assertEqual([{'ID': fakes.IMAGE_ID, 'Name': 'analysis-vm-snap',
                           'Result': 'recovered'}], rows)
        removed = sorted(holds.BIN_KEYS + binning.OWN_KEYS +
                         (holds.WAS_PROTECTED,))
        self.assertEqual([
            ('POST', '2/images/%s/actions/reactivate' % fakes.IMAGE_ID,
             None),
            ('PATCH', '2/images/%s' % fakes.IMAGE_ID,
             [{'op': 'remove', 'path': '/' + k} for k in removed] +
             patch(('add', 'os_hidden', False), ('add', 'protected', False))),
            ('PUT', '3/%s/snapshots/%s/metadata' % (
                base.PROJECT_ID, fakes.ROOT_SNAP_ID), {'metadata': {}}),
            ('PUT', '3/%s/snapshots/%s/metadata' % (
                base.PROJECT_ID, fakes.DATA_SNAP_ID),
             {'metadata': {'mine': 'x'}}),
        ], self.write_bodies())

    def test_stays_protected_when_the_owner_protected_it(self):
        image = binned(fakes.image_backed_image(),
                       **{holds.WAS_PROTECTED: 'true'})
        self.cloud(images=[], hidden=[image], vols=[])
        self.accept_binning(image)
        self.rc('recover', fakes.IMAGE_ID)
        body = self.requests.request_history[-1].json()
        self.assertIn({'op': 'add', 'path': '/protected', 'value': True},
                      body)
        self.assertIn({'op': 'remove', 'path': '/' + holds.WAS_PROTECTED},
                      body)

    def test_not_in_the_bin_refused_nothing_changed(self):
        self.cloud(images=[fakes.image_backed_image()], vols=[])
        self.assertFails('Snapshot %s is not in the recycle bin.'
                         % fakes.IMAGE_ID, 'rc', 'snapshot', 'recover',
                         fakes.IMAGE_ID)
        self.assertFails("no image with a name or ID of 'nothing'", 'rc',
                         'snapshot', 'recover', 'nothing')
        self.assertEqual([], self.writes())


class TestPurge(BinTest):

    def test_unprotects_then_deletes_through_the_plan(self):
        image = binned(test_delete.two_volume_image())
        self.cloud(images=[], hidden=[image])
        self.accept_binning(image)
        self.accept_deletes()
        rows, err = self.rc('bin', 'purge', fakes.IMAGE_ID, '--yes')
        self.assertEqual(['deleted', 'deleting', 'deleting'],
                         [r['Result'] for r in rows])
        self.assertEqual([
            'PATCH %s/%s' % (IMAGES, fakes.IMAGE_ID),
            'DELETE %s/%s' % (IMAGES, fakes.IMAGE_ID),
            'DELETE %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
            'DELETE %s/%s' % (SNAPS, fakes.DATA_SNAP_ID)], self.writes())
        self.assertEqual([patch(('add', 'protected', False))], [
            r.json() for r in self.requests.request_history
            if r.method == 'PATCH'])
        # The images listed once, for the bin and delete's plan both.
        self.assertEqual(sorted([
            'GET %s?limit=1000&visibility=all' % IMAGES,
            'GET %s?limit=1000&os_hidden=true&visibility=all' % IMAGES]),
            sorted(c for c in self.calls()
                   if c.startswith('GET %s?' % IMAGES)))

    def test_older_than_picks_by_binning_date(self):
        old = binned(fakes.image_backed_image(),
                     **{holds.BINNED_AT: '2026-12-07T11:00:00Z'})
        young = binned(fakes.image_backed_image(
            test_delete.SECOND_IMAGE, 'young'),
            **{holds.BINNED_AT: '2026-12-07T12:59:00Z'})
        self.cloud(images=[], hidden=[old, young], vols=[])
        rows, err = self.rc('bin', 'purge', '--older-than', '1h',
                            '--dry-run')
        self.assertEqual([fakes.IMAGE_ID], [r['Resource'] for r in rows])
        self.assertEqual([], self.writes())

    def test_locked_refused_nothing_purged(self):
        image = binned(fakes.image_backed_image(),
                       **{holds.LOCKED_UNTIL: '2099-01-01T00:00:00Z'})
        self.cloud(images=[], hidden=[image], vols=[])
        self.assertFails('is locked until 2099-01-01T00:00:00Z: nothing '
                         'was purged', 'rc', 'snapshot', 'bin', 'purge',
                         fakes.IMAGE_ID, '--yes')
        self.assertEqual([], self.writes())

    def test_glance_refuses_a_protected_delete(self):
        image = binned(fakes.image_backed_image())
        self.cloud(images=[], hidden=[image], vols=[])
        fakes.register_image_update(self.requests, image)
        fakes.register_delete_image(self.requests, status_code=403,
                                    text=PROTECTED_403)
        rows, err = self.rc('bin', 'purge', fakes.IMAGE_ID, '--yes', code=1)
        self.assertIn('is protected and cannot be deleted',
                      rows[0]['Result'])

    def test_asks_unless_yes(self):
        self.assertFails('bin purge deletes for good', 'rc', 'snapshot',
                         'bin', 'purge')
        self.assertEqual([], self.calls())


class TestOrphansOverTheBin(BinTest):

    def test_marked_volume_snapshots_are_never_orphans(self):
        found = orphans.find_orphans(
            [], [marked(fakes.volume_snapshot(fakes.ROOT_SNAP_ID))], [],
            base.PROJECT_ID)
        self.assertEqual([], found)

    def test_a_binned_image_still_refers_to_its_volume_snapshots(self):
        image = binned(test_delete.two_volume_image())
        found = orphans.find_orphans(
            [image], [fakes.volume_snapshot(fakes.ROOT_SNAP_ID)], [],
            base.PROJECT_ID)
        self.assertEqual([], found)


class TestRetentionOverTheBin(base.TestCommand):

    register = test_prune.TestPruneCommand.register
    prune = test_prune.TestPruneCommand.prune

    def ours(self):
        """The writes on the snapshots (not the retention claim's)."""
        return [c for c in self.writes() if '/b000' in c or '/a000' in c]

    def test_binned_ones_count_as_gone(self):
        self.register([test_prune.snap(3), binned(
            test_prune.snap(2), **{holds.BIN_UNTIL: '2099-01-01T00:00:00Z'}),
            test_prune.snap(1)])
        rows = self.prune('--keep', '2', '--yes')
        self.assertEqual([(test_prune.image_id(3),
                           'kept (one of the newest 2)'),
                          (test_prune.image_id(1),
                           'kept (one of the newest 2)')],
                         [(r['Resource'], r['Result']) for r in rows])
        self.assertEqual([], self.ours())

    def test_past_its_date_purged_in_the_same_run(self):
        self.register([test_prune.snap(3), binned(
            test_prune.snap(2), **{holds.BIN_UNTIL: '2026-12-01T00:00:00Z'})])
        rows = self.prune('--keep', '1', '--yes')
        self.assertEqual([
            (test_prune.image_id(2), 'deleted'),
            (test_prune.vsid(2), 'deleting'),
            (test_prune.image_id(3), 'kept (one of the newest 1)')],
            [(r['Resource'], r['Result']) for r in rows])
        self.assertEqual([
            'PATCH %s/%s' % (IMAGES, test_prune.image_id(2)),
            'DELETE %s/%s' % (IMAGES, test_prune.image_id(2)),
            'DELETE %s/%s' % (SNAPS, test_prune.vsid(2))], self.ours())
        unprotect = [r.json() for r in self.requests.request_history
                     if r.method == 'PATCH' and '/b000' in r.url]
        self.assertEqual([patch(('add', 'protected', False))], unprotect)

    def test_locked_kept_with_a_row(self):
        self.register([test_prune.snap(2), test_prune.snap(1, **{
            holds.LOCKED_UNTIL: '2099-01-01T00:00:00Z'})])
        rows = self.prune('--keep', '1', '--yes')
        self.assertEqual([
            (test_prune.image_id(1),
             'kept (locked until 2099-01-01T00:00:00Z)'),
            (test_prune.vsid(1), 'kept (image %s kept)'
             % test_prune.image_id(1)),
            (test_prune.image_id(2), 'kept (one of the newest 1)')],
            [(r['Resource'], r['Result']) for r in rows])
        self.assertEqual([], self.ours())

    def test_bin_days_of_prune(self):
        self.register([test_prune.snap(2), test_prune.snap(1)])
        rows = self.prune('--keep', '1', '--yes', '--bin-days', '14')
        self.assertEqual('binned until 2026-12-21T13:00:00Z',
                         rows[0]['Result'])
        body = [r.json() for r in self.requests.request_history
                if r.method == 'PATCH' and '/b000' in r.url][0]
        self.assertIn({'op': 'add', 'path': '/' + holds.BINNED_BY,
                       'value': 'prune'}, body)


class TestOrphansBinned(test_orphans.OrphansTest):

    def test_delete_orphans_bins_them_by_their_metadata(self):
        old = test_orphans.vsnap(test_orphans.ORPHAN_ID,
                                 created='2026-11-01T10:00:00')
        self.cloud([test_orphans.vsnap(fakes.ROOT_SNAP_ID), old])
        code, out, err = self.run_cli('rc', 'snapshot', 'delete',
                                      '--orphans', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([base.BINNED],
                         [r['Result'] for r in json.loads(out)])
        self.assertEqual(['POST %s/%s/metadata'
                          % (SNAPS, test_orphans.ORPHAN_ID)], self.writes())
        self.assertEqual([{'metadata': {
            holds.BINNED_AT: AT, holds.BINNED_BY: 'delete',
            holds.BIN_UNTIL: base.BIN_UNTIL}}],
            [r.json() for r in self.requests.request_history
             if r.method == 'POST' and '/metadata' in r.url])
        self.assertIn('1 volume snapshot(s) moved to the recycle bin', err)

    def test_binned_orphans_are_listed_no_more(self):
        self.cloud([marked(test_orphans.vsnap(test_orphans.ORPHAN_ID))])
        self.assertEqual([], self.run_json('rc', 'snapshot', 'orphans',
                                           '--all'))
