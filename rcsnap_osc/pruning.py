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

"""Prune a server's older snapshots: chosen by :mod:`rcsnap_osc.retention`,
deleted through ``delete``'s plan (:func:`delete_plan.plan_delete`, then
:mod:`rcsnap_osc.deleting`), so that nothing is orphaned."""

import dataclasses
import datetime

from openstack import exceptions as sdk_exc
from osc_lib import utils as osc_utils

from rcsnap_osc import accounting
from rcsnap_osc import cloud
from rcsnap_osc import delete_plan
from rcsnap_osc import deleting
from rcsnap_osc import retention


@dataclasses.dataclass
class Pruning:
    """A server's snapshots: the delete plans of those that go, and those
    kept with the reason."""

    server_id: str
    server_name: str | None
    choice: retention.Choice
    plans: list


def find_server_id(conn, name_or_id):
    """``(id, name)`` of a server by name or ID; the ID of a deleted
    server is taken as it is (its name is then None)."""
    if osc_utils.is_uuid_like(name_or_id):
        try:
            found = conn.compute.get_server(name_or_id)
            return found.id, found.name
        except sdk_exc.NotFoundException:
            return name_or_id, None
    found = cloud.find_server(conn, name_or_id)
    return found.id, found.name


def plan(conn, server, keep, older_than=None, server_name=None):
    """The :class:`Pruning` of a server (name or ID; with ``server_name``
    given, ``server`` is its ID and is not looked up)."""
    if server_name is None:
        server_id, server_name = find_server_id(conn, server)
    else:
        server_id = server
    project_id = conn.current_project_id
    images, volume_snapshots, volumes = accounting.listings(conn)
    ordered = retention.snapshots_of(server_id, images, project_id,
                                     volume_snapshots, volumes)
    shared = retention.candidates_needing_members(ordered, keep, project_id)
    members = dict(zip(shared, cloud.parallel(
        [lambda i=i: deleting.list_members(conn, i) for i in shared])))
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    choice = retention.choose(ordered, keep, project_id, members,
                              older_than, now)
    plans = delete_plan.plan_delete(
        [i['id'] for i in choice.delete], images, project_id,
        volume_snapshots, volumes, members)
    return Pruning(server_id, server_name, choice, plans)


def carry_out(conn, pruning, dry_run, wait=None, progress=None, done=None):
    """Delete what the plans say (nothing with ``dry_run``): the
    outcomes, as ``delete`` reports them."""
    return deleting._carry_out(conn, pruning.plans, dry_run, wait,
                               progress, done)[1]
