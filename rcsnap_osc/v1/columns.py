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

"""Output columns, declared once per resource.

A column map is a tuple of :class:`Column`: the field (the name a
``show`` prints and ``-c`` selects, the key of its ``-f json``), the
header a listing gives it, the views that print it, where its value is
read from a record, and the cliff column class that formats it, the way
python-openstackclient reads a resource with a column map and
``osc_lib.utils.get_dict_properties``. The order of the map is the order
of the output, so adding a field to ``show`` or ``list`` is one line
here. Like every ``v1`` module, this one imports nothing heavy.
"""

import dataclasses
import typing

from cliff import columns
from osc_lib.cli import format_columns

from rcsnap_osc.core import holds
from rcsnap_osc.core import snapshots
from rcsnap_osc.v1 import common

# The views of an instance snapshot: ``show``, the snapshot ``create``
# made, ``list``, and what ``list --long`` and ``list --shared`` add.
SHOW = 'show'
MADE = 'made'
LIST = 'list'
LONG = 'long'
SHARED = 'shared'
BIN = 'bin'  # list --bin: the recycle bin's dates


@dataclasses.dataclass(frozen=True)
class Column:
    """One output column of a resource.

    ``value`` reads it from a record (default: the record's ``field``, a
    key of a dict or an attribute of anything else); ``formatter`` is the
    cliff column class its value is shown with (None: as it is); an
    ``optional`` one is left out of a ``show`` when its value is None.
    """

    field: str
    header: str | None
    views: frozenset
    value: typing.Callable[[typing.Any], typing.Any] | None = None
    formatter: type | None = None
    optional: bool = False

    def raw(self, record):
        """The value of this column in ``record``, as it is."""
        if self.value is not None:
            return self.value(record)
        if isinstance(record, dict):
            return record.get(self.field)
        return getattr(record, self.field)

    def shown(self, value):
        """``value`` as this column shows it."""
        return value if self.formatter is None else self.formatter(value)


def views(*names):
    return frozenset(names)


def show(table, view, record):
    """``(fields, values)`` of ``record`` for a ``show``-like view: the
    columns of ``table`` in ``view``, an optional one only when it has a
    value."""
    fields, values = [], []
    for column in table:
        if view not in column.views:
            continue
        value = column.raw(record)
        if not (column.optional and value is None):
            fields.append(column.field)
            values.append(column.shown(value))
    return tuple(fields), tuple(values)


def listing(table, wanted, records):
    """``(headers, rows)`` of ``records`` in a listing: the columns of
    ``table`` in any of the views ``wanted``."""
    chosen = [c for c in table if c.views & wanted]
    return ([c.header for c in chosen],
            [[c.shown(c.raw(record)) for c in chosen] for record in records])


def boot_index(value):
    """A disk's boot index as show prints it, before and after archiving
    alike: None (``-``) for a disk that boots nothing (Nova records -1 or
    none)."""
    return None if value is None or int(value) < 0 else int(value)


class VolumeSnapshotsColumn(columns.FormattableColumn):
    """Per-device volume snapshots: a line each in tables, a list in JSON."""

    def human_readable(self):
        return '\n'.join(
            '%s (boot index %s): %s, %s, %s' % (
                d.device_name or '-',
                '-' if boot_index(d.boot_index) is None else d.boot_index,
                d.snapshot_id,
                'size unknown' if d.size_gib is None else
                '%s GiB' % d.size_gib,
                d.status)
            for d in self._value)

    def machine_readable(self):
        return [dict(d.as_dict(), boot_index=boot_index(d.boot_index))
                for d in self._value]


class VolumeSnapshotIdsColumn(format_columns.ListColumn):
    """Per-device volume snapshots as a listing shows them: their IDs."""

    def __init__(self, devices):
        super().__init__([d.snapshot_id for d in devices])


class PropertiesColumn(columns.FormattableColumn):
    """Image properties: ``key=value`` lines in tables, long values wrapped
    (the mapping Nova writes is hundreds of characters); a dict in JSON."""

    WIDTH = 72

    def human_readable(self):
        import textwrap

        lines = []
        for key, value in sorted(self._value.items()):
            lines.extend(textwrap.wrap(
                '%s=%s' % (key, value), self.WIDTH, subsequent_indent='  ',
                break_on_hyphens=False) or ['%s=' % key])
        return '\n'.join(lines)

    def machine_readable(self):
        return dict(self._value)


