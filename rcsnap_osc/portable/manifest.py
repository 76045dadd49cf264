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

"""The ``manifest.json`` of an exported snapshot: what ``export`` writes,
what ``import`` accepts, and the mapping an import writes as Nova does.

Pure: dicts in, dicts out, no cliff, no HTTP. Every refusal is a
:class:`Refused` whose message is the one line the user sees. The schema
is documented in the reference (``doc/source/cli/manifest.rst``).
"""

import json
import os
import re

from rcsnap_osc import constants
from rcsnap_osc.core import copies
from rcsnap_osc.core import snapshots
from rcsnap_osc.errors import Refused
from rcsnap_osc.i18n import _

SCHEMA_VERSION = 1
KIND = 'rcsnap-snapshot-export'
NAME = 'manifest.json'


#: The keys of one entry of Nova's ``block_device_mapping`` image property,
#: as ``snapshot_volume_backed`` writes them (``get_image_mapping()``).
NOVA_BDM_KEYS = (
    'attachment_id', 'boot_index', 'delete_on_termination',
    'destination_type', 'device_name', 'device_type', 'disk_bus',
    'encrypted', 'encryption_format', 'encryption_options',
    'encryption_secret_uuid', 'guest_format', 'image_id', 'no_device',
    'snapshot_id', 'source_type', 'tag', 'volume_id', 'volume_size',
    'volume_type',
)

_FILE_NAME = re.compile(r'^disk-[0-9]+\.[a-z0-9]+$')
_SHA256 = re.compile(r'^[0-9a-f]{64}$')


def boot_properties(image):
    """The image fields and properties that matter for booting: ``hw_*``,
    ``os_*`` (distro, type...), ``img_*``, architecture, ``min_disk``,
    ``min_ram``; never the cloud's own (owner, stores, hashes, the
    mapping's IDs)."""
    props = {key: value for key, value in
             snapshots.custom_properties(image).items()
             if copies.is_copied_property(key)}
    props['min_disk'] = image.get('min_disk') or 0
    props['min_ram'] = image.get('min_ram') or 0
    return props


def file_name(index, disk_format):
    """The file of the ``index``-th disk (0 is the root disk)."""
    return 'disk-%d.%s' % (index, disk_format)


def disk_entry(index, disk_format, device_name=None, boot_index=None,
               size_gib=None, volume_type=None, disk_bus=None):
    """One disk of the manifest, before its file is written (no size, no
    sha256 yet)."""
    return {
        'file': file_name(index, disk_format), 'disk_format': disk_format,
        'container_format': 'bare', 'device_name': device_name,
        'boot_index': boot_index, 'size_gib': size_gib,
        'volume_type': volume_type, 'disk_bus': disk_bus,
        'size': None, 'sha256': None,
    }


def volume_disks(image, devices, disk_format, which):
    """The disks to export of a volume-backed snapshot: the root only
    (``which == 'root'``) or every volume, root first. ``devices`` are
    :class:`snapshots.Device` (sizes known); the mapping gives the volume
    type and disk bus."""
    entries = {e.get('snapshot_id'): e for e in snapshots.mapping_of(image)}
    chosen = list(devices) if which == 'all' else [
        d for d in devices if d.boot_index == 0][:1] or list(devices)[:1]
    disks = []
    for index, device in enumerate(chosen):
        entry = entries.get(device.snapshot_id) or {}
        disk = disk_entry(index, disk_format, device.device_name,
                          device.boot_index, device.size_gib,
                          entry.get('volume_type'), entry.get('disk_bus'))
        disk['snapshot_id'] = device.snapshot_id
        disks.append(disk)
    return disks


def check_exportable(summary):
    """Every volume snapshot to export must exist and be available."""
    for device in summary.devices:
        if device.status != 'available':
            raise Refused(_(
                'Cannot export snapshot %(snap)s: its volume snapshot '
                '%(vsnap)s is %(status)s, not available.') % {
                    'snap': summary.image.get('id'),
                    'vsnap': device.snapshot_id, 'status': device.status})


