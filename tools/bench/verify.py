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

"""The verify rows: ``rc snapshot verify --boot`` against ``rc snapshot
launch --wait`` then ``openstack server delete --wait`` of the same
snapshot (wall time), and the requests of ``verify`` of 1 and of
``--verify-count`` snapshots (default 50): the reads are the same, one
PATCH per snapshot records its result.

The fixtures are image-backed snapshots made cheaply (a private image of
1 KiB with ``image_type=snapshot``, as Nova marks a server snapshot);
the first is launched. Everything is removed at the end, also on failure
and Ctrl-C.
"""

import json
import os
import uuid

import openstack

import fixtures
import measure


def add_arguments(parser):
    parser.add_argument('--verify-runs', metavar='<n>', type=int, default=3,
                        help='verify rows: timed runs of each side of the '
                             'drill row (default: 3; 0 leaves it out)')
    parser.add_argument('--verify-count', metavar='<n>', type=int,
                        default=50, help='verify rows: snapshots verified '
                                         'at once (default: 50)')


class Fixture:

    def __init__(self, cloud, timeout):
        self.conn = openstack.connect(cloud=cloud, connect_retries=5)
        self.timeout = timeout
        self.prefix = 'rcsnap-bench-%s' % uuid.uuid4().hex[:6]
        self.image_ids = []

    def make(self, count):
        image = self.conn.image
        for n in range(count):
            made = image.create_image(
                name='%s-snap-%d' % (self.prefix, n), disk_format='raw',
                container_format='bare', visibility='private',
                image_type='snapshot', data=os.urandom(1024))
            self.image_ids.append(made.id)
        fixtures.say('made %d image-backed snapshots %s-snap-*' % (
            count, self.prefix))

    def remove(self):
        compute = self.conn.compute
        for server in compute.servers(name='^%s' % self.prefix):
            compute.delete_server(server.id)
        for server in compute.servers(name='^verify-%s' % self.prefix):
            compute.delete_server(server.id)
        for image_id in self.image_ids:
            self.conn.image.delete_image(image_id, ignore_missing=True)


def rows(bench, args, requests_text):
    fixture = Fixture(args.cloud, args.timeout)
    try:
        fixture.make(max(args.verify_count, 1))
        first = fixture.image_ids[0]
        one = measure.count_requests([bench.osc('rc', 'snapshot', 'verify',
                                                first)])
        many = measure.count_requests([bench.osc(
            'rc', 'snapshot', 'verify', *fixture.image_ids)])
        count = len(fixture.image_ids)
        reads = [c for c in many['calls'] if not c.startswith('PATCH')]
        bench.table.add(
            'HTTP requests: rc snapshot verify of %d snapshots vs of 1 '
            '(image-backed; one PATCH each records the result)' % count,
            requests_text(many), requests_text(one),
            many['api'] / one['api'], 'reads <= 2, %d PATCH' % count,
            len(reads) <= 2 and many['api'] - len(reads) == count)
        if args.verify_runs:
            drill_row(bench, args, fixture, first)
    finally:
        fixture.remove()


def drill_row(bench, args, fixture, image_id):
    name = '%s-l' % fixture.prefix

    def verify():
        return measure.run(bench.osc('rc', 'snapshot', 'verify', image_id,
                                     '--boot'))[0]

    def launch_and_delete():
        secs, out, _err = measure.run(bench.osc(
            'rc', 'snapshot', 'launch', image_id, '--name', name,
            '--no-network', '--wait'))
        server_id = json.loads(out)['id']
        more, _out, _err = measure.run(bench.venv.argv(
            '--os-cloud', args.cloud, 'server', 'delete', '--wait',
            server_id))
        return secs + more

    a, b = measure.side_by_side(verify, launch_and_delete, args.verify_runs)
    bench.table.add('Wall time: rc snapshot verify --boot vs rc snapshot '
                    'launch --wait + server delete --wait, image-backed',
                    '%.2f s' % a, '%.2f s' % b, a / b, '<= 1.10',
                    a / b <= 1.1)
