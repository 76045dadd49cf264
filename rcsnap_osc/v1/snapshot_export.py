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

"""``rc snapshot export`` and ``rc snapshot import``: a snapshot as files,
and back."""

from osc_lib.cli import format_columns

from rcsnap_osc import constants
from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common


def _reporter(app):
    """Progress and lines on stderr (stdout carries the document)."""
    return common.StderrReporter(app.stderr)


class ExportSnapshot(base.ShowOne):
    _description = _(
        "Export an instance snapshot to disk files and a manifest.\n\n"
        "The user guide page \"Export a snapshot to files\" has the "
        "details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        common.add_snapshot_argument(parser,
                                     _('Snapshot to export (name or ID)'))
        parser.add_argument(
            '--dir',
            metavar='<dir>',
            required=True,
            help=_('Directory to write the files and manifest.json into '
                   '(made if missing)'),
        )
        parser.add_argument(
            '--disk-format',
            metavar='<disk-format>',
            choices=constants.DISK_FORMATS,
            default='qcow2',
            help=_('Disk format of the files of a volume-backed snapshot: '
                   'qcow2 or raw (default: qcow2; --format is the output '
                   'format of every openstack command)'),
        )
        parser.add_argument(
            '--volumes',
            metavar='<which>',
            choices=constants.VOLUMES,
            default='root',
            help=_('Volumes of a volume-backed snapshot to export: root '
                   '(the boot disk) or all (default: root)'),
        )
        common.add_timeout_argument(
            parser, _('Give up (and delete the temporary volumes and '
                      'images) after this many seconds of waiting for them '
                      '(default: %d)'))
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.portable import run as portable

        args = parsed_args
        common.check_timeout(args.timeout)
        done = portable.export(
            self.conn, _reporter(self.app), self.app.stderr, args.timeout,
            snapshot=args.snapshot, directory=args.dir,
            disk_format=args.disk_format, volumes=args.volumes)
        return (('snapshot_id', 'name', 'type', 'directory', 'files',
                 'size_bytes'),
                (done.image['id'], done.image.get('name'),
                 done.document['snapshot']['type'], done.directory,
                 format_columns.ListColumn(done.files), done.size))


class ImportSnapshot(base.ShowOne):
    _description = _(
        "Import a snapshot exported with 'rc snapshot export' into this "
        "project.\n\n"
        "The user guide page \"Import exported files\" has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'dir',
            metavar='<dir>',
            help=_('Directory an export wrote (with manifest.json)'),
        )
        parser.add_argument(
            '--name',
            metavar='<name>',
            help=_("Name of the new snapshot (default: the exported "
                   "snapshot's)"),
        )
        parser.add_argument(
            '--as',
            metavar='<kind>',
            dest='kind',
            choices=('image', 'volume-backed'),
            help=_('What to make: image (an image-backed snapshot; the '
                   'default for one disk) or volume-backed (the default '
                   'for several disks)'),
        )
        parser.add_argument(
            '--volume-type',
            metavar='<volume-type>',
            help=_('With --as volume-backed, make every volume of '
                   'this type (default: the type recorded for each disk, '
                   'which must exist in this project, else the cloud\'s '
                   'default type)'),
        )
        common.add_timeout_argument(
            parser, _('Give up (and delete what was made) after this many '
                      'seconds of waiting for volumes and volume snapshots '
                      '(default: %d)'))
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.core import snapshots
        from rcsnap_osc.portable import run as portable

        args = parsed_args
        common.check_timeout(args.timeout)
        image, volumes = portable.import_snapshot(
            self.conn, _reporter(self.app), self.app.stderr, args.timeout,
            directory=args.dir, name=args.name, kind=args.kind,
            volume_type=args.volume_type)
        return (('id', 'name', 'type', 'status', 'volumes'),
                (image['id'], image.get('name'),
                 snapshots.snapshot_type(image), image.get('status'),
                 format_columns.ListColumn(volumes)))


class CopySnapshot(base.ShowOne):
    _description = _(
        "Copy an instance snapshot into another cloud, region or project.\n\n"
        "The user guide page \"Copy a snapshot to another cloud\" has the "
        "details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        common.add_snapshot_argument(parser,
                                     _('Snapshot to copy (name or ID)'))
        parser.add_argument(
            '--to-cloud',
            metavar='<cloud>',
            required=True,
            help=_('clouds.yaml entry of the target (other credentials, '
                   'project, region or cloud)'),
        )
        parser.add_argument(
            '--to-region',
            metavar='<region>',
            help=_("Region of the target (default: the entry's)"),
        )
        parser.add_argument(
            '--name',
            metavar='<name>',
            help=_("Name of the new snapshot (default: the snapshot's)"),
        )
        parser.add_argument(
            '--as',
            metavar='<kind>',
            dest='kind',
            choices=('image', 'volume-backed'),
            help=_('What to make on the target: image (the default for '
                   'one disk) or volume-backed (the default for several '
                   'disks)'),
        )
        parser.add_argument(
            '--disk-format',
            metavar='<disk-format>',
            choices=constants.DISK_FORMATS,
            default='qcow2',
            help=_('Disk format the volumes of a volume-backed snapshot '
                   'travel in: qcow2 or raw (default: qcow2)'),
        )
        parser.add_argument(
            '--volume-type',
            metavar='<volume-type>',
            help=_('With --as volume-backed, make every volume of '
                   'this type (default: the type recorded for each disk, '
                   'which must exist in the target project, else the cloud\'s '
                   'default type)'),
        )
        common.add_timeout_argument(
            parser, _('Give up (and delete what was made on both sides) '
                      'after this many seconds of waiting for volumes, '
                      'images and volume snapshots (default: %d)'))
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.core import snapshots
        from rcsnap_osc.portable import run as portable

        args = parsed_args
        common.check_timeout(args.timeout)
        image, volumes = portable.copy(
            self.conn, _reporter(self.app), self.app.stderr, args.timeout,
            snapshot=args.snapshot, cloud=args.to_cloud,
            region=args.to_region, name=args.name, kind=args.kind,
            disk_format=args.disk_format, volume_type=args.volume_type)
        return (('id', 'name', 'type', 'status', 'cloud', 'volumes'),
                (image['id'], image.get('name'),
                 snapshots.snapshot_type(image), image.get('status'),
                 args.to_cloud, format_columns.ListColumn(volumes)))
