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

"""``rc snapshot export`` and ``import`` over HTTP fakes: the requests
made, the files written, checksums, resume with ``Range``, free space, and
cleanup on failure and Ctrl-C."""

import collections
import hashlib
import json
import os

import fixtures

from rcsnap_osc.portable import manifest
from tests.unit import base
from tests.unit import fakes

IMAGES = base.IMAGE_URL + '/v2/images'
IMAGE = '%s/%s' % (IMAGES, fakes.IMAGE_ID)
SNAPS = base.VOLUME_URL + '/snapshots'
VOLUMES = base.VOLUME_URL + '/volumes'
TMP = '%s/%s' % (VOLUMES, fakes.TMP_VOLUME_ID)
TMP_DELETE = TMP + '?cascade=False&force=False'
COPY = '%s/%s' % (IMAGES, fakes.COPY_IMAGE_ID)
NEW_IMAGE_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
NEW_SNAP_ID = '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e'
TYPES = base.VOLUME_URL + '/types'

#: The bytes of the temporary image, and Glance's sha512 of them.
DATA = bytes(range(256)) * 4096 * 3


def sha(data, algo='sha256'):
    return hashlib.new(algo, data).hexdigest()


def consume(request, context):
    """Read an upload's body, as the server does."""
    while request.body.read(65536):
        pass
    return ''


class ExportTest(base.TestCommand):

    def setUp(self):
        super().setUp()
        self.useFixture(base.FakeClock())
        self.dir = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                'out')
        self.free = 100 * 1024 ** 3
        self.useFixture(fixtures.MonkeyPatch(
            'shutil.disk_usage',
            lambda path: collections.namedtuple(
                'usage', 'total used free')(0, 0, self.free)))
        # The IDs the command chooses for the images it creates, in order
        # (Glance keeps a client-chosen ID): those the fakes answer for.
        self.image_ids = []
        self.useFixture(fixtures.MonkeyPatch(
            'rcsnap_osc.portable.from_files.uuidutils.generate_uuid',
            lambda: self.image_ids.pop(0)))

    def copy_body(self, status='active', data=DATA, **fields):
        body = fakes.image(fakes.COPY_IMAGE_ID, 'analysis-vm-snap-export-0',
                           status=status, disk_format='qcow2',
                           size=len(data), os_hash_algo='sha512',
                           os_hash_value=sha(data, 'sha512'))
        body.update(fields)
        return body

    def register_volume_backed(self, data=DATA, **copy):
        fakes.register_image(self.requests, fakes.volume_backed_image())
        fakes.register_volume_snapshot(self.requests,
                                       fakes.volume_snapshot(size=1))
        self.requests.post(VOLUMES, status_code=202, json={
            'volume': fakes.volume(status='creating', size=1)})
        fakes.register_volume_states(self.requests, fakes.TMP_VOLUME_ID,
                                     'creating', 'available')
        self.requests.post(TMP + '/action', status_code=202,
                           json=fakes.upload_answer(disk_format='qcow2'))
        self.requests.get(COPY, [{'json': self.copy_body('saving', data)},
                                 {'json': self.copy_body('active', data,
                                                         **copy)}])
        self.requests.delete(TMP, status_code=202)
        self.requests.delete(COPY, status_code=204)
        self.register_data(data)

    def register_data(self, data, image_id=fakes.COPY_IMAGE_ID):
        """GET the image data as Glance answers it: 206 with a Range it
        can satisfy, 416 past the end."""
        def answer(request, context):
            asked = request.headers.get('Range')
            if not asked:
                return data
            start = int(asked.split('=')[1].rstrip('-'))
            if start >= len(data):
                context.status_code = 416
                context.headers['Content-Type'] = 'text/html; charset=UTF-8'
                return b'<html><body>416 Request Range Not Satisfiable'
            context.status_code = 206
            context.headers['Content-Range'] = 'bytes %d-%d/%d' % (
                start, len(data) - 1, len(data))
            return data[start:]
        self.requests.get('%s/%s/file' % (IMAGES, image_id), content=answer)

    def export(self, *args):
        return self.run_cli('rc', 'snapshot', 'export', fakes.IMAGE_ID,
                            '--dir', self.dir, *args)

    def manifest(self):
        with open(os.path.join(self.dir, 'manifest.json')) as f:
            return json.load(f)


