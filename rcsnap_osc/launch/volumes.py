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

"""The volumes a launch makes: the temporary images ``launch
--independent`` copies volume snapshots through, the data volumes ``launch
--with-data-volumes`` makes from a ``share --copy --volumes all`` copy's
data images, and the rows of the launch output.

Pure functions, no cliff, no HTTP; a refusal is an
:class:`rcsnap_osc.errors.Refused`. The flavor rule and the server's
attributes are :mod:`rcsnap_osc.launch.plan`.
"""

from rcsnap_osc.core import copies
from rcsnap_osc.core import snapshots
from rcsnap_osc.errors import Refused
from rcsnap_osc.i18n import _
from rcsnap_osc.launch import plan as launch_plan


def temporary_names(server_name, device):
    """The names of the temporary image and volume a volume snapshot is
    copied through for ``--independent``: the server's, the device's,
    ``-tmp`` and ``-tmp-volume``."""
    dev = (device.device_name or '').rsplit('/', 1)[-1] or (
        'root' if device.boot_index == 0 else device.snapshot_id[:8])
    name = '%s-%s-tmp' % (server_name, dev)
    return name, name + '-volume'


def temporary_image_attributes(image, device):
    """What the root volume's temporary image gets once uploaded: the
    snapshot's boot properties and limits, which Nova reads from the image
    a server boots from (nothing for a data volume's image).

    Not ``image_type``: the image is no instance snapshot, and is not
    listed as one.
    """
    if device.boot_index != 0:
        return None
    from rcsnap_osc.core import copies

    attrs = {key: value for key, value in
             snapshots.custom_properties(image).items()
             if copies.is_copied_property(key)}
    attrs.update(min_disk=launch_plan.as_int(image.get('min_disk')),
                 min_ram=launch_plan.as_int(image.get('min_ram')))
    return attrs


def planned_volumes(summary, mapping):
    """The volumes a launch makes, as ``mapping`` (the explicit
    ``block_device_mapping_v2``, or :func:`block_devices` of what Nova
    copies from the image) says, IDs unknown yet. Dicts with
    ``boot_index``, ``volume_snapshot`` (whose data it holds),
    ``source_type`` (``snapshot`` or ``image``), ``source_id``,
    ``size_gib`` and ``delete_on_termination``.
    """
    return [{'boot_index': bdm['boot_index'],
             'volume_snapshot': device.snapshot_id,
             'source_type': bdm['source_type'], 'source_id': bdm['uuid'],
             'size_gib': bdm.get('volume_size'),
             'delete_on_termination': bdm['delete_on_termination']}
            for device, bdm in zip(summary.devices, mapping)]


def _made_from(volume, plan):
    if plan.get('volume_id'):
        return volume.get('id') == plan['volume_id']
    if plan['source_type'] == 'snapshot':
        return volume.get('snapshot_id') == plan['source_id']
    return (volume.get('volume_image_metadata') or {}).get(
        'image_id') == plan['source_id']


_SOURCES = {'snapshot': 'volume snapshot', 'image': 'image',
            'backup': 'backup'}


def launched_volumes(planned, volumes, attached):
    """The volumes a launch made: one row per :func:`planned_volumes`
    entry, with the server's volume made from it when known.

    ``volumes`` maps volume IDs to Cinder volume dicts (the server's);
    ``attached`` maps them to Nova's ``delete_on_termination`` of each.
    A volume depends on the snapshot when Cinder says it was made from a
    volume snapshot (``snapshot_id``): that volume snapshot cannot be
    deleted while the volume exists.
    """
    rows = []
    for plan in planned:
        volume = next((v for v in volumes.values() if _made_from(v, plan)),
                      None)
        row = {
            'id': None, 'boot_index': plan['boot_index'],
            'size_gib': plan['size_gib'],
            'volume_snapshot': plan['volume_snapshot'],
            'made_from': '%s %s' % (_SOURCES.get(
                plan['source_type'], plan['source_type']),
                plan['source_id']),
            'depends_on_snapshot': plan['source_type'] == 'snapshot',
            'delete_on_termination': plan['delete_on_termination'],
        }
        if volume is not None:
            row.update(
                id=volume['id'], size_gib=volume.get('size'),
                depends_on_snapshot=bool(volume.get('snapshot_id')),
                delete_on_termination=bool(attached.get(
                    volume['id'], plan['delete_on_termination'])))
        rows.append(row)
    return rows


# -- launch --with-data-volumes ----------------------------------------------

def check_data_images(image, found, label):
    """Refuse unless ``found`` (:func:`copies.data_images` of what this
    project sees) are every data image of a ``share --copy --volumes all``
    copy, each active."""
    count = copies.data_count(image)
    if not count:
        raise Refused(_(
            'Snapshot %s has no data images: --with-data-volumes launches a '
            'copy shared with "rc snapshot share --copy --volumes all".')
            % label)
    if not copies.complete(image, found):
        raise Refused(_(
            'Snapshot %(snap)s has %(count)d data image(s), %(seen)d of them '
            'active and visible to this project: accept them with "rc '
            'snapshot accept %(id)s".') % {
                'snap': label, 'count': count, 'id': image['id'],
                'seen': len([i for i in found
                             if i.get('status') == 'active'])})


