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

"""What several command modules share: columns, progress, arguments.

Command modules import this module and :mod:`rcsnap_osc.v1.base`, never
each other. Like them, it imports nothing heavy: it is loaded whenever
``openstack`` lists its commands.
"""

import argparse
import sys

from cliff import columns

from rcsnap_osc.cloud import report
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

#: Seconds a ``--wait`` gives up after, unless ``--timeout`` says otherwise.
DEFAULT_TIMEOUT = 1800


class SizeColumn(columns.FormattableColumn):
    """A size in GiB, the unit in the column's header: the number rounded
    to two decimals in tables and machine formats alike (``unknown`` in
    tables, None in machine formats, when unknown)."""

    def human_readable(self):
        value = self.machine_readable()
        return _('unknown') if value is None else str(value)

    def machine_readable(self):
        value = self._value
        return (snapshots.round_gib(value)
                if isinstance(value, (int, float)) else value)


class MembersColumn(columns.FormattableColumn):
    """Image members: ``project: status`` lines in tables, a list in JSON."""

    def human_readable(self):
        return '\n'.join('%s: %s' % (m['member_id'], m['status'])
                         for m in self._value)

    def machine_readable(self):
        return [{'project_id': m['member_id'], 'status': m['status']}
                for m in self._value]


def warn_missing(stderr, summary):
    """One warning line per volume snapshot Cinder did not return."""
    for device in summary.missing:
        stderr.write(_(
            'Warning: volume snapshot %(id)s (%(dev)s) of snapshot %(snap)s '
            'is missing: deleted, or not visible to this project.\n') % {
                'id': device.snapshot_id, 'dev': device.device_name or '-',
                'snap': summary.image.get('id')})


def add_snapshot_argument(parser, what):
    """The ``<snapshot>`` positional argument."""
    parser.add_argument(
        'snapshot',
        metavar='<snapshot>',
        help=what,
    )


