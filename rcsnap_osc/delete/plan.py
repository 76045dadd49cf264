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

"""What ``rc snapshot delete`` was asked to do. What a deletion may remove
is the one delete plan of :mod:`rcsnap_osc.core.deletion`, shared with
``prune`` and ``create --keep``."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Request:
    """What ``delete`` was asked for: the snapshots named (or, with
    ``orphans``, the project's orphans, ``include_all`` of them, those
    older than ``min_age`` seconds; None: the default; with
    ``all_projects``, an admin's, those of ``project``), and ``wait``
    seconds for the volume snapshots to go (None: do not wait)."""

    names: tuple = ()
    force: bool = False
    keep_volume_snapshots: bool = False
    dry_run: bool = False
    wait: int | None = None
    include_all: bool = False
    min_age: int | None = None
    all_projects: bool = False
    project: str | None = None
