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

"""The SDK calls that share instance snapshots between projects.

Decisions are made in :mod:`rcsnap_osc.share.plan`; this module reads what
they need, in as few requests as the APIs allow, and writes the result.
:func:`share_snapshot`, :func:`unshare_snapshot` and
:func:`accept_snapshot` are what the commands call; the ``--copy``
pipeline is :mod:`rcsnap_osc.cloud.volume_images`.
"""

from openstack import exceptions as sdk_exc
from openstack.image.v2 import image as _image
from oslo_utils import uuidutils

from rcsnap_osc.cloud import find
from rcsnap_osc.cloud import reads
from rcsnap_osc.core import copies
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.share import plan as share_plan


def forbidden(image, exc):
    """A 403 from a member or visibility write, as one line."""
    return errors.Refused(_(
        'The cloud does not allow this project to change who can see '
        'snapshot %(id)s (HTTP 403): %(why)s') % {
            'id': image['id'], 'why': errors.describe_detail(exc)})


# -- projects ----------------------------------------------------------------

def resolve_projects(conn, values):
    """Project IDs for user-given names or IDs, in the order given.

    IDs are used as given (only administrators may read other projects).
    Kept rather than ``osc_lib.cli.identity.find_project``: that one GETs
    each ID (one request more, 403 for non-administrators) and, refused,
    takes a name for an ID.
    Names are resolved in one Keystone listing; when Keystone refuses it,
    the caller's own projects are tried, then the user is asked for an ID.
    """
    ids, names = share_plan.split_projects(values, uuidutils.is_uuid_like)
    if not names:
        return ids
    query = {'name': names[0]} if len(names) == 1 else {}
    try:
        projects = list(conn.identity.projects(**query))
    except sdk_exc.ForbiddenException:
        projects = list(conn.identity.user_projects(conn.current_user_id))
        known = {p.name for p in projects}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise errors.Refused(_(
                "Cannot look up project '%s' by name: this cloud lets only "
                "administrators list projects. Use the project ID instead "
                "(its members see it in `openstack token issue`).")
                % unknown[0])
    found = share_plan.match_projects(
        names, [{'id': p.id, 'name': p.name} for p in projects])
    return [found.get(v, v) for v in dict.fromkeys(values)]


# -- the commands ------------------------------------------------------------

def share_snapshot(conn, snapshot, request, reporter):
    """Share a snapshot (or, with ``copy``, a standalone copy of a
    volume-backed one) with the projects of the :class:`share_plan.Request`.

    With ``volumes='all'``, the copy has an image of each data volume too,
    shared with the same projects.

    Returns ``(shared image, its members, the source snapshot when a copy
    was shared else None, the copy's data images)``; steps and waits are
    said through the ``reporter``.
    """
    from rcsnap_osc.cloud import rollback
    from rcsnap_osc.cloud import volume_images

    copy, volumes, say = request.copy, request.volumes, reporter.say
    project_id = conn.current_project_id
    # A copy reads the root volume snapshot: Cinder validates the token
    # while Glance finds the snapshot.
    image = (find.find_snapshot_warm if copy else find.find_snapshot_image)(
        conn, snapshot)
    share_plan.check_changeable(image, project_id)
    needs_copy = share_plan.needs_copy(image, copy)
    targets = share_plan.check_targets(project_id,
                                       resolve_projects(
                                           conn, request.projects))
    if not needs_copy:
        if copy:
            say(_('Snapshot %s is image-backed: other projects can launch '
                  'it as it is, no copy made.') % image['id'])
        # a copy made with --volumes all is shared with its data images
        data = copies.data_images(image, list_data_images(
            conn, image, owner=project_id))
        return (image, share_all(conn, [image] + data, targets, reporter),
                None, data)
    left = copies.left_out(image)
    if volumes != 'all':
        for ref in left:
            say(_('Not copied: data volume snapshot %(id)s (%(dev)s); the '
                  'copy holds the root disk only (--volumes all copies '
                  'it).') % {'id': ref.snapshot_id,
                             'dev': ref.device_name or '-'})
    wanted = len(left) if volumes == 'all' else 0
    if not request.new_copy:
        reused = reusable(conn, image, project_id, wanted, reporter)
        if reused is not None:
            copy_image, data = reused
            members = share_all(conn, [copy_image] + data, targets,
                                reporter)
            return copy_image, members, image, data

    def share_made(made, data):
        return share_all(conn, [made] + data, targets, reporter,
                         fresh=True)

    waiter = volume_images.Waiter(request.timeout, reporter.progress)
    shared, data, members = volume_images.copy_snapshot(
        rollback.Ledger(conn, reporter, waiter.interval), image,
        volume_images.Copy(copies.copy_name(image, request.name),
                           request.disk_format, volumes),
        waiter, then=share_made)
    return shared, members, image, data


