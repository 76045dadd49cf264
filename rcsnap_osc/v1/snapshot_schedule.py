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

"""``rc snapshot schedule set|show|unset|list|run``: snapshot schedules
as policies in the servers' metadata. The time the commands take as now
is :func:`rcsnap_osc.schedule.run.now`.
"""

import argparse

from osc_lib.cli import format_columns

from rcsnap_osc.core import retention
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common
from rcsnap_osc.v1 import deletion_rows
from rcsnap_osc.v1 import keep
from rcsnap_osc.v1 import notify

FORMAT = _("""The policy is the server's metadata value "rcsnap:schedule"
(at most 255 characters, ";"-separated): every=<N>h|<N>d|<N>w (required),
at=HH:MM (UTC), keep=<N> or any of daily=<D>, weekly=<W>, monthly=<M>,
within=<duration>, verify=<duration>[:data|:boot], lock=<duration>,
bin=<N>d (days in the recycle bin of what the pruning lets go), and the
flags stop and quiesce, e.g.
"every=1d;at=03:00;daily=7;weekly=4;monthly=12". A window starts at "at"
plus whole multiples of "every" counted from Monday 1970-01-05 00:00 UTC
(1w windows start on Mondays). "schedule run" writes what it did to
"rcsnap:schedule_last", e.g. "result=ok;window=20261202T0300Z;
at=20261202T030411Z;made=20261202T0300Z;image=<ID>;pruned=2" (on a
failure, result=failed and error=<the error line> last; after a
verification, verified=<time>;check=ok|failed); each snapshot
it makes records its window in the image property
"rcsnap:schedule_window", the time the retention counts it made at.""")

SHOW_FIELDS = ('server', 'server_id', 'policy', 'every', 'at', 'keeps',
               'stop', 'require_quiesce', 'window', 'next_due',
               'last_run', 'last_result', 'last_snapshot', 'last_error',
               'snapshots', 'snapshots_gib', 'steady_snapshots',
               'steady_gib', 'room')

LIST_HEADERS = ('Server', 'Policy', 'Next Due', 'Last Run', 'Last Result',
                'Snapshots', 'GiB', 'Steady Snapshots', 'Steady GiB',
                'Room')

RUN_HEADERS = ('Server', 'Due', 'Window', 'Snapshot', 'Pruned', 'Result')


def when(value):
    from rcsnap_osc.schedule import plan

    return plan.stamp(value) if value else ''


def last_of(state):
    from rcsnap_osc.schedule import plan

    at = plan.parse_stamp(state.last.get('at'))
    return (at.strftime('%Y-%m-%dT%H:%M:%SZ') if at else '',
            state.last.get('result', ''))


def room_text(state):
    if state.room is None:
        return state.error or ''
    return state.room.refusal or _('fits')


def show_data(state):
    from rcsnap_osc.schedule import plan

    policy, due, room = state.policy, state.due, state.room
    last_run, last_result = last_of(state)
    values = (
        state.server.name, state.server.id,
        policy.value() if policy else (state.server.metadata or {}).get(
            plan.POLICY_KEY, ''),
        policy.every_text if policy else '', policy.at or '' if policy
        else '', policy.keeps() if policy else '',
        bool(policy and policy.stop), bool(policy and policy.quiesce),
        when(due.window) if due else '',
        (_('now') if due.due else when(due.next_due)) if due else '',
        last_run, last_result, state.last.get('image', ''),
        state.last.get('error', ''), state.held[0],
        common.SizeColumn(state.held[1]),
        room.count if room else '',
        common.SizeColumn(room.count * room.gib if room else None),
        room_text(state))
    return SHOW_FIELDS, values


class SetSchedule(base.ShowOne):
    _description = _(
        "Set the snapshot schedule of a server.\n\n"
        "The policy is written to the server's metadata; \"rc snapshot "
        "schedule run\" makes its snapshots and prunes them.\n\n"
        "The user guide page \"Schedule snapshots\" has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('server', metavar='<server>',
                            help=_('Server (name or ID)'))
        parser.add_argument(
            '--every', metavar='<interval>', required=True,
            help=_('How often to snapshot: <N>h, <N>d or <N>w, e.g. 6h, '
                   '1d, 1w'))
        parser.add_argument(
            '--at', metavar='<HH:MM>',
            help=_('Start of the windows, UTC (default: 00:00)'))
        parser.add_argument(
            '--keep', metavar='<N>', type=common.whole_number(1),
            help=_('Keep the newest N snapshots (not with the calendar '
                   'rules)'))
        keep.add_arguments(parser)
        parser.add_argument(
            '--stop', action='store_true',
            help=_('Stop an active server for its snapshot, start it '
                   'again afterwards'))
        parser.add_argument(
            '--require-quiesce', action='store_true',
            help=_('Refuse the snapshot when the file systems cannot be '
                   'frozen'))
        parser.add_argument(
            '--verify-every', metavar='<duration>[:data|:boot]',
            help=_('Once per this period (e.g. 1w), the run that makes a '
                   'snapshot verifies it, as "rc snapshot verify" does, '
                   'with --data or --boot when given (e.g. 1w:boot); the '
                   'result goes into the run\'s record'))
        parser.add_argument(
            '--lock', metavar='<duration>', type=lock_duration,
            help=_('Lock each snapshot the schedule makes for this long '
                   '(e.g. 30d; policy item lock=30d): Glance, "rc snapshot '
                   'delete" and the pruning keep it until then'))
        parser.add_argument(
            '--bin-days', metavar='<days>', type=deletion_rows.BIN_DAYS,
            help=_('Days the snapshots the pruning lets go stay in the '
                   'recycle bin (policy item bin=<N>d; default: the '
                   'cloud\'s "rcsnap: bin_days" in clouds.yaml, else 7)'))
        parser.add_argument(
            '--force', action='store_true',
            help=_('Set the policy even when its steady state does not fit '
                   'in the Cinder quota'))
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.schedule import plan
        from rcsnap_osc.schedule import run as running

        args = parsed_args
        policy = plan.make(args.every, keep.rules(args), args.at,
                           plan.Handling(args.stop, args.require_quiesce,
                                         args.verify_every, args.lock,
                                         args.bin_days and '%dd' %
                                         args.bin_days))
        return show_data(running.set_policy(self.conn, args.server, policy,
                                            args.force))


