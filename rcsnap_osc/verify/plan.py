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

"""What ``verify`` checks, and the one true line of each failure.

Three levels: the default one reads what Glance and Cinder say (the
image is active, or archived with every recorded backup available; each
volume snapshot it maps is there, in this project, available, of the
size the image records; an image-backed one has data and a hash);
``data`` reads the bytes (an image's digest, a temporary volume of each
volume snapshot); ``boot`` launches a server and removes it. The result
goes on the image (:data:`rcsnap_osc.core.holds.VERIFY_KEYS`).

Pure: Glance- and Cinder-shaped dicts in, lines out.
"""

import dataclasses
import datetime

from rcsnap_osc.core import archives
from rcsnap_osc.core import holds
from rcsnap_osc.core import snapshots
from rcsnap_osc.i18n import _

DEFAULT = 'default'
DATA = 'data'
BOOT = 'boot'

#: Glance's limit on a property value.
MAX_RESULT = 255

OK = 'ok'

_PROJECT = 'os-extended-snapshot-attributes:project_id'


@dataclasses.dataclass(frozen=True)
class Request:
    """What ``verify`` was asked: the snapshots (names or IDs), the
    levels beyond the default, the console text a drill waits for, the
    seconds each wait of a snapshot may take, and the ``launcher`` a
    drill launches through: the launch capability's ``run`` module,
    handed down by the command."""

    names: tuple
    data: bool = False
    boot: bool = False
    console_contains: str | None = None
    timeout: int = 1800
    launcher: object = None

    @property
    def level(self) -> str:
        """The level recorded: ``default``, ``data``, ``boot`` or
        ``data+boot``."""
        done = [n for n, on in ((DATA, self.data), (BOOT, self.boot)) if on]
        return '+'.join(done) or DEFAULT


@dataclasses.dataclass
class Row:
    """One snapshot's verification: its image, the level done, and the
    problems found (none: ok); ``recorded`` whether the image holds it."""

    image: dict
    level: str
    problems: list = dataclasses.field(default_factory=list)
    recorded: bool = False

    @property
    def result(self) -> str:
        return result_text(self.problems)


def label(image: dict) -> str:
    return '%s (%s)' % (image.get('name') or '-', image.get('id'))


def _device(ref) -> str:
    return ref.device_name or _('boot index %s') % ref.boot_index


def default_problems(image: dict, volume_snapshots: dict, backups: dict,
                     project_id: str) -> list[str]:
    """What is wrong with a snapshot by what the services say of it now
    (``volume_snapshots`` and ``backups``: this project's, by ID); one
    line each, naming the resource."""
    status = image.get('status')
    if status != 'active':
        return [_('image %(id)s is %(status)s, not active') % {
            'id': image.get('id'), 'status': status}]
    if archives.is_archived(image):
        return backup_problems(image, backups)
    try:
        mapping = snapshots.parse_block_device_mapping(
            image.get('block_device_mapping'))
    except snapshots.InvalidMapping as exc:
        return [_('image %(id)s: %(why)s') % {'id': image['id'],
                                              'why': exc}]
    if snapshots.snapshot_type(image) == snapshots.IMAGE_BACKED:
        problems = []
        if not image.get('size'):
            problems.append(_('image %s has no data (size 0)')
                            % image['id'])
        if not (image.get('os_hash_value') or image.get('checksum')):
            problems.append(_('image %s has no stored hash') % image['id'])
        return problems
    problems = []
    for ref in snapshots.volume_refs(mapping):
        found = volume_snapshots.get(ref.snapshot_id)
        what = _('volume snapshot %(id)s (%(dev)s)') % {
            'id': ref.snapshot_id, 'dev': _device(ref)}
        if found is None:
            problems.append(_('%s is missing: deleted, or not in this '
                              'project') % what)
        elif found.get(_PROJECT) not in (None, project_id):
            problems.append(_('%(what)s belongs to project %(p)s, not '
                              'this one') % {'what': what,
                                             'p': found[_PROJECT]})
        elif found.get('status') != 'available':
            problems.append(_('%(what)s is %(status)s, not available') % {
                'what': what, 'status': found.get('status')})
        elif ref.volume_size is not None and found.get(
                'size') != ref.volume_size:
            problems.append(_('%(what)s is %(size)s GiB, the image records '
                              '%(want)s GiB') % {
                'what': what, 'size': found.get('size'),
                'want': ref.volume_size})
    return problems


