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

"""The SDK calls of ``rc snapshot delete``: gather and plan, then delete
and wait through :mod:`rcsnap_osc.cloud.removal`.

The facts for every snapshot named in one call come from a fixed number of
listings, whatever the number of snapshots: the images the caller can see
(hidden ones in a second listing: Glance leaves them out otherwise), the
caller's volume snapshots (listed beside the images, unless
``--keep-volume-snapshots``) and volumes (only when a named snapshot refers
to volume snapshots), and the member list of each named image that is
shared.

``rc snapshot orphans`` and ``delete --orphans``: the project's (or every
project's) orphaned volume snapshots and backups, from a fixed number of
listings, and their deletion the same way; the claims of dead runs
(:mod:`rcsnap_osc.core.dead_claims`) are found in the same hidden-image
listing (the servers listed once only when a retention claim may be
dead) and deleted outright: they hold no data.
"""

import dataclasses
import datetime

from rcsnap_osc.cloud import binning as bin_writes
from rcsnap_osc.cloud import find
from rcsnap_osc.cloud import projects
from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import removal
from rcsnap_osc.cloud import settings
from rcsnap_osc.core import archives
from rcsnap_osc.core import binning
from rcsnap_osc.core import dead_claims
from rcsnap_osc.core import deletion
from rcsnap_osc.core import deletion_plan
from rcsnap_osc.core import holds
from rcsnap_osc.core import orphans
from rcsnap_osc.core import snapshots
from rcsnap_osc.delete import plan as delete_plan
from rcsnap_osc import errors
from rcsnap_osc.i18n import _


def made_once(proxy):
    """Nothing: reading ``conn.<service>`` builds the proxy (endpoint and
    version discovery) once, before threads share it."""
    return proxy


def gather_and_plan(conn, names, force=False, keep_volume_snapshots=False,
                    found=None, unbin=False, images=None):
    """Plan the deletion of the named snapshots from a few listings;
    ``found`` (a dict) gets what was read by ID. With ``unbin`` (a
    purge), a binned snapshot is judged as once the bin lets go.
    ``images``: the caller's listing of every image, hidden ones too
    (else listed here)."""
    project_id = conn.current_project_id
    early = None
    if not keep_volume_snapshots:
        # Cinder's first requests (discovery, which has it validate the
        # token, and the listing) start with Glance's, so that they do not
        # wait for the images; left unread when no named snapshot refers
        # to volume snapshots.
        early = find.background(lambda: find.discover(conn) or
                                reads.list_volume_snapshots(conn))
    if images is None:
        made_once(conn.image)
        shown, hidden = reads.parallel([
            lambda: reads.list_images(conn, visibility='all'),
            lambda: reads.list_images(conn, visibility='all',
                                      os_hidden='true'),
        ])
        images = list({i['id']: i for i in shown + hidden}.values())
    found = {} if found is None else found
    found.update((i['id'], i) for i in images)
    if unbin:
        now = utcnow()
        images = [binning.as_unbinned(i, now) if holds.is_binned(i)
                  else i for i in images]
    targets = {}
    for name in names:
        image, _error = deletion.resolve(name, images)
        if image is not None:
            targets[image['id']] = image
    shared = [i for i in targets if deletion.needs_members(
        targets[i], project_id)]
    calls = [lambda i=i: reads.list_members(conn, i) for i in shared]
    with_cinder = (not keep_volume_snapshots and snapshots.volume_snapshot_ids(
        [i for i in targets.values() if i.get('owner') == project_id]))
    archived = any(archives.records(i) for i in targets.values())
    if with_cinder:
        volume_snapshots = early.result()  # Cinder discovered: threads now
        calls += [lambda: volume_snapshots, lambda: reads.list_volumes(conn)]
    listed = reads.parallel(calls + [lambda: reads.list_backups(conn)] *
                            archived)
    volume_snapshots, volumes = listed[len(shared):][:2] or ({}, [])
    found.update(volume_snapshots or {})
    if archived:
        found.update((b['id'], b) for b in listed[-1])
    return deletion_plan.plan_delete(
        names, deletion_plan.Inventory(
            images, volume_snapshots or {}, volumes,
            dict(zip(shared, listed)), listed[-1] if archived else None),
        project_id, force=force,
        keep_volume_snapshots=keep_volume_snapshots)


def utcnow():
    return bin_writes.now()


def bin_record(conn, request, now):
    """The bin's record of a run of ``request`` (its ``bin_days``, else
    the cloud's ``bin_days`` setting, else :data:`binning.DEFAULT_DAYS`).
    """
    days = request.bin_days or binning.days_of(
        settings.plugin_settings(conn))
    return binning.record(now, request.by, days)


def refuse_locked(names, plans, found, now):
    """Refuse, before any write, a named snapshot under a lock."""
    for name, plan in zip(names, plans):
        image = found.get(plan.image.resource_id) if plan.image else None
        why = image and binning.lock_reason(image, now)
        if why:
            raise errors.Refused(_('Snapshot %(name)s is %(why)s: nothing '
                                   'was changed.') % {'name': name,
                                                      'why': why})


