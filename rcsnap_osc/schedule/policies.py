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

"""``schedule set|show|unset|list``: the policies in the servers'
metadata, what each holds now and at steady state, against the Cinder
quota. Listings are constant in the number of servers: one server
listing, one image listing, the volume snapshots, the volumes, the quota.
"""

import dataclasses

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import find
from rcsnap_osc.cloud import reads
from rcsnap_osc.core import holds
from rcsnap_osc.core import origin
from rcsnap_osc.core import quota
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.schedule import plan
from rcsnap_osc.schedule import steady


@dataclasses.dataclass
class State:
    """A server's schedule: its ``policy`` (None with ``error``), what
    ``due`` says now, the ``last`` run's items, the snapshots ``held``
    (count, GiB) and the steady-state :class:`.steady.Room`."""

    server: object
    policy: object
    error: str | None
    due: object
    last: dict
    held: tuple
    room: object


def inventory(conn):
    """``(images, volume snapshots, volumes, quota set)`` in one round of
    parallel reads."""
    images, volume_snapshots, volumes = reads.listings(conn)
    return images, volume_snapshots, volumes, reads.cinder_quota(conn)


def held_by(server_id, project_id, found, replaced=()):
    """``(count, GiB)`` of the server's snapshots in ``found``
    (:func:`inventory`), and of those of the servers it ``replaced``; those
    in the recycle bin count as gone, as retention counts them."""
    images, volume_snapshots, volumes = found[:3]
    mine = [i for i in origin.snapshots_of(
        server_id, images, project_id, volume_snapshots or {}, volumes,
        replaced) if not holds.is_binned(i)]
    gib = sum(snapshots.summarize(i, volume_snapshots or {}).size_gib or 0
              for i in mine)
    return len(mine), gib


def need_of(server, volumes):
    """The :class:`quota.Need` of one snapshot of a listed server: none
    of Cinder's for an image-backed one."""
    image = server.image  # Nova shows "image": "" for a volume-backed one
    if getattr(image, 'id', None) or (isinstance(image, dict) and
                                      image.get('id')):
        return quota.Need({})
    by_id = {v['id']: v for v in volumes}
    return quota.need([by_id.get(a.id, {'id': a.id})
                       for a in server.attached_volumes or ()])


def state_of(conn, server, found, now, policy=None):
    """The :class:`State` of a listed server; ``policy`` instead of the
    one in its metadata."""
    error = None
    if policy is None:
        policy, error = plan.policy_of(server.metadata)
    last_value = (server.metadata or {}).get(plan.LAST_KEY)
    held = held_by(server.id, conn.current_project_id, found,
                   origin.lineage(server))
    if policy is None:
        return State(server, None, error, None, plan.parse_last(last_value),
                     held, None)
    room = steady.room(server.name, policy, need_of(server, found[2]),
                       found[3], held)
    if not room.gib and held[0]:  # image-backed: as big as those held
        room = dataclasses.replace(room, gib=held[1] / held[0])
    return State(server, policy, None, plan.due(policy, last_value, now),
                 plan.parse_last(last_value), held, room)


def show(conn, name_or_id, now):
    server = find.find_server(conn, name_or_id)
    state = state_of(conn, server, inventory(conn), now)
    if state.policy is None and state.error is None:
        raise errors.Refused(_('Server %s has no snapshot schedule.') %
                             server.name)
    return state


def list_states(conn, now):
    """The :class:`State` of every server with a policy."""
    servers = [s for s in conn.compute.servers()
               if plan.POLICY_KEY in (s.metadata or {})]
    if not servers:
        return []
    found = inventory(conn)
    return [state_of(conn, s, found, now) for s in servers]


def set_policy(conn, name_or_id, policy, force, now):
    """Write ``policy`` to the server's metadata, unless its steady state
    cannot fit in the Cinder quota (``force`` writes it anyway): the new
    :class:`State`."""
    server = find.find_server(conn, name_or_id)
    state = state_of(conn, server, inventory(conn), now, policy)
    if state.room.refusal and not force:
        raise errors.Refused(state.room.refusal)
    conn.compute.set_server_metadata(
        server.id, **{plan.POLICY_KEY: policy.value()})
    return state


def unset(conn, name_or_id):
    """Remove the policy and the last result from the server's metadata."""
    server = find.find_server(conn, name_or_id)
    metadata = server.metadata or {}
    if plan.POLICY_KEY not in metadata:
        raise errors.Refused(_('Server %s has no snapshot schedule.') %
                             server.name)
    keys = [k for k in (plan.POLICY_KEY, plan.LAST_KEY) if k in metadata]
    try:
        conn.compute.delete_server_metadata(server.id, keys)
    except sdk_exc.NotFoundException:
        pass  # removed meanwhile
    return server
