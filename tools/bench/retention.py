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

"""The rows of ``rc snapshot usage`` and ``rc snapshot prune --dry-run``:
their requests at each snapshot count, and their wall time at the last.

The fixture is the benchmark's own (:class:`fixtures.Fixture`: volume
snapshots and images written as Nova writes volume-backed snapshots), with
every image attributed to one server through the property ``create``
records (``rcsnap:server_id``). That server is never booted: ``prune``
takes the ID of a deleted server, and one lookup answers 404 where it
would answer 200, so the requests are the same.
"""

import json
import uuid

import fixtures
import measure

#: The requests of the plain ``usage`` view and of ``prune --dry-run``,
#: at any count. ``usage`` was asked for 5; the sixth is the listing of
#: hidden images, which Glance cannot list with the others (the benchmark
#: guide has the numbers), and the show rows allow the same 6.
USAGE_TARGET = 6
PRUNE_TARGET = 5
#: ``prune --keep``: all but the newest go, the most work a plan can be.
KEEP = 1


def rows(bench, args, requests_text):
    """Add the rows to ``bench.table`` for each of ``args.counts``; the
    fixture is made before and removed after, also on failure or
    Ctrl-C. ``requests_text`` formats a :func:`measure.count_requests`."""
    server_id = str(uuid.uuid4())
    fixture = fixtures.Fixture(args.cloud, args.admin_cloud or None,
                               args.timeout,
                               properties={'rcsnap:server_id': server_id})
    try:
        fixture.make_volume()
        for count in args.counts:
            fixture.grow_images(count)
            _count_rows(bench, requests_text, server_id, count)
        _time_rows(bench, server_id, args.counts[-1])
    finally:
        fixture.remove()


def _usage(bench):
    return [bench.osc('rc', 'snapshot', 'usage')]


def _prune(bench, server_id):
    return [bench.osc('rc', 'snapshot', 'prune', '--server', server_id,
                      '--keep', str(KEEP), '--dry-run')]


def _count_rows(bench, requests_text, server_id, count):
    usage = _usage(bench)
    found = json.loads(measure.run(usage[0])[1])
    made = measure.count_requests(usage)
    bench.table.add('HTTP requests: rc snapshot usage, %d snapshots'
                    % count, requests_text(made),
                    'counted %d snapshots' % found['snapshots'], None,
                    '<= %d' % USAGE_TARGET, made['api'] <= USAGE_TARGET)
    prune = _prune(bench, server_id)
    plan = json.loads(measure.run(prune[0])[1])
    made = measure.count_requests(prune)
    going = sum(1 for row in plan if row['Kind'] == 'image'
                and row['Result'] == 'would delete')
    bench.table.add('HTTP requests: rc snapshot prune --keep %d --dry-run, '
                    '%d snapshots of the server' % (KEEP, count),
                    requests_text(made), '%d images would go' % going, None,
                    '<= %d' % PRUNE_TARGET, made['api'] <= PRUNE_TARGET)


def _time_rows(bench, server_id, count):
    """Wall time against ``rc snapshot list`` (two listings): what the
    extra requests, made at once, cost."""
    listing = bench.timed([bench.osc('rc', 'snapshot', 'list')])
    for what, argvs in (
            ('rc snapshot usage', _usage(bench)),
            ('rc snapshot prune --keep %d --dry-run' % KEEP,
             _prune(bench, server_id))):
        a, b = measure.side_by_side(bench.timed(argvs), listing,
                                    bench.args.runs)
        bench.table.add('Wall time: %s vs rc snapshot list, %d snapshots'
                        % (what, count), '%.2f s' % a, '%.2f s' % b, a / b)
