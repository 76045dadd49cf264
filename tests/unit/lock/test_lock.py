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
"""``rc snapshot lock|unlock`` over HTTP fakes: the exact image PATCH of
each (image-backed, volume-backed, binned), the refusals, and what is
printed."""

import datetime
import json

import fixtures

from rcsnap_osc.core import holds
from tests.unit import base
from tests.unit import fakes

IMAGES = base.IMAGE_URL + '/v2/images'
IMAGE = IMAGES + '/' + fakes.IMAGE_ID
OTHER_ID = '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e'
NOW = datetime.datetime(2026, 12, 7, 13, 40, 0)
IN_30_DAYS = '2027-01-06T13:40:00Z'
BINNED = {holds.BINNED_AT: '2026-12-06T10:00:00Z',
          holds.BINNED_BY: 'delete', holds.BIN_UNTIL: '2026-12-13T10:00:00Z',
          holds.WAS_PROTECTED: 'false', 'protected': True, 'os_hidden': True}
LOCKED = {holds.LOCKED_UNTIL: '2026-12-20T00:00:00Z',
          holds.LOCKED_AT: '2026-12-01T09:00:00Z', holds.LOCKED_BY: 'bob',
          holds.WAS_PROTECTED: 'false', 'protected': True}
HIDDEN_QUERY = '?os_hidden=true'


def add(key, value):
    return {'op': 'add', 'path': '/' + key, 'value': value}


def remove(key):
    return {'op': 'remove', 'path': '/' + key}


def patched(image, request):
    """What Glance answers a JSON patch: the image with it applied (a
    remove of a property the image lacks is Glance's 409)."""
    body = dict(image)
    for op in request.json():
        key = op['path'].lstrip('/')
        if op['op'] == 'remove':
            body.pop(key)
        else:
            body[key] = op['value']
    return body


class LockTest(base.TestCommand):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MonkeyPatch(
            'rcsnap_osc.lock.plan.now', lambda: NOW))

    def serve(self, image):
        """The image by ID, and its PATCH answered as Glance does."""
        fakes.register_image(self.requests, image)
        self.requests.patch(
            '%s/%s' % (IMAGES, image['id']),
            json=lambda request, context: patched(image, request))

    def patches(self):
        """(url, the JSON patch, its content type) of each PATCH."""
        return [(r.url, r.json(), r.headers['Content-Type'])
                for r in self.requests.request_history
                if r.method == 'PATCH']

    def assertPatch(self, ops, url=IMAGE):
        self.assertEqual(
            [(url, ops, 'application/openstack-images-v2.1-json-patch')],
            self.patches())