class BackupsColumn(columns.FormattableColumn):
    """An archived snapshot's per-disk backups: a line each in tables, a
    list in JSON."""

    def human_readable(self):
        return '\n'.join(
            '%s (boot index %s): backup %s, %s, %s' % (
                d['device_name'] or '-',
                '-' if boot_index(d['boot_index']) is None
                else d['boot_index'],
                d['backup_id'],
                'size unknown' if d['size_gib'] is None else
                '%s GiB' % d['size_gib'], d['status'])
            for d in self._value)

    def machine_readable(self):
        return [dict(d, boot_index=boot_index(d['boot_index']))
                for d in self._value]


def _image(key):
    """A column read from the snapshot's image."""
    return lambda record: record.summary.image.get(key)


def _summary(name):
    """A column read from the snapshot's summary
    (:class:`rcsnap_osc.core.snapshots.Summary`)."""
    return lambda record: getattr(record.summary, name)


def _properties(record):
    return snapshots.custom_properties(record.summary.image)


def _consistency(record):
    """Recorded by ``create``; ``unknown`` for snapshots made elsewhere."""
    from rcsnap_osc.create import plan as create_plan

    return create_plan.recorded(record.summary.image)


_EVERY = views(SHOW, MADE, LIST)
_DETAIL = views(SHOW, MADE, LONG)
_SHOWN = views(SHOW, MADE)

#: An instance snapshot. A record has the ``summary`` of the snapshot and,
#: in the views that show them, its ``server``, ``members``, ``backups``
#: and ``member_status`` (:mod:`rcsnap_osc.show.run`).
SNAPSHOT = (
    Column('id', 'ID', _EVERY, _image('id')),
    Column('name', 'Name', _EVERY, _image('name')),
    Column('status', 'Status', _EVERY, _image('status')),
    Column('type', 'Type', _EVERY, _summary('type')),
    Column('size_gib', 'Size GiB', _EVERY, _summary('size_gib'),
           common.SizeColumn),
    Column('image_size', 'Image Size', _DETAIL, _image('size')),
    Column('volume_snapshots', 'Volume Snapshots', _SHOWN,
           _summary('devices'), VolumeSnapshotsColumn),
    Column('volume_snapshots', 'Volume Snapshots', views(LONG),
           _summary('devices'), VolumeSnapshotIdsColumn),
    Column('min_disk', 'Min Disk', _DETAIL, _image('min_disk')),
    Column('min_ram', 'Min RAM', _DETAIL, _image('min_ram')),
    Column('visibility', 'Visibility', _DETAIL, _image('visibility')),
    Column('owner', 'Owner', _DETAIL, _image('owner')),
    Column('created_at', 'Created At', _DETAIL, _image('created_at')),
    Column('properties', None, _SHOWN, _properties, PropertiesColumn),
    Column('consistency', None, views(SHOW), _consistency),
    Column('server', 'Server', views(SHOW, LONG)),
    Column('verified_at', None, views(SHOW), _image(holds.VERIFIED_AT)),
    Column('verified_level', None, views(SHOW),
           _image(holds.VERIFIED_LEVEL)),
    Column('verified_result', None, views(SHOW),
           _image(holds.VERIFIED_RESULT)),
    Column('verified', 'Verified', views(LIST),
           lambda record: holds.verified_summary(record.summary.image)),
    Column('backups', None, views(SHOW), formatter=BackupsColumn,
           optional=True),
    Column('members', None, views(SHOW), formatter=common.MembersColumn,
           optional=True),
    Column('member_status', 'Member Status', views(SHARED)),
    Column('binned_at', 'Binned At', views(SHOW, BIN),
           _image(holds.BINNED_AT), optional=True),
    Column('binned_by', 'Binned By', views(SHOW), _image(holds.BINNED_BY),
           optional=True),
    Column('purge_after', 'Purge After', views(SHOW, BIN),
           _image(holds.BIN_UNTIL), optional=True),
    Column('locked_until', 'Locked Until', views(SHOW),
           _image(holds.LOCKED_UNTIL), optional=True),
    Column('locked_by', 'Locked By', views(SHOW), _image(holds.LOCKED_BY),
           optional=True),
)