class TestExport(ExportTest):

    def test_volume_backed(self):
        self.register_volume_backed()
        code, out, err = self.export('-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual({
            'snapshot_id': fakes.IMAGE_ID, 'name': 'analysis-vm-snap',
            'type': 'volume-backed', 'directory': self.dir,
            'files': ['disk-0.qcow2'], 'size_bytes': len(DATA)},
            json.loads(out))
        self.assertEqual([
            'GET %s' % IMAGE,
            'GET %s/%s' % (SNAPS, fakes.ROOT_SNAP_ID),
            'POST %s' % VOLUMES,
            'GET %s' % TMP, 'GET %s' % TMP,
            'POST %s/action' % TMP,
            'GET %s' % COPY, 'GET %s' % COPY,
            'GET %s' % TMP,
            'DELETE %s' % TMP_DELETE,
            'GET %s/file' % COPY,
            'DELETE %s' % COPY], self.calls())
        with open(os.path.join(self.dir, 'disk-0.qcow2'), 'rb') as f:
            self.assertEqual(DATA, f.read())
        doc = self.manifest()
        self.assertEqual(
            [{'file': 'disk-0.qcow2', 'disk_format': 'qcow2',
              'container_format': 'bare', 'device_name': '/dev/vda',
              'boot_index': 0, 'size_gib': 1, 'volume_type': None,
              'disk_bus': 'virtio', 'size': len(DATA),
              'sha256': sha(DATA)}], doc['disks'])
        self.assertEqual({'region': 'RegionOne',
                          'project_id': base.PROJECT_ID}, doc['source'])
        self.assertEqual(['disk-0.qcow2', 'manifest.json'],
                         sorted(os.listdir(self.dir)))
        self.assertIn('disk-0.qcow2: 3 MiB in ', err)

    def test_image_backed_streams_the_image(self):
        data = b'image-backed bytes' * 1000
        fakes.register_image(self.requests, fakes.image_backed_image(
            size=len(data), os_hash_algo='sha512',
            os_hash_value=sha(data, 'sha512'), hw_firmware_type='uefi'))
        self.register_data(data, fakes.IMAGE_ID)
        self.assertEqual(0, self.export()[0])
        self.assertEqual(['GET %s' % IMAGE, 'GET %s/file' % IMAGE],
                         self.calls())
        doc = self.manifest()
        self.assertEqual('disk-0.qcow2', doc['disks'][0]['file'])
        self.assertEqual(sha(data), doc['disks'][0]['sha256'])
        self.assertEqual('uefi', doc['properties']['hw_firmware_type'])
        self.assertEqual('image-backed', doc['snapshot']['type'])

    def test_resume_with_range(self):
        self.register_volume_backed()
        os.makedirs(self.dir)
        with open(os.path.join(self.dir, 'disk-0.qcow2.part'), 'wb') as f:
            f.write(DATA[:1000])
        self.assertEqual(0, self.export()[0])
        download = [r for r in self.requests.request_history
                    if r.url.endswith('/file')]
        self.assertEqual(['bytes=1000-'],
                         [r.headers.get('Range') for r in download])
        with open(os.path.join(self.dir, 'disk-0.qcow2'), 'rb') as f:
            self.assertEqual(DATA, f.read())
        self.assertEqual(sha(DATA), self.manifest()['disks'][0]['sha256'])

    def test_resume_of_a_complete_part(self):
        self.register_volume_backed()
        os.makedirs(self.dir)
        with open(os.path.join(self.dir, 'disk-0.qcow2.part'), 'wb') as f:
            f.write(DATA)
        self.assertEqual(0, self.export()[0])
        self.assertEqual(sha(DATA), self.manifest()['disks'][0]['sha256'])

    def test_checksum_mismatch_deletes_the_file(self):
        self.register_volume_backed(os_hash_value=sha(b'other', 'sha512'))
        code, out, err = self.export()
        self.assertEqual(1, code)
        self.assertEqual(
            'The data of image %s does not match its sha512 digest: '
            'disk-0.qcow2 deleted.' % fakes.COPY_IMAGE_ID,
            err.strip().splitlines()[-1])
        self.assertEqual([], os.listdir(self.dir))
        self.assertEqual(['DELETE %s' % TMP_DELETE, 'DELETE %s' % COPY],
                         self.writes()[-2:])

    def test_free_space_refused_before_any_write(self):
        self.register_volume_backed()
        self.free = 1024 ** 3 - 1
        self.assertFails('Not enough free space in %s: the export needs up '
                         'to 1 GiB, 1024.0 MiB is free.' % self.dir,
                         'rc', 'snapshot', 'export', fakes.IMAGE_ID,
                         '--dir', self.dir)
        self.assertEqual([], self.writes())

    def test_download_failure_cleans_up_and_keeps_the_part(self):
        self.register_volume_backed()
        self.requests.get(COPY + '/file', status_code=500,
                          json=fakes.glance_error(500, 'Glance erred'))
        code, out, err = self.export()
        self.assertEqual(1, code)
        self.assertIn('failed (HTTP 500): Glance erred',
                      err.strip().splitlines()[-1])
        self.assertEqual('DELETE %s' % COPY, self.writes()[-1])
        self.assertIn('Deleted partial image %s' % fakes.COPY_IMAGE_ID, err)

    def test_ctrl_c_at_each_step_cleans_up(self):
        steps = [('POST', TMP + '/action'), ('GET', COPY),
                 ('GET', COPY + '/file')]
        for method, url in steps:
            self.requests.reset_mock()
            self.register_volume_backed()

            def interrupt(request, context):
                raise KeyboardInterrupt()
            self.requests.register_uri(method, url, json=interrupt)
            self.assertEqual(130, self.export()[0])
            writes = self.writes()
            self.assertIn('DELETE %s' % TMP_DELETE, writes, url)
            if url != TMP + '/action':
                self.assertIn('DELETE %s' % COPY, writes, url)

    def test_volume_snapshot_not_available(self):
        fakes.register_image(self.requests, fakes.volume_backed_image())
        fakes.register_volume_snapshot(self.requests, fakes.volume_snapshot(
            status='creating'))
        self.assertFails('its volume snapshot %s is creating, not '
                         'available' % fakes.ROOT_SNAP_ID,
                         'rc', 'snapshot', 'export', fakes.IMAGE_ID,
                         '--dir', self.dir)
        self.assertEqual([], self.writes())


