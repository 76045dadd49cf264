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

"""The SDK calls of ``rc snapshot orphans``: the project's (or every
project's) orphaned volume snapshots and backups, from a fixed number of
listings, and their deletion through :mod:`rcsnap_osc.cloud.removal`."""

import datetime

from rcsnap_osc.cloud import projects
from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import removal
from rcsnap_osc.core import orphans
from rcsnap_osc.delete import run as deleting
from rcsnap_osc import errors
from rcsnap_osc.i18n import _


def gather_orphans(conn, include_all=False, listed=None):
    """The project's orphaned volume snapshots (:mod:`.core.orphans`),
    from five listings made at once, whatever their number: the images
    (hidden ones apart, as Glance wants), volume snapshots, volumes and
    backups (into ``listed``, a dict, with the images)."""
    deleting.made_once(conn.image)
    deleting.made_once(conn.block_storage)
    shown, hidden, volume_snapshots, volumes, backups = reads.parallel([
        lambda: reads.list_images(conn, visibility='all'),
        lambda: reads.list_images(conn, visibility='all', os_hidden='true'),
        lambda: reads.list_volume_snapshots(conn),
        lambda: reads.list_volumes(conn),
        lambda: reads.list_backups(conn),
    ])
    (listed if listed is not None else {}).update(images=shown + hidden,
                                                  backups=backups)
    return orphans.find_orphans(
        shown + hidden, list(volume_snapshots.values()), volumes,
        conn.current_project_id, include_all=include_all, backups=backups)


def gather_all_orphans(conn, include_all=False, listed=None):
    """``(orphans, {project ID: name})``, :func:`projects.everything`'s
    six listings; the images and backups into ``listed``, a dict."""
    images, snaps, volumes, backups, names = projects.everything(conn)
    listed = {} if listed is None else listed
    listed.update(images=images, backups=backups)
    return orphans.find_orphans(
        images, list(snaps.values()), volumes, None,
        include_all=include_all, backups=backups), names


def one_project(conn, request):
    """``(orphans, project ID)`` of ``request.project`` (name or ID), from
    the listings of every project; refused when no project has it."""
    orphaned, names = gather_all_orphans(conn, request.include_all)
    chosen = [pid for pid, name in names.items()
              if request.project in (pid, name)]
    if len(chosen) != 1:
        raise errors.Refused(_(
            "No project with a name or ID of '%(project)s' exists%(many)s.")
            % {'project': request.project,
               'many': _(' (several have that name: give its ID)')
               if chosen else ''})
    return [o for o in orphaned if o.project == chosen[0]], chosen[0]


def delete_orphans(conn, request, reporter):
    """:func:`delete_snapshots` for the orphans (of ``request.project``
    with ``all_projects``): ``(orphans, plans, outcomes)``."""
    if request.all_projects:
        orphaned, project_id = one_project(conn, request)
    else:
        orphaned = gather_orphans(conn, request.include_all)
        project_id = conn.current_project_id
    plans = orphans.plan_reclaim(
        orphaned, project_id,
        datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None),
        orphans.MIN_AGE if request.min_age is None else request.min_age)
    if request.dry_run:
        return orphaned, plans, removal.planned(plans)
    return orphaned, plans, removal.remove(
        conn, plans, request.wait, reporter.progress(_('Deleting')),
        reporter.made)
