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

"""Will the volume snapshots of a snapshot fit in the Cinder quota?

Pure functions over Cinder-shaped dicts: no cliff, no HTTP.

Nova snapshots every volume attached to a volume-backed server (one
Cinder volume snapshot each); for an image-backed server it copies the
root disk into Glance and leaves the attached volumes alone. Cinder
reserves, per volume snapshot, one of ``snapshots`` and the volume's size
of ``gigabytes``, and the same of ``snapshots_<type>`` and
``gigabytes_<type>`` for the volume's type; it refuses a reservation past
a limit (``in_use`` + ``reserved`` + the request), -1 being unlimited.
Nova checks only the count, and only against the total: past the other
limits it fails late, after the image is made, with an error of its own.
"""

import collections.abc
import dataclasses

from rcsnap_osc import errors
from rcsnap_osc.i18n import _


@dataclasses.dataclass(frozen=True)
class Need:
    """What one server's snapshot takes from the quota: ``{quota name:
    amount}``, the totals and the per volume type ones."""

    amounts: dict

    @property
    def count(self) -> int:
        return self.amounts.get('snapshots', 0)

    @property
    def gib(self) -> int:
        return self.amounts.get('gigabytes', 0)


def need(volumes: collections.abc.Iterable[dict]) -> Need:
    """The :class:`Need` of a volume-backed server whose attached
    volumes are ``volumes`` (Cinder-shaped; a size Cinder did not give
    counts 0)."""
    amounts = {'snapshots': 0, 'gigabytes': 0}
    for volume in volumes:
        size = volume.get('size') or 0
        kind = volume.get('volume_type')
        for name, amount in (('snapshots', 1), ('gigabytes', size)):
            amounts[name] += amount
            if kind:
                key = '%s_%s' % (name, kind)
                amounts[key] = amounts.get(key, 0) + amount
    return Need(amounts)


def over(quota_set: dict | None, amounts: dict[str, int],
         taken: dict[str, int] | None = None
         ) -> list[tuple[str, int, int]]:
    """The quotas ``amounts`` would go past: ``[(name, used, limit)]``,
    ``used`` counting what ``taken`` (earlier servers of the same call)
    already holds. Quotas Cinder does not report are not checked."""
    taken = taken or {}
    found = []
    for name, amount in amounts.items():
        used, limit = quota_field(quota_set, name)
        if limit is None or limit < 0 or not amount:
            continue
        used += taken.get(name, 0)  # type: ignore[operator]
        if used + amount > limit:
            found.append((name, used, limit))
    return found


def describe(server_name: str, need_: Need,
             exceeded: collections.abc.Iterable[tuple[str, int, int]]
             ) -> str:
    """The refusal: which quotas, how full, what the snapshot needs and
    how to make room."""
    quotas = '; '.join(
        _("'%(name)s' is at %(used)d of %(limit)d GiB") % {
            'name': name, 'used': used, 'limit': limit}
        if name.startswith('gigabytes') else
        _("'%(name)s' is at %(used)d of %(limit)d") % {
            'name': name, 'used': used, 'limit': limit}
        for name, used, limit in exceeded)
    return _(
        "Cinder quota %(quotas)s: a snapshot of server %(server)s needs "
        "%(count)d volume snapshots, %(gib)d GiB; 'openstack rc snapshot "
        "orphans' and 'openstack rc snapshot prune' show what to delete to "
        "make room") % {'quotas': quotas, 'server': server_name,
                        'count': need_.count, 'gib': need_.gib}


def check(quota_set: dict | None,
          needs: collections.abc.Iterable[tuple[str, str, Need]]
          ) -> dict[str, str | None]:
    """``{key: refusal or None}`` for ``needs``, ``[(key, server name,
    Need)]`` in the order the servers were given: each takes its room in
    turn, and one that does not fit is refused (the others may still
    fit). Everything fits when the quota is hidden (None)."""
    taken: dict[str, int] = {}
    verdicts: dict[str, str | None] = {}
    for key, server_name, need_ in needs:
        exceeded = over(quota_set, need_.amounts, taken) if quota_set else []
        if exceeded:
            verdicts[key] = describe(server_name, need_, exceeded)
            continue
        verdicts[key] = None
        for name, amount in need_.amounts.items():
            taken[name] = taken.get(name, 0) + amount
    return verdicts


def quota_field(quota_set: dict | None,
                name: str) -> tuple[int | None, int | None]:
    """``(used, limit)`` of one Cinder quota (``in_use`` + ``reserved``;
    -1 is unlimited); ``(None, None)`` when Cinder did not say."""
    entry = (quota_set or {}).get(name)
    if not isinstance(entry, dict):
        return None, None
    return (entry.get('in_use', 0) + entry.get('reserved', 0),
            entry.get('limit'))


def check_headroom(quota_set: dict, volumes: int, gib: int) -> None:
    """Refuse when the target project's Cinder quota (a ``quota_set`` with
    usage: ``{'volumes': {'limit', 'in_use', 'reserved'}, ...}``) cannot
    hold ``volumes`` more volumes and volume snapshots of ``gib`` GiB in
    all (both count in ``gigabytes``, as Cinder counts them by default); a
    limit of -1 is unlimited."""
    for key, wanted in (('volumes', volumes), ('snapshots', volumes),
                        ('gigabytes', 2 * gib)):
        entry = quota_set.get(key) or {}
        limit = entry.get('limit', -1)
        if limit is None or limit < 0:
            continue
        free = limit - (entry.get('in_use') or 0) - (
            entry.get('reserved') or 0)
        if wanted > free:
            raise errors.Refused(_(
                'The target project has room for %(free)d more %(key)s '
                '(quota %(limit)d); the copy needs %(wanted)d.') % {
                    'free': max(free, 0), 'key': key, 'limit': limit,
                    'wanted': wanted})


def check_image_headroom(glance_usage: dict, images: int, size: int) -> None:
    """Refuse when the target project's Glance unified limits (the
    ``usage`` of ``GET /v2/info/usage``: ``{'image_count_total': {'limit',
    'usage'}, 'image_size_total': {...}}``, sizes in MiB) cannot hold
    ``images`` more images of ``size`` bytes in all. A limit that is
    missing or -1 is not enforced."""
    mib = -(-size // (1024 * 1024))
    for key, wanted, unit in (('image_count_total', images, _('images')),
                              ('image_size_total', mib, _('MiB of images'))):
        entry = glance_usage.get(key)
        if not isinstance(entry, dict):
            continue
        limit = entry.get('limit')
        if limit is None or limit < 0:
            continue
        free = limit - (entry.get('usage') or 0)
        if wanted > free:
            raise errors.Refused(_(
                'The target project has room for %(free)d more %(unit)s '
                '(Glance limit %(key)s %(limit)d); the copy needs up to '
                '%(wanted)d.') % {
                    'free': max(free, 0), 'unit': unit, 'key': key,
                    'limit': limit, 'wanted': wanted})