class TestLock(LockTest):

    def test_image_backed_default_30_days_one_patch(self):
        self.serve(fakes.image_backed_image())
        data = self.run_json('rc', 'snapshot', 'lock', fakes.IMAGE_ID)
        self.assertEqual([{
            'ID': fakes.IMAGE_ID, 'Name': 'web-vm-snap', 'Protected': True,
            'Locked Until': IN_30_DAYS, 'Locked By': 'alpha'}], data)
        self.assertEqual(['GET %s' % IMAGE, 'PATCH %s' % IMAGE],
                         self.calls())
        # Sorted keys: the core attribute among the properties.
        self.assertPatch([
            add('protected', True),
            add(holds.LOCKED_AT, '2026-12-07T13:40:00Z'),
            add(holds.LOCKED_BY, 'alpha'),
            add(holds.LOCKED_UNTIL, IN_30_DAYS),
            add(holds.WAS_PROTECTED, 'false')])

    def test_volume_backed_by_name_until_a_date_no_cinder_request(self):
        image = fakes.volume_backed_image(protected=True)
        self.serve(image)
        fakes.register_image_list(self.requests, [image])
        data = self.run_json('rc', 'snapshot', 'lock', 'analysis-vm-snap',
                             '--until', '2027-03-01')
        self.assertEqual('2027-03-01T00:00:00Z', data[0]['Locked Until'])
        self.assertEqual([
            'GET %s?limit=1000&name=analysis-vm-snap' % IMAGES,
            'PATCH %s' % IMAGE], self.calls())
        # The owner had protected it: that is what unlock gives back.
        self.assertIn(add(holds.WAS_PROTECTED, 'true'),
                      self.patches()[0][1])

    def test_binned_found_by_name_in_the_bin(self):
        image = fakes.volume_backed_image(**BINNED)
        self.serve(image)
        fakes.register_image_list(self.requests, [])
        fakes.register_image_list(self.requests, [image], HIDDEN_QUERY)
        data = self.run_json('rc', 'snapshot', 'lock', 'analysis-vm-snap',
                             '--until', '10d')
        self.assertEqual('2026-12-17T13:40:00Z', data[0]['Locked Until'])
        self.assertEqual([
            'GET %s?limit=1000&name=analysis-vm-snap' % IMAGES,
            'GET %s?limit=1000&name=analysis-vm-snap&os_hidden=true'
            % IMAGES, 'PATCH %s' % IMAGE], self.calls())
        # The bin recorded the owner's flag already: not written again.
        self.assertPatch([
            add('protected', True),
            add(holds.LOCKED_AT, '2026-12-07T13:40:00Z'),
            add(holds.LOCKED_BY, 'alpha'),
            add(holds.LOCKED_UNTIL, '2026-12-17T13:40:00Z')])

    def test_extending_moves_the_date_later(self):
        self.serve(fakes.image_backed_image(**LOCKED))
        data = self.run_json('rc', 'snapshot', 'lock', fakes.IMAGE_ID,
                             '--until', '2027-01-01T12:00Z')
        self.assertEqual('2027-01-01T12:00:00Z', data[0]['Locked Until'])
        self.assertPatch([
            add('protected', True),
            add(holds.LOCKED_AT, '2026-12-07T13:40:00Z'),
            add(holds.LOCKED_BY, 'alpha'),
            add(holds.LOCKED_UNTIL, '2027-01-01T12:00:00Z')])

    def test_never_shortened(self):
        self.serve(fakes.image_backed_image(**LOCKED))
        code, out, err = self.run_cli('rc', 'snapshot', 'lock',
                                      fakes.IMAGE_ID, '--until', '1d',
                                      '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual('2026-12-20T00:00:00Z',
                         json.loads(out)[0]['Locked Until'])
        self.assertIn('stays locked until 2026-12-20T00:00:00Z', err)
        self.assertEqual([], self.writes())

    def test_several_each_once_in_order(self):
        other = fakes.volume_backed_image(OTHER_ID, 'db-snap')
        self.serve(fakes.image_backed_image())
        self.serve(other)
        data = self.run_json('rc', 'snapshot', 'lock', fakes.IMAGE_ID,
                             OTHER_ID, fakes.IMAGE_ID)
        self.assertEqual([fakes.IMAGE_ID, OTHER_ID], [r['ID'] for r in data])
        self.assertEqual(['PATCH %s' % IMAGE, 'PATCH %s/%s' % (
            IMAGES, OTHER_ID)], self.writes())

    def test_unknown_snapshot_changes_nothing(self):
        self.serve(fakes.image_backed_image())
        fakes.register_image_list(self.requests, [])
        self.assertFails("No image with a name or ID of 'nope' exists.",
                         'rc', 'snapshot', 'lock', fakes.IMAGE_ID, 'nope')
        self.assertEqual([], self.writes())

    def test_plain_image_refused(self):
        self.serve(fakes.image())
        self.assertFails('is not an instance snapshot', 'rc', 'snapshot',
                         'lock', fakes.IMAGE_ID)
        self.assertEqual([], self.writes())

    def test_until_in_the_past_is_an_argument_error(self):
        self.assertBadArgument(
            "argument --until: '2026-12-01' is not in the future (now: "
            "2026-12-07T13:40:00Z).", 'rc', 'snapshot', 'lock',
            fakes.IMAGE_ID, '--until', '2026-12-01')

    def test_until_unreadable_is_an_argument_error(self):
        self.assertBadArgument(
            "argument --until: 'soon' is neither a date", 'rc', 'snapshot',
            'lock', fakes.IMAGE_ID, '--until', 'soon')

    def test_glance_refusal_is_one_line(self):
        # A snapshot shared with this project: Glance's policy refuses
        # the change (glance.common.exception.Forbidden's message).
        fakes.register_image(self.requests, fakes.image_backed_image(
            owner=base.OTHER_PROJECT_ID, visibility='shared'))
        self.requests.patch(IMAGE, status_code=403, json=fakes.glance_error(
            403, 'You are not authorized to complete modify_image action.'))
        self.assertFails('not authorized to complete modify_image action',
                         'rc', 'snapshot', 'lock', fakes.IMAGE_ID)


