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

"""Lock commands: lock, unlock (:mod:`rcsnap_osc.lock.run`)."""

import argparse

from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.lock import plan
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common

HEADERS = ('ID', 'Name', 'Protected', 'Locked Until', 'Locked By')


def until(text):
    """An argparse type: the end of a lock, in the future (exit 2)."""
    try:
        return plan.parse_until(text, plan.now())
    except errors.Refused as exc:
        raise argparse.ArgumentTypeError(str(exc))


until.__name__ = 'date or duration'


def rows(images):
    from rcsnap_osc.core import holds

    return [(i['id'], i.get('name') or '', bool(i.get('protected')),
             i.get(holds.LOCKED_UNTIL) or '', i.get(holds.LOCKED_BY) or '')
            for i in images]


def add_snapshots_argument(parser, what):
    parser.add_argument(
        'snapshots',
        metavar='<snapshot>',
        nargs='+',
        help=what,
    )


class LockSnapshot(base.Lister):
    _description = _(
        "Lock instance snapshots against deletion.\n\n"
        "Glance, \"rc snapshot delete\" and the pruning keep a locked "
        "snapshot until the lock's date (default: 30 days).\n\n"
        "The user guide page \"Lock a snapshot, and the bin's view\" "
        "has the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_snapshots_argument(
            parser, _('Instance snapshot to lock (name or ID); repeat to '
                      'lock several'))
        parser.add_argument(
            '--until',
            metavar='<date|duration>',
            type=until,
            help=_('Keep the lock until this UTC date (YYYY-MM-DD or '
                   'YYYY-MM-DDTHH:MMZ) or for this long from now (e.g. 30d, '
                   '12h, 2w); default: %d days from now') %
            plan.DEFAULT_DAYS,
        )
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.lock import run

        request = plan.Request(
            tuple(parsed_args.snapshots),
            parsed_args.until or plan.default_until(plan.now()))
        images = run.lock(self.conn, request, self.reporter())
        return HEADERS, rows(images)

    def reporter(self):
        return common.StderrReporter(
            self.app.stderr, made=lambda images: self.partial(
                lambda: (HEADERS, rows(images))))


class UnlockSnapshot(LockSnapshot):
    _description = _(
        "Unlock instance snapshots.\n\n"
        "Before the lock's date, --force is needed.\n\n"
        "The user guide page \"Lock a snapshot, and the bin's view\" "
        "has the details.")

    def get_parser(self, prog_name):
        parser = super(LockSnapshot, self).get_parser(prog_name)
        add_snapshots_argument(
            parser, _('Instance snapshot to unlock (name or ID); repeat to '
                      'unlock several'))
        parser.add_argument(
            '--force',
            action='store_true',
            help=_('Unlock before the date the lock was set until'),
        )
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.lock import run

        request = plan.Request(tuple(parsed_args.snapshots),
                               force=parsed_args.force)
        images = run.unlock(self.conn, request, self.reporter())
        return HEADERS, rows(images)
