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

"""The rows of ``rc snapshot schedule run``: N volume-backed servers
whose policies (``every=1h;keep=1``) are all due, in one run, against N
``rc snapshot create --keep 1`` one after the other; and its requests,
whose listings do not grow with N.

Each ``schedule run`` is of a new hourly window: the clock of the runs is
set an hour later each time (``RCSNAP_SCHEDULE_NOW``, hours in the past),
so that every run is due without waiting. Both sides make one snapshot
per server and prune one (``keep 1``): the same work.
"""

import datetime
import os

import fixtures
import measure

#: Listings of ``schedule run`` other than Glance's, whatever the number
#: of servers: the servers, the volumes (twice: the verdicts, the
#: pruning), the volume snapshots (the pruning, then once a poll while
#: the deletions end: one or two polls).
LISTINGS = 6


def listing(call):
    method, path = call.split(' ', 1)
    return method == 'GET' and path.rstrip('/').endswith((
        '/servers/detail', '/snapshots/detail', '/volumes/detail'))


def image_gets(call):
    """GET /v2/images: the two listings (shown, hidden), the lookup of
    each server's retention claim by name, and a read of a claim Glance
    refused (none when no other run is there)."""
    return call.split('?')[0].rstrip('/') in ('GET /v2/images',
                                              'GET /images')


class Clock:
    """The clock of the runs: an hour later each time, in the past."""

    def __init__(self):
        start = datetime.datetime.now(datetime.timezone.utc) - \
            datetime.timedelta(days=10)
        self.when = start.replace(minute=30, second=0, microsecond=0,
                                  tzinfo=None)

    def env(self):
        self.when += datetime.timedelta(hours=1)
        return dict(os.environ, RCSNAP_SCHEDULE_NOW=self.when.strftime(
            '%Y-%m-%dT%H:%M:%SZ'))


def coverage_rows(bench, requests_text, server_ids):
    """``rc snapshot coverage`` of the N servers the runs made snapshots
    of, against coverage of one of them: the same requests (a server
    listing and an image listing), whatever N. Both exit 0: every server
    is protected after the runs."""
    osc = bench.osc
    many = measure.count_requests([osc('rc', 'snapshot', 'coverage', *[
        a for s in server_ids for a in ('--server', s)])])
    one = measure.count_requests([osc('rc', 'snapshot', 'coverage',
                                      '--server', server_ids[0])])
    fixtures.say('rc snapshot coverage makes: %s' % many['calls'])
    bench.table.add('HTTP requests: rc snapshot coverage, %d servers vs 1 '
                    'server (a server listing, an image listing)' % len(
                        server_ids), requests_text(many), requests_text(one),
                    many['api'] / one['api'], '== 1.00, 2 requests',
                    many['api'] == one['api'] == 2)


def rows(bench, args, requests_text, server_ids):
    """Set the policies, measure, then remove the snapshots and the
    policies (also on failure)."""
    osc = bench.osc
    clock = Clock()
    for server_id in server_ids:
        measure.run(osc('rc', 'snapshot', 'schedule', 'set', server_id,
                        '--every', '1h', '--keep', '1'))
    run = osc('rc', 'snapshot', 'schedule', 'run', *[
        a for s in server_ids for a in ('--server', s)])
    creates = [osc('rc', 'snapshot', 'create', s, '--keep', '1')
               for s in server_ids]
    n = len(server_ids)
    try:
        a, b = measure.side_by_side(
            lambda: measure.run(run, env=clock.env())[0],
            lambda: measure.run_all(creates), args.runs)
        bench.table.add('Wall time: rc snapshot schedule run, %d servers due '
                        '(keep 1) vs %d rc snapshot create --keep 1' % (n, n),
                        '%.2f s' % a, '%.2f s' % b, a / b, '<= 0.40',
                        a / b <= 0.4)
        os.environ['RCSNAP_SCHEDULE_NOW'] = clock.env()[
            'RCSNAP_SCHEDULE_NOW']
        try:
            made = measure.count_requests([run])
            plain = measure.count_requests(creates)
        finally:
            del os.environ['RCSNAP_SCHEDULE_NOW']
        lists = sum(1 for c in made['calls'] if listing(c))
        images = sum(1 for c in made['calls'] if image_gets(c))
        fixtures.say('rc snapshot schedule run makes: %s' % made['calls'])
        bench.table.add('HTTP requests: rc snapshot schedule run, %d servers '
                        'due vs %d create --keep 1 (%d listings of servers, '
                        'volume snapshots, volumes; %d image GETs: 2 '
                        'listings, 1 claim lookup per server)' % (
                            n, n, lists, images), requests_text(made),
                        requests_text(plain), made['api'] / plain['api'],
                        '<= 1.00, %d listings' % LISTINGS,
                        made['api'] <= plain['api'] and lists <= LISTINGS
                        and images <= 2 + n)
        coverage_rows(bench, requests_text, server_ids)
    finally:
        for server_id in server_ids:
            measure.run(osc('rc', 'snapshot', 'prune', '--server',
                            server_id, '--keep', '0', '--yes', '--wait'))
            measure.run(osc('rc', 'snapshot', 'schedule', 'unset',
                            server_id))