def reusable(conn, image, project_id, data_count, reporter):
    """An earlier copy to share again (:func:`copies.reusable_copy`)
    and its data images, all there and active; None when there is none."""
    reused = copies.reusable_copy(reads.list_images(
        conn, owner=project_id,
        **{copies.SOURCE_PROPERTY: image['id']}), image, project_id,
        data_count)
    if reused is None:
        return None
    say, data = reporter.say, []
    if data_count:
        data = copies.data_images(reused, list_data_images(
            conn, reused, owner=project_id))
        if not copies.complete(reused, data):
            say(_('Copy %s of the snapshot lacks some of its data images: '
                  'making a new copy.') % reused['id'])
            return None
    say(_('Reused copy %(copy)s of snapshot %(snap)s (made from it as it '
          'is now; --new-copy makes another).') % {
              'copy': reused['id'], 'snap': image['id']})
    return reused, data


def list_data_images(conn, copy, **query):
    """The images that say they are data images of ``copy`` (one listing;
    :func:`copies.data_images` keeps those proven to be)."""
    if not copies.data_count(copy):
        return []
    query[copies.COPY_PROPERTY] = copy['id']
    return reads.list_images(conn, **query)


def share_all(conn, images, targets, reporter, fresh=False):
    """Share a copy and its data images with the same projects; the
    copy's members. ``fresh`` images have no members yet (nothing read).
    """
    members = [[] for _ in images] if fresh else reads.parallel(
        [lambda i=i: reads.snapshot_members(conn, i) for i in images])
    shared = [share(conn, image, share_plan.plan_share(
        image, targets, found), found, reporter)
        for image, found in zip(images, members)]
    return shared[0]


def unshare_snapshot(conn, snapshot, projects=None):
    """Take projects (every member when None) off a snapshot's members,
    and off its data images' when it is a copy that has some.

    Returns ``(image, plan, the members left, data images)``.
    """
    project_id = conn.current_project_id
    image = find.find_snapshot_image(conn, snapshot)
    share_plan.check_changeable(image, project_id)
    targets = None if projects is None else resolve_projects(conn, projects)
    members = reads.snapshot_members(conn, image)
    plan = share_plan.plan_unshare(image, members, targets)
    data = copies.data_images(image, list_data_images(
        conn, image, owner=project_id))
    data_members = reads.parallel(
        [lambda i=i: reads.snapshot_members(conn, i) for i in data])
    left = unshare(conn, image, plan, members)
    for found, found_members in zip(data, data_members):
        unshare(conn, found, share_plan.plan_unshare(
            found, found_members, targets), found_members)
    return image, plan, left, data


def accept_snapshot(conn, snapshot, status):
    """This project's answer (``accepted`` or ``rejected``) to a snapshot
    shared with it, and to the data images of a copy that has some:
    ``(image, the member status now, data images)``."""
    project_id = conn.current_project_id
    image = find_shared_snapshot(conn, snapshot)
    share_plan.check_member(image, project_id)
    answer = set_member_status(conn, image, project_id, status)
    data = copies.data_images(image, list_data_images(
        conn, image, visibility='shared', member_status='all'))
    for found in data:
        set_member_status(conn, found, project_id, status)
    return image, answer, data


# -- members -----------------------------------------------------------------

