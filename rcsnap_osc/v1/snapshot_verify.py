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

DESCRIPTION = _("""Verify that instance snapshots can be restored

By default (read-only, seconds): the image is active (an archived one:
every backup it records is available); every volume snapshot it maps
exists in this project, is available and has the size the image records;
an image-backed snapshot has data and a stored hash. The reads are the
same for one snapshot or many: one listing of the volume snapshots (and
of the backups), never one request per snapshot.

--data reads the data: an image-backed snapshot's bytes are streamed and
checked against Glance's own digest (os_hash_algo, os_hash_value); each
volume snapshot of a volume-backed one becomes a temporary volume that
must become available at the right size, and is then deleted.

--boot is a restore drill: the snapshot is launched with no network on
the smallest flavor that fits, waited for until ACTIVE and, with
--console-contains, until that text is in its console log; then the
server and its volumes are deleted. The drill proves what Nova reports:
only --console-contains proves that the guest itself came up.

Whatever a check makes is deleted when it ends, fails or is interrupted.
The result is recorded on each image (properties rcsnap_verified_at,
rcsnap_verified_level, rcsnap_verified_result: ok or the reason) and
shown by "rc snapshot show" and "rc snapshot list". One row per
snapshot; each failure is one line on stderr naming the resource and
what is wrong; the command exits 1 if any snapshot failed.""")


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
