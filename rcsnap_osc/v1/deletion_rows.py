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

"""The outcomes of a deletion as rows and lines (delete, prune, the
paths that bin): shared by the commands that delete or bin."""

from rcsnap_osc.i18n import _
from rcsnap_osc.v1.common import whole_number

#: The bin's days: at least one (an argparse type).
BIN_DAYS = whole_number(1, _('a snapshot stays at least one day in the '
                             'bin; --purge skips it'))


def add_bin_days_argument(parser):
    parser.add_argument(
        '--bin-days',
        metavar='<days>',
        type=BIN_DAYS,
        default=None,
        help=_('Days a snapshot stays in the recycle bin before a '
               'retention run may purge it (default: the cloud\'s '
               '"rcsnap: bin_days" in clouds.yaml, else 7)'),
    )


def say_binned(say, outcomes):
    """The line of every path that bins: where, until when, what frees
    the quota now (nothing when nothing was binned)."""
    from rcsnap_osc.core import binning

    binned = [o for o in outcomes if o.state == binning.BINNED]
    images = [o for o in binned if o.item.kind == 'image']
    if images or binned:
        say(binning.where_line([o.item.resource_id for o in images or binned],
                               binned[0].reason, bool(images)))


#: What ``--wait`` waits for in a deletion.
DELETE_WAIT = _('the volume snapshots are gone, and report those Cinder '
                'failed to delete')

DELETE_RESULTS = {
    'delete': _('would delete'),
    'deleted': _('deleted'),
    'deleting': _('deleting'),
    'keep': _('kept (%s)'),
    'fail': _('failed (%s)'),
    'refuse': _('refused (%s)'),
    'binned': _('binned until %s'),
    'removed': _('deleted (%s)'),
    'remove': _('would delete (%s)'),
}

DELETE_KINDS = {'image': _('image'), 'volume snapshot': _('volume snapshot'),
                'data image': _('data image'), 'backup': _('backup'),
                'volume': _('volume'), 'claim': _('claim')}


#: What --dry-run says of an item that would fail or be refused.
DELETE_DRY_RUN_RESULTS = dict(DELETE_RESULTS, fail=_('would fail (%s)'),
                              refuse=_('would be refused (%s)'))


#: What --dry-run says of an item a delete path would bin.
BIN_DRY_RUN_RESULTS = dict(DELETE_DRY_RUN_RESULTS, delete=_('would bin'))


def delete_rows(outcomes, dry_run=False, binning=False, purged=()):
    """A row per outcome: ID, kind, name, result (what would be;
    ``binning``: a dry run of a path that bins, where the IDs ``purged``
    are deleted for real: in the bin past their date)."""
    plain = DELETE_DRY_RUN_RESULTS if dry_run else DELETE_RESULTS
    binned = BIN_DRY_RUN_RESULTS if dry_run and binning else plain

    def result(o):
        results = plain if o.item.resource_id in purged else binned
        return (results[o.state] % o.reason if '%s' in results[o.state]
                else results[o.state])
    return [(o.item.resource_id, DELETE_KINDS[o.item.kind], o.item.name or
             '', result(o)) for o in outcomes]


def purged_ids(pruning):
    """The IDs of the items of a pruning's snapshots in the bin past
    their date: a retention deletes them for real."""
    return {i.resource_id for p in pruning.plans
            if p.image and p.image.resource_id in pruning.due
            for i in p.items}


def kept_rows(choice):
    """The rows of the snapshots a pruning keeps, with the reason."""
    return [(image['id'], DELETE_KINDS['image'], image.get('name') or '',
             DELETE_RESULTS['keep'] % reason) for image, reason in choice.kept]


def say_pruned(say, pruning, outcomes, kept=None):
    """``create --keep``: a stderr line per thing a pruning deleted or
    kept (``kept``: those rows; stdout carries the snapshot's fields)."""
    for row in delete_rows(outcomes) + (kept or kept_rows(pruning.choice)):
        say(_('Pruning server %(server)s: %(kind)s %(id)s (%(name)s): '
              '%(result)s') % {
                  'server': pruning.server_name or pruning.server_id,
                  'kind': row[1], 'id': row[0], 'name': row[2],
                  'result': row[3]})


def pruned_ids(outcomes):
    """The IDs of the snapshot images a pruning binned or deleted."""
    return [o.item.resource_id for o in outcomes
            if o.item.kind == 'image' and o.state in ('deleted', 'binned')]


def deletion_failure(plans, outcomes, dry_run=False, what=None):
    """The error a deletion ends with, after its table, when anything
    failed or was refused (``what``: of what; default: snapshots); None
    when everything went as planned."""
    from osc_lib import exceptions

    from rcsnap_osc.core import deletion

    line = deletion.failure_line(plans, outcomes, dry_run, what)
    return exceptions.CommandError(line) if line else None
