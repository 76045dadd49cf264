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

"""Will what a command makes fit in the project's quotas? The one
headroom of the package: Cinder's volumes, snapshots, gigabytes and
backups (``in_use``) and Neutron's ports (``used``), read by
:func:`quota_field` and :func:`left`, checked by :func:`over` and said by
:func:`at`.

Pure functions over the services' quota dicts: no cliff, no HTTP.

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
             exceeded: collections.abc.Iterable[tuple[str, int, int]],
             listed: dict[str, int] | None = None) -> str:
    """The refusal: which quotas, how full, what the snapshot needs and
    how to make room; with ``listed`` (what the project holds, when that
    would fit: the refusal comes from drift), that only an operator
    can."""
    exceeded = list(exceeded)
    if listed is not None:
        return _(
            "Cinder quota %(quotas)s by its counters, which have drifted "
            "from what the project holds (%(listed)s): a snapshot of server "
            "%(server)s needs %(count)d volume snapshots, %(gib)d GiB, and "
            "would fit; deleting snapshots will not make room, an operator "
            "can resync the counters (cinder-manage quota sync)") % {
                'quotas': at(exceeded), 'listed': ', '.join(
                    "'%s' %d" % (name, listed[name])
                    for name, _used, _limit in exceeded if name in listed),
                'server': server_name, 'count': need_.count,
                'gib': need_.gib}
    return _(
        "Cinder quota %(quotas)s: a snapshot of server %(server)s needs "
        "%(count)d volume snapshots, %(gib)d GiB; 'openstack rc snapshot "
        "orphans' and 'openstack rc snapshot prune' show what to delete to "
        "make room") % {'quotas': at(exceeded), 'server': server_name,
                        'count': need_.count, 'gib': need_.gib}


def at(exceeded: collections.abc.Iterable[tuple[str, int, int]]) -> str:
    """``'snapshots' is at 9 of 10; ...``."""
    return '; '.join(
        _("'%(name)s' is at %(used)d of %(limit)d GiB") % {
            'name': name, 'used': used, 'limit': limit}
        if name.startswith('gigabytes') else
        _("'%(name)s' is at %(used)d of %(limit)d") % {
            'name': name, 'used': used, 'limit': limit}
        for name, used, limit in exceeded)


def check(quota_set: dict | None,
          needs: collections.abc.Iterable[tuple[str, str, Need]],
          listed: dict[str, int] | None = None) -> dict[str, str | None]:
    """``{key: refusal or None}`` for ``needs``, ``[(key, server name,
    Need)]`` in the order the servers were given: each takes its room in
    turn, and one that does not fit is refused (the others may still
    fit). Everything fits when the quota is hidden (None).

    The figures are Cinder's, the ones it enforces; ``listed`` (what
    :func:`counted` finds) only says when a refusal comes from drift.
    """
    taken: dict[str, int] = {}
    verdicts: dict[str, str | None] = {}
    recounted = with_counted(quota_set, listed) if listed else None
    for key, server_name, need_ in needs:
        exceeded = over(quota_set, need_.amounts, taken) if quota_set else []
        if exceeded:
            drifted = recounted and not over(recounted, need_.amounts, taken)
            verdicts[key] = describe(server_name, need_, exceeded,
                                     listed if drifted else None)
            continue
        verdicts[key] = None
        for name, amount in need_.amounts.items():
            taken[name] = taken.get(name, 0) + amount
    return verdicts


def quota_field(quota_set: dict | None,
                name: str) -> tuple[int | None, int | None]:
    """``(used, limit)`` of one quota (Cinder's ``in_use`` or Neutron's
    ``used``, plus ``reserved``; -1 is unlimited); ``(None, None)`` when
    the service did not say."""
    entry = (quota_set or {}).get(name)
    if not isinstance(entry, dict):
        return None, None
    used = entry.get('in_use', entry.get('used'))
    return (used or 0) + (entry.get('reserved') or 0), entry.get('limit')


def left(quota_set: dict | None, name: str) -> int | None:
    """What is left of one quota (below 0 when it is past its limit);
    None when it is unlimited or not said."""
    used, limit = quota_field(quota_set, name)
    if limit is None or limit < 0:
        return None
    return limit - used  # type: ignore[operator]


def counted(volume_snapshots: collections.abc.Iterable[dict],
            volumes: collections.abc.Iterable[dict]) -> dict[str, int]:
    """What Cinder should have in use, from a project's listings:
    ``{'snapshots': n, 'gigabytes': n}``. Cinder counts each volume
    snapshot and volume that consumes quota (``consumes_quota``, Cinder
    3.65: its temporary ones do not), and the GiB of both in
    ``gigabytes`` (its default)."""
    snaps = [s for s in volume_snapshots
             if s.get('consumes_quota') is not False]
    vols = [v for v in volumes if v.get('consumes_quota') is not False]
    return {'snapshots': len(snaps),
            'gigabytes': sum(x.get('size') or 0 for x in snaps + vols)}


#: One drifted quota: ``(name, in use, reserved, listed)``.
Drift = tuple[str, int, int, int]


def drift(quota_set: dict | None, listed: dict[str, int]) -> list[Drift]:
    """``[(name, in use, reserved, listed)]`` of the quotas of
    :func:`counted` whose Cinder figure (``in_use`` + ``reserved``)
    differs from the listed one; none when Cinder hides its quota."""
    found: list[Drift] = []
    for name in ('snapshots', 'gigabytes'):
        entry = (quota_set or {}).get(name)
        if not isinstance(entry, dict) or name not in listed:
            continue
        in_use, reserved = entry.get('in_use') or 0, entry.get('reserved') or 0
        if in_use + reserved != listed[name]:
            found.append((name, in_use, reserved, listed[name]))
    return found


def drift_message(drifted: collections.abc.Iterable[Drift],
                  project: str | None = None) -> str | None:
    """The one line that says Cinder's counters drifted (None if not)."""
    parts = [_("'%(name)s' %(used)d%(reserved)s, %(listed)d listed") % {
        'name': name, 'used': in_use + reserved, 'listed': listed,
        'reserved': _(' (%d reserved)') % reserved if reserved else ''}
        for name, in_use, reserved, listed in drifted]
    if not parts:
        return None
    return _(
        "Cinder's quota counters%(project)s have drifted from what the "
        "listings hold: %(parts)s. The listed figures are the real use, but "
        "Cinder enforces its counters until an operator resyncs them "
        "(cinder-manage quota sync).") % {
            'parts': '; '.join(parts),
            'project': _(' of project %s') % project if project else ''}