def whole_number(minimum, why=None):
    """An argparse type: a whole number of at least ``minimum``, so that a
    bad value is refused while the arguments are read, before any request
    (``why`` says what a smaller one would do)."""
    def convert(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(_(
                "'%(value)s' is not a whole number of %(min)d or more"
                "%(why)s") % {'value': text, 'min': minimum,
                              'why': ': %s' % why if why else ''})
        return value
    convert.__name__ = 'whole number'
    return convert


def add_plan_arguments(parser, shows, yes=_('Do not ask (needed when not '
                                            'on a terminal)')):
    """``--dry-run`` (``shows``: what it prints) and ``--yes`` (its help;
    None: never asks), as :class:`Confirmation` reads them."""
    parser.add_argument(
        '--dry-run',
        action='store_true',
        help=_('%s; make no change (only read requests are sent)') % shows,
    )
    if yes is not None:
        parser.add_argument('--yes', action='store_true', help=yes)


class Confirmation:
    """The one question a command asks before it changes anything, unless
    --yes or --dry-run (or not ``needed`` at all): made before any request,
    it refuses at once with ``refusal`` when stdin is not a terminal."""

    def __init__(self, app, args, refusal, needed=True):
        self.app = app
        self.needed = needed and not (args.yes or args.dry_run)
        if self.needed and not app.stdin.isatty():
            raise errors.Refused(refusal)

    def confirm(self, lines, question):
        """Print the ``lines`` of the plan and the y/N ``question`` on
        stderr, then read the answer once; anything but yes is "Nothing
        was done." (exit 1)."""
        if not self.needed:
            return
        for line in lines:
            self.app.stderr.write(line + '\n')
        self.app.stderr.write(question)
        self.app.stderr.flush()
        if self.app.stdin.readline().strip().lower() not in ('y', 'yes'):
            raise errors.Refused(_('Nothing was done.'))


class _Deprecated(argparse.Action):
    """An old option name, hidden from --help, that still works for one
    release: it says on stderr which name replaces it."""

    def __init__(self, option_strings, dest, new=None, **kwargs):
        self.new = new
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stderr.write(_('Warning: %(old)s is deprecated and will be '
                           'removed; use %(new)s.\n') % {
                               'old': option_string, 'new': self.new})
        setattr(namespace, self.dest, values)


def add_deprecated_alias(parser, old, new, dest, **kwargs):
    """``old``, a hidden deprecated name of the option ``new`` (same
    ``dest``): kept one release for the scripts that use it."""
    parser.add_argument(old, dest=dest, action=_Deprecated, new=new,
                        help=argparse.SUPPRESS, default=argparse.SUPPRESS,
                        **kwargs)


def check_timeout(seconds):
    """Refuse a --timeout of 0 where a wait cannot be skipped (exit 1)."""
    if seconds <= 0:
        raise errors.Refused(
            _('--timeout must be a positive number of seconds.'))


def add_timeout_argument(parser, what):
    parser.add_argument(
        '--timeout',
        metavar='<seconds>',
        type=whole_number(0),
        default=DEFAULT_TIMEOUT,
        help=what % DEFAULT_TIMEOUT,
    )


def add_wait_arguments(parser, what):
    """``--wait`` and ``--timeout``, the same on every command."""
    parser.add_argument(
        '--wait',
        action='store_true',
        help=_('Wait until %s; show progress on stderr') % what,
    )
    add_timeout_argument(
        parser, _('With --wait, give up after this many seconds '
                  '(default: %d)'))


class _WaitLock(argparse.Action):
    """``--wait-lock``, a flag whose wait ``--timeout`` bounds; the old
    ``--wait-lock <seconds>`` still works for one release, with a
    warning on stderr."""

    def __call__(self, parser, namespace, values, option_string=None):
        if values is not None:
            sys.stderr.write(_('Warning: --wait-lock <seconds> is '
                               'deprecated and will be removed; use '
                               '--wait-lock --timeout <seconds>.\n'))
        setattr(namespace, self.dest, True if values is None else values)


def add_wait_lock_argument(parser, what):
    """``--wait-lock``: ``what`` holds a server's retention."""
    parser.add_argument(
        '--wait-lock',
        metavar='<seconds>',
        nargs='?',
        action=_WaitLock,
        type=whole_number(0),
        help=_('%(what)s holds the retention of the server: while another '
               'run (create --keep, batch create --keep, prune) holds it, '
               'wait for it, up to --timeout seconds, showing who holds it '
               'on stderr (a <seconds> value is deprecated). Without this '
               'option such a run exits 1 at once, saying who holds '
               'it') % {'what': what},
    )


def lock_seconds(args):
    """The seconds ``--wait-lock`` waits for a server's retention (None:
    it does not wait): ``--timeout``, or the deprecated value."""
    if args.wait_lock is None or args.wait_lock is False:
        return None
    return args.timeout if args.wait_lock is True else args.wait_lock


class Progress:
    """Progress lines on stderr: on every change, else every ``every`` s."""

    def __init__(self, stderr, label, every=15):
        self.stderr = stderr
        self.label = label
        self.every = every
        self._last = (None, -every)

    def __call__(self, elapsed, pending):
        text = ', '.join(pending)
        if text != self._last[0] or elapsed - self._last[1] >= self.every:
            self.stderr.write('%s: %s (%d s)\n' % (self.label, text, elapsed))
            self.stderr.flush()
            self._last = (text, elapsed)


class StderrReporter(report.Reporter):
    """The reporter of :mod:`rcsnap_osc.cloud.report`, on stderr (stdout
    carries the command's document); ``made(results)`` is the command's
    own, to print what exists already if a later step fails."""

    def __init__(self, stderr, made=None):
        self.stderr = stderr
        self.say = say_to(stderr)
        self._made = made

    def progress(self, label):
        return Progress(self.stderr, label)

    def made(self, results):
        if self._made:
            self._made(results)


def say_to(stderr):
    """A ``say(text)`` that writes one line on ``stderr`` at once."""
    def say(text):
        stderr.write(text + '\n')
        stderr.flush()
    return say
