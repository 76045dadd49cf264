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

"""What the commands show of an archived snapshot (``rc snapshot
archive``): its disks' backups."""

from cliff import columns


class BackupsColumn(columns.FormattableColumn):
    """Per-disk backups: a line each in tables, a list in JSON."""

    def human_readable(self):
        return '\n'.join(
            '%s (boot index %s): backup %s, %s, %s' % (
                d['device_name'] or '-',
                '-' if d['boot_index'] is None else d['boot_index'],
                d['backup_id'],
                'size unknown' if d['size_gib'] is None else
                '%s GiB' % d['size_gib'], d['status'])
            for d in self._value)

    def machine_readable(self):
        return list(self._value)


def show_backups(conn, summary):
    """``(names, values)`` to add to ``show`` of an archived snapshot;
    nothing for any other."""
    from rcsnap_osc.core import archives
    from rcsnap_osc.show import run as showing

    if not archives.is_archived(summary.image):
        return (), ()
    return ('backups',), (BackupsColumn(
        showing.archived_backups(conn, summary.image)),)
