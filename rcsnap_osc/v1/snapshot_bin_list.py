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
"""The recycle bin's read side: bin list
(:func:`rcsnap_osc.show.run.list_bin`)."""

from rcsnap_osc.core import holds
from rcsnap_osc.core import origin
from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common


def _image(key):
    return lambda binned: binned.summary.image.get(key)


#: (header, value, --long only)
COLUMNS = (
    ('ID', _image('id'), False),
    ('Name', _image('name'), False),
    ('Server', lambda b: origin.recorded_server(b.summary.image) or '',
     False),
    ('Size GiB', lambda b: common.SizeColumn(b.summary.size_gib), False),
    ('Binned At', _image(holds.BINNED_AT), False),
    ('Binned By', _image(holds.BINNED_BY), False),
    ('Purge After', _image(holds.BIN_UNTIL), False),
    ('Type', lambda b: b.summary.type, True),
    ('Status', _image('status'), True),
    ('Locked Until', _image(holds.LOCKED_UNTIL), True),
)


class ListBin(base.Lister):
    _description = _(
        "List the instance snapshots in the recycle bin.\n\n"
        "The user guide page \"Lock a snapshot, and the bin's view\" "
        "has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--all-projects',
            action='store_true',
            help=_('The bins of every project, with a Project column '
                   '(admin only)'),
        )
        parser.add_argument(
            '--long',
            action='store_true',
            default=False,
            help=_('List additional fields in output: type, status and '
                   'the date a lock holds the snapshot until'),
        )
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.show import run as showing

        found = showing.list_bin(self.conn, parsed_args.all_projects)
        chosen = [c for c in COLUMNS if parsed_args.long or not c[2]]
        if parsed_args.all_projects:
            chosen.insert(2, ('Project', lambda b: b.project, False))
        return ([c[0] for c in chosen],
                [[c[1](b) for c in chosen] for b in found])
