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

"""An image's data as a seekable file, read with HTTP ``Range`` requests:
only the blocks a reader asks for travel, never the whole disk.

``GET /v2/images/{id}/file`` with ``Range: bytes=a-b`` is answered 206
with ``Content-Range: bytes a-b/size`` by Glance. A 200 to a ranged
request means the server ignored the range and is sending the whole disk:
that is refused, and the connection closed before the body is read.
Blocks are kept in a small cache; a miss right after the previous one
reads further ahead (doubling up to :data:`MAX_AHEAD` blocks), since
filesystems read files and metadata mostly in order. The requests go
through the SDK's image proxy, so the session's retries of reads
(:mod:`rcsnap_osc.cloud.session`: connect errors, 502/503/504) apply;
a body cut short is asked for again, as many times.

Kept rather than the SDK's ``download_image``: it has no ranges.
"""

import collections
import io
import re

from rcsnap_osc.cloud import session
from rcsnap_osc.errors import Refused
from rcsnap_osc.i18n import _

#: Bytes of one cached block.
BLOCK = 128 * 1024

#: Blocks kept (LRU): 32 MiB.
CACHE_BLOCKS = 256

#: The most blocks one request reads ahead of a sequential reader.
MAX_AHEAD = 32

_CONTENT_RANGE = re.compile(r'^bytes (\d+)-(\d+)/(\d+|\*)$')


class Counter:
    """What a ranged file cost: requests and bytes received."""

    def __init__(self):
        self.requests = 0
        self.bytes = 0


def glance_fetch(conn, image_id, counter=None):
    """``fetch(start, end)``: the bytes ``start..end`` (inclusive) of an
    image's data, from one ranged GET."""
    from requests import exceptions as req_exc

    path = '/images/%s/file' % image_id
    counter = counter or Counter()

    def fetch(start, end):
        for attempt in range(session.CONNECT_RETRIES + 1):
            response = conn.image.get(
                path, stream=True,
                headers={'Range': 'bytes=%d-%d' % (start, end)})
            counter.requests += 1
            try:
                data = _body(response, image_id, start, end)
            except (req_exc.ChunkedEncodingError,
                    req_exc.ConnectionError) as exc:
                if attempt == session.CONNECT_RETRIES:
                    raise Refused(_(
                        'Reading image %(id)s failed: %(why)s') % {
                            'id': image_id, 'why': exc}) from exc
                continue
            finally:
                response.close()
            if len(data) == end - start + 1:
                counter.bytes += len(data)
                return data
        raise Refused(_('Reading image %(id)s failed: bytes %(start)d-%(end)d'
                        ' came short %(n)d times') % {
                            'id': image_id, 'start': start, 'end': end,
                            'n': session.CONNECT_RETRIES + 1})
    return fetch


def _body(response, image_id, start, end):
    """The body of a 206 for ``start..end``; any other answer refused
    without reading it."""
    from openstack import exceptions as sdk_exc

    if response.status_code == 200:
        raise Refused(_(
            'The image service ignored a ranged read of image %s (HTTP 200 '
            'instead of 206): refusing to download the whole disk.') % (
                image_id))
    sdk_exc.raise_from_response(response)
    if response.status_code != 206:
        raise Refused(_('Ranged read of image %(id)s answered HTTP %(code)s,'
                        ' not 206.') % {'id': image_id,
                                        'code': response.status_code})
    found = _CONTENT_RANGE.match(response.headers.get('Content-Range', ''))
    if not found or (int(found.group(1)), int(found.group(2))) != (start,
                                                                   end):
        raise Refused(_(
            'Ranged read of image %(id)s: asked bytes %(start)d-%(end)d, got'
            ' Content-Range %(got)r.') % {
                'id': image_id, 'start': start, 'end': end,
                'got': response.headers.get('Content-Range')})
    return b''.join(response.iter_content(1024 * 1024))


class ReadOnlyFile(io.RawIOBase):
    """A read-only, seekable file of ``_size`` bytes, read at ``_pos``:
    what the partition, volume and filesystem readers take. Subclasses
    give :meth:`read`, or the blocks :meth:`read_blocks` joins."""

    _size = 0
    _pos = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def get_size(self):
        return self._size

    def tell(self):
        return self._pos

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos,
                io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise OSError(_('negative seek position'))
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def wanted(self, size):
        """``read``'s ``size``, within what is left of the file."""
        if size is None or size < 0:
            size = self._size - self._pos
        return max(0, min(size, self._size - self._pos))

    def read_blocks(self, size, block, get):
        """``size`` bytes from ``_pos``, out of the ``block``-byte blocks
        ``get(index)`` gives."""
        size = self.wanted(size)
        parts = []
        while size:
            index, skip = divmod(self._pos, block)
            data = get(index)[skip:skip + size]
            parts.append(data)
            self._pos += len(data)
            size -= len(data)
        return b''.join(parts)


class RangedFile(ReadOnlyFile):
    """A read-only, seekable file of ``size`` bytes whose data comes from
    ``fetch(start, end)`` (inclusive), a block at a time, cached."""

    def __init__(self, fetch, size, block=BLOCK, cache_blocks=CACHE_BLOCKS,
                 max_ahead=MAX_AHEAD):
        super().__init__()
        self._fetch = fetch
        self._size = size
        self._block = block
        self._cache = collections.OrderedDict()
        self._cache_blocks = cache_blocks
        self._max_ahead = max_ahead
        self._ahead = 1
        self._last_miss = None
        self._pos = 0

    def read(self, size=-1):
        return self.read_blocks(size, self._block, self._get)

    def _get(self, index):
        if index in self._cache:
            self._cache.move_to_end(index)
            return self._cache[index]
        if self._last_miss is not None and index == self._last_miss + 1:
            self._ahead = min(self._ahead * 2, self._max_ahead)
        else:
            self._ahead = 1
        count = 1
        while (count < self._ahead and index + count not in self._cache
               and (index + count) * self._block < self._size):
            count += 1
        self._last_miss = index + count - 1
        start = index * self._block
        end = min((index + count) * self._block, self._size) - 1
        data = self._fetch(start, end)
        for i in range(count):
            self._cache[index + i] = data[i * self._block:
                                          (i + 1) * self._block]
            self._cache.move_to_end(index + i)
        while len(self._cache) > self._cache_blocks:
            self._cache.popitem(last=False)
        return self._cache[index]
