"""A small file-backed Cinder volume driver for the local cloud.

Cinder's own fake driver (``FakeLoggingVolumeDriver``) logs calls and
stores nothing, so a volume created from an image holds no bytes and
upload-to-image fails.  This subclass keeps one plain file per volume and
per snapshot under ``<state_path>/volumes``:

* create: an empty file (sizes are logical; nothing of that size is
  written);
* create from image: the image's bytes;
* snapshot, volume from snapshot, clone: a copy of the source file;
* upload to image (``openstack image create --volume``): the file's bytes;
* attach (cinder-backup's backup of a volume snapshot, restore of a
  backup into a volume): the file, as os-brick's ``local`` connection.

Nova's fake virt driver connects to nothing: the ``local`` connection is
only ever opened by cinder-backup.
"""
import os
import shutil

from oslo_config import cfg
from oslo_log import log as logging

from cinder.tests import fake_driver
from cinder.volume import volume_utils

LOG = logging.getLogger(__name__)
CONF = cfg.CONF

_CAPACITY_GB = 100000


class FileVolumeDriver(fake_driver.FakeLoggingVolumeDriver):
    VERSION = '1.0.0'

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.backend_name = (
            self.configuration.safe_get('volume_backend_name') or 'file')
        self.protocol = 'iSCSI'

    # -- files ---------------------------------------------------------
    def _dir(self):
        path = os.path.join(CONF.state_path, 'volumes')
        os.makedirs(path, exist_ok=True)
        return path

    def local_path(self, volume, vg=None):
        return os.path.join(self._dir(), 'volume-%s' % volume['id'])

    def _snapshot_path(self, snapshot):
        return os.path.join(self._dir(), 'snapshot-%s' % snapshot['id'])

    @staticmethod
    def _copy(src, dst):
        if os.path.exists(src):
            shutil.copyfile(src, dst)
        else:
            LOG.warning('Source %s has no file; creating an empty %s',
                        src, dst)
            open(dst, 'wb').close()

    @staticmethod
    def _remove(path):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass

    # -- volumes and snapshots -----------------------------------------
    def do_setup(self, context):
        self._dir()

    def check_for_setup_error(self):
        pass

    def create_volume(self, volume):
        open(self.local_path(volume), 'wb').close()

    def delete_volume(self, volume):
        self._remove(self.local_path(volume))

    def extend_volume(self, volume, new_size):
        pass

    def create_snapshot(self, snapshot):
        self._copy(self.local_path(snapshot.volume),
                   self._snapshot_path(snapshot))

    def delete_snapshot(self, snapshot):
        self._remove(self._snapshot_path(snapshot))

    def create_volume_from_snapshot(self, volume, snapshot):
        self._copy(self._snapshot_path(snapshot), self.local_path(volume))

    def create_cloned_volume(self, volume, src_vref):
        self._copy(self.local_path(src_vref), self.local_path(volume))

    def revert_to_snapshot(self, context, volume, snapshot):
        self._copy(self._snapshot_path(snapshot), self.local_path(volume))

    # -- connections -----------------------------------------------------
    # The file itself, as os-brick's ``local`` connector takes it: what
    # cinder-backup reads a volume snapshot from and restores a volume
    # into (Nova's fake virt driver connects to nothing).
    def validate_connector(self, connector):
        pass  # any host opens a local file: no iSCSI initiator needed

    def initialize_connection(self, volume, connector):
        info = super().initialize_connection(volume, connector)
        info['driver_volume_type'] = 'local'
        info['data']['device_path'] = self.local_path(volume)
        return info

    def initialize_connection_snapshot(self, snapshot, connector, **kwargs):
        path = self._snapshot_path(snapshot)
        if not os.path.exists(path):
            open(path, 'wb').close()
        return {'driver_volume_type': 'local',
                'data': {'device_path': path, 'access_mode': 'ro'}}

    # -- images ------------------------------------------------------------
    def clone_image(self, context, volume, image_location, image_meta,
                    image_service):
        return None, False

    def copy_image_to_volume(self, context, volume, image_service, image_id,
                             disable_sparse=False):
        with open(self.local_path(volume), 'wb') as f:
            image_service.download(context, image_id, f)

    def copy_image_to_encrypted_volume(self, context, volume, image_service,
                                       image_id, disable_sparse=False):
        self.copy_image_to_volume(context, volume, image_service, image_id)

    def copy_volume_to_image(self, context, volume, image_service,
                             image_meta):
        path = self.local_path(volume)
        if not os.path.exists(path):
            open(path, 'wb').close()
        volume_utils.upload_volume(context, image_service, image_meta, path,
                                   volume, run_as_root=False)

    # -- capacity --------------------------------------------------------
    def _update_volume_stats(self):
        self._stats = {
            'volume_backend_name': self.backend_name,
            'vendor_name': 'Open Source',
            'driver_version': self.VERSION,
            'storage_protocol': self.protocol,
            'pools': [{
                'pool_name': self.backend_name,
                'total_capacity_gb': _CAPACITY_GB,
                'free_capacity_gb': _CAPACITY_GB,
                'reserved_percentage': 0,
                'location_info': 'FileVolumeDriver:%s' % self.hostname,
                'QoS_support': False,
                'thin_provisioning_support': True,
                'thick_provisioning_support': False,
                'max_over_subscription_ratio': 1.0,
                'multiattach': True,
                'backend_state': 'up',
            }],
        }
