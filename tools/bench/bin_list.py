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
"""The bin list rows: the requests ``rc snapshot bin list`` makes with 1
and many snapshots in the recycle bin (``--bin-counts``), the same at
every count.

The fixture: cheap binned snapshot records, each one image POST made as
the bin leaves a snapshot (hidden, protected, the bin's properties) with
a root mapping entry, so that bin list also lists the volume snapshots
for the sizes; no bytes, no volume snapshot. Removed at the end (also on
failure or Ctrl-C): unprotected, then deleted.
"""

import datetime
import json
import uuid

import openstack

import fixtures
import measure

STAMP = '%Y-%m-%dT%H:%M:%SZ'


def add_arguments(parser):
    parser.add_argument('--bin-counts', metavar='<n,n,...>',
                        default='1,10,100',
                        help='bin list rows: binned snapshots listed '
                             '(default: 1,10,100)')


class Binned:

    def __init__(self, args):
        self.conn = openstack.connect(cloud=args.cloud)
        self.prefix = 'rcsnap-bench-bin-%s' % uuid.uuid4().hex[:6]
        self.image_ids = []

    def body(self, index):
        now = datetime.datetime.now(datetime.timezone.utc)
        mapping = json.dumps([{
            'boot_index': 0, 'device_name': '/dev/vda',
            'source_type': 'snapshot', 'destination_type': 'volume',
            'snapshot_id': str(uuid.uuid4()), 'volume_size': 1,
            'delete_on_termination': False}])
        return {'name': '%s-%05d' % (self.prefix, index),
                'disk_format': 'raw', 'container_format': 'bare',
                'visibility': 'private', 'bdm_v2': 'True',
                'block_device_mapping': mapping,
                'root_device_name': '/dev/vda', 'os_hidden': True,
                'protected': True, 'rcsnap_was_protected': 'false',
                'rcsnap_binned_at': now.strftime(STAMP),
                'rcsnap_binned_by': 'bench',
                'rcsnap_bin_until': (now + datetime.timedelta(
                    days=7)).strftime(STAMP)}

    def grow(self, count):
        start = len(self.image_ids)
        if count <= start:
            return
        fixtures.say('bin list: %d binned snapshot records' % (count - start))

        def post(index):
            response = self.conn.image.post('/images', json=self.body(index))
            openstack.exceptions.raise_from_response(response)
            self.image_ids.append(response.json()['id'])
        fixtures.parallel(post, range(start, count))

    def remove(self):
        def delete(image_id):
            self.conn.image.update_image(image_id, is_protected=False)
            self.conn.image.delete_image(image_id, ignore_missing=True)
        if self.image_ids:
            fixtures.say('bin list: removing %d records' % len(self.image_ids))
            fixtures.parallel(delete, list(self.image_ids))
            self.image_ids = []


def rows(bench, args, requests_text):
    """A row per count of ``--bin-counts``: bin list's requests, against
    those at the first count (the target: the same, pages apart)."""
    counts = [int(c) for c in args.bin_counts.split(',') if c]
    binned = Binned(args)
    first = None
    try:
        for count in counts:
            binned.grow(count)
            made = bench.osc('rc', 'snapshot', 'bin', 'list')
            found = measure.count_requests([made])
            first = first or found
            pages = count // 1000
            bench.table.add(
                'HTTP requests: rc snapshot bin list, %d binned vs %d '
                'binned' % (count, counts[0]), requests_text(found),
                requests_text(first), found['api'] / first['api'],
                '<= %d' % (2 + pages), found['api'] <= 2 + pages)
    finally:
        binned.remove()
