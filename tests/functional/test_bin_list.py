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
"""The recycle bin's read side against a real cloud: ``bin list``,
``list --bin`` and ``show --bin`` of a snapshot in the bin. The snapshot
is put in the bin here as the bin does it (hidden, protected, the bin's
properties), in one image PATCH."""

import datetime

from tests.functional import base

PATCH_TYPE = 'application/openstack-images-v2.1-json-patch'


class TestBinList(base.FunctionalTest):

    def binned(self):
        """An image-backed snapshot put in the bin; unprotected at
        cleanup, so that it can go."""
        snap = self.upload_snapshot()
        now = datetime.datetime.now(datetime.timezone.utc)
        stamp = '%Y-%m-%dT%H:%M:%SZ'
        fields = {'os_hidden': True, 'protected': True,
                  'rcsnap_was_protected': 'false',
                  'rcsnap_binned_at': now.strftime(stamp),
                  'rcsnap_binned_by': 'delete',
                  'rcsnap_bin_until': (now + datetime.timedelta(
                      days=7)).strftime(stamp)}
        conn = base.connection()
        self.addCleanup(self.unprotect, snap['id'])
        response = conn.image.patch(
            '/images/%s' % snap['id'], headers={'Content-Type': PATCH_TYPE},
            json=[{'op': 'add', 'path': '/' + k, 'value': v}
                  for k, v in fields.items()])
        response.raise_for_status()
        return snap, fields

    def unprotect(self, image_id):
        conn = base.connection()
        image = conn.image.find_image(image_id)
        if image is not None and image.is_protected:
            conn.image.update_image(image, is_protected=False)

    def test_list_show_and_bin_list(self):
        snap, fields = self.binned()
        rows = {r['ID']: r for r in self.rc('bin', 'list')}
        self.assertIn(snap['id'], rows)
        self.assertEqual(
            (snap['name'], fields['rcsnap_binned_at'], 'delete',
             fields['rcsnap_bin_until']),
            tuple(rows[snap['id']][k] for k in (
                'Name', 'Binned At', 'Binned By', 'Purge After')))
        self.assertIsInstance(rows[snap['id']]['Size GiB'], (int, float))

        self.assertNotIn(snap['id'], {r['ID'] for r in self.rc('list')})
        self.assertNotIn(snap['id'],
                         {i['ID'] for i in self.openstack('image', 'list')})
        listed = {r['ID']: r for r in self.rc('list', '--bin')}
        self.assertEqual(fields['rcsnap_bin_until'],
                         listed[snap['id']]['Purge After'])

        self.assertFailsCleanly(
            "No image with a name or ID of '%s' exists" % snap['name'],
            'rc', 'snapshot', 'show', snap['name'])
        for name_or_id in (snap['name'] + ' --bin', snap['id']):
            shown = self.rc('show', *name_or_id.split())
            self.assertEqual(
                (snap['id'], fields['rcsnap_bin_until'], 'delete'),
                (shown['id'], shown['purge_after'], shown['binned_by']))

        # A lock works in the bin too; unlocking leaves it protected.
        self.rc('lock', snap['id'], '--until', '1d')
        self.assertEqual([True], [r['Protected'] for r in self.rc(
            'unlock', snap['id'], '--force')])
        self.assertTrue(base.connection().image.get_image(
            snap['id']).is_protected)
