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

"""``rc snapshot create`` and ``batch create``.

Each parses its arguments, makes one call to
:mod:`rcsnap_osc.retention.run` (create, then with ``--keep`` retain;
imported inside ``take_action``: it pulls in the SDK) and formats the
result (``batch create`` plans with :mod:`rcsnap_osc.create.run` first, to
ask); errors are reported by :mod:`rcsnap_osc.v1.base`.
"""

from cliff import columns
from osc_lib.cli import parseractions

from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import columns as snapshot_columns
from rcsnap_osc.v1 import common
from rcsnap_osc.v1 import deletion_rows
from rcsnap_osc.v1 import keep


CREATE_DESCRIPTION = _(
    "Create an instance snapshot of a server.\n\n"
    "It says on stderr first how consistent the snapshot will be; --wait "
    "waits until it is usable.\n\n"
    "The user guide page \"Create an instance snapshot\" has the details.")


def add_create_arguments(parser, wait_what):
    """The options ``create`` and ``batch create`` share."""
    parser.add_argument(
        '--property',
        metavar='<key=value>',
        action=parseractions.KeyValueAction,
        default={},
        help=_('Property to set on the snapshot image '
               '(repeat option to set multiple properties)'),
    )
    parser.add_argument(
        '--stop',
        action='store_true',
        help=_('Stop an ACTIVE server first (wait until SHUTOFF), take the '
               'snapshot, wait until it is usable, then start the server '
               'again, also after a failure, a timeout or Ctrl-C; says how '
               'long it was down. A stopped server stays stopped'),
    )
    parser.add_argument(
        '--require-quiesce',
        action='store_true',
        help=_('Refuse, before anything is made, unless the file systems '
               'will be frozen by the guest agent or the server is stopped '
               '(with --stop or already); a refusal of Nova to freeze them '
               'is reported as such'),
    )
    parser.add_argument(
        '--keep',
        metavar='<N>',
        type=common.whole_number(1, _(
            'the new snapshot is one of the newest N it keeps')),
        help=_('Once the new snapshot is usable (waits as --wait does), '
               'keep the newest N snapshots of the server, the new one '
               'included, and delete the older ones as "rc snapshot prune '
               '--keep N" does, waiting for their volume snapshots to go; '
               'protected snapshots and those another project accepted are '
               'kept and count toward N. No confirmation: the flag is it. '
               'Nothing is deleted when the snapshot fails'),
    )
    keep.add_arguments(parser, _(
        'Once the new snapshot is usable, as "rc snapshot prune" does '
        '(combinable with --keep): '))
    common.add_wait_lock_argument(parser, _(
        'With --keep, from before the snapshot is made until the older '
        'ones are deleted, the command'))
    common.add_wait_arguments(parser, wait_what)
    deletion_rows.add_bin_days_argument(parser)


def request(args, name=None, batch=False):
    """The :class:`rcsnap_osc.create.plan.Request` of the arguments."""
    from osc_lib import exceptions

    from rcsnap_osc.create import plan

    keeping = keep.rules(args)
    if args.wait_lock is not None and keeping is None:
        raise exceptions.CommandError(_(
            '--wait-lock waits for the retention of the server, which only '
            '--keep holds: add --keep <N>.'))
    if args.bin_days is not None and keeping is None:
        raise exceptions.CommandError(_(
            '--bin-days says how long the older snapshots --keep lets go '
            'stay in the recycle bin: add --keep <N>.'))
    return plan.Request(
        name=name, properties=args.property, wait=waits(args, keeping),
        stop=args.stop, require_quiesce=args.require_quiesce, keep=keeping,
        wait_lock=common.lock_seconds(args), bin_days=args.bin_days,
        binned_by='batch create --keep' if batch else 'create --keep')


def waits(args, keeping):
    """The seconds to wait for the snapshots, None: no wait."""
    return (args.timeout if args.wait or args.stop or keeping is not None
            else None)


def pruning_failure(results):
    """The error ``--keep`` ends with when a deletion or the archive
    (``--archive-older-than``) failed, or None."""
    from osc_lib import exceptions

    plans = [p for r in results if r.pruned for p in r.pruned.plans]
    outcomes = [o for r in results if r.pruned for o in r.pruned.outcomes]
    failed = [str(e) for e in [deletion_rows.deletion_failure(
        plans, outcomes, what=_('older snapshots'))] + [keep.archive_error(
            results)] if e]
    return exceptions.CommandError('; '.join(failed)) if failed else None


class CreateSnapshot(base.ShowOne):
    _description = CREATE_DESCRIPTION

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'server',
            metavar='<server>',
            help=_('Server to snapshot (name or ID)'),
        )
        parser.add_argument(
            '--name',
            metavar='<name>',
            help=_('Name of the snapshot (default: the server name); '
                   'refused when an instance snapshot you can see has it '
                   'already'),
        )
        parser.add_argument(
            '--allow-duplicate-name',
            action='store_true',
            help=_('With --name, make the snapshot although another has '
                   'that name (show and delete then need the ID)'),
        )
        add_create_arguments(
            parser, _('the image is active and its volume snapshots are '
                      'available'))
        return parser

    def take_action(self, parsed_args):
        import dataclasses

        from rcsnap_osc.retention import run as retaining

        args = parsed_args
        say = common.say_to(self.app.stderr)
        wanted = dataclasses.replace(
            request(args, args.name),
            duplicate_name=args.allow_duplicate_name)
        result = retaining.create_and_retain(
            self.conn, args.server, wanted,
            common.StderrReporter(
                self.app.stderr, made=lambda results: self.partial(
                    lambda: self.output(results[0], wanted.keep))))
        if result.down is not None:
            say(_('Server %(server)s was down for %(secs)d s.') % {
                'server': result.server.name, 'secs': result.down})
        common.warn_missing(self.app.stderr, result.summary)
        if result.pruned:
            keep.say_pruned(say, result)
            self.fail_after_output(pruning_failure([result]))
        return self.output(result, wanted.keep)

    @staticmethod
    def output(result, rules):
        names, values = snapshot_columns.show(
            snapshot_columns.SNAPSHOT, snapshot_columns.MADE, result)
        if rules is None:
            return names, values
        return (names + keep.pruned_names(rules),
                values + keep.pruned_columns(result, rules))


