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

"""The delete plan: pure decisions, no HTTP."""

import testtools

from rcsnap_osc.core import deletion

from rcsnap_osc.core import deletion_plan
from tests.unit import base
from tests.unit import fakes

ME = base.PROJECT_ID
OTHER = base.OTHER_PROJECT_ID
ROOT = fakes.ROOT_SNAP_ID
DATA = fakes.DATA_SNAP_ID
SECOND_IMAGE = 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b'
#: How an operator resets the root volume snapshot (admin only).
RESET = 'openstack volume snapshot set --state available %s' % ROOT
BUSY = ('Cinder deletes nothing in that state until it ends; if it stays '
        'so, an operator can reset it with `%s` (admin only)' % RESET)


def two_volume_image(image_id=fakes.IMAGE_ID, name='analysis-vm-snap',
                     **fields):
    return fakes.volume_backed_image(
        image_id, name, entries=[fakes.swap_entry(), fakes.root_entry(),
                                 fakes.data_entry()], **fields)


def cinder(*ids, **fields):
    return {sid: fakes.volume_snapshot(sid, **fields) for sid in ids}


def summary(plans):
    """(resource, kind, action, reason) of every item, in order."""
    return [(i.resource_id, i.kind, i.action, i.reason)
            for p in plans for i in p.items]


