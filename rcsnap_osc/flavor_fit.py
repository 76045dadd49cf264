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

"""Which flavors can launch an instance snapshot: the rule Nova applies.

Pure functions, no cliff, no HTTP. ``rc snapshot flavors`` and
``rc snapshot launch`` both decide with :func:`check`, so they cannot
disagree. A flavor is a dict as Nova lists it (``id``, ``name``, ``vcpus``,
``ram`` in MiB, ``disk`` in GiB).

The rule (Nova's ``_validate_flavor_image``):

* every snapshot: flavor RAM >= the image's ``min_ram``;
* volume-backed: the root volume (``--size``, else the size the image's
  mapping records, else its volume snapshot's size) >= ``min_disk``; the
  flavor's disk is not used at all;
* image-backed: flavor disk >= ``max(min_disk, image size in GiB, rounded
  up)``; a flavor disk of 0 is refused for image-backed servers (Nova's
  default policy keeps zero-disk flavors for volume-backed servers).
"""

import dataclasses

from rcsnap_osc.i18n import _
from rcsnap_osc import snapshots


@dataclasses.dataclass(frozen=True)
class Need:
    """What a snapshot needs from a flavor."""

    kind: str
    min_ram: int
    min_disk: int
    #: Volume-backed: the root volume's size in GiB (None when unknown).
    #: Image-backed: the image's size rounded up to GiB.
    root_gib: int | None
    #: Volume-backed: the root volume snapshot's own size in GiB.
    snapshot_gib: int | None = None
    #: Volume-backed: the root volume snapshot's ID.
    root_snapshot_id: str | None = None

    @property
    def disk_gib(self):
        """Image-backed: the smallest flavor disk that holds the image."""
        return max(self.min_disk, self.root_gib or 0)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """Whether one flavor fits, and why (one line)."""

    flavor: dict
    fits: bool
    why: str


def ceil_gib(size_bytes):
    """Bytes rounded up to whole GiB."""
    return -(-int(size_bytes or 0) // snapshots.GiB)


def _int(value):
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def need_of(summary, size=None):
    """The :class:`Need` of a :class:`snapshots.Summary`.

    ``size`` is ``--size`` (GiB), for volume-backed snapshots only.
    """
    image = summary.image
    min_ram, min_disk = _int(image.get('min_ram')), _int(image.get(
        'min_disk'))
    if summary.type == snapshots.IMAGE_BACKED:
        return Need(summary.type, min_ram, min_disk,
                    ceil_gib(image.get('size')))
    root = next((d for d in summary.devices if d.boot_index == 0), None)
    if root is None:
        return Need(summary.type, min_ram, min_disk, None)
    recorded = next(
        (ref.volume_size for ref in snapshots.volume_refs(
            snapshots.mapping_of(image))
         if ref.snapshot_id == root.snapshot_id), None)
    if size is not None:
        root_gib = size
    elif recorded:
        root_gib = _int(recorded)
    else:
        root_gib = root.size_gib
    return Need(summary.type, min_ram, min_disk, root_gib,
                snapshot_gib=root.size_gib,
                root_snapshot_id=root.snapshot_id)


def check(flavor, need):
    """The :class:`Verdict` for one flavor: the one rule of both commands."""
    ram = _int(flavor.get('ram'))
    disk = _int(flavor.get('disk'))
    problems = []
    if ram < need.min_ram:
        problems.append(_('RAM %(ram)d MiB < min_ram %(min)d MiB') % {
            'ram': ram, 'min': need.min_ram})
    if need.kind == snapshots.VOLUME_BACKED:
        if need.root_gib is None:
            problems.append(_('root volume size unknown: its volume '
                              'snapshot is missing'))
        elif need.root_gib < need.min_disk:
            problems.append(_(
                'root volume %(root)d GiB < min_disk %(min)d GiB '
                '(launch with --size %(min)d)') % {
                    'root': need.root_gib, 'min': need.min_disk})
        note = _('flavor disk not used: boots from a volume')
        return Verdict(flavor, not problems, '; '.join(problems + [note]))
    if disk == 0:
        problems.append(_('flavor disk 0: Nova allows zero-disk flavors for '
                          'volume-backed servers only'))
    elif disk < need.disk_gib:
        problems.append(_('disk %(disk)d GiB < %(need)d GiB needed') % {
            'disk': disk, 'need': need.disk_gib})
    return Verdict(flavor, not problems, '; '.join(problems))


def order_key(flavor):
    """Smallest first: RAM, then vCPUs, then disk (name breaks ties)."""
    return (_int(flavor.get('ram')), _int(flavor.get('vcpus')),
            _int(flavor.get('disk')), flavor.get('name') or '',
            flavor.get('id') or '')


def verdicts(flavors, need):
    """A :class:`Verdict` for every flavor, smallest flavor first."""
    return [check(f, need) for f in sorted(flavors, key=order_key)]


def fitting(flavors, need):
    """The flavors that fit, smallest first."""
    return [v.flavor for v in verdicts(flavors, need) if v.fits]


def size_error(need, size):
    """Why ``--size`` cannot be used, or None when it can."""
    if size is None:
        return None
    if need.kind != snapshots.VOLUME_BACKED:
        return _('--size applies to volume-backed snapshots only; this '
                 'snapshot is image-backed (its root disk is the '
                 "flavor's disk).")
    if size < 1:
        return _('--size must be at least 1 GiB.')
    if need.snapshot_gib is not None and size < need.snapshot_gib:
        return _('--size %(size)d GiB is smaller than the root volume '
                 'snapshot (%(snap)d GiB); a volume cannot shrink.') % {
                     'size': size, 'snap': need.snapshot_gib}
    return None