class TestImport(ExportTest):

    def write_export(self, disks=None, data=DATA, **fields):
        os.makedirs(self.dir, exist_ok=True)
        for entry in disks or [{}]:
            with open(os.path.join(self.dir, entry.get(
                    'file', 'disk-0.qcow2')), 'wb') as f:
                f.write(entry.get('data', data))
        doc = {
            'schema_version': 1, 'kind': manifest.KIND,
            'source': {'region': 'RegionOne', 'project_id': 'p'},
            'snapshot': {'id': fakes.IMAGE_ID, 'name': 'analysis-vm-snap',
                         'created_at': fakes.CREATED,
                         'type': 'volume-backed'},
            'properties': {'min_disk': 1, 'min_ram': 0,
                           'hw_firmware_type': 'uefi'},
            'disks': [dict(manifest.disk_entry(
                0, 'qcow2', '/dev/vda', 0, 1, None, 'virtio'),
                size=len(data), sha256=sha(data))]}
        doc.update(fields)
        with open(os.path.join(self.dir, 'manifest.json'), 'w') as f:
            json.dump(doc, f)
        return doc

    def register_new_image(self, image_id=NEW_IMAGE_ID, **fields):
        self.image_ids.append(image_id)
        body = fakes.image(image_id, 'imported', status='queued', size=None)
        self.requests.post(IMAGES, status_code=201, json=body)
        self.requests.put('%s/%s/file' % (IMAGES, image_id),
                          status_code=204, text=consume)
        body = dict(body, status='active', **fields)
        self.requests.get('%s/%s' % (IMAGES, image_id), json=body)

    def import_(self, *args):
        return self.run_cli('rc', 'snapshot', 'import', self.dir, *args)

    def test_as_image(self):
        self.write_export()
        self.register_new_image(image_type='snapshot')
        code, out, err = self.import_('--name', 'imported', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual({'id': NEW_IMAGE_ID, 'name': 'imported',
                          'type': 'image-backed', 'status': 'active',
                          'volumes': []}, json.loads(out))
        self.assertEqual(['POST %s' % IMAGES,
                          'PUT %s/%s/file' % (IMAGES, NEW_IMAGE_ID),
                          'GET %s/%s' % (IMAGES, NEW_IMAGE_ID)],
                         self.calls())
        create, upload = self.requests.request_history[-3:-1]
        self.assertEqual({
            'id': NEW_IMAGE_ID,
            'name': 'imported', 'disk_format': 'qcow2',
            'container_format': 'bare', 'visibility': 'private',
            'image_type': 'snapshot', 'min_disk': 1, 'min_ram': 0,
            'hw_firmware_type': 'uefi',
            'rcsnap_source_snapshot_id': fakes.IMAGE_ID}, create.json())
        self.assertEqual(str(len(DATA)), upload.headers['Content-Length'])

    def register_volume_backed_import(self, *states):
        """The Cinder and Glance answers of ``import --as volume-backed`` of
        one disk: the volume and its Cinder snapshot pass through
        ``states``, then the snapshot image goes active."""
        self.register_new_image(fakes.COPY_IMAGE_ID)
        self.requests.post(VOLUMES, status_code=202, json={
            'volume': fakes.volume(status='creating', size=1)})
        fakes.register_volume_states(self.requests, fakes.TMP_VOLUME_ID,
                                     *states)
        self.requests.post(SNAPS, status_code=202, json={
            'snapshot': fakes.volume_snapshot(NEW_SNAP_ID,
                                              status=states[0])})
        fakes.register_volume_snapshot_states(self.requests, NEW_SNAP_ID,
                                              *states)
        self.requests.delete(COPY, status_code=204)
        image = dict(fakes.volume_backed_image(NEW_IMAGE_ID), status='queued')
        self.image_ids.append(NEW_IMAGE_ID)
        self.requests.post(IMAGES, [
            {'status_code': 201, 'json': fakes.image(
                fakes.COPY_IMAGE_ID, status='queued')},
            {'status_code': 201, 'json': image}])
        self.requests.put('%s/%s/file' % (IMAGES, NEW_IMAGE_ID),
                          status_code=204)
        self.requests.get('%s/%s' % (IMAGES, NEW_IMAGE_ID),
                          json=dict(image, status='active'))

    def test_as_volume_backed_writes_the_mapping_as_nova(self):
        self.write_export()
        self.register_volume_backed_import('creating', 'available')
        code, out, err = self.import_('--as', 'volume-backed', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual({'id': NEW_IMAGE_ID, 'name': 'analysis-vm-snap',
                          'type': 'volume-backed', 'status': 'active',
                          'volumes': [fakes.TMP_VOLUME_ID]}, json.loads(out))
        self.assertEqual([
            'POST %s' % IMAGES,
            'PUT %s/file' % COPY,
            'POST %s' % VOLUMES,
            'GET %s' % TMP, 'GET %s' % TMP,
            'POST %s' % SNAPS,
            'GET %s/%s' % (SNAPS, NEW_SNAP_ID),
            'GET %s/%s' % (SNAPS, NEW_SNAP_ID),
            'POST %s' % IMAGES,
            'PUT %s/%s/file' % (IMAGES, NEW_IMAGE_ID),
            'DELETE %s' % COPY,
            'GET %s/%s' % (IMAGES, NEW_IMAGE_ID)], self.calls())
        posts = [r for r in self.requests.request_history
                 if r.method == 'POST' and r.url == IMAGES]
        body = posts[1].json()
        self.assertEqual([fakes.root_entry(NEW_SNAP_ID, 1)],
                         json.loads(body.pop('block_device_mapping')))
        self.assertEqual({
            'id': NEW_IMAGE_ID,
            'name': 'analysis-vm-snap', 'bdm_v2': 'True',
            'root_device_name': '/dev/vda', 'min_disk': 1, 'min_ram': 0,
            'hw_firmware_type': 'uefi', 'disk_format': 'raw',
            'container_format': 'bare', 'visibility': 'private',
            'rcsnap_source_snapshot_id': fakes.IMAGE_ID,
            # Its volume recorded, as unarchive records its: delete
            # removes it after the volume snapshot.
            'rcsnap_source_volumes': '1',
            'rcsnap_source_volume_0': fakes.TMP_VOLUME_ID}, body)
        volume = [r for r in self.requests.request_history
                  if r.method == 'POST' and r.url == VOLUMES][0].json()
        self.assertEqual({'imageRef': fakes.COPY_IMAGE_ID, 'size': 1,
                          'name': 'analysis-vm-snap-disk-0',
                          'description': 'Volume of imported snapshot '
                          'analysis-vm-snap',
                          'metadata': {'rcsnap_image_id': NEW_IMAGE_ID}},
                         volume['volume'])

    def register_types(self, *names):
        self.requests.get(TYPES, json={'volume_types': [
            {'id': '%08d-e5f4-4a3b-8c2d-1e0f9a8b7c6d' % i, 'name': name,
             'is_public': True, 'description': None, 'extra_specs': {}}
            for i, name in enumerate(names)]})

    def test_volume_type_of_the_manifest_applied(self):
        doc = self.write_export()
        doc['disks'][0]['volume_type'] = 'ssd'
        with open(os.path.join(self.dir, 'manifest.json'), 'w') as f:
            json.dump(doc, f)
        self.register_types('__DEFAULT__', 'ssd')
        self.register_volume_backed_import('available')
        code, out, err = self.import_('--as', 'volume-backed')
        self.assertEqual(0, code, err)
        self.assertEqual(['GET %s' % TYPES, 'POST %s' % IMAGES],
                         self.calls()[:2])
        volume = [r for r in self.requests.request_history
                  if r.method == 'POST' and r.url == VOLUMES][0].json()
        self.assertEqual('ssd', volume['volume']['volume_type'])
        posts = [r for r in self.requests.request_history
                 if r.method == 'POST' and r.url == IMAGES]
        self.assertEqual([dict(fakes.root_entry(NEW_SNAP_ID, 1),
                               volume_type='ssd')],
                         json.loads(posts[1].json()['block_device_mapping']))

    def test_volume_type_refusals_before_any_write(self):
        doc = self.write_export()
        doc['disks'][0]['volume_type'] = 'ssd'
        with open(os.path.join(self.dir, 'manifest.json'), 'w') as f:
            json.dump(doc, f)
        self.register_types('__DEFAULT__')
        self.refused_before_any_write(
            'Volume type ssd of disk-0.qcow2 does not exist in the target '
            'project (it has: __DEFAULT__); choose one with --volume-type.',
            '--as', 'volume-backed', clean=False)
        self.refused_before_any_write(
            '--volume-type applies only with --as volume-backed.',
            '--volume-type', '__DEFAULT__', clean=False)

    def test_ctrl_c_while_glance_makes_the_image_deletes_it(self):
        # Glance made the image, its answer never came: the ID the
        # command chose finds it, and the rollback deletes it.
        self.write_export()
        self.register_new_image()

        def made_then_interrupted(request, context):
            raise KeyboardInterrupt
        self.requests.post(IMAGES, json=made_then_interrupted)
        self.requests.delete('%s/%s' % (IMAGES, NEW_IMAGE_ID),
                             status_code=204)
        code, out, err = self.import_('--name', 'imported')
        self.assertEqual(130, code, err)
        self.assertEqual(['POST %s' % IMAGES,
                          'DELETE %s/%s' % (IMAGES, NEW_IMAGE_ID)],
                         self.writes())
        posted = [r for r in self.requests.request_history
                  if r.method == 'POST' and r.url == IMAGES]
        self.assertEqual(NEW_IMAGE_ID, posted[0].json()['id'])

    def test_volume_failure_deletes_what_was_made(self):
        self.write_export()
        self.register_new_image(fakes.COPY_IMAGE_ID)
        self.image_ids.append(NEW_IMAGE_ID)  # the snapshot's, chosen first
        self.requests.post(VOLUMES, status_code=202, json={
            'volume': fakes.volume(status='creating', size=1)})
        fakes.register_volume_states(self.requests, fakes.TMP_VOLUME_ID,
                                     'creating', 'error')
        self.requests.delete(COPY, status_code=204)
        self.requests.delete(TMP, status_code=202)
        code, out, err = self.import_('--as', 'volume-backed')
        self.assertEqual(1, code)
        self.assertIn('Volume %s is error.' % fakes.TMP_VOLUME_ID,
                      err.strip().splitlines()[-1])
        self.assertEqual(['DELETE %s' % COPY, 'DELETE %s' % TMP_DELETE],
                         self.writes()[-2:])

    def test_volume_snapshot_stuck_error_deleting_is_named(self):
        # The volume snapshot fails, and Cinder fails to delete it too
        # (error_deleting): the cleanup names the state and who can reset
        # it; the volume, which Cinder keeps while it has a snapshot, is
        # left with Cinder's own words and the command that deletes it.
        self.write_export()
        self.register_volume_backed_import('available')
        fakes.register_volume_snapshot_states(self.requests, NEW_SNAP_ID,
                                              'creating', 'error', 'error',
                                              'error_deleting')
        self.requests.delete('%s/%s' % (SNAPS, NEW_SNAP_ID), status_code=202)
        invalid = ('Invalid volume: Volume status must be available or error '
                   'or error_restoring or error_extending or error_managing '
                   'and must not be migrating, attached, belong to a group, '
                   'have snapshots, awaiting a transfer, or be disassociated '
                   'from snapshots after volume transfer.')
        self.requests.delete(TMP, status_code=400, json={
            'badRequest': {'code': 400, 'message': invalid}})
        code, out, err = self.import_('--as', 'volume-backed')
        self.assertEqual(1, code)
        lines = err.strip().splitlines()
        self.assertEqual([
            'Warning: could not delete volume snapshot %(id)s: it is '
            'error_deleting, a state only an operator can reset: ask one to '
            'run `openstack volume snapshot set --state available %(id)s` '
            '(admin only), then delete it with `openstack volume snapshot '
            'delete %(id)s`.' % {'id': NEW_SNAP_ID},
            'Warning: could not delete temporary volume %(id)s (DELETE '
            '%(url)s failed (HTTP 400): %(why)s): delete it with `openstack '
            'volume delete %(id)s`.' % {
                'id': fakes.TMP_VOLUME_ID, 'url': TMP_DELETE, 'why': invalid},
            'Volume snapshot %s is error.' % NEW_SNAP_ID], lines[-3:])
        self.assertEqual([
            'DELETE %s' % COPY, 'DELETE %s/%s' % (SNAPS, NEW_SNAP_ID),
            'DELETE %s' % TMP_DELETE], self.writes()[-3:])

    def refused_before_any_write(self, expected, *args, clean=True):
        self.assertFails(expected, 'rc', 'snapshot', 'import', self.dir,
                         *args)
        self.assertEqual([], self.calls() if clean else self.writes())

    def test_refusals_before_any_write(self):
        self.refused_before_any_write('Cannot read %s/manifest.json'
                                      % self.dir)
        self.write_export(schema_version=7)
        self.refused_before_any_write('has schema version 7')
        self.write_export()
        with open(os.path.join(self.dir, 'disk-0.qcow2'), 'r+b') as f:
            f.write(b'X')
        self.refused_before_any_write('File disk-0.qcow2 has changed: its '
                                      'sha256 is')
        os.unlink(os.path.join(self.dir, 'disk-0.qcow2'))
        self.refused_before_any_write('File disk-0.qcow2 of the export is '
                                      'missing.')
        self.write_export(disks=[{}, {'file': 'disk-1.qcow2'}])
        doc = self.manifest()
        doc['disks'].append(dict(doc['disks'][0], file='disk-1.qcow2',
                                 boot_index=None))
        with open(os.path.join(self.dir, 'manifest.json'), 'w') as f:
            json.dump(doc, f)
        self.refused_before_any_write('The snapshot has 2 disks: only --as '
                                      'volume-backed', '--as', 'image')
