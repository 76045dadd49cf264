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

"""``rc snapshot coverage``."""

import argparse

from cliff import columns

from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base

HEADERS = ('Server', 'Server ID', 'Policy', 'RPO', 'Newest Snapshot',
           'Age', 'Last Verified', 'Last Run', 'Last Result', 'Verdict',
           'Why')


class DurationColumn(columns.FormattableColumn):
    """Seconds: ``1d 2h`` in tables, the number in machine formats."""

    def human_readable(self):
        from rcsnap_osc.coverage import plan

        return plan.duration(self._value)

    def machine_readable(self):
        return self._value


def rpo(text):
    """``--rpo``: a duration of a minute or more, in seconds."""
    from rcsnap_osc.coverage import plan
    from rcsnap_osc import errors

    try:
        return plan.check_rpo(text)
    except errors.Refused as exc:
        raise argparse.ArgumentTypeError(str(exc))


def schedule_of(metadata):
    """What a server's metadata says of its schedule, as coverage reads it
    (:class:`rcsnap_osc.coverage.run.Request`): the schedules' own
    reading of their policy and of their last run."""
    from rcsnap_osc.coverage import plan as coverage
    from rcsnap_osc import errors
    from rcsnap_osc.schedule import plan

    metadata = metadata or {}
    value = metadata.get(plan.POLICY_KEY)
    last = plan.parse_last(metadata.get(plan.LAST_KEY))
    if value is None:
        return None, None, None, last
    try:
        every = plan.parse(coverage.split_verify(value)[0]).every
    except errors.Refused as exc:
        return value, None, errors.one_line(str(exc)), last
    return value, every, None, last


class ListCoverage(base.Lister):
    _description = _(
        "Say whether each server has a recent usable snapshot.\n\n"
        "One row per server with its verdict; exits 1 when any server "
        "is not protected.\n\n"
        "The user guide page \"Watch your schedules\" has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--server', metavar='<server>', action='append', default=[],
            help=_('Only this server (name or ID); repeat for several '
                   '(default: every server of the project)'))
        parser.add_argument(
            '--rpo', metavar='<duration>', type=rpo,
            help=_('The recovery point objective: the age the newest '
                   'usable snapshot may reach, e.g. 36h, 2d (default: '
                   'twice the interval of each server\'s policy)'))
        parser.add_argument(
            '--all-projects', action='store_true',
            help=_('Every project\'s servers (admin only)'))
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.coverage import run as covering
        from rcsnap_osc.schedule import run as scheduling

        args = parsed_args
        rows = covering.coverage(self.conn, covering.Request(
            tuple(args.server), args.rpo, args.all_projects,
            scheduling.now(), schedule_of))
        exposed = [r.server.name for r in rows if not r.protected]
        if exposed:
            from osc_lib import exceptions

            self.fail_after_output(exceptions.CommandError(_(
                '%(n)d of %(total)d servers are not protected: '
                '%(names)s') % {'n': len(exposed), 'total': len(rows),
                                'names': ', '.join(exposed)}))
        headers = HEADERS + (('Project ID',) if args.all_projects else ())
        return headers, [(
            r.server.name, r.server.id, r.server.policy or '',
            DurationColumn(r.rpo), r.newest or '', DurationColumn(r.age),
            r.verified, r.last_run, r.last_result, r.verdict, r.why) + (
                (r.server.project_id or '',) if args.all_projects else ())
            for r in rows]
