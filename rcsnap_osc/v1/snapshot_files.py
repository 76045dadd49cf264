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

"""``rc snapshot files list|get|find``: a snapshot's files, read without
booting anything and without reading the whole disk."""

import argparse

from rcsnap_osc.files import plan
from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common


def _partition(text):
    try:
        return plan.check_partition(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc))


def _add_common(parser):
    common.add_snapshot_argument(
        parser, _('Snapshot to read (name or ID)'))


def _add_options(parser):
    parser.add_argument(
        '--partition',
        metavar='<partition>',
        type=_partition,
        help=_('Partition to read: its number in the partition table '
               '(1, 2, ...) or an LVM logical volume as vg/lv (default: '
               'the first with a filesystem this command reads)'),
    )
    common.add_timeout_argument(
        parser, _('For a volume-backed snapshot, give up (and delete the '
                  'temporary volume and image) after this many seconds of '
                  'waiting for them (default: %d)'))


def _reporter(app):
    return common.StderrReporter(app.stderr)


class ListFiles(base.Lister):
    _description = _(
        "List the files of a directory in an instance snapshot.\n\n"
        "Read with ranged reads of its image: no server is booted.\n\n"
        "The user guide page \"Get a file back\" has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_common(parser)
        parser.add_argument(
            'path',
            metavar='<path>',
            nargs='?',
            default='/',
            help=_('Directory (or file) in the snapshot, from its root '
                   '(default: /)'),
        )
        parser.add_argument(
            '--long',
            action='store_true',
            help=_('Also show mode, owner (uid:gid) and modification time'),
        )
        parser.add_argument(
            '--recursive',
            action='store_true',
            help=_('List everything below the directory'),
        )
        _add_options(parser)
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.files import run

        args = parsed_args
        common.check_timeout(args.timeout)
        entries = run.list_files(self.conn, plan.Request(
            args.snapshot, (args.path,), args.partition, args.recursive,
            timeout=args.timeout), _reporter(self.app))
        return (plan.LONG_COLUMNS if args.long else plan.COLUMNS,
                [e.row(args.long) for e in entries])


class GetFiles(base.Lister):
    _description = _(
        "Copy files or directories out of an instance snapshot.\n\n"
        "Mode and modification time are kept; nothing is written "
        "outside --output.\n\n"
        "The user guide page \"Get a file back\" has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_common(parser)
        parser.add_argument(
            'paths',
            metavar='<path>',
            nargs='+',
            help=_('File or directory in the snapshot, from its root '
                   '(repeat for several)'),
        )
        parser.add_argument(
            '--output',
            metavar='<dir>',
            default='.',
            help=_('Directory to write into (made if missing; default: the '
                   'current directory)'),
        )
        parser.add_argument(
            '--recursive',
            action='store_true',
            help=_('Copy directories with everything below them'),
        )
        parser.add_argument(
            '--force',
            action='store_true',
            help=_('Overwrite files and symbolic links that exist in the '
                   'output directory'),
        )
        _add_options(parser)
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.files import run

        args = parsed_args
        common.check_timeout(args.timeout)
        rows = run.get_files(self.conn, plan.Request(
            args.snapshot, tuple(args.paths), args.partition, args.recursive,
            args.output, args.force, timeout=args.timeout),
            _reporter(self.app), self.app.stderr)
        return plan.GET_COLUMNS, rows


class FindFiles(base.Lister):
    _description = _(
        "Find files by name in an instance snapshot.\n\n"
        "The user guide page \"Get a file back\" has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_common(parser)
        parser.add_argument(
            'pattern',
            metavar='<glob>',
            help=_('Pattern the names (or, with a /, the paths) match'),
        )
        parser.add_argument(
            '--path',
            metavar='<path>',
            default='/',
            help=_('Directory to search below (default: /)'),
        )
        parser.add_argument(
            '--long',
            action='store_true',
            help=_('Also show mode, owner (uid:gid) and modification time'),
        )
        _add_options(parser)
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.files import run

        args = parsed_args
        common.check_timeout(args.timeout)
        entries = run.find_files(self.conn, plan.Request(
            args.snapshot, (args.path,), args.partition,
            pattern=args.pattern, timeout=args.timeout),
            _reporter(self.app))
        return (plan.LONG_COLUMNS if args.long else plan.COLUMNS,
                [e.row(args.long) for e in entries])