def with_counted(quota_set: dict | None,
                 listed: dict[str, int]) -> dict | None:
    """``quota_set`` with the listed figures in use, nothing reserved."""
    if quota_set is None:
        return None
    recounted = dict(quota_set)
    for name, value in listed.items():
        if isinstance(quota_set.get(name), dict):
            recounted[name] = dict(quota_set[name], in_use=value, reserved=0)
    return recounted


def check_headroom(quota_set: dict, volumes: int, gib: int) -> None:
    """Refuse when the target project's Cinder quota (a ``quota_set`` with
    usage: ``{'volumes': {'limit', 'in_use', 'reserved'}, ...}``) cannot
    hold ``volumes`` more volumes and volume snapshots of ``gib`` GiB in
    all (both count in ``gigabytes``, as Cinder counts them by default); a
    limit of -1 is unlimited."""
    for key, wanted in (('volumes', volumes), ('snapshots', volumes),
                        ('gigabytes', 2 * gib)):
        free = left(quota_set, key)
        if free is not None and wanted > free:
            raise errors.Refused(_(
                'The target project has room for %(free)d more %(key)s '
                '(quota %(limit)d); the copy needs %(wanted)d.') % {
                    'free': max(free, 0), 'key': key,
                    'limit': quota_set[key]['limit'], 'wanted': wanted})


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
