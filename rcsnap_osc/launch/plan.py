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

"""What launching an instance snapshot takes: which flavors fit (the rule
Nova applies), the attributes of the ``POST /servers``, and which volumes
it makes (``--independent``: from temporary images, not the snapshot).

Pure functions, no cliff, no HTTP; a refusal is an
:class:`rcsnap_osc.errors.Refused`. ``rc snapshot flavors`` and
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

import collections.abc
import dataclasses

from rcsnap_osc.core import snapshots
from rcsnap_osc.errors import Refused
from rcsnap_osc.i18n import _

#: ``networks`` values Nova accepts instead of a list (microversion 2.37).
AUTO = 'auto'
NONE = 'none'


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
    def disk_gib(self) -> int:
        """Image-backed: the smallest flavor disk that holds the image."""
        return max(self.min_disk, self.root_gib or 0)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """Whether one flavor fits, and why (one line)."""

    flavor: dict
    fits: bool
    why: str


def ceil_gib(size_bytes: int | None) -> int:
    """Bytes rounded up to whole GiB."""
    return -(-int(size_bytes or 0) // snapshots.GiB)


def as_int(value: str | int | float | None) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def need_of(summary: snapshots.Summary, size: int | None = None) -> Need:
    """The :class:`Need` of a :class:`snapshots.Summary`.

    ``size`` is ``--size`` (GiB), for volume-backed snapshots only.
    """
    image = summary.image
    min_ram, min_disk = as_int(image.get('min_ram')), as_int(image.get(
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
        root_gib = as_int(recorded)
    else:
        root_gib = root.size_gib
    return Need(summary.type, min_ram, min_disk, root_gib,
                snapshot_gib=root.size_gib,
                root_snapshot_id=root.snapshot_id)


def check(flavor: dict, need: Need) -> Verdict:
    """The :class:`Verdict` for one flavor: the one rule of both commands."""
    ram = as_int(flavor.get('ram'))
    disk = as_int(flavor.get('disk'))
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


def order_key(flavor: dict) -> tuple[int, int, int, str, str]:
    """Smallest first: RAM, then vCPUs, then disk (name breaks ties)."""
    return (as_int(flavor.get('ram')), as_int(flavor.get('vcpus')),
            as_int(flavor.get('disk')), flavor.get('name') or '',
            flavor.get('id') or '')


def verdicts(flavors: collections.abc.Iterable[dict],
             need: Need) -> list[Verdict]:
    """A :class:`Verdict` for every flavor, smallest flavor first."""
    return [check(f, need) for f in sorted(flavors, key=order_key)]


def fitting(flavors: collections.abc.Iterable[dict],
            need: Need) -> list[dict]:
    """The flavors that fit, smallest first."""
    return [v.flavor for v in verdicts(flavors, need) if v.fits]


def size_error(need: Need, size: int | None) -> str | None:
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


def need_for(summary: snapshots.Summary, size: int | None) -> Need:
    """The snapshot's :class:`Need` at ``--size``; a bad size is refused."""
    need = need_of(summary, size)
    problem = size_error(need, size)
    if problem:
        raise Refused(problem)
    return need


def label(image: dict) -> str:
    return '%s (%s)' % (image.get('name'), image['id'])


def fit_or_refuse(flavors: collections.abc.Iterable[dict], flavor: dict,
                  need: Need, snapshot_label: str,
                  shown: int = 3) -> Verdict:
    """The verdict for the chosen flavor; refused with the names of the
    smallest flavors that do fit."""
    verdict = check(flavor, need)
    if verdict.fits:
        return verdict
    fits = fitting(flavors, need)
    if fits:
        hint = _('flavors that fit: %s') % ', '.join(
            f['name'] for f in fits[:shown])
    else:
        hint = _('no flavor fits')
    raise Refused(
        _('Flavor %(flavor)s cannot launch snapshot %(snap)s: %(why)s; '
          '%(hint)s.') % {'flavor': flavor['name'], 'snap': snapshot_label,
                          'why': verdict.why, 'hint': hint})


def smallest_fit(flavors: collections.abc.Collection[dict], need: Need,
                 snapshot_label: str) -> dict:
    """The smallest flavor that fits; refused with why none does."""
    fits = fitting(flavors, need)
    if fits:
        return fits[0]
    reasons = {check(f, need).why for f in flavors}
    why = reasons.pop() if len(reasons) == 1 else _(
        'see rc snapshot flavors --all')
    raise Refused(
        _('No flavor can launch snapshot %(snap)s: %(why)s.') % {
            'snap': snapshot_label, 'why': why})