def check_free_space(needed, free, directory):
    """Refuse before anything is made when ``directory`` cannot hold the
    files (``needed`` bytes at most)."""
    if needed > free:
        raise Refused(_(
            'Not enough free space in %(dir)s: the export needs up to '
            '%(needed)s, %(free)s is free.') % {
                'dir': directory, 'needed': snapshots.format_size(needed),
                'free': snapshots.format_size(free)})


def build(image, kind, source, disks):
    """The manifest document (a dict) of an export."""
    return {
        'schema_version': SCHEMA_VERSION,
        'kind': KIND,
        'source': dict(source),
        'snapshot': {
            'id': image['id'], 'name': image.get('name'),
            'created_at': image.get('created_at'), 'type': kind,
        },
        'properties': boot_properties(image),
        'disks': [{k: v for k, v in d.items() if k != 'snapshot_id'}
                  for d in disks],
    }


def dumps(document):
    return json.dumps(document, indent=2, sort_keys=True) + '\n'


def load(text, directory):
    """A manifest read from ``text``, checked: refused when it is not one,
    its schema version is unknown, or a disk entry is malformed."""
    path = os.path.join(directory, NAME)
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise Refused(_('%(path)s is not JSON: %(why)s') % {
            'path': path, 'why': exc})
    if not isinstance(document, dict) or document.get('kind') != KIND:
        raise Refused(_('%s is not the manifest of an exported snapshot.')
                      % path)
    version = document.get('schema_version')
    if version != SCHEMA_VERSION:
        raise Refused(_(
            '%(path)s has schema version %(found)s; this version of the '
            'plugin reads version %(known)d only.') % {
                'path': path, 'found': version, 'known': SCHEMA_VERSION})
    disks = document.get('disks')
    if not isinstance(disks, list) or not disks:
        raise Refused(_('%s lists no disk.') % path)
    for disk in disks:
        _check_disk(disk, path)
    if [d['boot_index'] for d in disks].count(0) > 1:
        raise Refused(_('%s has more than one boot disk.') % path)
    if not isinstance(document.get('properties'), dict):
        raise Refused(_('%s has no properties.') % path)
    return document


def _check_disk(disk, path):
    ok = (isinstance(disk, dict)
          and isinstance(disk.get('file'), str)
          and _FILE_NAME.match(disk['file'])
          and disk.get('disk_format') in constants.GLANCE_DISK_FORMATS
          and isinstance(disk.get('size'), int) and disk['size'] >= 0
          and isinstance(disk.get('sha256'), str)
          and _SHA256.match(disk['sha256'])
          and (disk.get('size_gib') is None
               or isinstance(disk['size_gib'], int)))
    if not ok:
        raise Refused(_('%(path)s has a malformed disk entry: %(disk)s') % {
            'path': path, 'disk': json.dumps(disk, sort_keys=True)})


def check_file(disk, size, digest):
    """A file must have the size and sha256 the manifest records."""
    if size is None:
        raise Refused(_('File %s of the export is missing.') % disk['file'])
    if size != disk['size']:
        raise Refused(_(
            'File %(file)s has %(size)d bytes; the manifest says %(want)d.')
            % {'file': disk['file'], 'size': size, 'want': disk['size']})
    if digest is not None and digest != disk['sha256']:
        raise Refused(_(
            'File %(file)s has changed: its sha256 is %(got)s, the manifest '
            'says %(want)s.') % {'file': disk['file'], 'got': digest,
                                 'want': disk['sha256']})


