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

"""Image data to and from files, in chunks: memory stays constant whatever
the disk's size. The sha256 of every byte, and Glance's own
``os_hash_algo`` digest, are computed while the data streams; an
interrupted download resumes with HTTP ``Range`` from its ``.part`` file.

Kept rather than the SDK's ``download_image``/``upload_image``: the first
checks only the md5 ``checksum`` at the end and cannot resume, the second
does not hash what it sends.
"""

import hashlib
import os
import sys
import time

from openstack import exceptions as sdk_exc

from rcsnap_osc.core import snapshots
from rcsnap_osc.errors import Refused
from rcsnap_osc.i18n import _

#: Bytes read or written at a time.
CHUNK = 1024 * 1024

PART = '.part'


class Meter:
    """Progress of one file on stderr: bytes, rate and ETA redrawn on a
    terminal at most every ``every`` s; a single line at the end
    otherwise."""

    def __init__(self, stderr, label, total, done=0, clock=time.monotonic,
                 every=0.5, quiet=False):
        self.stderr = stderr
        self.label = label
        self.total = total
        self.done = done
        self.start_done = done
        self.clock = clock
        self.start = self.last = clock()
        self.every = every
        self.tty = bool(getattr(stderr, 'isatty', lambda: False)())
        #: Say nothing unless on a terminal.
        self.quiet = quiet and not self.tty

    def rate(self):
        elapsed = max(self.clock() - self.start, 1e-6)
        return (self.done - self.start_done) / elapsed

    def add(self, count):
        self.done += count
        now = self.clock()
        if self.tty and now - self.last >= self.every:
            self.last = now
            rate = self.rate()
            eta = ('%d s' % ((self.total - self.done) / rate)
                   if rate and self.total else '-')
            self.stderr.write('\r%s: %s of %s, %s/s, ETA %s   ' % (
                self.label, snapshots.format_size(self.done),
                snapshots.format_size(self.total),
                snapshots.format_size(int(rate)), eta))
            self.stderr.flush()

    def finish(self):
        if self.quiet:
            return
        elapsed = self.clock() - self.start
        self.stderr.write('%s%s: %s in %.1f s (%s/s)\n' % (
            '\r' if self.tty else '', self.label,
            snapshots.format_size(self.done), elapsed,
            snapshots.format_size(int(self.rate()))))
        self.stderr.flush()


def file_digest(path, algo='sha256', meter=None):
    """The digest of a file, read in chunks."""
    digest = hashlib.new(algo)
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(CHUNK), b''):
            digest.update(chunk)
            if meter:
                meter.add(len(chunk))
    return digest.hexdigest()


def download(conn, image, path, stderr=sys.stderr):
    """Stream an image's data into ``path``; return (bytes, sha256).

    The data goes to ``path.part`` first: what it already holds is kept
    and only the rest asked for (``Range``; Glance answers 206), unless
    Glance sends the whole image again (200). When Glance's own digest
    (``os_hash_algo``/``os_hash_value``) does not match, the file is
    deleted and the export refused.
    """
    part = path + PART
    have = os.path.getsize(part) if os.path.exists(part) else 0
    total = image.get('size') or 0
    if total and have > total:
        have = 0
    algo = image.get('os_hash_algo')
    wanted = image.get('os_hash_value')
    headers = {'Range': 'bytes=%d-' % have} if have else {}
    response = conn.image.get('/images/%s/file' % image['id'], stream=True,
                              headers=headers)
    if response.status_code == 416 and have == total:
        response.close()  # the part file already holds every byte
        response = None
    else:
        sdk_exc.raise_from_response(response)
        if response.status_code != 206:
            have = 0
    sha = hashlib.sha256()
    glance = hashlib.new(algo) if algo and wanted else None
    meter = Meter(stderr, os.path.basename(path), total, have)
    with open(part, 'r+b' if have else 'wb') as f:
        for chunk in _chunks_of(f, have):
            sha.update(chunk)
            if glance:
                glance.update(chunk)
        f.seek(have)
        f.truncate()
        if response is not None:
            try:
                for chunk in response.iter_content(CHUNK):
                    f.write(chunk)
                    sha.update(chunk)
                    if glance:
                        glance.update(chunk)
                    meter.add(len(chunk))
            finally:
                response.close()
        size = f.tell()
    meter.finish()
    if glance and glance.hexdigest() != wanted:
        os.unlink(part)
        raise Refused(_(
            'The data of image %(id)s does not match its %(algo)s digest: '
            '%(file)s deleted.') % {'id': image['id'], 'algo': algo,
                                    'file': os.path.basename(path)})
    os.replace(part, path)
    return size, sha.hexdigest()


