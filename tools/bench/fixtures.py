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

"""The benchmark's cloud fixture: one small volume, N volume snapshots of
it, and N Glance images whose ``block_device_mapping`` points at them,
written exactly as Nova writes a snapshot of a volume-backed server.

Everything made is recorded as soon as the API answers, and
:meth:`Fixture.remove` deletes it all (and restores raised quotas), also
after Ctrl-C.
"""

import concurrent.futures
import json
import sys
import time
import uuid

import openstack
from openstack import exceptions as sdk_exc

PARALLEL = 8
#: Writes at once (``--parallel-writes``): the local cloud's services keep
#: their databases in SQLite, which serialises writes anyway; a shared
#: cloud is left one at a time. Failed writes are retried either way.
PARALLEL_WRITES = 1

#: The name Nova gives the volume snapshots of a snapshot image (``show``
#: by name lists them by it).
NOVA_NAME = 'snapshot for %s'


def say(text):
    sys.stderr.write('bench: %s\n' % text)
    sys.stderr.flush()


def mapping_entry(snapshot_id, boot_index, device, size):
    """One entry of the ``block_device_mapping`` property, with the keys
    and order Nova 34 writes."""
    return {
        'attachment_id': None, 'boot_index': boot_index,
        'delete_on_termination': False, 'destination_type': 'volume',
        'device_name': device, 'device_type': 'disk', 'disk_bus': 'virtio',
        'encrypted': None, 'encryption_format': None,
        'encryption_options': None, 'encryption_secret_uuid': None,
        'guest_format': None, 'image_id': None, 'no_device': None,
        'snapshot_id': snapshot_id, 'source_type': 'snapshot', 'tag': None,
        'volume_id': None, 'volume_size': size, 'volume_type': None,
    }


def snapshot_image_body(name, snapshot_ids, size, properties=None):
    """A Glance create body like Nova's for a volume-backed server, with
    extra ``properties``."""
    devices = ['/dev/vd%s' % chr(ord('a') + i)
               for i in range(len(snapshot_ids))]
    entries = [mapping_entry(sid, 0 if i == 0 else None, devices[i], size)
               for i, sid in enumerate(snapshot_ids)]
    return {
        'name': name, 'disk_format': 'raw', 'container_format': 'bare',
        'visibility': 'private', 'min_disk': size, 'min_ram': 0,
        'bdm_v2': 'True', 'root_device_name': '/dev/vda',
        'block_device_mapping': json.dumps(entries),
        'hw_disk_bus': 'virtio', 'base_image_ref': '',
        **(properties or {}),
    }


def parallel(func, items, workers=PARALLEL):
    if not items:
        return []
    with concurrent.futures.ThreadPoolExecutor(
            min(workers, len(items))) as pool:
        return list(pool.map(func, items))


def retried(call, attempts=5, done=None):
    """``call()``, again after a pause when the service answers 5xx.
    ``done()``, when given, tells whether a failed attempt took effect
    after all (then no retry)."""
    for attempt in range(attempts):
        try:
            return call()
        except sdk_exc.HttpException as exc:
            if (exc.status_code or 0) < 500 or attempt == attempts - 1:
                raise
            time.sleep(1 + attempt)
            if done is not None and done():
                return None


