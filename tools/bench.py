#!/usr/bin/env python3
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

"""Benchmark ``openstack rc snapshot`` against plain OpenStackClient.

Run with the plugin's virtualenv active::

    python tools/bench.py                 # OS_CLOUD, or local-alpha
    python tools/bench.py --quick         # 3 runs, 1 and 50 snapshots
    python tools/bench.py --cloud mycloud --admin-cloud myadmin --runs 7
    python tools/bench.py --only restore  # only the restore rows

It makes a small volume, volume snapshots of it and snapshot images that
point at them (as Nova writes them), raises the project's Cinder snapshot
quota with ``--admin-cloud`` when needed, measures, and removes everything
(also on Ctrl-C). Every row runs its two sides alternately, A, B, A, B,
in the same run, and reports medians. It prints one table, a valid
reStructuredText simple table, and exits 1 when a target is missed.
"""

import argparse
import os
import platform
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                'bench'))

import archive  # noqa: E402
import bin_list  # noqa: E402
import binning  # noqa: E402
import files  # noqa: E402
import fixtures  # noqa: E402
import measure  # noqa: E402
import restore  # noqa: E402
import retention  # noqa: E402
import schedule  # noqa: E402
import servers  # noqa: E402
import transfer  # noqa: E402
import verify  # noqa: E402

#: The plugin's modules that call the SDK: imported inside take_action,
#: only by the commands that need them.
HEAVY = ('cloud', 'sharing', 'deleting', 'servers', 'creating', 'stopping',
         'copying', 'exporting', 'importing', 'accounting', 'pruning',
         'origins', 'lookup')
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: The groups of rows, in the order they run (``--only``).
GROUPS = ('startup', 'create', 'retention', 'show', 'list', 'transfer',
          'restore', 'schedule', 'archive', 'verify', 'bin', 'files')


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description='Benchmark openstack rc snapshot against plain OSC.')
    parser.add_argument('--cloud', metavar='<cloud>',
                        default=os.environ.get('OS_CLOUD', 'local-alpha'),
                        help='clouds.yaml entry to measure on (default: '
                             'OS_CLOUD, else local-alpha)')
    parser.add_argument('--admin-cloud', metavar='<cloud>',
                        default='local-admin',
                        help='clouds.yaml entry allowed to raise the Cinder '
                             'snapshot quota (default: local-admin; "" for '
                             'none)')
    parser.add_argument('--runs', metavar='<n>', type=int, default=5,
                        help='timed runs of each side (default: 5)')
    parser.add_argument('--counts', metavar='<n,n,...>',
                        default='1,50,500,5000',
                        help='snapshot counts listed (default: '
                             '1,50,500,5000)')
    parser.add_argument('--volumes', metavar='<k>', type=int, default=2,
                        help='volume snapshots of the snapshot shown '
                             '(default: 2)')
    parser.add_argument('--servers', metavar='<n>', type=int, default=3,
                        help='volume-backed servers snapshotted by the '
                             'snapshot-creation row (default: 3; 0 leaves '
                             'the row out)')
    parser.add_argument('--quick', action='store_true',
                        help='3 runs, counts 1 and 50')
    parser.add_argument('--parallel-writes', metavar='<n>', type=int,
                        default=1,
                        help='fixture writes at once (default: 1; more on '
                             'a cloud of your own makes 5,000 snapshots '
                             'faster)')
    parser.add_argument('--profile', metavar='<text>', default='',
                        help='what the cloud is set up as (e.g. "token '
                             'cache off"), printed with the table')
    parser.add_argument('--flavor', metavar='<flavor>',
                        default=os.environ.get('RCSNAP_FLAVOR'),
                        help='flavor of the volume-backed servers the '
                             'snapshot rows use (default: RCSNAP_FLAVOR, '
                             'else the smallest flavor of the cloud)')
    parser.add_argument('--timeout', metavar='<seconds>', type=int,
                        default=900, help='longest wait for the cloud to '
                                          'make or delete fixtures')
    parser.add_argument('--baseline-venv', metavar='<dir>',
                        default=os.path.join(TOP, '.tox', 'bench-noplugin'),
                        help='where the copy of this virtualenv without the '
                             'plugin is cached')
    parser.add_argument('--only', metavar='<group,...>', default='',
                        help='run only these groups of rows: %s (default: '
                             'all)' % ', '.join(GROUPS))
    transfer.add_arguments(parser)
    bin_list.add_arguments(parser)
    restore.add_arguments(parser)
    verify.add_arguments(parser)
    parser.add_argument('--bin-runs', metavar='<n>', type=int, default=3,
                        help='bin rows: runs of each side')
    parser.add_argument('--archive-runs', metavar='<n>', type=int,
                        default=1, help='archive rows: runs of each side')
    parser.add_argument('--backup-dir', metavar='<dir>', default=os.path.join(
        TOP, '.localcloud', 'cinder', 'backups'), help='archive rows: where '
        "Cinder's posix backup driver writes (bytes written)")
    args = parser.parse_args(argv)
    args.only = {g for g in args.only.split(',') if g} or set(GROUPS)
    if args.only - set(GROUPS):
        parser.error('--only: no group %s' % ', '.join(sorted(
            args.only - set(GROUPS))))
    args.counts = sorted({int(c) for c in args.counts.split(',') if c})
    if args.quick:
        args.runs = 3
        args.counts = [c for c in args.counts if c <= 50] or [1]
    return args