def block_devices(summary: snapshots.Summary, root_gib: int | None,
                  volume_types: bool = False,
                  delete_on_termination: bool | None = None,
                  images: dict[str, str] | None = None) -> list[dict]:
    """An explicit ``block_device_mapping_v2``: the root volume at
    ``root_gib`` GiB, boot index 0, then the other volumes as the image
    maps them, each at its recorded size (else its volume snapshot's).

    Each volume is made from its volume snapshot, or, when ``images`` maps
    the volume snapshot's ID to an image ID, from that image (then it does
    not depend on the snapshot). ``delete_on_termination`` None keeps what
    the image records, else sets it on every volume. ``volume_types``
    keeps each volume's recorded type (microversion 2.67).
    """
    refs = {ref.snapshot_id: entry for entry in snapshots.mapping_of(
        summary.image) for ref in snapshots.volume_refs([entry])}
    images = images or {}
    mapping = []
    for device in summary.devices:
        entry = refs.get(device.snapshot_id, {})
        image_id = images.get(device.snapshot_id)
        delete = bool(entry.get('delete_on_termination')
                      if delete_on_termination is None
                      else delete_on_termination)
        bdm = {
            'boot_index': 0 if device.boot_index == 0 else -1,
            'uuid': image_id or device.snapshot_id,
            'source_type': 'image' if image_id else 'snapshot',
            'destination_type': 'volume',
            'delete_on_termination': delete,
        }
        if device.boot_index == 0:
            bdm['volume_size'] = root_gib
        elif entry.get('volume_size') or device.size_gib:
            bdm['volume_size'] = as_int(entry.get('volume_size')) or (
                device.size_gib)
        if volume_types and entry.get('volume_type'):
            bdm['volume_type'] = entry['volume_type']
        mapping.append(bdm)
    return mapping


def explicit_mapping(size: int | None = None,
                     delete_on_termination: bool = False,
                     independent: bool | dict[str, str] | None = False
                     ) -> bool | dict[str, str] | None:
    """Whether the server boots from an explicit mapping rather than from
    the image (whose mapping Nova copies as it is)."""
    return size is not None or delete_on_termination or independent


@dataclasses.dataclass(frozen=True)
class Request:
    """What ``launch`` (or ``flavors``) was asked for: names as the user
    gave them, ``wait`` seconds (None: do not wait)."""

    flavor: str | None = None
    name: str | None = None
    networks: tuple = ()
    no_network: bool = False
    key_name: str | None = None
    security_groups: tuple = ()
    availability_zone: str | None = None
    size: int | None = None
    delete_on_termination: bool = False
    independent: bool = False
    with_data_volumes: bool = False
    wait: int | None = None
    keep_failed: bool = False


@dataclasses.dataclass(frozen=True)
class Boot:
    """What the server is booted with, once found: ``networks`` is a list
    of network IDs, :data:`AUTO` or :data:`NONE`; ``security_groups``
    their names; ``volume_types`` whether Nova takes a volume type per
    mapping entry (2.67)."""

    name: str
    networks: str | collections.abc.Iterable[str]
    key_name: str | None = None
    security_groups: tuple = ()
    availability_zone: str | None = None
    size: int | None = None
    delete_on_termination: bool = False
    volume_types: bool = False
    data_mapping: list | None = None


def server_attrs(summary: snapshots.Summary, need: Need, flavor: dict,
                 boot: Boot, images: dict[str, str] | None = None) -> dict:
    """The SDK attributes of ``POST /servers`` for a :class:`Boot`.

    Without ``size``, ``delete_on_termination`` or ``images``, or without
    volumes (image-backed), the server boots from ``imageRef`` and Nova
    builds the volumes from the image's own mapping; else from an explicit
    mapping (:func:`block_devices`). An image-backed one boots from
    ``imageRef`` with ``data_mapping`` too, when given
    (:func:`rcsnap_osc.launch.volumes.data_mapping`).
    """
    attrs = {'name': boot.name, 'flavor_id': flavor['id']}
    if not summary.devices and boot.data_mapping:
        attrs['image_id'] = summary.image['id']
        attrs['block_device_mapping'] = boot.data_mapping
    elif not summary.devices or not explicit_mapping(
            boot.size, boot.delete_on_termination, images):
        attrs['image_id'] = summary.image['id']
    else:
        attrs['block_device_mapping'] = block_devices(
            summary, need.root_gib, boot.volume_types,
            True if boot.delete_on_termination else None, images)
    if isinstance(boot.networks, str):
        attrs['networks'] = boot.networks
    else:
        attrs['networks'] = [{'uuid': n} for n in boot.networks]
    if boot.key_name:
        attrs['key_name'] = boot.key_name
    if boot.security_groups:
        attrs['security_groups'] = [
            {'name': g} for g in boot.security_groups]
    if boot.availability_zone:
        attrs['availability_zone'] = boot.availability_zone
    return attrs