class TestUnlock(LockTest):

    def test_before_the_date_needs_force_and_says_who_when(self):
        self.serve(fakes.image_backed_image(**LOCKED))
        self.assertFails(
            'Snapshot web-vm-snap (%s) is locked until 2026-12-20T00:00:00Z '
            '(by bob on 2026-12-01T09:00:00Z): use --force to unlock it '
            'before that date.' % fakes.IMAGE_ID,
            'rc', 'snapshot', 'unlock', fakes.IMAGE_ID)
        self.assertEqual([], self.writes())

    def test_force_gives_the_owner_flag_back(self):
        self.serve(fakes.image_backed_image(**LOCKED))
        data = self.run_json('rc', 'snapshot', 'unlock', fakes.IMAGE_ID,
                             '--force')
        self.assertEqual([{
            'ID': fakes.IMAGE_ID, 'Name': 'web-vm-snap', 'Protected': False,
            'Locked Until': '', 'Locked By': ''}], data)
        self.assertPatch([
            remove(holds.LOCKED_AT), remove(holds.LOCKED_BY),
            remove(holds.LOCKED_UNTIL), remove(holds.WAS_PROTECTED),
            add('protected', False)])

    def test_owner_protected_stays_protected(self):
        self.serve(fakes.image_backed_image(
            **dict(LOCKED, **{holds.WAS_PROTECTED: 'true'})))
        data = self.run_json('rc', 'snapshot', 'unlock', fakes.IMAGE_ID,
                             '--force')
        self.assertTrue(data[0]['Protected'])
        self.assertIn(add('protected', True), self.patches()[0][1])

    def test_binned_stays_protected_and_keeps_the_owner_flag(self):
        self.serve(fakes.volume_backed_image(**dict(BINNED, **LOCKED)))
        self.run_json('rc', 'snapshot', 'unlock', fakes.IMAGE_ID, '--force')
        self.assertPatch([
            remove(holds.LOCKED_AT), remove(holds.LOCKED_BY),
            remove(holds.LOCKED_UNTIL), add('protected', True)])

    def test_expired_lock_needs_no_force(self):
        self.serve(fakes.volume_backed_image(**dict(
            LOCKED, **{holds.LOCKED_UNTIL: '2026-12-07T13:00:00Z'})))
        data = self.run_json('rc', 'snapshot', 'unlock', fakes.IMAGE_ID)
        self.assertFalse(data[0]['Protected'])
        self.assertEqual(['GET %s' % IMAGE, 'PATCH %s' % IMAGE],
                         self.calls())

    def test_not_locked(self):
        self.serve(fakes.image_backed_image())
        self.assertFails(
            'Snapshot web-vm-snap (%s) is not locked.' % fakes.IMAGE_ID,
            'rc', 'snapshot', 'unlock', fakes.IMAGE_ID, '--force')
        self.assertEqual([], self.writes())

    def test_one_refused_none_changed(self):
        other = fakes.volume_backed_image(OTHER_ID, 'db-snap')
        self.serve(fakes.image_backed_image(**LOCKED))
        self.serve(other)
        self.assertFails('db-snap (%s) is not locked' % OTHER_ID, 'rc',
                         'snapshot', 'unlock', fakes.IMAGE_ID, OTHER_ID,
                         '--force')
        self.assertEqual([], self.writes())
