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

"""``rc snapshot usage``: what this project's snapshots cost, against the
Cinder (and Glance) quotas."""

from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common

FIELDS = ('snapshots', 'snapshot_gib', 'orphans', 'orphan_gib',
          'launched_volumes', 'launched_volume_gib',
          'quota_snapshots_used', 'quota_snapshots_counted',
          'quota_snapshots_limit', 'quota_gigabytes_used',
          'quota_gigabytes_counted', 'quota_gigabytes_limit')

GLANCE_FIELDS = ('image_size_total', 'image_count_total')

#: Archived snapshots and Cinder backups (``rc snapshot archive``).
ARCHIVE_FIELDS = ('archived', 'archived_gib', 'backups', 'backup_gib',
                  'quota_backups_used', 'quota_backups_limit',
                  'quota_backup_gib_used', 'quota_backup_gib_limit')

BY_SERVER_HEADERS = ('Server ID', 'Server', 'Snapshots', 'Size GiB')

#: ``--all-projects``: a header per field of the plain view it shows.
PROJECT_COLUMNS = (
    ('snapshots', 'Snapshots'), ('snapshot_gib', 'Size GiB'),
    ('orphans', 'Orphans'), ('orphan_gib', 'Orphan GiB'),
    ('quota_snapshots_used', 'Snapshots Used'),
    ('quota_snapshots_counted', 'Snapshots Counted'),
    ('quota_snapshots_limit', 'Snapshots Limit'),
    ('quota_gigabytes_used', 'GiB Used'),
    ('quota_gigabytes_counted', 'GiB Counted'),
    ('quota_gigabytes_limit', 'GiB Limit'))

#: Which fields are sizes in GiB, and which are quota limits.
SIZES = frozenset(('snapshot_gib', 'orphan_gib', 'launched_volume_gib',
                   'archived_gib', 'backup_gib'))
LIMITS = frozenset(('quota_snapshots_limit', 'quota_gigabytes_limit',
                    'quota_backups_limit', 'quota_backup_gib_limit'))

DESCRIPTION = _("""Show what this project's snapshots cost, against the quota.

snapshots and snapshot_gib count the instance snapshots this project owns
and their real size: the volume snapshots of volume-backed ones, the image
of image-backed ones. orphans and orphan_gib count what "openstack rc
snapshot orphans" lists; launched_volumes and launched_volume_gib the
volumes made from this project's volume snapshots that are attached to
nothing. The quota_*_used and quota_*_limit fields are Cinder's own
counters (in use plus reserved; -1 is unlimited), left empty where the
cloud does not show them; quota_*_counted are what this project's listings
hold (its volume snapshots, and the GiB of them and of its volumes, as
Cinder counts them). Cinder's counters can drift (failed requests, lost
reservations): when they differ from the listings, one line on stderr says
so. The listed figures are the real use, but Cinder enforces its own until
an operator resyncs them. image_size_total and
image_count_total are Glance's, shown only where Glance enforces them.
With --by-server, one row per server instead. With --all-projects (an
admin), one row per project that holds snapshots, volumes or orphans, or
whose counters drifted, and a drift line for each such project.""")


class LimitColumn(common.SizeColumn):
    """A quota limit: ``unlimited`` for -1 in tables, the number in
    machine formats."""

    def human_readable(self):
        if self._value == -1:
            return _('unlimited')
        return '' if self._value is None else str(self._value)


class GlanceColumn(common.SizeColumn):
    """A Glance unified limit: ``usage / limit`` in tables, a dict in
    machine formats."""

    def human_readable(self):
        return '%s / %s' % (self._value.get('usage'),
                            _('unlimited') if self._value.get('limit') == -1
                            else self._value.get('limit'))


def column(name, value):
    """One field's value, as the plain view formats it."""
    if name in SIZES:
        return common.SizeColumn(value)
    if name in LIMITS:
        return LimitColumn(value)
    if name in GLANCE_FIELDS:
        return GlanceColumn(value)
    return value


def show_fields(found):
    """``(names, values)`` of the plain view."""
    names = list(FIELDS) + [f for f in ARCHIVE_FIELDS if f in found] + [
        f for f in GLANCE_FIELDS if f in found]
    return names, [column(name, found.get(name)) for name in names]


class ShowSnapshotUsage(base.ShowOne):
    _description = DESCRIPTION

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--by-server',
            action='store_true',
            help=_('One row per server, with its snapshot count and size '
                   '("(deleted server)": the server no longer exists, '
                   '"(unknown)": no server could be found)'),
        )
        parser.add_argument(
            '--all-projects',
            action='store_true',
            help=_('One row per project, with its counters and what its '
                   'listings hold, and a line for each project whose '
                   'counters drifted (needs the admin role)'),
        )
        return parser

    def lists(self, parsed_args):
        return parsed_args.by_server or parsed_args.all_projects

    def take_action(self, parsed_args):
        from rcsnap_osc.usage import run as accounting

        if parsed_args.by_server and parsed_args.all_projects:
            from rcsnap_osc import errors

            raise errors.Refused(_(
                'Give --by-server or --all-projects, not both.'))
        if parsed_args.all_projects:
            return self.all_projects(accounting.gather_all_projects(
                self.conn))
        if parsed_args.by_server:
            rows = accounting.gather_by_server(self.conn)
            return BY_SERVER_HEADERS, [(
                sid or '', name or (_('(deleted server)') if sid else
                                    _('(unknown)')),
                count, common.SizeColumn(gib))
                for sid, name, count, gib in rows]
        found = accounting.gather_usage(self.conn)
        if found.get('drift'):
            from rcsnap_osc.core import quota

            self.app.stderr.write(quota.drift_message(found['drift']) + '\n')
        return show_fields(found)

    def all_projects(self, found):
        """The rows of ``--all-projects``, and a drift line per project."""
        from rcsnap_osc.core import quota

        rows, names = found
        for project_id, view in rows:
            if view['drift']:
                self.app.stderr.write(quota.drift_message(
                    view['drift'], names.get(project_id) or project_id)
                    + '\n')
        return ('Project ID', 'Project') + tuple(
            h for _f, h in PROJECT_COLUMNS), [
            (project_id, names.get(project_id) or '') + tuple(
                column(f, view[f]) for f, _h in PROJECT_COLUMNS)
            for project_id, view in rows]

    def produce_output(self, parsed_args, column_names, data):
        if not self.lists(parsed_args):
            return super().produce_output(parsed_args, column_names, data)
        from osc_lib import exceptions

        if not hasattr(self.formatter, 'emit_list'):
            raise exceptions.CommandError(_(
                '--by-server and --all-projects list rows: use -f table, '
                'json, yaml or value.'))
        columns, selector = self._generate_columns_and_selector(
            parsed_args, column_names)
        if selector:
            data = [list(self._compress_iterable(row, selector))
                    for row in data]
        self.formatter.emit_list(columns, data, self.app.stdout,
                                 parsed_args)
        return 0
