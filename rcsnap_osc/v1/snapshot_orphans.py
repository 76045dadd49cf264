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

"""``rc snapshot orphans``: the volume snapshots no image refers to, the
backups ``archive`` made whose image is gone, and the claims of dead
runs."""

from osc_lib.cli import format_columns

from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base
from rcsnap_osc.v1 import common

HEADERS = ('ID', 'Name', 'Size GiB', 'Status', 'Created At', 'Volume',
           'Dependent Volumes', 'Reason')


class ListSnapshotOrphan(base.Lister):
    _description = _(
        "List orphaned volume snapshots (leftovers of deleted instance "
        "snapshots) and the claims of runs that died.\n\n"
        "They count against the quotas or hold nothing; \"rc snapshot "
        "delete --orphans\" deletes them.\n\n"
        "The user guide page \"Delete a snapshot, and what it frees\" has "
        "the details.")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--all',
            action='store_true',
            help=_('Also list the volume snapshots no image refers to that '
                   'may still be wanted: made by hand or by another tool, '
                   "Cinder's own, the base of a backup, or the source of a "
                   'volume; Reason says which'),
        )
        parser.add_argument(
            '--all-projects',
            action='store_true',
            help=_('The orphans of every project, with a Project column '
                   '(needs the admin role)'),
        )
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.delete import plan
        from rcsnap_osc.delete import run as deleting

        listed = deleting.list_orphans(self.conn, parsed_args.all,
                                       parsed_args.all_projects)
        for note in plan.notes(listed.volume_snapshots):
            self.app.stderr.write(note + '\n')
        names = listed.names
        if names is None:
            return HEADERS, [row(o) for o in listed.volume_snapshots] + \
                backup_rows(listed.backups) + claim_rows(listed.claims)
        return ('Project',) + HEADERS, [
            (names.get(o.project) or o.project,) + row(o)
            for o in listed.volume_snapshots
        ] + [(names.get(project) or project or '',) + backup
             for project, backup in backup_rows(listed.backups,
                                                with_project=True)] + [
            (names.get(c.image.get('owner')) or c.image.get('owner'),) + r
            for c, r in zip(listed.claims, claim_rows(listed.claims))]


def row(orphan):
    """The :data:`HEADERS` of one orphan."""
    return (orphan.id, orphan.snapshot.get('name'),
            common.SizeColumn(orphan.size_gib),
            orphan.snapshot.get('status'), orphan.snapshot.get('created_at'),
            orphan.snapshot.get('volume_id'),
            format_columns.ListColumn(orphan.dependents),
            '; '.join(orphan.reasons))


def claim_rows(dead):
    """The rows of the claims of dead runs: a claim holds no data."""
    return [(c.id, c.name, common.SizeColumn(0), c.image.get('status'),
             c.image.get('created_at'), '', format_columns.ListColumn(()),
             c.reason) for c in dead]


#: The owner of a backup, in an admin's listing of every project (3.18).
BACKUP_PROJECT = 'os-backup-project-attr:project_id'


def backup_rows(backups, with_project=False):
    """The rows of the backups ``archive`` made whose image is gone;
    ``with_project``: ``(project ID, row)`` pairs."""
    from rcsnap_osc.core import archives

    rows = []
    for b in backups:
        rows.append((
            b['id'], b.get('name'), common.SizeColumn(b.get('size')),
            b.get('status'), b.get('created_at'), b.get('volume_id'),
            format_columns.ListColumn(()),
            _('a backup "archive" made for image %(image)s, which is '
              'gone: delete it with `openstack volume backup delete '
              '%(id)s`') % {
                'image': b['metadata'][archives.BACKUP_IMAGE_KEY],
                'id': b['id']}))
        if with_project:
            rows[-1] = (b.get(BACKUP_PROJECT), rows[-1])
    return rows