class Table:
    """Rows of: what, A, B, ratio, target, result."""

    HEADERS = ('Measure: A vs B', 'A', 'B', 'A/B', 'Target', 'Result')

    def __init__(self):
        self.rows = []
        self.failed = 0

    def add(self, what, a, b, ratio=None, target='', ok=None):
        if ok is False:
            self.failed += 1
        self.rows.append((what, a, b, '' if ratio is None else
                          '%.2f' % ratio, target,
                          '' if ok is None else ('pass' if ok else 'MISS')))
        sys.stderr.write('bench: %s\n' % ' | '.join(self.rows[-1]))

    def render(self):
        rows = [self.HEADERS] + self.rows
        widths = [max(len(r[i]) for r in rows) for i in range(6)]
        rule = '  '.join('=' * w for w in widths)
        lines = [rule, fmt(self.HEADERS, widths), rule]
        lines += [fmt(r, widths) for r in self.rows]
        return '\n'.join(lines + [rule])


def fmt(row, widths):
    return '  '.join(c.ljust(w) for c, w in zip(row, widths)).rstrip()


def seconds(value):
    return '%.2f s' % value


def requests_text(counts):
    text = '%d (+%d auth, %d discovery)' % (
        counts.get('api', 0), counts.get('auth', 0),
        counts.get('discovery', 0))
    if counts.get('in_flight', 0) > 1:
        text += ', %d at once' % counts['in_flight']
    return text


