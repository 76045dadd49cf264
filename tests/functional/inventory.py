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
tests (named ``rcsnap-ft-<other id>...``) are left out of the comparison,
so that the check holds while other tests run against the same cloud.

On a cloud that people use while the tests run, ``RCSNAP_INVENTORY=mine``
narrows the comparison to resources named after the test's own mark (what
a failed command on the test's fixtures would create or change) and to
public images; the default, ``strict``, compares everything.
"""

import os

import openstack

TEST_MARK = 'rcsnap-ft-'
MINE_ONLY = os.environ.get('RCSNAP_INVENTORY', 'strict') == 'mine'


def _images(conn):
    project_id = conn.current_project_id
    found = {}
    for image in conn.image.images(visibility='all'):
        state = [image.status, image.visibility]
        if image.owner == project_id and image.visibility == 'shared':
            state.append(sorted('%s:%s' % (m.member_id, m.status)
                                for m in conn.image.members(image.id)))
        found[image.id] = (image.name, state)
    return found


def _volumes(conn):
    return {v.id: (v.name, [v.status]) for v in
            conn.block_storage.volumes(details=True)}


def _volume_snapshots(conn):
    return {s.id: (s.name, [s.status]) for s in
            conn.block_storage.snapshots(details=True)}


def _servers(conn):
    return {s.id: (s.name, [s.status]) for s in conn.compute.servers()}


KINDS = (('image', _images), ('volume', _volumes),
         ('volume snapshot', _volume_snapshots), ('server', _servers))


class Inventory:
    """Takes inventories of the given clouds (clouds.yaml names)."""

    def __init__(self, *clouds):
        self.conns = {cloud: openstack.connect(cloud=cloud,
                                               connect_retries=5)
                      for cloud in clouds}

    def take(self):
        """{(cloud, kind, id): (name, state)} of everything visible."""
        found = {}
        for cloud, conn in self.conns.items():
            for kind, lister in KINDS:
                for ident, entry in lister(conn).items():
                    found[(cloud, kind, ident)] = entry
        return found

    @staticmethod
    def diff(before, after, own_mark):
        """Lines describing what was added, removed or changed, leaving
        out resources of other tests (marked, but not with ``own_mark``).
        """
        def ours(entry):
            name = entry[0] or ''
            if MINE_ONLY:
                return own_mark in name or 'public' in entry[1]
            return TEST_MARK not in name or own_mark in name

        lines = []
        for key in sorted(set(before) | set(after)):
            old, new = before.get(key), after.get(key)
            if old == new or not ours(old or new):
                continue
            cloud, kind, ident = key
            if old is None:
                lines.append('%s: new %s %s %s' % (cloud, kind, ident, new))
            elif new is None:
                lines.append('%s: %s %s %s is gone'
                             % (cloud, kind, ident, old))
            else:
                lines.append('%s: %s %s changed from %s to %s' % (
                    cloud, kind, ident, old, new))
        return lines
