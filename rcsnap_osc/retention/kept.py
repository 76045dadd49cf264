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

"""Archiving what a retention keeps: the volume-backed snapshots its
rules keep that are older than their ``archive_after``, archived as
``rc snapshot archive`` archives them, all planned from one set of
archive listings, each on its own (:func:`archive_run.plan_each`): one
that cannot be archived keeps its row with the reason."""

import datetime

from rcsnap_osc.archive import run as archive_run
from rcsnap_osc.cloud import report
from rcsnap_osc.core import archives
from rcsnap_osc import errors
from rcsnap_osc.retention import plan


def plan_archiving(conn, retention, now=None):
    """The :class:`plan.Archiving` of what the retention's prunings keep
    (one for all), set on the retention and each pruning: nothing is read
    when none is due."""
    now = now or datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None)
    due = [image for pruning in retention.prunings
           if pruning.archive_after is not None
           for image in archives.due(
               [image for image, _why in pruning.choice.kept],
               pruning.archive_after, now)]
    archiving = plan.Archiving()
    if due:
        archiving = plan.Archiving(*archive_run.plan_each(
            conn, [i['id'] for i in due]))
        archiving.previews = archive_run.planned(archiving.plans)
    retention.archiving = archiving
    for pruning in retention.prunings:
        pruning.archiving = archiving
    return archiving


def archive(conn, archiving, wait, reporter):
    """Archive what ``archiving`` plans (nothing without plans), waiting
    ``wait`` seconds for the volume snapshots to go (None: not);
    ``archiving.results`` says what was made, ``archiving.error`` why it
    failed (the deletions stand: the error is not raised)."""
    if not archiving.plans:
        return
    try:
        archiving.results = archive_run.carry_out_kept(
            conn, archiving.plans, archiving.service, wait,
            _Recording(archiving, reporter))
    except errors.Refused as exc:
        archiving.error = exc


class Forwarding(report.Reporter):
    """A reporter that says and shows what its ``reporter`` would, and
    keeps what is made to itself."""

    def __init__(self, reporter):
        self.reporter = reporter

    def say(self, text):
        self.reporter.say(text)

    def progress(self, label):
        return self.reporter.progress(label)


class _Recording(Forwarding):
    """The reporter of an archive, recording its results once made."""

    def __init__(self, archiving, reporter):
        super().__init__(reporter)
        self.archiving = archiving

    def made(self, results):
        self.archiving.results = results
