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

"""What an export, an import or a copy to another cloud is asked to do,
and how it waits and reports: one object instead of a dozen parameters.
"""

import dataclasses
import sys

from rcsnap_osc.cloud import report


@dataclasses.dataclass(frozen=True)
class Request:
    """The arguments of ``export``, ``import`` and ``copy --to-cloud``
    (each reads the fields it needs), with the waiter of its polls, its
    ``say`` and the stream its meters write to."""

    waiter: object
    say: object
    stderr: object = sys.stderr
    #: The snapshot to export or copy: a name or an ID.
    snapshot: str | None = None
    #: The directory of the export's files.
    directory: str | None = None
    #: The new snapshot's name (None: the source's).
    name: str | None = None
    #: What the new snapshot is made as (``--as``; None: as the source).
    kind: str | None = None
    #: The disk format of the images made of volumes.
    disk_format: str | None = None
    #: Which volumes are exported: ``root`` or ``all``.
    volumes: str = 'root'
    #: The volume type of every new volume (None: each disk's own).
    volume_type: str | None = None
    #: The clouds.yaml entry, and region, a copy goes to.
    cloud: str | None = None
    region: str | None = None

    @property
    def reporter(self):
        """Its ``say`` and its waiter's progress as one reporter (what
        the ledger and the volume-image pipeline take)."""
        return _Reporter(self.say, self.waiter.progress)


class _Reporter(report.Reporter):

    def __init__(self, say, progress):
        self.say = say
        self.progress = progress
