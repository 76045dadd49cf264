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
from rcsnap_osc.v1 import columns
from rcsnap_osc.v1 import common

DESCRIPTION = _(
    "Show what this project's snapshots cost, against the quota.\n\n"
    "Snapshots, orphans, the recycle bin and the volumes made from "
    "them, against the Cinder and Glance quotas.\n\n"
    "The user guide page \"What do my snapshots cost? usage\" has the "
    "details.")


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


# The views of usage: the plain one, and the rows of --all-projects and of
# --by-server.
PLAIN = 'plain'
PROJECTS = 'projects'
SERVERS = 'servers'

_BOTH = columns.views(PLAIN, PROJECTS)
_PLAIN = columns.views(PLAIN)
Column = columns.Column

#: What ``usage`` shows of a project, in order (a Glance limit only where
#: Glance reports it): a field each in the plain view, and a row per
#: project, with these headers, with --all-projects.
USAGE = (
    Column('project_id', 'Project ID', columns.views(PROJECTS)),
    Column('project', 'Project', columns.views(PROJECTS)),
    Column('snapshots', 'Snapshots', _BOTH),
    Column('snapshot_gib', 'Size GiB', _BOTH, formatter=common.SizeColumn),
    Column('orphans', 'Orphans', _BOTH),
    Column('orphan_gib', 'Orphan GiB', _BOTH, formatter=common.SizeColumn),
    Column('binned', 'Binned', _BOTH),
    Column('binned_gib', 'Binned GiB', _BOTH, formatter=common.SizeColumn),
    Column('binned_volume_snapshots', None, _PLAIN),
    Column('launched_volumes', None, _PLAIN),
    Column('launched_volume_gib', None, _PLAIN,
           formatter=common.SizeColumn),
    Column('quota_snapshots_used', 'Snapshots Used', _BOTH),
    Column('quota_snapshots_counted', 'Snapshots Counted', _BOTH),
    Column('quota_snapshots_limit', 'Snapshots Limit', _BOTH,
           formatter=LimitColumn),
    Column('quota_gigabytes_used', 'GiB Used', _BOTH),
    Column('quota_gigabytes_counted', 'GiB Counted', _BOTH),
    Column('quota_gigabytes_limit', 'GiB Limit', _BOTH,
           formatter=LimitColumn),
    # archived snapshots and Cinder backups (``rc snapshot archive``)
    Column('archived', None, _PLAIN),
    Column('archived_gib', None, _PLAIN, formatter=common.SizeColumn),
    Column('backups', None, _PLAIN),
    Column('backup_gib', None, _PLAIN, formatter=common.SizeColumn),
    Column('quota_backups_used', None, _PLAIN),
    Column('quota_backups_limit', None, _PLAIN, formatter=LimitColumn),
    Column('quota_backup_gib_used', None, _PLAIN),
    Column('quota_backup_gib_limit', None, _PLAIN, formatter=LimitColumn),
    Column('image_size_total', None, _PLAIN, formatter=GlanceColumn,
           optional=True),
    Column('image_count_total', None, _PLAIN, formatter=GlanceColumn,
           optional=True),
)


def _server_name(row):
    if row.server_name:
        return row.server_name
    return _('(deleted server)') if row.server_id else _('(unknown)')


#: A row of ``usage --by-server``
#: (:class:`rcsnap_osc.usage.plan.ServerUsage`).
SERVER_USAGE = (
    Column('server_id', 'Server ID', columns.views(SERVERS),
           lambda row: row.server_id or ''),
    Column('server', 'Server', columns.views(SERVERS), _server_name),
    Column('snapshots', 'Snapshots', columns.views(SERVERS)),
    Column('size_gib', 'Size GiB', columns.views(SERVERS),
           formatter=common.SizeColumn),
)


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
        # --by-server and --all-projects list rows, which a Lister prints
        # (UsageRows): it reads these, and usage has no sort options.
        parser.set_defaults(sort_columns=[], sort_direction=None)
        return parser

    def run(self, parsed_args):
        """--by-server and --all-projects list rows: :class:`UsageRows`
        prints them, this command prints the plain view."""
        if parsed_args.by_server or parsed_args.all_projects:
            return UsageRows(self.app, self.app_args,
                             self.cmd_name).run(parsed_args)
        return super().run(parsed_args)

    def take_action(self, parsed_args):
        from rcsnap_osc.usage import run as accounting

        usage = accounting.gather(self.conn)
        warn(self.app.stderr, usage.drift)
        fields, values = columns.show(USAGE, PLAIN, usage.view)
        return list(fields), values


class UsageRows(base.Lister):
    """The rows of ``usage --by-server`` and ``usage --all-projects``,
    printed with the arguments and formatters of
    :class:`ShowSnapshotUsage`, whose parser read them."""

    formatter_namespace = 'cliff.formatter.show'

    def take_action(self, parsed_args):
        from rcsnap_osc import errors
        from rcsnap_osc.usage import run as accounting

        if parsed_args.by_server and parsed_args.all_projects:
            raise errors.Refused(_(
                'Give --by-server or --all-projects, not both.'))
        usage = accounting.gather(self.conn, by_server=parsed_args.by_server,
                                  all_projects=parsed_args.all_projects)
        warn(self.app.stderr, usage.drift)
        if not hasattr(self.formatter, 'emit_list'):
            raise errors.Refused(_(
                '--by-server and --all-projects list rows: use -f table, '
                'json, yaml or value.'))
        if parsed_args.all_projects:
            headers, rows = columns.listing(USAGE, {PROJECTS},
                                            usage.projects)
        else:
            headers, rows = columns.listing(SERVER_USAGE, {SERVERS},
                                            usage.servers)
        return tuple(headers), rows


def warn(stderr, lines):
    for line in lines:
        stderr.write(line + '\n')
