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

"""The ranged file: blocks, the cache, read-ahead, the end of the disk."""

import io

import testtools

from rcsnap_osc.cloud import ranged

DATA = bytes(range(256)) * 64  # 16 KiB


class Fetches:
    """A ``fetch(start, end)`` that records what it was asked."""

    def __init__(self, data=DATA):
        self.data = data
        self.asked = []

    def __call__(self, start, end):
        self.asked.append((start, end))
        return self.data[start:end + 1]


class TestRangedFile(testtools.TestCase):

    def open(self, **kwargs):
        fetch = Fetches()
        kwargs.setdefault('block', 1024)
        return ranged.RangedFile(fetch, len(DATA), **kwargs), fetch

    def test_reads_whole_blocks_once(self):
        f, fetch = self.open()
        f.seek(100)
        self.assertEqual(DATA[100:200], f.read(100))
        self.assertEqual(DATA[300:400], f.read(100) and (
            f.seek(300), f.read(100))[1])
        self.assertEqual([(0, 1023)], fetch.asked)
        self.assertEqual(400, f.tell())

    def test_read_across_blocks(self):
        f, fetch = self.open()
        f.seek(1000)
        self.assertEqual(DATA[1000:3100], f.read(2100))
        self.assertEqual([(0, 1023), (1024, 3071), (3072, 7167)],
                         fetch.asked)

    def test_read_ahead_doubles_while_sequential_and_resets(self):
        f, fetch = self.open(max_ahead=4)
        self.assertEqual(DATA[:9 * 1024], f.read(9 * 1024))
        self.assertEqual([(0, 1023), (1024, 3071), (3072, 7167),
                          (7168, 11263)], fetch.asked)
        f.seek(14 * 1024)
        f.read(1)
        self.assertEqual((14 * 1024, 15 * 1024 - 1), fetch.asked[-1])

    def test_the_last_block_is_short_and_reads_stop_at_the_end(self):
        f, fetch = self.open(block=5000)
        f.seek(15000)
        self.assertEqual(DATA[15000:], f.read(5000))
        self.assertEqual(b'', f.read(10))
        self.assertEqual([(15000, len(DATA) - 1)], fetch.asked)
        f.seek(-10, io.SEEK_END)
        self.assertEqual(DATA[-10:], f.read())

    def test_the_cache_keeps_the_latest_blocks(self):
        f, fetch = self.open(cache_blocks=2, max_ahead=1)
        for offset in (0, 4096, 8192, 0):
            f.seek(offset)
            f.read(1)
        self.assertEqual([(0, 1023), (4096, 5119), (8192, 9215),
                          (0, 1023)], fetch.asked)
        f.seek(8192)
        f.read(1)
        self.assertEqual(4, len(fetch.asked))

    def test_a_negative_seek_is_refused(self):
        f, _fetch = self.open()
        self.assertRaises(OSError, f.seek, -1)

    def test_readinto_and_size(self):
        f, _fetch = self.open()
        buffer = bytearray(10)
        self.assertEqual(10, f.readinto(buffer))
        self.assertEqual(DATA[:10], bytes(buffer))
        self.assertEqual(len(DATA), f.get_size())
        self.assertTrue(f.readable() and f.seekable())
