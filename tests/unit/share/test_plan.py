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

"""The sharing decisions: plain dicts in, plain values out."""

import testtools

from rcsnap_osc.core import copies
from rcsnap_osc.share import plan as share_plan
from tests.unit import base
from tests.unit import fakes

ME = base.PROJECT_ID
BETA = base.OTHER_PROJECT_ID
GAMMA = '0a1b2c3d4e5f40718293a4b5c6d7e8f9'


def member(project, status='pending'):
    return {'member_id': project, 'status': status}


class TestChecks(testtools.TestCase):

    def test_owner_passes(self):
        share_plan.check_owner(fakes.image_backed_image(), ME)

    def test_not_owner_refused(self):
        image = fakes.image_backed_image(owner=BETA)
        exc = self.assertRaises(share_plan.Refused, share_plan.check_owner,
                                image, ME)
        self.assertEqual(
            'Snapshot web-vm-snap (%s) belongs to project %s: only its '
            'owner can share or unshare it.' % (fakes.IMAGE_ID, BETA),
            str(exc))

    def test_private_and_shared_are_shareable(self):
        for visibility in ('private', 'shared'):
            share_plan.check_shareable(
                fakes.image_backed_image(visibility=visibility))

    def test_public_and_community_refused(self):
        for visibility in ('public', 'community'):
            exc = self.assertRaises(
                share_plan.Refused, share_plan.check_shareable,
                fakes.image_backed_image(visibility=visibility))
            self.assertIn('is %s: every project can already see it'
                          % visibility, str(exc))

    def test_own_project_refused(self):
        exc = self.assertRaises(share_plan.Refused, share_plan.check_targets,
                                ME, [BETA, ME])
        self.assertIn('cannot be shared with itself', str(exc))

    def test_targets_deduplicated_in_order(self):
        self.assertEqual((GAMMA, BETA), share_plan.check_targets(
            ME, [GAMMA, BETA, GAMMA]))

    def test_member_check(self):
        share_plan.check_member(fakes.image_backed_image(owner=BETA), ME)
        exc = self.assertRaises(share_plan.Refused, share_plan.check_member,
                                fakes.image_backed_image(), ME)
        self.assertIn('is owned by this project', str(exc))


class TestNeedsCopy(testtools.TestCase):

    def test_image_backed_never(self):
        image = fakes.image_backed_image()
        self.assertFalse(share_plan.needs_copy(image, False))
        self.assertFalse(share_plan.needs_copy(image, True))

    def test_volume_backed_with_copy(self):
        self.assertTrue(share_plan.needs_copy(fakes.volume_backed_image(),
                                              True))

    def test_volume_backed_without_copy_explains(self):
        exc = self.assertRaises(share_plan.Refused, share_plan.needs_copy,
                                fakes.volume_backed_image(), False)
        self.assertEqual(
            'Snapshot analysis-vm-snap (%s) is volume-backed: its data is '
            'volume snapshot %s of this project, which other projects cannot '
            'use, so they could see the image but not launch it. Use --copy '
            'to share a standalone image made from it.'
            % (fakes.IMAGE_ID, fakes.ROOT_SNAP_ID), str(exc))


class TestPlanShare(testtools.TestCase):

    def test_private_becomes_shared(self):
        plan = share_plan.plan_share(fakes.image_backed_image(), [BETA], [])
        self.assertEqual(share_plan.SharePlan(True, (BETA,), ()), plan)

    def test_shared_stays_existing_members_skipped(self):
        image = fakes.image_backed_image(visibility='shared')
        plan = share_plan.plan_share(image, [BETA, GAMMA],
                                     [member(BETA, 'accepted')])
        self.assertEqual(share_plan.SharePlan(False, (GAMMA,), (BETA,)),
                         plan)

    def test_everyone_already_member_writes_nothing(self):
        image = fakes.image_backed_image(visibility='shared')
        plan = share_plan.plan_share(image, [BETA], [member(BETA)])
        self.assertFalse(plan.make_shared)
        self.assertEqual((), plan.add)

    def test_changeable_refusals(self):
        share_plan.check_changeable(fakes.image_backed_image(), ME)
        self.assertRaises(share_plan.Refused, share_plan.check_changeable,
                          fakes.image_backed_image(owner=BETA), ME)
        self.assertRaises(share_plan.Refused, share_plan.check_changeable,
                          fakes.image_backed_image(visibility='public'), ME)


class TestPlanUnshare(testtools.TestCase):

    def shared(self):
        return fakes.image_backed_image(visibility='shared')

    def test_last_member_goes_private(self):
        plan = share_plan.plan_unshare(self.shared(), [member(BETA)],
                                       [BETA])
        self.assertEqual(share_plan.UnsharePlan((BETA,), (), True), plan)

    def test_members_remain_stays_shared(self):
        plan = share_plan.plan_unshare(
            self.shared(), [member(BETA), member(GAMMA)], [BETA])
        self.assertEqual(share_plan.UnsharePlan((BETA,), (), False), plan)

    def test_all(self):
        plan = share_plan.plan_unshare(
            self.shared(), [member(BETA), member(GAMMA, 'rejected')])
        self.assertEqual(share_plan.UnsharePlan((BETA, GAMMA), (), True),
                         plan)

    def test_not_a_member_reported(self):
        plan = share_plan.plan_unshare(self.shared(), [member(BETA)],
                                       [GAMMA, GAMMA])
        self.assertEqual(share_plan.UnsharePlan((), (GAMMA,), False), plan)

    def test_shared_without_members_goes_private(self):
        plan = share_plan.plan_unshare(self.shared(), [])
        self.assertTrue(plan.make_private)

    def test_private_stays_private(self):
        plan = share_plan.plan_unshare(fakes.image_backed_image(), [])
        self.assertFalse(plan.make_private)


