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

"""``show`` prints a disk's boot index the same before and after
archiving: ``-`` (null in JSON) for a disk that boots nothing, whether
Nova recorded -1 or no boot index."""

import json

import testtools

from rcsnap_osc.core import archives
from rcsnap_osc.core import snapshots
from rcsnap_osc.v1 import columns
from tests.unit.archive import test_show
from tests.unit import backup_fakes as bf
from tests.unit import base
from tests.unit import fakes


def device(boot_index):
    return snapshots.Device('/dev/vdb', boot_index, fakes.DATA_SNAP_ID, 5,
                            'available')


def backup(boot_index):
    return {'backup_id': bf.DATA_BACKUP_ID, 'size_gib': 5,
            'device_name': '/dev/vdb', 'boot_index': boot_index,
            'volume_type': '__DEFAULT__', 'snapshot_id': fakes.DATA_SNAP_ID,
            'volume_id': fakes.DATA_VOLUME_ID, 'status': 'available'}


class TestBootIndexColumns(testtools.TestCase):

    def test_before_archiving(self):
        for value in (None, -1, '-1'):
            column = columns.VolumeSnapshotsColumn([device(value)])
            self.assertIn('/dev/vdb (boot index -):',
                          column.human_readable())
            self.assertIsNone(column.machine_readable()[0]['boot_index'])

    def test_after_archiving(self):
        for value in (None, -1):
            column = columns.BackupsColumn([backup(value)])
            self.assertIn('/dev/vdb (boot index -):',
                          column.human_readable())
            self.assertIsNone(column.machine_readable()[0]['boot_index'])

    def test_the_root_keeps_its_zero(self):
        self.assertIn('(boot index 0)', columns.VolumeSnapshotsColumn(
            [device(0)]).human_readable())
        self.assertEqual(0, columns.BackupsColumn(
            [backup(0)]).machine_readable()[0]['boot_index'])


class TestShowArchivedMinusOne(base.TestCommand):

    def test_a_data_disk_nova_recorded_minus_one(self):
        image = test_show.archived_image()
        image.update(archives.properties([
            archives.Record(bf.ROOT_BACKUP_ID, 10, '/dev/vda', 0,
                            '__DEFAULT__', fakes.ROOT_SNAP_ID,
                            fakes.ROOT_VOLUME_ID),
            archives.Record(bf.DATA_BACKUP_ID, 5, '/dev/vdb', -1,
                            '__DEFAULT__', fakes.DATA_SNAP_ID,
                            fakes.DATA_VOLUME_ID)], '2026-12-02T05:40:00Z'))
        fakes.register_image(self.requests, image)
        for sid in (fakes.ROOT_SNAP_ID, fakes.DATA_SNAP_ID):
            fakes.register_missing_volume_snapshot(self.requests, sid)
        for backup_id in (bf.ROOT_BACKUP_ID, bf.DATA_BACKUP_ID):
            bf.register_backup_states(self.requests, backup_id,
                                      bf.backup(backup_id))
        code, out, err = self.run_cli('rc', 'snapshot', 'show',
                                      fakes.IMAGE_ID, '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([0, None], [b['boot_index'] for b in json.loads(
            out)['backups']])
        code, out, err = self.run_cli('rc', 'snapshot', 'show',
                                      fakes.IMAGE_ID, '-f', 'table',
                                      '-c', 'backups')
        self.assertIn('/dev/vdb (boot index -): backup %s'
                      % bf.DATA_BACKUP_ID, out)
