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

"""What exists in the test projects: images (with visibility and members),
volumes, volume snapshots and servers, read with openstacksdk in-process.

Two inventories taken around a failing command must be equal: the failure
left nothing behind and changed nothing. Resources of *other* functional
tests are left out of the comparison, so that the check holds while other
tests run against the same cloud. A resource belongs to a test when its
name carries the test's mark (``rcsnap-ft-<id>``); a volume without a name
(Nova creates root volumes without one) belongs to the test that owns what
it was made from or is attached to: its volume snapshot, source volume,
image or server. A volume Nova is still making from an image has neither
yet: the fault catalogue, which compares everything, runs after the other
tests (``tools/run-tests``).

On a cloud that people use while the tests run, ``RCSNAP_INVENTORY=mine``
narrows the comparison to resources of the test's own mark (what a failed
command on the test's fixtures would create or change) and to public
images; the default, ``strict``, compares everything else too.
"""

import os

import openstack
from openstack import exceptions

TEST_MARK = 'rcsnap-ft-'
MINE_ONLY = os.environ.get('RCSNAP_INVENTORY', 'strict') == 'mine'


def connect(cloud):
    """An SDK connection that retries a dropped connection: API servers
    close idle keep-alive connections, which a slow poll can meet."""
    return openstack.connect(cloud=cloud, connect_retries=5)


class Entry(tuple):
    """``(name, state)`` of a resource, compared between inventories;
    ``owner``, the name that says which test it belongs to (its own, or
    that of what it was made from); ``project``, an image's owner."""

    def __new__(cls, name, state, owner=None, project=None):
        entry = super().__new__(cls, (name, state))
        entry.owner = owner if owner is not None else (name or '')
        entry.project = project
        return entry


def _members(conn, image_id):
    """``member:status`` of a shared image. Another test may unshare or
    delete it between the listing and this request: Glance then answers
    403 (members of an image that is not shared) or 404, and the image
    counts as having none; the next inventory sees its new state."""
    try:
        return sorted('%s:%s' % (m.member_id, m.status)
                      for m in conn.image.members(image_id))
    except (exceptions.ForbiddenException, exceptions.NotFoundException):
        return []


def _images(conn, names):
    project_id = conn.current_project_id
    found = {}
    for image in conn.image.images(visibility='all'):
        names[image.id] = image.name or ''
        state = [image.status, image.visibility]
        if image.owner == project_id and image.visibility == 'shared':
            state.append(_members(conn, image.id))
        found[image.id] = Entry(image.name, state, project=image.owner)
    return found


def _servers(conn, names):
    found = {}
    for server in conn.compute.servers():
        names[server.id] = server.name or ''
        found[server.id] = Entry(server.name, [server.status])
    return found


def _volumes(conn, names):
    volumes = list(conn.block_storage.volumes(details=True))
    for volume in volumes:
        if volume.name:
            names[volume.id] = volume.name
    found = {}
    for volume in volumes:
        owner = volume.name or ''
        sources = [volume.snapshot_id, volume.source_volume_id,
                   (volume.volume_image_metadata or {}).get('image_id')]
        sources += [a.get('server_id') for a in volume.attachments or []]
        for source in sources:
            if not owner and source:
                owner = names.get(source, '')
        names.setdefault(volume.id, owner)
        found[volume.id] = Entry(volume.name, [volume.status], owner)
    return found


def _volume_snapshots(conn, names):
    found = {}
    for snap in conn.block_storage.snapshots(details=True):
        owner = snap.name or names.get(snap.volume_id, '')
        names[snap.id] = owner
        found[snap.id] = Entry(snap.name, [snap.status], owner)
    return found


#: In this order: the names of images, servers and volume snapshots are
#: known when the volumes made from them are attributed.
KINDS = (('image', _images), ('server', _servers),
         ('volume snapshot', _volume_snapshots), ('volume', _volumes))


def belongs(entry, mark):
    """Whether a resource carries ``mark`` (a test's or a class's)."""
    return mark in entry.owner


class Inventory:
    """Takes inventories of the given clouds (clouds.yaml names)."""

    def __init__(self, *clouds):
        self.conns = {cloud: connect(cloud) for cloud in clouds}
        # Names of servers, volumes and volume snapshots seen so far: what a
        # nameless volume was made from may be gone by the next inventory.
        self.names = {}

    def take(self):
        """{(cloud, kind, id): Entry} of everything visible."""
        found = {}
        for cloud, conn in self.conns.items():
            for kind, lister in KINDS:
                for ident, entry in lister(conn, self.names).items():
                    found[(cloud, kind, ident)] = entry
        return found

    def of(self, mark, keep=()):
        """The resources of ``mark`` that the projects may delete (images
        they own), but the IDs in ``keep``."""
        found = {}
        for key, entry in self.take().items():
            cloud, kind, ident = key
            if not belongs(entry, mark) or ident in keep:
                continue
            if kind == 'image' and (
                    entry.project != self.conns[cloud].current_project_id):
                continue
            found[key] = entry
        return found

    @staticmethod
    def diff(before, after, own_mark):
        """Lines describing what was added, removed or changed, leaving
        out resources of other tests (marked, but not with ``own_mark``).
        """
        def ours(entry):
            if entry is None:
                return True
            if MINE_ONLY:
                return own_mark in entry.owner or 'public' in entry[1]
            return TEST_MARK not in entry.owner or own_mark in entry.owner

        lines = []
        for key in sorted(set(before) | set(after)):
            old, new = before.get(key), after.get(key)
            if old == new or not (ours(old) and ours(new)):
                continue
            cloud, kind, ident = key
            if old is None:
                lines.append('%s: new %s %s %s' % (cloud, kind, ident,
                                                   list(new)))
            elif new is None:
                lines.append('%s: %s %s %s is gone'
                             % (cloud, kind, ident, list(old)))
            else:
                lines.append('%s: %s %s changed from %s to %s' % (
                    cloud, kind, ident, list(old), list(new)))
        return lines
