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

"""``rc snapshot verify``: proof that snapshots can be restored
(:mod:`rcsnap_osc.verify.run`)."""

from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common

HEADERS = ('ID', 'Name', 'Level', 'Result')

DESCRIPTION = _(
    "Verify that instance snapshots can be restored.\n\n"
    "Read-only checks by default; --data reads the data, --boot "
    "launches a test server and removes it.\n\n"
    "The user guide page \"Know your snapshots work\" has the details.")


class VerifySnapshot(base.Lister):
    _description = DESCRIPTION

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'snapshots',
            metavar='<snapshot>',
            nargs='+',
            help=_('Instance snapshot to verify (name or ID); repeat to '
                   'verify several'),
        )
        parser.add_argument(
            '--data',
            action='store_true',
            help=_('Also read the data: the image\'s bytes against its '
                   'digest, or a temporary volume of each volume snapshot '
                   '(progress on stderr)'),
        )
        parser.add_argument(
            '--boot',
            action='store_true',
            help=_('Also launch each snapshot with no network, wait until '
                   'it is ACTIVE, then delete the server and its volumes'),
        )
        parser.add_argument(
            '--console-contains',
            metavar='<text>',
            help=_('With --boot (implied), also wait until the server\'s '
                   'console log holds this text, e.g. "login:"'),
        )
        common.add_timeout_argument(
            parser, _('Give up each wait of --data and --boot after this '
                      'many seconds (default: %d)'))
        return parser

    def take_action(self, parsed_args):
        from osc_lib import exceptions

        from rcsnap_osc.launch import run as launching
        from rcsnap_osc.verify import plan
        from rcsnap_osc.verify import run

        common.check_timeout(parsed_args.timeout)
        request = plan.Request(
            names=tuple(parsed_args.snapshots), data=parsed_args.data,
            boot=parsed_args.boot or bool(parsed_args.console_contains),
            console_contains=parsed_args.console_contains,
            timeout=parsed_args.timeout, launcher=launching)
        reporter = common.StderrReporter(
            self.app.stderr, made=lambda rows: self.partial(
                lambda: (HEADERS, _rows(rows))))
        rows = run.verify(self.conn, request, reporter)
        line = plan.failure_line(rows)
        if line:
            self.fail_after_output(exceptions.CommandError(line))
        return HEADERS, _rows(rows)


def _rows(rows):
    return [(r.image['id'], r.image.get('name') or '', r.level, r.result)
            for r in rows]