class TestCopy(testtools.TestCase):

    def test_root_and_left_out(self):
        image = fakes.volume_backed_image(entries=[
            fakes.data_entry(), fakes.swap_entry(), fakes.root_entry()])
        self.assertEqual(fakes.ROOT_SNAP_ID,
                         copies.root_ref(image).snapshot_id)
        self.assertEqual([fakes.DATA_SNAP_ID], [
            r.snapshot_id for r in copies.left_out(image)])

    def test_single_volume_leaves_nothing_out(self):
        self.assertEqual((), copies.left_out(fakes.volume_backed_image()))

    def test_name(self):
        image = fakes.volume_backed_image()
        self.assertEqual('analysis-vm-snap-copy', copies.copy_name(image))
        self.assertEqual('mine', copies.copy_name(image, 'mine'))
        self.assertEqual('%s-copy' % fakes.IMAGE_ID,
                         copies.copy_name(fakes.image(name=None)))

    def test_attributes_inherit_boot_properties_only(self):
        image = fakes.volume_backed_image(
            min_disk=20, min_ram=1024, hw_firmware_type='uefi',
            hw_machine_type='q35', img_config_drive='mandatory',
            img_signature='abc', img_signature_hash_method='SHA-256',
            os_glance_importing_to_stores='x', os_version='22.04',
            architecture='x86_64', **{'trait:CUSTOM_GPU': 'required'})
        self.assertEqual({
            'min_disk': 20, 'min_ram': 1024, 'image_type': 'snapshot',
            'rcsnap_source_snapshot_id': fakes.IMAGE_ID,
            'rcsnap_source_updated_at': fakes.CREATED,
            'os_distro': 'ubuntu', 'os_version': '22.04',
            'architecture': 'x86_64', 'hw_disk_bus': 'virtio',
            'hw_firmware_type': 'uefi', 'hw_machine_type': 'q35',
            'img_config_drive': 'mandatory', 'trait:CUSTOM_GPU': 'required',
        }, copies.copy_attributes(image, 10))

    def test_min_disk_at_least_root_size(self):
        image = fakes.volume_backed_image(min_disk=0, min_ram=None)
        attrs = copies.copy_attributes(image, 30)
        self.assertEqual(30, attrs['min_disk'])
        self.assertEqual(0, attrs['min_ram'])

    def test_mapping_and_owner_details_not_inherited(self):
        attrs = copies.copy_attributes(fakes.volume_backed_image(), 1)
        for key in ('block_device_mapping', 'bdm_v2', 'root_device_name',
                    'owner_project_name', 'owner_user_name', 'boot_roles',
                    'base_image_ref'):
            self.assertNotIn(key, attrs)


class TestProjects(testtools.TestCase):

    def test_split(self):
        self.assertEqual(
            ([BETA], ['beta', 'gamma']), share_plan.split_projects(
                ['beta', BETA, 'gamma', 'beta'], lambda v: v == BETA))

    def test_match(self):
        self.assertEqual({'beta': BETA}, share_plan.match_projects(
            ['beta'], [{'id': BETA, 'name': 'beta'},
                       {'id': GAMMA, 'name': 'gamma'}]))

    def test_unknown(self):
        exc = self.assertRaises(share_plan.Refused, share_plan.match_projects,
                                ['nope'], [{'id': BETA, 'name': 'beta'}])
        self.assertEqual("No project named 'nope' exists.", str(exc))

    def test_ambiguous(self):
        exc = self.assertRaises(
            share_plan.Refused, share_plan.match_projects, ['beta'],
            [{'id': BETA, 'name': 'beta'}, {'id': GAMMA, 'name': 'beta'}])
        self.assertIn("More than one project is named 'beta': %s, %s"
                      % (BETA, GAMMA), str(exc))


class TestMemberStatuses(testtools.TestCase):

    def test_one_listing_per_status(self):
        self.assertEqual(
            {'a': 'accepted', 'p': 'pending', 'r': 'rejected'},
            share_plan.member_statuses({
                'accepted': [{'id': 'a'}], 'pending': [{'id': 'p'}],
                'rejected': [{'id': 'r'}]}))

    def test_missing_listings(self):
        self.assertEqual({}, share_plan.member_statuses({}))


class TestReusableCopy(testtools.TestCase):

    def copy(self, copy_id='c-1', **fields):
        body = {'id': copy_id, 'owner': base.PROJECT_ID, 'status': 'active',
                'created_at': '2026-11-21T00:00:00Z',
                copies.SOURCE_PROPERTY: fakes.IMAGE_ID,
                copies.SOURCE_UPDATED_PROPERTY: fakes.CREATED}
        body.update(fields)
        return body

    def reusable(self, *found):
        found = copies.reusable_copy(
            list(found), fakes.volume_backed_image(), base.PROJECT_ID)
        return found and found['id']

    def test_newest_fitting_copy(self):
        self.assertEqual('c-2', self.reusable(
            self.copy(), self.copy('c-2', created_at='2026-11-22T00:00:00Z'),
            self.copy('c-3', created_at='2026-11-23T00:00:00Z',
                      status='queued')))

    def test_what_is_not_reused(self):
        self.assertIsNone(self.reusable(
            self.copy(owner=base.OTHER_PROJECT_ID),
            self.copy(status='killed'),
            self.copy(**{copies.SOURCE_UPDATED_PROPERTY: 'x'}),
            self.copy(**{copies.SOURCE_PROPERTY: 'other'})))
        self.assertIsNone(self.reusable())