def data_mapping(image, data_images, delete_on_termination=False):
    """The ``block_device_mapping_v2`` of ``launch --with-data-volumes``:
    the image as the root disk (the entry Nova makes of ``imageRef``), then
    a volume made from each data image, in order, at the data volume's
    size (the image's ``min_disk``), not bootable."""
    mapping = [{'boot_index': 0, 'uuid': image['id'], 'source_type': 'image',
                'destination_type': 'local', 'delete_on_termination': True}]
    for data in data_images:
        mapping.append({
            'boot_index': -1, 'uuid': data['id'], 'source_type': 'image',
            'destination_type': 'volume',
            'volume_size': launch_plan.as_int(data.get('min_disk')) or (
                launch_plan.ceil_gib(data.get('size') or 0)),
            'delete_on_termination': bool(delete_on_termination)})
    return mapping


def planned_data_volumes(data_images, mapping):
    """The data volumes a ``--with-data-volumes`` launch makes, as
    :func:`planned_volumes` gives them (``mapping`` from
    :func:`data_mapping`)."""
    volumes = [bdm for bdm in mapping if bdm['destination_type'] == 'volume']
    return [{'boot_index': None,
             'volume_snapshot': data.get(copies.DATA_SOURCE_PROPERTY),
             'source_type': 'image', 'source_id': bdm['uuid'],
             'size_gib': bdm.get('volume_size'),
             'delete_on_termination': bdm['delete_on_termination']}
            for data, bdm in zip(data_images, volumes)]


# -- launch of an archived snapshot ------------------------------------------

def archived_summary(image):
    """An archived snapshot's summary with its disks as the image records
    them (size, device, boot index), so that the flavor rule and
    ``--size`` see the sizes its volumes will have; refused when a record
    does not name the volume snapshot of a mapping entry."""
    from rcsnap_osc.core import archives

    recorded = {r.snapshot_id: {'id': r.snapshot_id, 'size': r.size_gib,
                                'status': 'available'}
                for r in archives.records(image)}
    summary = snapshots.summarize(image, recorded)
    if summary.missing or not summary.devices:
        raise Refused(_(
            'Snapshot %s is archived, but its image does not record a '
            'backup of each of its disks.') % launch_plan.label(image))
    return summary


def backup_volumes(summary, root_gib, server_name):
    """What each volume made from a backup gets: dicts with ``record``
    (:class:`archives.Record`), ``boot_index``, ``device_name``, and the
    ``body`` of its ``POST /volumes`` (``backup_id`` added where Cinder
    takes it, 3.47): the recorded size (the root's at ``root_gib``) and
    volume type."""
    from rcsnap_osc.core import archives

    records = {r.snapshot_id: r for r in archives.records(summary.image)}
    made = []
    for device in summary.devices:
        record = records[device.snapshot_id]
        root = device.boot_index == 0
        name = temporary_names(server_name, device)[0]
        body = {'name': name[:-len('-tmp')],
                'size': (root_gib if root and root_gib else
                         record.size_gib),
                'description': _('Restored from backup %(backup)s of '
                                 'archived snapshot %(snap)s') % {
                    'backup': record.backup_id, 'snap': summary.image['id']}}
        if record.volume_type:
            body['volume_type'] = record.volume_type
        made.append({'record': record, 'body': body,
                     'boot_index': device.boot_index,
                     'device_name': device.device_name})
    return made


def backup_mapping(summary, made, delete_on_termination=False):
    """The ``block_device_mapping_v2`` Nova would have used: each volume
    made (``made``: volume snapshot ID -> volume ID) at its recorded boot
    index and device; deleted with the server as the image records, or
    always with ``delete_on_termination``."""
    refs = {ref.snapshot_id: entry for entry in snapshots.mapping_of(
        summary.image) for ref in snapshots.volume_refs([entry])}
    mapping = []
    for device in summary.devices:
        entry = refs.get(device.snapshot_id, {})
        bdm = {'boot_index': (-1 if device.boot_index is None
                              else device.boot_index),
               'uuid': made[device.snapshot_id], 'source_type': 'volume',
               'destination_type': 'volume',
               'delete_on_termination': bool(
                   delete_on_termination or entry.get(
                       'delete_on_termination'))}
        if device.device_name:
            bdm['device_name'] = device.device_name
        mapping.append(bdm)
    return mapping


def backup_attrs(attrs, mapping):
    """The ``POST /servers`` attributes of an archived snapshot: booted
    from the volumes made (``mapping``), not from the image."""
    body = {key: value for key, value in attrs.items()
            if key not in ('image_id', 'block_device_mapping')}
    body['block_device_mapping'] = mapping
    return body


def planned_backup_volumes(summary, mapping):
    """:func:`planned_volumes` of an archived snapshot: each volume is
    known, made from a backup, and depends on no snapshot."""
    from rcsnap_osc.core import archives

    records = {r.snapshot_id: r for r in archives.records(summary.image)}
    return [{'boot_index': device.boot_index,
             'volume_snapshot': device.snapshot_id,
             'source_type': 'backup',
             'source_id': records[device.snapshot_id].backup_id,
             'volume_id': bdm['uuid'], 'size_gib': None,
             'delete_on_termination': bdm['delete_on_termination']}
            for device, bdm in zip(summary.devices, mapping)]
