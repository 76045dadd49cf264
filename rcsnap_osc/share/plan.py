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

"""What sharing an instance snapshot takes: pure decisions, no cliff, no HTTP.

An image is a flat Glance v2 dict (custom properties top-level); a member
is a dict with ``member_id`` and ``status`` as Glance lists it. Every
refusal is a :class:`Refused` whose message is the one line the user sees.
"""

import collections.abc
import dataclasses

from rcsnap_osc.core import copies
from rcsnap_osc.core import snapshots
from rcsnap_osc.errors import Refused
from rcsnap_osc.i18n import _

#: Glance member statuses, in the order ``list --shared`` asks for them.
MEMBER_STATUSES = ('accepted', 'pending', 'rejected')


@dataclasses.dataclass(frozen=True)
class Request:
    """What ``share`` was asked for: the projects (names or IDs), and for
    a ``copy`` its name, disk format, ``timeout`` (seconds), whether a new
    one is made even when an earlier copy fits, and which ``volumes``."""

    projects: tuple
    copy: bool = False
    name: str | None = None
    disk_format: str = 'raw'
    timeout: int | None = None
    new_copy: bool = False
    volumes: str = 'root'


@dataclasses.dataclass(frozen=True)
class SharePlan:
    """The writes that share an image with some projects."""

    make_shared: bool
    add: tuple
    already: tuple


@dataclasses.dataclass(frozen=True)
class UnsharePlan:
    """The writes that take projects off an image's member list."""

    remove: tuple
    not_members: tuple
    make_private: bool


def _label(image: dict) -> str:
    return '%s (%s)' % (image.get('name') or '-', image.get('id'))


def check_owner(image: dict, project_id: str) -> None:
    """Only the owner project changes who an image is shared with."""
    if image.get('owner') != project_id:
        raise Refused(_(
            'Snapshot %(snap)s belongs to project %(owner)s: only its owner '
            'can share or unshare it.') % {
                'snap': _label(image), 'owner': image.get('owner')})


def check_shareable(image: dict) -> None:
    """Public and community images have no member list to change."""
    visibility = image.get('visibility')
    if visibility in ('public', 'community'):
        raise Refused(_(
            'Snapshot %(snap)s is %(vis)s: every project can already see '
            'it, so it has no members to change.') % {
                'snap': _label(image), 'vis': visibility})


def check_changeable(image: dict, project_id: str) -> None:
    """Whether this project may change who ``image`` is shared with: the
    one check of share and unshare, made before anything is read."""
    check_owner(image, project_id)
    check_shareable(image)


def check_targets(project_id: str,
                  targets: collections.abc.Collection[str]
                  ) -> tuple[str, ...]:
    """The projects to share with, deduplicated; never the owner itself."""
    if project_id in targets:
        raise Refused(_(
            'Snapshot is owned by project %s: it cannot be shared with '
            'itself.') % project_id)
    return tuple(dict.fromkeys(targets))


def needs_copy(image: dict, copy: bool) -> bool:
    """Whether sharing needs a standalone copy; refuses when it does and
    ``copy`` was not asked for (a volume-backed snapshot's data stays in
    the owner's Cinder volume snapshots, which no other project can use).
    """
    if snapshots.snapshot_type(image) != snapshots.VOLUME_BACKED:
        return False
    if not copy:
        root = copies.root_ref(image)
        raise Refused(_(
            'Snapshot %(snap)s is volume-backed: its data is volume snapshot '
            '%(vsnap)s of this project, which other projects cannot use, so '
            'they could see the image but not launch it. Use --copy to share '
            'a standalone image made from it.') % {
                'snap': _label(image), 'vsnap': root.snapshot_id})
    return True


def plan_share(image: dict, targets: collections.abc.Collection[str],
               members: collections.abc.Iterable[dict]) -> SharePlan:
    """What to write so that ``targets`` (checked by :func:`check_targets`)
    are members of ``image``, which :func:`check_changeable` let through.

    ``members`` are the image's current members. Projects that already are
    members are left as they are (sharing again is not an error).
    """
    present = {m['member_id'] for m in members}
    return SharePlan(
        make_shared=image.get('visibility') != 'shared',
        add=tuple(t for t in targets if t not in present),
        already=tuple(t for t in targets if t in present))


def plan_unshare(image: dict, members: collections.abc.Iterable[dict],
                 targets: collections.abc.Iterable[str] | None = None
                 ) -> UnsharePlan:
    """What to write to remove ``targets`` (every member when None) from
    an image :func:`check_changeable` let through.

    The image goes back to ``private`` when no member remains.
    """
    present = [m['member_id'] for m in members]
    not_members: tuple[str, ...]
    if targets is None:
        remove = tuple(present)
        not_members = ()
    else:
        targets = tuple(dict.fromkeys(targets))
        remove = tuple(t for t in targets if t in present)
        not_members = tuple(t for t in targets if t not in present)
    remaining = [m for m in present if m not in remove]
    return UnsharePlan(
        remove=remove, not_members=not_members,
        make_private=image.get('visibility') == 'shared' and not remaining)


def check_member(image: dict, project_id: str) -> None:
    """``accept`` and ``reject`` are for the projects an image is shared
    with, not for its owner."""
    if image.get('owner') == project_id:
        raise Refused(_(
            'Snapshot %s is owned by this project: accept and reject are '
            'for the projects it is shared with.') % _label(image))


def split_projects(values: collections.abc.Iterable[str],
                   is_id: collections.abc.Callable[[str], bool]
                   ) -> tuple[list[str], list[str]]:
    """User-given projects as (IDs, names), each deduplicated in order."""
    values = list(dict.fromkeys(values))
    return ([v for v in values if is_id(v)],
            [v for v in values if not is_id(v)])


def match_projects(names: collections.abc.Iterable[str],
                   projects: collections.abc.Collection[dict]
                   ) -> dict[str, str]:
    """Resolve names against a Keystone project listing: {name: id}.

    ``projects`` are dicts with ``id`` and ``name``. An unknown or ambiguous
    name (one per domain) is refused.
    """
    found = {}
    for name in names:
        ids = [p['id'] for p in projects if p.get('name') == name]
        if not ids:
            raise Refused(_("No project named '%s' exists.") % name)
        if len(ids) > 1:
            raise Refused(_(
                "More than one project is named '%(name)s': %(ids)s; use an "
                "ID.") % {'name': name, 'ids': ', '.join(ids)})
        found[name] = ids[0]
    return found


def member_statuses(listings: collections.abc.Mapping[
        str, collections.abc.Iterable[dict]]) -> dict[str, str]:
    """{image id: member status} from one image listing per status.

    ``listings`` maps a member status to the images Glance listed with
    ``member_status=<status>``.
    """
    statuses: dict[str, str] = {}
    for status in MEMBER_STATUSES:
        for image in listings.get(status, ()):
            statuses.setdefault(image['id'], status)
    return statuses
