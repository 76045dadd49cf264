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

"""``rc snapshot copy --to-cloud``: export and import in one stream, from
one cloud's Glance straight into another's, with no local file.

The target (another clouds.yaml entry: other credentials, project, region
or cloud) is checked first: authentication, Glance's image limits, and for
``--as volume-backed`` Cinder's quota headroom and the volume types. The
source side is :mod:`rcsnap_osc.portable.to_files`'s plan and the
:mod:`rcsnap_osc.cloud.volume_images` pipeline; the target side is
:func:`rcsnap_osc.portable.from_files.make_snapshot`. On failure or
interrupt each side deletes what it made.
"""

import dataclasses

from rcsnap_osc.cloud import discovery
from rcsnap_osc.cloud import rollback
from rcsnap_osc.cloud import transfer
from rcsnap_osc.cloud import volume_images
from rcsnap_osc.core import quota
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.portable import from_files as importing
from rcsnap_osc.portable import manifest
from rcsnap_osc.portable import to_files as exporting


def connect(cloud_name, region=None):
    """The SDK connection of a clouds.yaml entry, authenticated now so that
    a wrong entry or credentials are said before anything is made."""
    import openstack

    try:
        target = openstack.connect(cloud=cloud_name, region_name=region)
        target.authorize()
        return target
    except Exception as exc:
        described = errors.explain(exc)
        if described is None:
            raise
        raise errors.Refused(_(
            'Cannot use cloud %(cloud)s: %(why)s') % {
                'cloud': cloud_name, 'why': described}) from exc


def check_target(target, cloud_name, kind, disks, size, volume_type=None):
    """Refuse when the target project cannot hold the copy: Glance's
    image limits (every kind; ``size`` bytes at most), and for
    ``--as volume-backed`` Cinder's quota and the volume types. The
    listings are read at once; returns the volume type of each disk.
    """
    from rcsnap_osc.cloud import reads

    volume_backed = kind == 'volume-backed'
    target.image.get_endpoint_data()
    calls = [lambda: reads.glance_usage(target)]
    if volume_backed:
        discovery.cinder(target)
        calls += [lambda: reads.cinder_quota(target),
                  lambda: importing.volume_types(target, disks,
                                                 volume_type)]
    # the temporary images and the 0-byte snapshot image of volume-backed
    images = len(disks) + 1 if volume_backed else 1
    try:
        found = reads.parallel(calls)
        quota.check_image_headroom(found[0], images, size)
        if volume_backed and found[1] is not None:
            quota.check_headroom(found[1], len(disks),
                                 sum(d['size_gib'] or 0 for d in disks))
    except errors.Refused as exc:
        raise errors.Refused(_('Cannot copy to cloud %(cloud)s: %(why)s') % {
            'cloud': cloud_name, 'why': exc})
    return found[2] if volume_backed else None


def copy(conn, request):
    """Copy a snapshot into the cloud of a clouds.yaml entry
    (:class:`request.Request`: ``snapshot``, ``cloud``, ``region``,
    ``name``, ``kind``, ``disk_format``, ``volume_type``); (new
    snapshot's record, volume IDs on the target).

    The snapshot is read first, then the target checked: nothing is made
    on either side before both are known good.
    """
    disk_format = request.disk_format
    image, summary, disks, needed = exporting.gather(conn, request.snapshot,
                                                     disk_format, 'all')
    kind = manifest.import_kind({'disks': disks}, request.kind,
                                request.volume_type)
    target = connect(request.cloud, request.region)
    types = check_target(target, request.cloud, kind, disks, needed,
                         request.volume_type)

    def make(images):
        for disk, made in zip(disks, images):
            disk['size'] = made.get('size') or 0
        document = manifest.build(image, summary.type,
                                  exporting.source_of(conn), disks)
        sources = dict(zip([d['file'] for d in disks], images))

        def put(image_id, disk):
            transfer.stream(conn, sources[disk['file']], target, image_id,
                            request.stderr)
        return importing.make_snapshot(target, document, dataclasses.replace(
            request, name=request.name or image.get('name'), kind=kind),
            put, types)

    if summary.type == snapshots.IMAGE_BACKED:
        return make([image])
    sources = volume_images.disk_sources(
        image, disks, 'copy',
        _('Temporary volume for a copy of snapshot %s') % image['id'])

    def then(images):
        result = make(images)
        volume_images.release_images(conn, [i['id'] for i in images],
                                     request.reporter)
        return result

    return volume_images.copy_then(
        rollback.Ledger(conn, request.reporter, request.waiter.interval),
        sources,
        disk_format, request.waiter, then)[1]