def import_kind(document, wanted, volume_type=None):
    """``image`` or ``volume-backed``: a single disk imports as an image
    by default, several only as a volume-backed snapshot. A
    ``--volume-type`` is for volumes: an image has none."""
    if wanted is None:
        wanted = 'image' if len(document['disks']) == 1 else 'volume-backed'
    if wanted == 'image' and len(document['disks']) > 1:
        raise Refused(_(
            'The snapshot has %d disks: only --as volume-backed makes '
            'more than one.') % len(document['disks']))
    if volume_type and wanted == 'image':
        raise Refused(_('--volume-type applies only with --as '
                        'volume-backed.'))
    return wanted


def disk_gib(disk):
    """The size, in GiB, of a volume made from a disk: the manifest's, or
    the file's rounded up."""
    whole = -(-disk['size'] // snapshots.GiB) or 1
    return max(disk.get('size_gib') or 0, whole)


def image_attributes(document, name):
    """Fields and properties of an imported ``--as image`` snapshot."""
    props = dict(document['properties'])
    props.update(image_type='snapshot', name=name)
    props[SOURCE_PROPERTY] = document['snapshot']['id']
    return props


#: Property of an imported snapshot that names the snapshot it came from.
SOURCE_PROPERTY = 'rcsnap_source_snapshot_id'


def nova_mapping(document, snapshot_ids, volume_types=None):
    """``block_device_mapping`` entries exactly as Nova writes them for a
    volume-backed server, one per disk, each pointing at its new volume
    snapshot (``snapshot_ids`` in disk order) and naming the volume type
    its volume got (``volume_types``, None: the cloud's default)."""
    entries = []
    types = volume_types or [None] * len(document['disks'])
    for disk, snapshot_id, volume_type in zip(document['disks'],
                                              snapshot_ids, types):
        entry = dict.fromkeys(NOVA_BDM_KEYS)
        entry.update(
            boot_index=disk.get('boot_index'), delete_on_termination=False,
            destination_type='volume', device_name=disk.get('device_name'),
            device_type='disk', disk_bus=disk.get('disk_bus'),
            snapshot_id=snapshot_id, source_type='snapshot',
            volume_size=disk_gib(disk), volume_type=volume_type)
        entries.append(entry)
    return entries


def volume_types(disks, known, override=None):
    """The volume type each disk's volume is made with (None: the target
    cloud's default), in disk order.

    ``known`` are the names of the volume types the target project can
    use. ``override`` (``--volume-type``) replaces every disk's type and
    must exist; otherwise each disk keeps the type its manifest records,
    and one the target does not have is refused before anything is made.
    """
    known = set(known)
    if override and override not in known:
        raise Refused(_(
            'Volume type %(type)s does not exist in the target project (it '
            'has: %(known)s).') % {'type': override,
                                   'known': ', '.join(sorted(known)) or '-'})
    wanted = [override] * len(disks) if override else [
        d.get('volume_type') for d in disks]
    for disk, volume_type in zip(disks, wanted):
        if volume_type and volume_type not in known:
            raise Refused(_(
                'Volume type %(type)s of %(file)s does not exist in the '
                'target project (it has: %(known)s); choose one with '
                '--volume-type.') % {
                    'type': volume_type, 'file': disk['file'],
                    'known': ', '.join(sorted(known)) or '-'})
    return wanted


def volume_backed_attributes(document, name, snapshot_ids,
                             volume_types=None):
    """Fields and properties of an imported volume-backed snapshot: the
    0-byte image Nova's ``snapshot_volume_backed`` makes (the mapping as a
    JSON string, ``bdm_v2``, ``root_device_name``, ``min_disk`` at least
    the root volume's size)."""
    entries = nova_mapping(document, snapshot_ids, volume_types)
    root = snapshots.root_entry(entries) or entries[0]
    props = dict(document['properties'])
    props.update(
        name=name, bdm_v2='True',
        root_device_name=root.get('device_name') or '/dev/vda',
        block_device_mapping=json.dumps(entries),
        min_disk=max(props.get('min_disk') or 0, root['volume_size']))
    props[SOURCE_PROPERTY] = document['snapshot']['id']
    return props