class Bench:

    def __init__(self, args, venv):
        self.args = args
        self.venv = venv
        self.table = Table()

    def osc(self, *args):
        return self.venv.argv('--os-cloud', self.args.cloud, *args,
                              '-f', 'json')

    def workflow(self, image_id, snapshot_ids):
        """Plain OSC: the image, then each volume snapshot it names."""
        return [self.osc('image', 'show', image_id)] + [
            self.osc('volume', 'snapshot', 'show', s) for s in snapshot_ids]

    def timed(self, argvs):
        return lambda: measure.run_all(argvs)

    def show_rows(self, image_id, name, snapshot_ids):
        k = len(snapshot_ids)
        by_id = [self.osc('rc', 'snapshot', 'show', image_id)]
        by_name = [self.osc('rc', 'snapshot', 'show', name)]
        plain = self.workflow(image_id, snapshot_ids)
        rc_id = measure.count_requests(by_id)
        rc_name = measure.count_requests(by_name)
        osc = measure.count_requests(plain)
        sys.stderr.write('bench: rc snapshot show makes: %s\n'
                         % rc_id['calls'])
        sys.stderr.write('bench: rc snapshot show by name makes: %s\n'
                         % rc_name['calls'])
        # By ID 2 + k: the image and, started beside it, Cinder's first
        # page of the project's volumes (the server field of a snapshot
        # that records none, as Nova writes them: the volume of its root
        # volume snapshot is in it), then the k volume snapshots at once.
        self.table.add('HTTP requests: rc snapshot show, %d volumes, by ID vs '
                       'image show + %d volume snapshot show' % (k, k),
                       requests_text(rc_id), requests_text(osc),
                       rc_id['api'] / osc['api'], '<= %d' % (2 + k),
                       rc_id['api'] <= 2 + k)
        # One version document per service: Keystone, Glance, Cinder
        # (Cinder's /v3/ asked once, with the token, not first without).
        discovery = rc_id.get('discovery', 0)
        self.table.add('Version discovery requests: rc snapshot show (one '
                       'per service) vs image show',
                       str(discovery), str(measure.count_requests([
                           self.osc('image', 'show', image_id)]).get(
                               'discovery', 0)),
                       None, '<= 3', discovery <= 3)
        self.table.add('HTTP requests: rc snapshot show by name vs the same',
                       requests_text(rc_name), requests_text(osc),
                       rc_name['api'] / osc['api'], '<= %d' % (4 + k),
                       rc_name['api'] <= 4 + k)
        a, b = measure.side_by_side(
            self.timed(by_id),
            self.timed([self.osc('image', 'show', image_id)]),
            self.args.runs)
        self.table.add('Wall time: rc snapshot show vs image show', seconds(a),
                       seconds(b), a / b, '<= 1.05', a / b <= 1.05)
        a, b = measure.side_by_side(self.timed(by_id), self.timed(plain),
                                    self.args.runs)
        self.table.add('Wall time: rc snapshot show vs image show + %d '
                       'volume snapshot show' % k, seconds(a), seconds(b),
                       a / b,
                       '<= 0.35', a / b <= 0.35)

    def list_rows(self, count, last):
        mine = [self.osc('rc', 'snapshot', 'list')]
        plain = [self.osc('image', 'list', '--long')]
        rc = measure.count_requests(mine)
        osc = measure.count_requests(plain)
        self.table.add('HTTP requests: rc snapshot list vs image list '
                       '--long, %d snapshots' % count,
                       requests_text(rc), requests_text(osc),
                       rc['api'] / osc['api'], '<= 3', rc['api'] <= 3)
        if last:
            a, b = measure.side_by_side(self.timed(mine), self.timed(plain),
                                        self.args.runs)
            self.table.add('Wall time: rc snapshot list vs image list '
                           '--long, %d snapshots' % count, seconds(a),
                           seconds(b),
                           a / b, '<= 1.20', a / b <= 1.2)
            self.usage_rows(count)

    def usage_rows(self, count):
        """``rc snapshot usage`` against the plain-OSC commands that give
        its facts: the images, volume snapshots, volumes and Cinder's
        quota with usage."""
        mine = [self.osc('rc', 'snapshot', 'usage')]
        plain = [self.osc('image', 'list', '--long'),
                 self.osc('volume', 'snapshot', 'list', '--long'),
                 self.osc('volume', 'list', '--long'),
                 self.osc('quota', 'show', '--usage', '--volume')]
        rc = measure.count_requests(mine)
        osc = measure.count_requests(plain)
        # A listing of n items takes n // 1000 + 1 pages (a full last
        # page has a next link): more pages of images and volume snapshots.
        pages = 2 * (count // 1000)
        self.table.add('HTTP requests: rc snapshot usage vs 4 plain '
                       'listings (images, volume snapshots, volumes, '
                       'quota), %d snapshots' % count,
                       requests_text(rc), requests_text(osc),
                       rc['api'] / osc['api'], '<= %d' % (6 + pages),
                       rc['api'] <= 6 + pages)
        a, b = measure.side_by_side(self.timed(mine), self.timed(plain),
                                    self.args.runs)
        self.table.add('Wall time: rc snapshot usage vs the same, %d '
                       'snapshots' % count, seconds(a), seconds(b), a / b,
                       '<= 0.50', a / b <= 0.5)

    def create_rows(self, server_ids):
        """Several servers in one ``batch create --wait`` vs one
        ``create --wait`` after the other; each run's snapshots are
        deleted, untimed, before the next."""
        cloud = self.args.cloud
        batch = [self.osc('rc', 'snapshot', 'batch', 'create', *server_ids,
                          '--wait')]
        one_by_one = [self.osc('rc', 'snapshot', 'create', s, '--wait')
                      for s in server_ids]
        a, b = measure.side_by_side(
            lambda: servers.create_then_delete(
                self.venv, cloud, batch,
                lambda rows: [r['Snapshot ID'] for r in rows]),
            lambda: servers.create_then_delete(
                self.venv, cloud, one_by_one, lambda snap: [snap['id']]),
            self.args.runs)
        self.table.add('Wall time: rc snapshot batch create --wait of %d '
                       'servers vs %d rc snapshot create --wait' % (
                           len(server_ids), len(server_ids)),
                       seconds(a), seconds(b), a / b, '<= 0.50', a / b <= 0.5)

    def keep_rows(self, server_id):
        """Requests of ``create --keep 2`` with three older snapshots of a
        volume-backed server (two pruned) vs ``create --wait``; what they
        made is pruned, untimed, afterwards."""
        create = self.osc('rc', 'snapshot', 'create', server_id, '--wait')
        plain = measure.count_requests([create])
        for _ in range(2):
            measure.run(create)
        keep = measure.count_requests([self.osc(
            'rc', 'snapshot', 'create', server_id, '--keep', '2')])
        measure.run(self.osc('rc', 'snapshot', 'prune', '--server',
                             server_id, '--keep', '0', '--yes', '--wait'))
        sys.stderr.write('bench: rc snapshot create --keep 2 makes: %s\n'
                         % keep['calls'])
        # The four listings, a DELETE per pruned image and volume
        # snapshot, and a few polls of the deletions.
        most = plain['api'] + 4 + 2 * 2 + 3
        self.table.add('HTTP requests: rc snapshot create --keep 2, 3 older '
                       'snapshots (2 pruned) vs create --wait, '
                       'volume-backed', requests_text(keep),
                       requests_text(plain), keep['api'] / plain['api'],
                       '<= %d' % most, keep['api'] <= most)

    def startup_rows(self, baseline):
        """Start-up: A is with the plugin, B the same venv without it.
        A few milliseconds matter here, so each side runs 4 times as
        often as elsewhere."""
        for args in (('--version',), ('--help',)):
            a, b = measure.side_by_side(
                self.timed([self.venv.argv(*args)]),
                self.timed([baseline.argv(*args)]), 4 * self.args.runs)
            self.table.add('Start-up: openstack %s, with vs without the '
                           'plugin' % args[0], seconds(a), seconds(b),
                           a / b, '<= 1.03', a / b <= 1.03)
        for args in (('--version',), ('rc', 'snapshot', 'list', '--help'),
                     ('rc', 'snapshot', 'list'),
                     ('rc', 'snapshot', 'share', '--help')):
            argv = args if args[-1].startswith('--') else (
                '--os-cloud', self.args.cloud) + args
            modules, cost = measure.plugin_imports(self.venv, *argv)
            heavy = [m.replace('rcsnap_osc.', '') for m in modules
                     if m.split('.')[1:2] and m.split('.')[1] in HEAVY]
            self.table.add('Imports: openstack %s' % ' '.join(args),
                           '%.1f ms, %d modules' % (cost / 1000.0,
                                                    len(modules)),
                           'SDK-calling: %s' % (' '.join(heavy) or 'none'))


def machine():
    import importlib.metadata as md

    cores = os.cpu_count()
    with open('/proc/meminfo') as info:
        mem = int(info.readline().split()[1]) // (1024 * 1024)
    versions = ', '.join('%s %s' % (n, md.version(n)) for n in (
        'python-openstackclient', 'openstacksdk', 'keystoneauth1',
        'osc-lib', 'cliff', 'rcsnap-osc'))
    return '%d cores, %d GiB RAM, %s, Python %s; %s' % (
        cores, mem, platform.platform(terse=True),
        platform.python_version(), versions)


def interrupt(signum, frame):
    raise KeyboardInterrupt()


def main(argv=None):
    args = parse_args(argv)
    fixtures.PARALLEL_WRITES = args.parallel_writes
    signal.signal(signal.SIGTERM, interrupt)
    venv = measure.Venv(sys.prefix)
    measure.compile_plugin()
    bench = Bench(args, venv)
    started = time.monotonic()
    fixture = fixtures.Fixture(args.cloud, args.admin_cloud or None,
                               args.timeout)
    made_servers = servers.Servers(args.cloud, args.servers,
                                   flavor=args.flavor, timeout=args.timeout)
    only = args.only
    try:
        if 'startup' in only:
            fixtures.say('copying this virtualenv without the plugin to %s'
                         % args.baseline_venv)
            bench.startup_rows(measure.Venv(measure.strip_plugin_copy(
                sys.prefix, args.baseline_venv)))
        if args.servers and 'create' in only:
            server_ids = made_servers.make()
            bench.create_rows(server_ids)
            bench.keep_rows(server_ids[0])
        if args.servers and 'schedule' in only:
            schedule.rows(bench, args, requests_text,
                          made_servers.server_ids or made_servers.make())
        if 'retention' in only:
            retention.rows(bench, args, requests_text)
        if only & {'show', 'list'}:
            fixture.make_volume()
            image_id, name = fixture.make_show_image(args.volumes)
        if 'show' in only:
            bench.show_rows(image_id, name,
                            fixture.snapshot_ids[:args.volumes])
        made = 1  # the snapshot shown is listed too
        for count in args.counts if 'list' in only else ():
            fixture.grow_images(max(count, made))
            made = max(count, made)
            bench.list_rows(made, count == args.counts[-1])
        if 'transfer' in only:
            transfer.rows(bench.table, args, venv, measure.side_by_side,
                          seconds)
        if 'restore' in only:
            restore.rows(bench, args, requests_text)
        if 'archive' in only:
            archive.rows(bench.table, args, venv, seconds)
        if 'verify' in only:
            verify.rows(bench, args, requests_text)
        if 'bin' in only:
            bin_list.rows(bench, args, requests_text)
            binning.rows(bench.table, args, venv, seconds)
        if 'files' in only:
            files.rows(bench.table, args, venv, seconds)
    except KeyboardInterrupt:
        fixtures.say('interrupted: removing what was made')
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # let cleanup finish
        try:
            made_servers.remove()
        finally:
            try:
                fixture.remove()
            except Exception as exc:  # the table is printed all the same
                fixtures.say('removing the fixture failed: %s' % exc)
                bench.table.failed += 1
        signal.signal(signal.SIGINT, signal.default_int_handler)
    print('Machine: %s' % machine())
    print('Cloud: %s%s; %d timed runs of each side (start-up: %d), '
          'medians; %.0f s in all; load average %s at the end' % (
              args.cloud, ' (%s)' % args.profile if args.profile else '',
              args.runs, 4 * args.runs, time.monotonic() - started,
              ' '.join('%.1f' % x for x in os.getloadavg())))
    print()
    print(bench.table.render())
    return 1 if bench.table.failed else 0


if __name__ == '__main__':
    sys.exit(main())
