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

"""What the commands call to move a snapshot as files: export it into a
directory, import one, copy it into another cloud. Each makes the
:class:`request.Request` of its workflow, with one waiter whose deadline
(``timeout`` seconds) spans every poll of the pipeline, the reporter's
lines and progress, and ``stderr`` for the transfer meters."""

from rcsnap_osc.cloud import volume_images
from rcsnap_osc.portable import from_files
from rcsnap_osc.portable import request
from rcsnap_osc.portable import to_cloud
from rcsnap_osc.portable import to_files


def _request(reporter, stderr, timeout, asked):
    return request.Request(
        volume_images.Waiter(timeout, reporter.progress), reporter.say,
        stderr, **asked)


def export(conn, reporter, stderr, timeout, **asked):
    """:func:`to_files.export` (``asked``: ``snapshot``, ``directory``,
    ``disk_format``, ``volumes``): its :class:`to_files.Exported`."""
    return to_files.export(conn, _request(reporter, stderr, timeout, asked))


def import_snapshot(conn, reporter, stderr, timeout, **asked):
    """:func:`from_files.import_snapshot` (``asked``: ``directory``,
    ``name``, ``kind``, ``volume_type``): the new snapshot's image and
    the IDs of its volumes."""
    return from_files.import_snapshot(
        conn, _request(reporter, stderr, timeout, asked))


def copy(conn, reporter, stderr, timeout, **asked):
    """:func:`to_cloud.copy` (``asked``: ``snapshot``, ``cloud``,
    ``region``, ``name``, ``kind``, ``disk_format``, ``volume_type``): the
    new snapshot's image on the target and the IDs of its volumes
    there."""
    return to_cloud.copy(conn, _request(reporter, stderr, timeout, asked))