BATCH_DESCRIPTION = _(
    "Create instance snapshots of several servers at once.\n\n"
    "One row per server; the snapshots are requested together and, with "
    "--wait, waited for together.\n\n"
    "The user guide page \"Create an instance snapshot\" has the details.")

BATCH_HEADERS = ('Server', 'Snapshot ID', 'Name', 'Type', 'Size GiB',
                 'Status', 'Consistency')


class DurationColumn(columns.FormattableColumn):
    """Seconds: ``14 s`` in tables, the number in machine formats."""

    def human_readable(self):
        return '' if self._value is None else '%d s' % self._value

    def machine_readable(self):
        return None if self._value is None else round(self._value)


def batch_row(result, dry_run=False, stop=False, rules=None):
    summary = result.summary
    if dry_run:
        status = (_('would be refused (%s)') % result.error if result.error
                  else _('would snapshot'))
    elif summary is None:
        status = _('failed (%s)') % (result.error or _('not made'))
    else:
        status = summary.image.get('status')
    row = (result.server.name, summary.image.get('id') if summary else '',
           result.name, summary.type if summary else '',
           common.SizeColumn(summary.size_gib) if summary else '', status,
           result.verdict.consistency)
    if stop:
        row += (DurationColumn(result.down),)
    if rules is not None:
        row += keep.pruned_columns(result, rules)
    return row


class CreateSnapshotBatch(base.Lister):
    _description = BATCH_DESCRIPTION

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'servers',
            metavar='<server>',
            nargs='*',
            help=_('Server to snapshot (name or ID); repeat to snapshot '
                   'several'),
        )
        parser.add_argument(
            '--all',
            action='store_true',
            help=_('Snapshot every server of the project; asks first on a '
                   'terminal, needs --yes otherwise'),
        )
        parser.add_argument(
            '--yes',
            action='store_true',
            help=_('With --all, do not ask'),
        )
        parser.add_argument(
            '--name',
            metavar='<template>',
            help=_('Name of each snapshot, where {server} is the server '
                   'name, {id} its ID and {date} the UTC time, e.g. '
                   '20261201T101530Z (default: {server}-{date}, and '
                   '{server}-{id}-{date} for servers of the same name)'),
        )
        parser.add_argument(
            '--dry-run',
            action='store_true',
            help=_('List the servers, the names their snapshots would get '
                   'and their verdicts; make no change (only read requests '
                   'are sent)'),
        )
        add_create_arguments(
            parser, _('the images are active and their volume snapshots '
                      'are available'))
        return parser

    def take_action(self, parsed_args):
        import dataclasses

        from osc_lib import exceptions

        from rcsnap_osc.retention import run as retaining

        args = parsed_args
        if bool(args.servers) == bool(args.all):
            raise exceptions.CommandError(_(
                'Name the servers to snapshot, or give --all for every '
                'server of the project.'))
        wanted = request(args, batch=True)
        self.confirmation = common.Confirmation(self.app, args, _(
            '--all snapshots every server of the project: add --yes to '
            'confirm.'), needed=args.all)
        headers = BATCH_HEADERS + ((_('Down'),) if args.stop else ()) + (
            (_('Pruned'),) if wanted.keep is not None else ()) + (
            (_('Archived'),) if wanted.keep is not None and
            wanted.keep.archive_after is not None else ())

        def rows(results, dry_run=False):
            return headers, [batch_row(r, dry_run, args.stop, wanted.keep)
                             for r in results]

        results = retaining.batch_create(
            self.conn, args.servers, args.name, dataclasses.replace(
                wanted, dry_run=args.dry_run,
                confirm=(self.confirm if self.confirmation.needed
                         else None)),
            common.StderrReporter(self.app.stderr, made=lambda made: (
                self.partial(lambda: rows(made)))))
        if args.dry_run:
            return rows(results, True)
        say = common.say_to(self.app.stderr)
        for result in results:
            if result.pruned:
                keep.say_pruned(say, result)
        failures = [str(e) for e in (self.not_made(results),
                                     pruning_failure(results)) if e]
        if failures:
            self.fail_after_output(exceptions.CommandError(
                '; '.join(failures)))
        return rows(results)

    @staticmethod
    def not_made(results):
        failed = [r.server.name for r in results if r.summary is None]
        if failed:
            return _('%(failed)d of %(total)d servers were not snapshotted: '
                     '%(names)s') % {'failed': len(failed),
                                     'total': len(results),
                                     'names': ', '.join(failed)}
        return None

    def confirm(self, results):
        """Ask once before --all snapshots every server (a no is
        refused)."""
        self.confirmation.confirm([], _(
            'Snapshot all %(count)d servers of the project (%(names)s)? '
            '[y/N] ') % {'count': len(results), 'names': ', '.join(
                r.server.name for r in results)})
        return True