def delete_snapshots(conn, request, reporter, images=None):
    """Plan the :class:`rcsnap_osc.delete.plan.Request`, then (unless
    ``dry_run``) bin, or with ``purge`` delete, then wait up to ``wait``
    seconds for the volume snapshots to go: ``(plans, outcomes)``.
    ``reporter.made(outcomes)`` once something is deleted: the outcomes
    are what to report if the wait fails. ``images``: as
    :func:`gather_and_plan`."""
    found, now = {}, utcnow()
    plans = gather_and_plan(
        conn, request.names, force=request.force,
        keep_volume_snapshots=request.keep_volume_snapshots, found=found,
        unbin=request.purge, images=images)
    refuse_locked(request.names, plans, found, now)
    if not request.purge:
        plans = binning.held_back(plans, found, now)
    if request.dry_run:
        return plans, removal.planned(plans)
    if not request.purge:
        return plans, bin_writes.bin_plans(
            conn, plans, found, bin_record(conn, request, now))
    return plans, purge(conn, plans, found, request.wait, reporter)


def purge_named(conn, ids, request, reporter, images):
    """``bin purge``: :func:`delete_snapshots` of these IDs, for real,
    from the bin's listing of ``images`` (``request``: its ``dry_run``
    and ``wait``)."""
    return delete_snapshots(conn, delete_plan.Request(
        names=tuple(ids), dry_run=request.dry_run, wait=request.wait,
        purge=True), reporter, images)


def purge(conn, plans, found, wait, reporter):
    """Delete what the plans say, a binned image unprotected first: the
    outcomes."""
    return removal.remove(conn, bin_writes.release_plans(conn, plans, found),
                          wait, reporter.progress(_('Deleting')),
                          reporter.made)


@dataclasses.dataclass
class Orphans:
    """What ``orphans`` lists: the orphaned volume snapshots
    (:class:`orphans.Orphan`), the backups ``archive`` made whose image is
    gone, and with ``--all-projects`` the names of the projects; the
    project's dead claims (:class:`dead_claims.DeadClaim`), every
    project's with ``--all-projects``."""

    volume_snapshots: list
    backups: list
    names: dict | None = None
    claims: list = dataclasses.field(default_factory=list)


def list_orphans(conn, include_all=False, all_projects=False):
    """The :class:`Orphans` of this project, or of every project."""
    listed, names = {}, None
    if all_projects:
        found, names = gather_all_orphans(conn, include_all, listed)
    else:
        found = gather_orphans(conn, include_all, listed)
    return Orphans(found, archives.orphan_backups(
        listed['backups'], listed['images']), names,
        find_dead_claims(conn, listed['images'], all_projects))


def find_dead_claims(conn, images, all_projects=False):
    """The project's dead claims among ``images`` (every project's with
    ``all_projects``); the servers listed (once, of every project with
    ``all_projects``) only when a retention claim no run holds is among
    them."""
    project_id = None if all_projects else conn.current_project_id
    now, servers = utcnow(), None
    if dead_claims.has_retention(images, project_id, now):
        query = {'all_projects': True} if all_projects else {}
        servers = {s.id for s in conn.compute.servers(details=False,
                                                      **query)}
    return dead_claims.find_dead(images, project_id, now, servers)


#: What the row of a dead claim says.
NO_DATA = _('a claim of a dead run holds no data: deleted, not binned')


def remove_claims(conn, dead, dry_run):
    """``(plans, outcomes)`` of deleting the dead claims (a 404: gone
    already, as another run taking one over deletes it)."""
    plans, outcomes = [], []
    for claim in dead:
        item = deletion.Item(claim.id, dead_claims.KIND, claim.name,
                             deletion.DELETE, NO_DATA)
        plans.append(deletion.Plan(claim.id, (item,)))
        state, why = ('remove', NO_DATA) if dry_run else ('removed', NO_DATA)
        if not dry_run:
            response = conn.image.delete('/images/%s' % claim.id)
            if response.status_code not in (204, 404):
                state, why = deletion.FAIL, errors.one_line(
                    'HTTP %s: %s' % (response.status_code, response.text))
        outcomes.append(removal.Outcome(item, state, why))
    return plans, outcomes


def gather_orphans(conn, include_all=False, listed=None):
    """The project's orphaned volume snapshots (:mod:`.core.orphans`),
    from five listings made at once, whatever their number: the images
    (hidden ones apart, as Glance wants), volume snapshots, volumes and
    backups (into ``listed``, a dict, with the images)."""
    made_once(conn.image)
    made_once(conn.block_storage)
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


def one_project(conn, request, listed=None):
    """``(orphans, project ID)`` of ``request.project`` (name or ID), from
    the listings of every project (the images into ``listed``, a dict);
    refused when no project has it."""
    orphaned, names = gather_all_orphans(conn, request.include_all, listed)
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
    listed, dead = {}, []
    if request.all_projects:
        orphaned, project_id = one_project(conn, request, listed)
        dead = [c for c in find_dead_claims(conn, listed['images'], True)
                if c.image.get('owner') == project_id]
    else:
        orphaned = gather_orphans(conn, request.include_all, listed)
        project_id = conn.current_project_id
        dead = find_dead_claims(conn, listed['images'])
    gone_plans, gone = remove_claims(conn, dead, request.dry_run)
    plans = orphans.plan_reclaim(
        orphaned, project_id,
        datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None),
        orphans.MIN_AGE if request.min_age is None else request.min_age)
    if request.dry_run:
        return orphaned, plans + gone_plans, removal.planned(plans) + gone
    if not request.purge:
        found = {o.snapshot['id']: o.snapshot for o in orphaned}
        return orphaned, plans + gone_plans, bin_writes.bin_plans(
            conn, plans, found, bin_record(conn, request, utcnow())) + gone
    return orphaned, plans + gone_plans, removal.remove(
        conn, plans, request.wait, reporter.progress(_('Deleting')),
        reporter.made) + gone