def set_visibility(conn, image, visibility, current=None):
    """One PATCH that replaces the image's visibility."""
    current = _image.Image.existing(
        id=image['id'], visibility=current or image.get('visibility'))
    conn.image.update_image(current, visibility=visibility)


def still_shared(conn, image_id, exc):
    """Whether an image whose PATCH to private failed with ``exc`` is
    still shared, read back (True when it cannot be read): gone (404) or
    private (the PATCH was applied, its answer lost) is not."""
    if errors.is_gone(exc):
        return False
    try:
        return conn.image.get_image(image_id).visibility == 'shared'
    except sdk_exc.SDKException as read:
        return not errors.is_gone(read)


def share(conn, image, plan, members, reporter=None):
    """Carry out a :class:`share_plan.SharePlan`; return the members.

    When making the image shared succeeded but adding the first member
    failed, the image goes back to private (and the ``reporter`` warns when
    fails too and the image reads back shared).
    """
    members = list(members)
    made_shared = added = False
    try:
        if plan.make_shared:
            set_visibility(conn, image, 'shared')
            made_shared = True
        for project_id in plan.add:
            member = conn.image.add_member(image['id'],
                                           member_id=project_id)
            members.append({'member_id': member.member_id,
                            'status': member.status})
            added = True
    except sdk_exc.SDKException as exc:
        if made_shared and not added:
            try:
                set_visibility(conn, image, 'private', current='shared')
            except sdk_exc.SDKException as undo:
                if reporter and still_shared(conn, image['id'], undo):
                    reporter.say(_(
                        'Warning: could not make image %(id)s private again '
                        '(%(why)s): it stays shared, with no members; '
                        '`openstack image set --private %(id)s` does it.') % {
                            'id': image['id'], 'why': errors.describe(undo)})
        if isinstance(exc, sdk_exc.ForbiddenException):
            raise forbidden(image, exc) from exc
        raise
    return members


def unshare(conn, image, plan, members):
    """Carry out a :class:`share_plan.UnsharePlan`; return the members."""
    try:
        for project_id in plan.remove:
            conn.image.remove_member(project_id, image['id'])
        if plan.make_private:
            set_visibility(conn, image, 'private')
    except sdk_exc.ForbiddenException as exc:
        raise forbidden(image, exc) from exc
    return [m for m in members if m['member_id'] not in plan.remove]


def set_member_status(conn, image, project_id, status):
    """This project's answer to an image shared with it."""
    try:
        member = conn.image.update_member(project_id, image['id'],
                                          status=status)
    except sdk_exc.NotFoundException as exc:
        raise errors.Refused(_(
            'Snapshot %(id)s is not shared with this project (%(project)s).')
            % {'id': image['id'], 'project': project_id}) from exc
    return member.status


def find_shared_snapshot(conn, name_or_id):
    """A snapshot shared with this project, whatever its member status.

    Glance's default listing hides images whose membership is pending or
    rejected, so the name is looked up among every shared image.
    """
    return find.find_snapshot_image(conn, name_or_id, visibility='shared',
                                    member_status='all')


def list_shared_snapshots(conn, name=None, filters=None):
    """Snapshots other projects shared with this one, with this project's
    member status of each: [(summary, status)].

    Glance does not say a member's status in an image listing, so there is
    one listing per status (in parallel): three requests however many
    snapshots there are.
    """
    project_id = conn.current_project_id
    conn.image.get_endpoint()  # endpoint discovery once, before threads
    query = dict(filters or {}, visibility='shared')
    if name:
        query['name'] = name
    statuses = share_plan.MEMBER_STATUSES
    listings = dict(zip(statuses, reads.parallel(
        [lambda s=s: reads.list_images(conn, member_status=s, **query)
         for s in statuses])))
    member_status = share_plan.member_statuses(listings)
    images = {}
    for status in statuses:
        for image in listings[status]:
            if (image.get('owner') != project_id
                    and snapshots.is_instance_snapshot(image)):
                images.setdefault(image['id'], image)
    return [(snapshots.summarize(image, {}), member_status[image_id])
            for image_id, image in images.items()]