class Fixture:
    """Resources made for one benchmark run, in the ``cloud`` project;
    ``properties`` are set on every snapshot image."""

    def __init__(self, cloud, admin_cloud=None, timeout=900,
                 properties=None):
        self.conn = openstack.connect(cloud=cloud, connect_retries=5)
        self.admin_cloud = admin_cloud
        self.timeout = timeout
        self.prefix = 'rcsnap-bench-%s' % uuid.uuid4().hex[:6]
        self.volume_id = None
        self.snapshot_ids = []
        self.image_ids = []
        self.saved_quota = None
        self.properties = properties
        self.conn.image, self.conn.block_storage  # discovery before threads

    # -- quotas ------------------------------------------------------------

    def ensure_snapshot_quota(self, count, size):
        """Raise the snapshot quota (with the admin cloud) when ``count``
        more snapshots would not fit; remembered for :meth:`remove`."""
        project_id = self.conn.current_project_id
        quota = self.conn.block_storage.get_quota_set(project_id,
                                                      usage=True)
        used = {k: quota.usage.get(k, 0) + quota.reservation.get(k, 0)
                for k in ('snapshots', 'gigabytes')}
        limits = {}
        # Cinder's usage counters can run ahead of what exists: when the
        # count would not fit, the limit is lifted (-1) for the run.
        if 0 <= quota.snapshots < count + used['snapshots'] + 50:
            limits['snapshots'] = -1
        if 0 <= quota.gigabytes < (count + 50) * size + used['gigabytes']:
            limits['gigabytes'] = -1
        if not limits:
            return
        if not self.admin_cloud:
            raise SystemExit('bench: quota too small for %d snapshots and '
                             'no --admin-cloud to raise it' % count)
        admin = openstack.connect(cloud=self.admin_cloud, connect_retries=5)
        if self.saved_quota is None:
            self.saved_quota = {'snapshots': quota.snapshots,
                                'gigabytes': quota.gigabytes}
        say('raising Cinder quotas of project %s: %s' % (project_id,
                                                         limits))
        admin.block_storage.update_quota_set(project_id, **limits)

    def restore_quota(self):
        if self.saved_quota is None:
            return
        admin = openstack.connect(cloud=self.admin_cloud, connect_retries=5)
        admin.block_storage.update_quota_set(self.conn.current_project_id,
                                             **self.saved_quota)
        say('restored Cinder quotas %s' % self.saved_quota)
        self.saved_quota = None

    # -- making ------------------------------------------------------------

    def make_volume(self, size=1):
        volume = self.conn.block_storage.create_volume(
            size=size, name='%s-vol' % self.prefix)
        self.volume_id = volume.id
        self.conn.block_storage.wait_for_status(
            volume, 'available', failures=['error'], wait=self.timeout)
        self.size = size

    def image_name(self, index):
        return '%s-snap-%d' % (self.prefix, index)

    def grow_snapshots(self, count, image_name=None):
        """Have ``count`` available volume snapshots in all, each named as
        Nova names those of its image (``image_name``, else image
        ``index``'s)."""
        missing = count - len(self.snapshot_ids)
        if missing <= 0:
            return
        self.ensure_snapshot_quota(missing, self.size)
        say('creating %d volume snapshots' % missing)

        def create(index):
            snap = retried(lambda: self.conn.block_storage.create_snapshot(
                volume_id=self.volume_id, name=NOVA_NAME % (
                    image_name or self.image_name(index))))
            self.snapshot_ids.append(snap.id)

        parallel(create, range(len(self.snapshot_ids), count),
                 PARALLEL_WRITES)
        self.wait_snapshots()

    def wait_snapshots(self):
        """One listing per poll until every snapshot made is available."""
        deadline = time.monotonic() + self.timeout
        wanted = set(self.snapshot_ids)
        while True:
            states = self._ours()
            bad = [i for i, s in states.items() if s.startswith('error')]
            if bad:
                raise RuntimeError('volume snapshots in error: %s' % bad)
            pending = [i for i in wanted if states.get(i) != 'available']
            if not pending:
                return
            if time.monotonic() > deadline:
                raise RuntimeError('%d volume snapshots not available after '
                                   '%d s' % (len(pending), self.timeout))
            time.sleep(2)

    def make_image(self, name, snapshot_ids):
        """Create a snapshot image the way Nova does: the metadata, then
        an empty upload that makes it active with size 0."""
        body = snapshot_image_body(name, snapshot_ids, self.size,
                                   self.properties)

        def post():
            response = self.conn.image.post('/images', json=body)
            sdk_exc.raise_from_response(response)
            return response.json()['id']

        def upload():
            response = self.conn.image.put(
                '/images/%s/file' % image_id, data=b'',
                headers={'Content-Type': 'application/octet-stream'})
            sdk_exc.raise_from_response(response)

        def uploaded():
            return self.conn.image.get_image(image_id).status != 'queued'

        image_id = retried(post)
        self.image_ids.append(image_id)
        retried(upload, done=uploaded)
        return image_id

    def grow_images(self, count):
        """Have ``count`` snapshot images in all, one volume snapshot
        each (the first images are made by :meth:`make_show_image`)."""
        self.grow_snapshots(count)
        start = len(self.image_ids)
        if count <= start:
            return
        say('creating %d snapshot images' % (count - start))
        parallel(lambda i: self.make_image(
            self.image_name(i), [self.snapshot_ids[i]]),
            range(start, count), PARALLEL_WRITES)

    def make_show_image(self, k):
        """The snapshot ``show`` is measured on: k volume snapshots."""
        name = '%s-show' % self.prefix
        self.grow_snapshots(k, image_name=name)
        return self.make_image(name, self.snapshot_ids[:k]), name

    # -- removing ----------------------------------------------------------

    def remove(self):
        """Delete everything made, then restore quotas (also when a
        deletion failed). Safe to repeat."""
        try:
            self._delete_all()
        finally:
            self.restore_quota()

    def _delete_all(self):
        block = self.conn.block_storage
        if self.image_ids:
            say('deleting %d images' % len(self.image_ids))
            parallel(self.delete_image, list(self.image_ids),
                     PARALLEL_WRITES)
            self.image_ids = []
        if self.snapshot_ids and self.volume_id:
            # One request for the volume and all its snapshots (Cinder's
            # cascade), rather than one per snapshot.
            say('deleting the volume and its %d volume snapshots'
                % len(self.snapshot_ids))
            self.wait_settled()
            retried(lambda: block.delete_volume(
                self.volume_id, ignore_missing=True, cascade=True),
                done=lambda: self._volume_status() in (None, 'deleting'))
            # Cinder removes the volume after its snapshots: wait on it,
            # not on listings whose page markers vanish meanwhile.
            volume = block.find_volume(self.volume_id, ignore_missing=True)
            if volume is not None:
                block.wait_for_delete(volume, interval=2, wait=self.timeout)
            self.volume_id = None
            self.wait_gone()
            self.snapshot_ids = []
        if self.snapshot_ids:
            say('deleting %d volume snapshots' % len(self.snapshot_ids))
            self.wait_settled()
            parallel(lambda i: retried(
                lambda: block.delete_snapshot(i, ignore_missing=True),
                done=lambda: self._ours().get(i) in (None, 'deleting')),
                list(self.snapshot_ids), PARALLEL_WRITES)
            self.wait_gone()
            self.snapshot_ids = []
        if self.volume_id:
            volume = block.find_volume(self.volume_id, ignore_missing=True)
            if volume is not None:
                block.wait_for_status(volume, 'available',
                                      failures=['error'], wait=self.timeout)
                block.delete_volume(self.volume_id, ignore_missing=True)
                block.wait_for_delete(volume, wait=self.timeout)
            self.volume_id = None

    def _volume_status(self):
        volume = self.conn.block_storage.find_volume(self.volume_id,
                                                     ignore_missing=True)
        return None if volume is None else volume.status

    def delete_image(self, image_id):
        def gone():
            found = self.conn.image.find_image(image_id, ignore_missing=True)
            return found is None or found.status == 'deleted'

        retried(lambda: self.conn.image.delete_image(image_id,
                                                     ignore_missing=True),
                done=gone)

    def _ours(self):
        """Our snapshots' states, from one listing (again when a snapshot
        used as a page marker vanished under it)."""
        ours = set(self.snapshot_ids)
        for attempt in range(5):
            try:
                return {s.id: s.status for s in
                        self.conn.block_storage.snapshots(
                            details=True, limit=1000) if s.id in ours}
            except sdk_exc.NotFoundException:
                time.sleep(1)
        raise RuntimeError('cannot list volume snapshots')

    def wait_settled(self):
        """Cinder deletes only settled snapshots: wait for creations."""
        deadline = time.monotonic() + self.timeout
        while any(s == 'creating' for s in self._ours().values()):
            if time.monotonic() > deadline:
                break
            time.sleep(2)

    def wait_gone(self):
        deadline = time.monotonic() + self.timeout
        while True:
            left = self._ours()
            if not left:
                return
            if time.monotonic() > deadline:
                raise RuntimeError('volume snapshots not deleted after %d s: '
                                   '%s' % (self.timeout, sorted(left)))
            time.sleep(2)