def _chunks_of(f, length):
    """The first ``length`` bytes of an open file, in chunks."""
    f.seek(0)
    left = length
    while left > 0:
        chunk = f.read(min(CHUNK, left))
        if not chunk:
            break
        left -= len(chunk)
        yield chunk


class HashingReader:
    """A file for ``requests`` to send in chunks (``len`` gives the
    Content-Length) that hashes what is sent and reports progress."""

    def __init__(self, path, meter=None):
        self._file = open(path, 'rb')
        self._size = os.fstat(self._file.fileno()).st_size
        self.sha256 = hashlib.sha256()
        self.meter = meter

    def __len__(self):
        return self._size

    def read(self, size=-1):
        # A whole chunk whatever the size asked: the HTTP client asks for
        # 16 KiB at a time, and each call costs (hashing, progress).
        chunk = self._file.read(CHUNK)
        self.sha256.update(chunk)
        if self.meter:
            self.meter.add(len(chunk))
        return chunk

    def close(self):
        self._file.close()


def put_data(conn, image_id, data):
    """PUT ``data`` (bytes or a reader) as an image's data in Glance."""
    response = conn.image.put(
        '/images/%s/file' % image_id, data=data,
        headers={'Content-Type': 'application/octet-stream'})
    sdk_exc.raise_from_response(response)


def upload(conn, image_id, path, expected, stderr=sys.stderr):
    """Upload a file as an image's data, in chunks; refuse (after the
    upload, before the image is used) when what was sent does not hash to
    ``expected``."""
    reader = HashingReader(path, Meter(stderr, os.path.basename(path),
                                       os.path.getsize(path)))
    try:
        put_data(conn, image_id, reader)
    finally:
        reader.close()
    reader.meter.finish()
    if reader.sha256.hexdigest() != expected:
        raise Refused(_(
            'File %s changed while it was uploaded: its sha256 no longer '
            'matches the manifest.') % os.path.basename(path))


class StreamReader:
    """The data of a GET response for ``requests`` to send on, chunk by
    chunk (``len`` gives the Content-Length), checked against the source's
    Glance digest as it passes (no other hash: nothing reads one)."""

    def __init__(self, response, size, algo=None, meter=None):
        self.raw = response.raw
        self.size = size
        self.glance = hashlib.new(algo) if algo else None
        self.meter = meter

    def __len__(self):
        return self.size

    def read(self, size=-1):
        # A whole chunk whatever the size asked (see HashingReader.read).
        chunk = self.raw.read(CHUNK, decode_content=True)
        if self.glance:
            self.glance.update(chunk)
        if self.meter:
            self.meter.add(len(chunk))
        return chunk


def stream(source, image, target, image_id, stderr=sys.stderr):
    """Send an image's data from one cloud's Glance straight into another
    image's, in chunks (nothing on disk, constant memory); refuse when
    what passed does not match the source's own digest."""
    algo = image.get('os_hash_algo')
    wanted = image.get('os_hash_value')
    response = source.image.get('/images/%s/file' % image['id'],
                                stream=True)
    sdk_exc.raise_from_response(response)
    reader = StreamReader(response, image.get('size') or 0,
                          algo if wanted else None,
                          Meter(stderr, image.get('name') or image['id'],
                                image.get('size') or 0))
    try:
        put_data(target, image_id, reader)
    finally:
        reader.raw.close()
    reader.meter.finish()
    if reader.glance and reader.glance.hexdigest() != wanted:
        raise Refused(_(
            'The data of image %(id)s does not match its %(algo)s digest.')
            % {'id': image['id'], 'algo': algo})
