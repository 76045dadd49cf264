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

"""``launch`` of an archived snapshot: a volume made from each backup its
image records, then the server booted from them.

The volumes (:mod:`rcsnap_osc.cloud.from_backups`) are in the one rollback
ledger until the server has them: a failure or Ctrl-C before then removes
them; a server that goes to ERROR is deleted (:mod:`.build`), then the
volumes made for it.
"""

import contextlib

from openstack import utils as sdk_utils

from rcsnap_osc.cloud import from_backups
from rcsnap_osc.cloud import rollback
from rcsnap_osc.cloud import waits
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.launch import build as building
from rcsnap_osc.launch import volumes as launch_volumes

#: Seconds the volumes have to be restored when the launch does not wait
#: (``--wait`` gives its own).
RESTORE_TIMEOUT = 1800


def make_volumes(conn, summary, root_gib, name, deadline, reporter, ledger):
    """A volume from each recorded backup, each ``available`` within
    ``deadline``: {volume snapshot ID: volume ID}."""
    direct = sdk_utils.supports_microversion(
        conn.block_storage, from_backups.FROM_BACKUP)
    made = {}
    for planned in launch_volumes.backup_volumes(summary, root_gib, name):
        made[planned['record'].snapshot_id] = from_backups.make_volume(
            conn, planned['record'].backup_id, planned['body'], direct,
            ledger, deadline)
    from_backups.wait_available(conn, list(made.values()), deadline,
                                reporter)
    return made


def launch_from_backups(conn, summary, need, attrs, request, reporter):
    """Make the volumes, then create the server from them: ``(ledger,
    mapping, server, seconds left of --wait)``; the volumes stay in the
    ledger for :func:`owned`."""
    ledger = rollback.Ledger(conn, reporter)
    with ledger:
        name = attrs()['name']
        deadline = waits.Deadline(request.wait or RESTORE_TIMEOUT)
        made = make_volumes(conn, summary, need.root_gib, name, deadline,
                            reporter, ledger)
        mapping = launch_volumes.backup_mapping(
            summary, made, request.delete_on_termination)
        server = building.create_server(
            conn, launch_volumes.backup_attrs(attrs(), mapping))
    return ledger, mapping, server, deadline.left


@contextlib.contextmanager
def owned(ledger, server, mapping, keep_failed, reporter):
    """The wait for the server built from the volumes: the volumes are
    the server's once it is ACTIVE; removed when it failed (and was
    deleted); left to it, and said, while it is still building."""
    ids = [bdm['uuid'] for bdm in mapping]
    try:
        yield
    except (building.StillBuilding, KeyboardInterrupt):
        ledger.handed_over()
        reporter.say(_('Volume(s) %(ids)s were made from the backups for '
                       'server %(server)s%(tail)s') % {
            'ids': ', '.join(ids), 'server': server.id,
            'tail': _(': Nova deletes them with it.') if all(
                b['delete_on_termination'] for b in mapping) else _(
                '; delete them once it is deleted.')})
        raise
    except errors.Refused:
        if keep_failed:
            ledger.handed_over()
        else:
            ledger.roll_back()
        raise
    ledger.handed_over()