def backup_problems(image: dict, backups: dict) -> list[str]:
    """An archived snapshot: each recorded backup there and available."""
    problems = []
    for disk in archives.current(image):
        found = backups.get(disk.backup_id)
        what = _('backup %(id)s (%(dev)s)') % {
            'id': disk.backup_id,
            'dev': disk.device_name or _('boot index %s') % disk.boot_index}
        if found is None:
            problems.append(_('%s is missing: deleted, or not in this '
                              'project') % what)
        elif found.get('status') != 'available':
            problems.append(_('%(what)s is %(status)s, not available') % {
                'what': what, 'status': found.get('status')})
    if not archives.current(image):
        problems.append(_('image %s records no backup') % image['id'])
    return problems


def digest_problem(image: dict, algo: str, got: str,
                   size: int) -> str | None:
    """The line when the bytes read do not match Glance's record."""
    if size != image.get('size'):
        return _('image %(id)s: read %(got)d bytes, Glance records '
                 '%(want)s') % {'id': image['id'], 'got': size,
                                'want': image.get('size')}
    if got != image.get('os_hash_value'):
        return _('image %(id)s: its data does not match its %(algo)s '
                 'digest') % {'id': image['id'], 'algo': algo}
    return None


def hash_algo(image: dict) -> tuple[str, str | None]:
    """``(algorithm, expected digest)`` the data is checked against:
    Glance's multihash, else its md5 checksum."""
    if image.get('os_hash_algo') and image.get('os_hash_value'):
        return image['os_hash_algo'], image['os_hash_value']
    return 'md5', image.get('checksum')


def volume_problem(device, volume: dict | None) -> str | None:
    """A temporary volume of a volume snapshot that is not what it
    should be: gone, not available, or of another size."""
    what = _('a volume from volume snapshot %(id)s (%(dev)s)') % {
        'id': device.snapshot_id, 'dev': _device(device)}
    if volume is None:
        return _('%s vanished') % what
    if volume.get('size') != device.size_gib:
        return _('%(what)s is %(size)s GiB, not %(want)s') % {
            'what': what, 'size': volume.get('size'),
            'want': device.size_gib}
    return None


def drill_size(summary) -> int | None:
    """The root volume size of a drill: what the image's ``min_disk``
    asks when the root volume snapshot is smaller (as a restore would be
    launched), else None (its own size)."""
    root = next((d for d in summary.devices if d.boot_index == 0), None)
    min_disk = int(summary.image.get('min_disk') or 0)
    if root is None or root.size_gib is None or min_disk <= root.size_gib:
        return None
    return min_disk


def result_text(problems: list[str]) -> str:
    """``ok``, or the problems on one line, cut to Glance's limit."""
    if not problems:
        return OK
    text = ' '.join('; '.join(problems).split())
    if len(text) > MAX_RESULT:
        text = text[:MAX_RESULT - 3] + '...'
    return text


def record(now: datetime.datetime, level: str, problems: list[str]) -> dict:
    """The image properties of a verification."""
    return {holds.VERIFIED_AT: holds.stamp(now),
            holds.VERIFIED_LEVEL: level,
            holds.VERIFIED_RESULT: result_text(problems)}


def failure_line(rows: list[Row]) -> str | None:
    """The error ``verify`` exits 1 with, when any snapshot failed."""
    failed = [r for r in rows if r.problems]
    if not failed:
        return None
    return _('%(n)d of %(total)d snapshot(s) failed verification: '
             '%(which)s') % {'n': len(failed), 'total': len(rows),
                             'which': ', '.join(r.image['id']
                                                for r in failed)}
