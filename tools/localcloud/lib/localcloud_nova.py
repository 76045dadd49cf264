"""The local cloud's Nova virt driver: Nova's fake driver, with snapshots.

``nova.virt.fake.FakeDriver.snapshot`` moves the task state and uploads
nothing, so the Glance image of an image-backed server snapshot stays
``queued`` forever.  This subclass snapshots the way the libvirt driver
does, in small:

* task states ``image_pending_upload`` then ``image_uploading``;
* the guest's disk is the bytes of the image it booted from (downloaded
  from Glance into ``<instances_path>/snapshots``; if that image is gone,
  1 MiB of bytes generated from the server's UUID);
* those bytes are uploaded with Nova's image API, with ``disk_format`` and
  ``container_format`` of the source image (``raw``/``bare`` if unset), so
  the image goes ``queued`` -> ``saving`` -> ``active`` with a real size.

The fake driver keeps its guests in memory only; after nova-compute
restarts it would know none of them (snapshot would fail with
``InstanceNotRunning``).  ``init_host`` therefore adopts the servers that
Nova's database places on this host, as a real hypervisor still has its
guests after the compute service restarts.

Load it with ``compute_driver = localcloud_nova.LocalCloudDriver``.
"""
import hashlib
import os
import tempfile

from oslo_config import cfg
from oslo_log import log as logging

from nova.compute import power_state
from nova.compute import task_states
from nova import context as nova_context
from nova import exception
from nova.image import glance
from nova import objects
from nova.virt import fake

LOG = logging.getLogger(__name__)
CONF = cfg.CONF

_GENERATED_DISK_BYTES = 1024 * 1024


class LocalCloudDriver(fake.FakeDriverWithoutFakeNodes):

    def __init__(self, virtapi, read_only=False):
        super().__init__(virtapi, read_only)
        self._image_api = glance.API()

    # -- guests survive a restart of nova-compute ---------------------------
    def init_host(self, host):
        super().init_host(host)
        ctxt = nova_context.get_admin_context()
        adopted = 0
        for inst in objects.InstanceList.get_by_host(ctxt, CONF.host):
            if inst.power_state in (None, power_state.NOSTATE):
                continue
            if inst.uuid not in self.instances:
                self.instances[inst.uuid] = fake.FakeInstance(
                    inst.name, inst.power_state, inst.uuid)
                adopted += 1
        if adopted:
            LOG.info('Adopted %d guests recorded on host %s', adopted,
                     CONF.host)

    # -- snapshot ------------------------------------------------------------
    def snapshot(self, context, instance, image_id, update_task_state):
        if instance.uuid not in self.instances:
            raise exception.InstanceNotRunning(instance_id=instance.uuid)
        snapshot = self._image_api.get(context, image_id)
        image_meta = instance.image_meta
        metadata = {
            'status': 'active',
            'name': snapshot['name'],
            'properties': {
                'kernel_id': instance.kernel_id,
                'image_location': 'snapshot',
                'image_state': 'available',
                'owner_id': instance.project_id,
                'ramdisk_id': instance.ramdisk_id,
            },
            'disk_format': (image_meta.disk_format
                            if image_meta.obj_attr_is_set('disk_format')
                            else 'raw'),
            'container_format': (image_meta.container_format
                                 if image_meta.obj_attr_is_set(
                                     'container_format') else 'bare'),
        }
        if instance.os_type:
            metadata['properties']['os_type'] = instance.os_type

        LOG.info('Beginning cold snapshot process', instance=instance)
        update_task_state(task_state=task_states.IMAGE_PENDING_UPLOAD)
        directory = os.path.join(CONF.instances_path, 'snapshots')
        os.makedirs(directory, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=directory) as tmpdir:
            out_path = os.path.join(tmpdir, 'disk')
            self._extract_disk(context, instance, out_path)
            LOG.info('Snapshot extracted (%d bytes), beginning image upload',
                     os.path.getsize(out_path), instance=instance)
            update_task_state(
                task_state=task_states.IMAGE_UPLOADING,
                expected_state=task_states.IMAGE_PENDING_UPLOAD)
            with open(out_path, 'rb') as image_file:
                self._image_api.update(context, image_id, metadata,
                                       image_file)
        LOG.info('Snapshot image upload complete', instance=instance)

    def _extract_disk(self, context, instance, out_path):
        """Write the guest's disk: its boot image's bytes, else generated."""
        if instance.image_ref:
            try:
                self._image_api.download(context, instance.image_ref,
                                         dest_path=out_path)
                if os.path.getsize(out_path) > 0:
                    return
            except (exception.ImageNotFound, exception.ImageUnacceptable,
                    exception.ImageNotAuthorized) as e:
                LOG.info('Boot image %s unavailable (%s); snapshotting a '
                         'generated disk', instance.image_ref, e,
                         instance=instance)
        block = hashlib.sha256(instance.uuid.encode()).digest() * 32
        with open(out_path, 'wb') as f:
            for _ in range(_GENERATED_DISK_BYTES // len(block)):
                f.write(block)