class TestPlanDelete(testtools.TestCase):

    def plan(self, images=None, names=(fakes.IMAGE_ID,), vols=None,
             volumes=(), members=None, **kwargs):
        if images is None:
            images = [two_volume_image()]
        if vols is None:
            vols = cinder(ROOT, DATA)
        return deletion_plan.plan_delete(
            list(names), deletion_plan.Inventory(
                images, vols, list(volumes), members or {}), ME, **kwargs)

    def test_owned_volume_snapshots_deleted_root_first(self):
        plans = self.plan()
        self.assertEqual([
            (fakes.IMAGE_ID, 'image', 'delete', None),
            (ROOT, 'volume snapshot', 'delete', None),
            (DATA, 'volume snapshot', 'delete', None)], summary(plans))
        self.assertEqual(fakes.IMAGE_ID, plans[0].name)
        self.assertEqual((fakes.IMAGE_ID,), plans[0].items[1].images)
        self.assertEqual('snapshot for analysis-vm-snap',
                         plans[0].items[1].name)

    def test_image_backed_has_only_the_image(self):
        plans = self.plan([fakes.image_backed_image()], vols={})
        self.assertEqual([(fakes.IMAGE_ID, 'image', 'delete', None)],
                         summary(plans))

    def test_by_name(self):
        plans = self.plan(names=['analysis-vm-snap'])
        self.assertEqual('analysis-vm-snap', plans[0].name)
        self.assertEqual('delete', plans[0].image.action)

    def test_unknown_name_fails(self):
        plans = self.plan(names=['nope'])
        self.assertEqual([('nope', 'image', 'fail',
                           "no image with a name or ID of 'nope'")],
                         summary(plans))

    def test_ambiguous_name_fails_with_ids(self):
        images = [two_volume_image(), two_volume_image(SECOND_IMAGE)]
        plans = self.plan(images, names=['analysis-vm-snap'])
        self.assertEqual(
            "more than one image is named 'analysis-vm-snap': %s, %s; use "
            "an ID" % (fakes.IMAGE_ID, SECOND_IMAGE), plans[0].image.reason)

    def test_id_wins_over_a_name(self):
        images = [two_volume_image(),
                  fakes.image('x', fakes.IMAGE_ID)]
        plans = self.plan(images)
        self.assertEqual('delete', plans[0].image.action)

    def test_same_snapshot_named_twice_is_planned_once(self):
        plans = self.plan(names=[fakes.IMAGE_ID, 'analysis-vm-snap'])
        self.assertEqual(1, len(plans))

    def test_shared_reference_kept(self):
        other = fakes.volume_backed_image(
            SECOND_IMAGE, 'copy', entries=[fakes.root_entry()])
        plans = self.plan([two_volume_image(), other])
        self.assertEqual([
            (fakes.IMAGE_ID, 'image', 'delete', None),
            (ROOT, 'volume snapshot', 'keep',
             'also used by image %s' % SECOND_IMAGE),
            (DATA, 'volume snapshot', 'delete', None)], summary(plans))

    def test_shared_reference_deleted_when_both_images_are(self):
        other = fakes.volume_backed_image(
            SECOND_IMAGE, 'copy', entries=[fakes.root_entry()])
        plans = self.plan([two_volume_image(), other],
                          names=[fakes.IMAGE_ID, SECOND_IMAGE])
        self.assertEqual([
            (fakes.IMAGE_ID, 'image', 'delete', None),
            (ROOT, 'volume snapshot', 'delete', None),
            (DATA, 'volume snapshot', 'delete', None),
            (SECOND_IMAGE, 'image', 'delete', None)], summary(plans))
        self.assertEqual((fakes.IMAGE_ID, SECOND_IMAGE),
                         plans[0].items[1].images)

    def test_shared_reference_kept_when_other_image_refused(self):
        other = fakes.volume_backed_image(
            SECOND_IMAGE, 'copy', entries=[fakes.root_entry()],
            protected=True)
        plans = self.plan([two_volume_image(), other],
                          names=[fakes.IMAGE_ID, SECOND_IMAGE])
        self.assertEqual(('keep', 'also used by image %s' % SECOND_IMAGE),
                         (plans[0].items[1].action, plans[0].items[1].reason))
        # Listed once, under the first image that refers to it.
        self.assertEqual([(SECOND_IMAGE, 'image', 'refuse',
                           'protected; run "openstack image set '
                           '--unprotected %s" first' % SECOND_IMAGE)],
                         summary(plans[1:]))

    def test_not_listed_by_cinder_kept(self):
        plans = self.plan(vols=cinder(ROOT))
        self.assertEqual(('keep', 'not found in this project'),
                         (plans[0].items[2].action, plans[0].items[2].reason))
        self.assertIsNone(plans[0].items[2].name)

    def test_foreign_project_kept(self):
        vols = cinder(ROOT, DATA)
        vols[DATA][deletion.PROJECT] = OTHER
        plans = self.plan(vols=vols)
        self.assertEqual('in project %s, not this one' % OTHER,
                         plans[0].items[2].reason)

    def test_without_project_attribute_the_listing_proves_it(self):
        vols = cinder(ROOT, DATA)
        del vols[ROOT][deletion.PROJECT]
        self.assertEqual('delete', self.plan(vols=vols)[0].items[1].action)

    def test_dependent_volume_refuses_the_whole_snapshot(self):
        volumes = [{'id': 'v-1', 'snapshot_id': DATA, 'attachments': [
            {'server_id': 's-1', 'attachment_id': 'a-1'}]},
            {'id': 'v-2', 'snapshot_id': None},
            {'id': 'v-3', 'snapshot_id': DATA, 'attachments': []}]
        plans = self.plan(volumes=volumes)
        self.assertEqual([
            (fakes.IMAGE_ID, 'image', 'refuse',
             'volume snapshot %s would be left behind: volume v-1 '
             '(attached to server s-1), volume v-3 were created from it; '
             'delete those volumes first, or use --keep-volume-snapshots '
             'to delete the image alone' % DATA),
            (ROOT, 'volume snapshot', 'keep', 'image not deleted'),
            (DATA, 'volume snapshot', 'keep',
             'volume v-1, v-3 was created from it')], summary(plans))

    def test_blocked_snapshot_does_not_stop_the_others(self):
        second = fakes.volume_backed_image(
            SECOND_IMAGE, 'second', entries=[fakes.root_entry('s-root')])
        plans = self.plan(
            images=[two_volume_image(), second],
            names=(fakes.IMAGE_ID, SECOND_IMAGE),
            vols=dict(cinder(ROOT, DATA), **cinder('s-root')),
            volumes=[{'id': 'v-1', 'snapshot_id': ROOT}])
        self.assertEqual('refuse', plans[0].image.action)
        self.assertEqual([('image', 'delete'), ('volume snapshot', 'delete')],
                         [(i.kind, i.action) for i in plans[1].items])

    def test_keep_volume_snapshots_is_not_blocked(self):
        plans = self.plan(volumes=[{'id': 'v-1', 'snapshot_id': DATA}],
                          keep_volume_snapshots=True)
        self.assertEqual(('delete', None), (plans[0].image.action,
                                            plans[0].image.reason))

    def test_what_does_not_block(self):
        """Kept for a reason that leaves no orphan: another image uses it,
        Cinder is deleting it, it is not this project's or not found."""
        other = fakes.volume_backed_image(
            SECOND_IMAGE, 'other', entries=[fakes.root_entry(ROOT)])
        vols = cinder(ROOT)
        vols[DATA] = fakes.volume_snapshot(DATA, status='deleting')
        plans = self.plan(images=[two_volume_image(), other], vols=vols)
        self.assertEqual('delete', plans[0].image.action)
        vols = cinder(ROOT, DATA)
        vols[DATA][deletion.PROJECT] = OTHER
        self.assertEqual('delete', self.plan(vols=vols)[0].image.action)
        self.assertEqual('delete',
                         self.plan(vols=cinder(ROOT))[0].image.action)

    def test_group_snapshot_kept(self):
        vols = cinder(ROOT, DATA)
        vols[ROOT]['group_snapshot_id'] = 'g-1'
        plans = self.plan(vols=vols)
        self.assertEqual('part of group snapshot g-1',
                         plans[0].items[1].reason)
        self.assertEqual('refuse', plans[0].image.action)
        self.assertIn('volume snapshot %s would be left behind: part of '
                      'group snapshot g-1' % ROOT, plans[0].image.reason)
        self.assertIn('wait until Cinder can delete it', plans[0].image.reason)

    def test_error_deleting_needs_an_operator(self):
        plans = self.plan(vols=cinder(ROOT, DATA, status='error_deleting'))
        self.assertIn('have an operator reset it first, or use '
                      '--keep-volume-snapshots', plans[0].image.reason)
        self.assertNotIn('wait until', plans[0].image.reason)

    def test_dependent_volume_stuck_uploading_is_named(self):
        volume = fakes.volume(snapshot_id=DATA, status='uploading')
        reason = self.plan(vols=cinder(ROOT, DATA), volumes=[volume])[
            0].image.reason
        self.assertIn(
            'volume snapshot %s would be left behind: volume %s (uploading: '
            'Cinder deletes nothing in that state until it ends; if it '
            'stays so, an operator can reset it with `openstack volume set '
            '--state available %s` (admin only)) was created from it; '
            'delete that volume first' % (DATA, fakes.TMP_VOLUME_ID,
                                          fakes.TMP_VOLUME_ID), reason)

    def test_statuses(self):
        for status, expected in (
                ('available', ('delete', None)),
                ('error', ('delete', None)),
                ('deleting', ('keep', 'already being deleted')),
                ('creating', ('keep', 'status is creating: %s' % BUSY)),
                ('error_deleting', ('keep', 'status is error_deleting: '
                                    'only an operator can reset it, with '
                                    '`%s` (admin only)' % RESET)),
                ('backing-up', ('keep', 'status is backing-up: %s' % BUSY)),
                ('unknown', ('keep', 'status is unknown'))):
            item = self.plan(vols=cinder(ROOT, DATA, status=status))[
                0].items[1]
            self.assertEqual(expected, (item.action, item.reason), status)

    def test_keep_volume_snapshots(self):
        plans = self.plan(keep_volume_snapshots=True, vols={})
        self.assertEqual(['delete', 'keep', 'keep'],
                         [i.action for i in plans[0].items])
        self.assertEqual('--keep-volume-snapshots', plans[0].items[1].reason)

    def test_protected_refused(self):
        plans = self.plan([two_volume_image(protected=True)])
        self.assertEqual([
            (fakes.IMAGE_ID, 'image', 'refuse',
             'protected; run "openstack image set --unprotected %s" first'
             % fakes.IMAGE_ID),
            (ROOT, 'volume snapshot', 'keep', 'image not deleted'),
            (DATA, 'volume snapshot', 'keep', 'image not deleted')],
            summary(plans))

    def test_protected_refused_even_with_force(self):
        plans = self.plan([two_volume_image(protected=True)], force=True)
        self.assertEqual('refuse', plans[0].image.action)

    def test_not_owner_refused_even_with_force(self):
        plans = self.plan([two_volume_image(owner=OTHER)], force=True)
        self.assertEqual(('refuse', 'owned by project %s, not this one'
                          % OTHER),
                         (plans[0].image.action, plans[0].image.reason))
        self.assertEqual('keep', plans[0].items[1].action)

    def test_plain_image_refused(self):
        plans = self.plan([fakes.image(name='ubuntu')], vols={})
        self.assertEqual([(fakes.IMAGE_ID, 'image', 'refuse',
                           'not an instance snapshot')], summary(plans))

    def test_unreadable_mapping_refused(self):
        image = fakes.image_backed_image(block_device_mapping='[{')
        plans = self.plan([image], vols={})
        self.assertEqual('refuse', plans[0].image.action)
        self.assertIn('block_device_mapping is not JSON',
                      plans[0].image.reason)

    def test_accepted_members_refused_unless_force(self):
        members = {fakes.IMAGE_ID: [
            {'member_id': 'p-2', 'status': 'accepted'},
            {'member_id': 'p-3', 'status': 'pending'},
            {'member_id': 'p-1', 'status': 'accepted'},
            {'member_id': 'p-4', 'status': 'rejected'}]}
        images = [two_volume_image(visibility='shared')]
        plans = self.plan(images, members=members)
        self.assertEqual(('refuse', 'shared with projects that accepted it: '
                          'p-1, p-2; use --force'),
                         (plans[0].image.action, plans[0].image.reason))
        plans = self.plan(images, members=members, force=True)
        self.assertEqual(['delete'] * 3, [i.action for i in plans[0].items])

    def test_shared_without_accepted_members_deleted(self):
        members = {fakes.IMAGE_ID: [{'member_id': 'p', 'status': 'pending'}]}
        plans = self.plan([two_volume_image(visibility='shared')],
                          members=members)
        self.assertEqual('delete', plans[0].image.action)

    def test_public_and_community_refused_unless_force(self):
        for visibility in ('public', 'community'):
            images = [two_volume_image(visibility=visibility)]
            self.assertEqual(
                'visibility is %s: other projects may use it; use --force'
                % visibility, self.plan(images)[0].image.reason)
            self.assertEqual('delete',
                             self.plan(images, force=True)[0].image.action)

    def test_several_in_the_order_named(self):
        images = [two_volume_image(), fakes.image_backed_image(
            SECOND_IMAGE, 'web')]
        plans = self.plan(images, names=['web', 'nope', fakes.IMAGE_ID])
        self.assertEqual(['web', 'nope', fakes.IMAGE_ID],
                         [p.name for p in plans])
        self.assertEqual(['delete', 'fail', 'delete'],
                         [p.image.action for p in plans])


class TestHelpers(testtools.TestCase):

    def test_needs_members(self):
        self.assertTrue(deletion.needs_members(
            {'owner': ME, 'visibility': 'shared'}, ME))
        self.assertFalse(deletion.needs_members(
            {'owner': OTHER, 'visibility': 'shared'}, ME))
        self.assertFalse(deletion.needs_members(
            {'owner': ME, 'visibility': 'private'}, ME))

    def test_references(self):
        self.assertEqual(
            {ROOT: [fakes.IMAGE_ID, SECOND_IMAGE], DATA: [fakes.IMAGE_ID]},
            deletion.references([two_volume_image(), fakes.volume_backed_image(
                SECOND_IMAGE, entries=[fakes.root_entry()]),
                fakes.image_backed_image('x')]))