def lock_duration(text):
    """An argparse type: a duration of at least one second (exit 2)."""
    try:
        seconds = retention.parse_duration(text)
    except errors.Refused as exc:
        raise argparse.ArgumentTypeError(str(exc))
    if not seconds:
        raise argparse.ArgumentTypeError(_('a lock of 0 locks nothing'))
    return text.strip()


lock_duration.__name__ = 'duration'


class ShowSchedule(base.ShowOne):
    _description = _(
        "Show the snapshot schedule of a server.\n\n"
        "Its policy, when it is next due, the last run, and what it holds "
        "at steady state against the quota.\n\n"
        "The user guide page \"Schedule snapshots\" has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('server', metavar='<server>',
                            help=_('Server (name or ID)'))
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.schedule import run as running

        return show_data(running.show(self.conn, parsed_args.server))


class UnsetSchedule(base.ShowOne):
    _description = _(
        "Remove the snapshot schedule of a server.\n\n"
        "The user guide page \"Schedule snapshots\" has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('server', metavar='<server>',
                            help=_('Server (name or ID)'))
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.schedule import run as running

        server = running.unset(self.conn, parsed_args.server)
        return ('server', 'server_id', 'schedule'), (
            server.name, server.id, _('removed'))


class ListSchedule(base.Lister):
    _description = _(
        "List the servers with a snapshot schedule.\n\n"
        "The user guide page \"Schedule snapshots\" has the details.")

    def take_action(self, parsed_args):
        from rcsnap_osc.schedule import run as running

        rows = []
        for state in running.list_states(self.conn):
            data = dict(zip(*show_data(state)))
            rows.append((
                data['server'], data['policy'],
                data['next_due'], data['last_run'], data['last_result'],
                data['snapshots'], data['snapshots_gib'],
                data['steady_snapshots'], data['steady_gib'], data['room']))
        return LIST_HEADERS, rows


class RunSchedule(base.Lister):
    _description = _(
        "Make the snapshots of the schedules that are due.\n\n"
        "Then prune each server as its policies say; a timer runs it "
        "(schedule install).\n\n"
        "The user guide page \"Schedule snapshots\" has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--server', metavar='<server>', action='append', default=[],
            help=_('Only this server (name or ID); repeat for several'))
        parser.add_argument(
            '--dry-run', action='store_true',
            help=_('Say which servers are due; make no change (only read '
                   'requests are sent)'))
        common.add_timeout_argument(parser, _(
            'Give up waiting for a snapshot, or the deletions of its '
            'pruning, after this many seconds (default: %d)'))
        notify.add_notify_arguments(parser, _('the run'))
        parser.add_argument(
            '--bin-days', metavar='<days>', type=deletion_rows.BIN_DAYS,
            help=_('Days the snapshots the pruning lets go stay in the '
                   'recycle bin, for the policies without bin= (default: '
                   'the cloud\'s "rcsnap: bin_days" in clouds.yaml, else '
                   '7)'))
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.launch import run as launching
        from rcsnap_osc.schedule import run as running
        from rcsnap_osc.verify import run as verifying

        args = parsed_args
        rows = running.run(self.conn, running.RunRequest(
            tuple(args.server), args.dry_run, args.timeout,
            notify=notify.notify_of(args),
            verifier=verifying.verifier(launching),
            bin_days=args.bin_days),
            common.StderrReporter(self.app.stderr))
        failed = [r.server.name for r in rows if r.failed]
        if failed:
            from osc_lib import exceptions

            self.fail_after_output(exceptions.CommandError(_(
                '%(n)d of %(total)d servers failed: %(names)s') % {
                'n': len(failed), 'total': len(rows),
                'names': ', '.join(failed)}))
        return RUN_HEADERS, [(
            r.server.name, bool(r.due and r.due.due),
            when(r.due.window) if r.due else '', r.image,
            format_columns.ListColumn(r.pruned),
            r.result + (' (%s)' % r.why if r.why else ''))
            for r in rows]
