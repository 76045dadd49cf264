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

"""``rc snapshot orphans``: the volume snapshots no image refers to."""

from osc_lib.cli import format_columns

from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common

HEADERS = ('ID', 'Name', 'Size GiB', 'Status', 'Created At', 'Volume',
           'Dependent Volumes')


class ListSnapshotOrphan(base.Lister):
    _description = _(
        "List orphaned volume snapshots: leftovers of deleted instance "
        "snapshots.\n\n"
        "Deleting a volume-backed snapshot's image (as 'openstack image "
        "delete' or the dashboard do) leaves its volume snapshots behind, "
        "still counted against the snapshots and gigabytes quotas. This "
        "lists the volume snapshots of this project that no image visible "
        "to it refers to and that Nova made for an instance snapshot "
        "(named 'snapshot for <image name>'); --all adds the others. A "
        "volume snapshot with dependent volumes cannot be deleted until "
        "they are; one that is, or has a dependent volume that is, in a "
        "state its owner cannot delete it in (uploading, error_deleting) is "
        "named on stderr, with what to do. 'openstack rc snapshot delete "
        "--orphans' reclaims them.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--all',
            action='store_true',
            help=_('Also list the volume snapshots Nova did not make '
                   '(made by hand) that no image refers to'),
        )
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.delete import run as deleting

        found = deleting.gather_orphans(self.conn, parsed_args.all)
        common.say_notes(self.app.stderr, found)
        return HEADERS, [(
            o.id, o.snapshot.get('name'), common.SizeColumn(o.size_gib),
            o.snapshot.get('status'), o.snapshot.get('created_at'),
            o.snapshot.get('volume_id'),
            format_columns.ListColumn(o.dependents)) for o in found]
