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

"""The one error boundary, and the shape of the package.

Every command registered in ``setup.cfg`` turns a cloud answering 500 into
one stderr line and exit 1; a command that already deleted something
prints what it did first (here: Cinder unreachable while it waits). The
package has no import cycle.
"""

import ast
import configparser
import json
import os
import pkgutil
import re

import requests
import requests_mock
import testtools

import rcsnap_osc
from tests.unit import base
from tests.unit import fakes

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

#: The arguments each command is run with: every command in setup.cfg must
#: be here, so that a new one is checked too.
ARGUMENTS = {
    'rc_snapshot_create': [fakes.SERVER_ID],
    'rc_snapshot_batch_create': [fakes.SERVER_ID],
    'rc_snapshot_show': [fakes.IMAGE_ID],
    'rc_snapshot_list': [],
    'rc_snapshot_flavors': [fakes.IMAGE_ID],
    'rc_snapshot_launch': [fakes.IMAGE_ID],
    'rc_snapshot_delete': [fakes.IMAGE_ID],
    'rc_snapshot_recover': [fakes.IMAGE_ID],
    'rc_snapshot_bin_purge': ['--yes'],
    'rc_snapshot_orphans': [],
    'rc_snapshot_usage': [],
    'rc_snapshot_prune': ['--server', fakes.SERVER_ID, '--keep', '1',
                          '--yes'],
    'rc_snapshot_share': [fakes.IMAGE_ID, '--project',
                          base.OTHER_PROJECT_ID],
    'rc_snapshot_accept': [fakes.IMAGE_ID],
    'rc_snapshot_unshare': [fakes.IMAGE_ID, '--all'],
    'rc_snapshot_export': [fakes.IMAGE_ID, '--dir', '/nonexistent/x'],
    'rc_snapshot_import': [os.path.join(TOP, 'tests', 'unit', 'data',
                                        'export')],
    'rc_snapshot_copy': [fakes.IMAGE_ID, '--to-cloud', 'other'],
    'rc_snapshot_restore': [fakes.IMAGE_ID, '--dry-run'],
    'rc_snapshot_archive': [fakes.IMAGE_ID],
    'rc_snapshot_unarchive': [fakes.IMAGE_ID],
    'rc_snapshot_verify': [fakes.IMAGE_ID],
    'rc_snapshot_schedule_set': [fakes.SERVER_ID, '--every', '1d',
                                 '--keep', '1'],
    'rc_snapshot_schedule_show': [fakes.SERVER_ID],
    'rc_snapshot_schedule_unset': [fakes.SERVER_ID],
    'rc_snapshot_schedule_list': [],
    'rc_snapshot_schedule_run': [],
    'rc_snapshot_schedule_install': ['--cron', '--create-credential'],
    'rc_snapshot_coverage': [],
    'rc_snapshot_lock': [fakes.IMAGE_ID],
    'rc_snapshot_unlock': [fakes.IMAGE_ID, '--force'],
    'rc_snapshot_bin_list': [],
    'rc_snapshot_files_list': [fakes.IMAGE_ID],
    'rc_snapshot_files_get': [fakes.IMAGE_ID, '/etc/hostname', '--output',
                              '/nonexistent/x'],
    'rc_snapshot_files_find': [fakes.IMAGE_ID, '*.conf'],
}


def registered_commands():
    config = configparser.ConfigParser()
    config.read(os.path.join(TOP, 'setup.cfg'))
    return [line.split('=')[0].strip() for line in
            config['entry_points']['openstack.rcsnap.v1'].splitlines()
            if line.strip()]


class TestEveryCommandReportsA500(base.TestCommand):

    def setUp(self):
        super().setUp()
        # Every service answers 500; authentication and discovery work
        # (requests-mock tries the newest registration first).
        self.requests.register_uri(
            requests_mock.ANY, requests_mock.ANY, status_code=500,
            json=fakes.glance_error(500, 'The server has either erred or '
                                    'is incapable of performing the '
                                    'requested operation.'))
        self.register_cloud()

    def test_every_command_is_checked(self):
        self.assertEqual(sorted(registered_commands()), sorted(ARGUMENTS))

    def test_one_line_and_exit_1(self):
        for name in registered_commands():
            argv = name.split('_') + ARGUMENTS[name]
            line = self.assertFails('failed (HTTP 500)', *argv)
            self.assertIn('erred', line, name)


class TestPartialWork(base.TestCommand):

    def test_delete_wait_cinder_gone_prints_what_was_done(self):
        image = fakes.volume_backed_image(entries=[fakes.root_entry()])
        fakes.register_image_list(self.requests, [image], '?visibility=all')
        fakes.register_image_list(self.requests, [],
                                  '?visibility=all&os_hidden=true')
        fakes.register_volume_snapshot_list(self.requests,
                                            [fakes.volume_snapshot()])
        fakes.register_volume_list(self.requests, [])
        fakes.register_delete_image(self.requests)
        fakes.register_delete_volume_snapshot(self.requests)
        self.requests.get('%s/snapshots/%s' % (base.VOLUME_URL,
                                               fakes.ROOT_SNAP_ID),
                          exc=requests.exceptions.ConnectionError(
                              'Connection refused'))
        code, out, err = self.run_cli('rc', 'snapshot', 'delete',
                                      '--purge', '--yes', fakes.IMAGE_ID,
                                      '--wait', '-f', 'json')
        self.assertEqual(1, code, err)
        self.assertEqual([
            {'Resource': fakes.IMAGE_ID, 'Kind': 'image',
             'Name': 'analysis-vm-snap', 'Result': 'deleted'},
            {'Resource': fakes.ROOT_SNAP_ID, 'Kind': 'volume snapshot',
             'Name': 'snapshot for analysis-vm-snap',
             'Result': 'deleting'}], json.loads(out))
        self.assertEqual(1, len(err.strip().splitlines()), err)
        self.assertIn('Cannot reach the cloud:', err)
        self.assertNotIn('Traceback', err)


def imports_of(path, package):
    """The package's modules a module imports, at any depth of its code
    (every module it imports when ``package`` is None)."""
    found = set()
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + ['%s.%s' % (node.module, alias.name)
                                     for alias in node.names]
        else:
            continue
        found.update(n for n in names
                     if package is None or n.startswith(package + '.'))
    return found


def import_graph():
    found = {name: path for name, path in modules().items()
             if not path.endswith('__init__.py')}
    return {name: sorted(imports_of(path, 'rcsnap_osc') & set(found))
            for name, path in found.items()}


def find_cycle(graph):
    """One import cycle as a list of modules, or None."""
    state = {}

    def visit(node, path):
        state[node] = 'open'
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 'open':
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt, path + [nxt])
                if cycle:
                    return cycle
        state[node] = 'done'
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node, [node])
            if cycle:
                return cycle
    return None


class TestImports(testtools.TestCase):

    def test_no_import_cycle(self):
        graph = import_graph()
        self.assertIn('rcsnap_osc.v1.snapshot', graph)
        self.assertIsNone(find_cycle(graph))

    def test_cycle_finder_finds_one(self):
        self.assertEqual(['a', 'b', 'a'],
                         find_cycle({'a': ['b'], 'b': ['a'], 'c': []}))
        self.assertIsNone(find_cycle({'a': ['b'], 'b': [], 'c': ['a']}))

    def test_commands_import_only_downward(self):
        for name, imported in import_graph().items():
            if name.startswith('rcsnap_osc.v1.snapshot'):
                self.assertEqual(
                    [], [m for m in imported
                         if m.startswith('rcsnap_osc.v1.snapshot')], name)

    def test_layers(self):
        self.assertEqual([], layer_violations(import_graph()))

    def test_at_most_seven_levels_below_the_commands(self):
        # Seven: "schedule run" runs retention (retention.run), which
        # archives what it keeps (archive.run) through the shallow
        # mechanics of cloud/ (a module of cloud/ imports only the leaves
        # of cloud/ and core/), then errors and i18n.
        depth = levels(import_graph())
        self.assertLessEqual(max(depth[name] - 1 for name in depth
                                 if name.startswith('rcsnap_osc.v1.')), 7)

    def test_levels_counts_every_module_below(self):
        self.assertEqual({'a': 3, 'b': 2, 'c': 1, 'd': 1},
                         levels({'a': ['b', 'd'], 'b': ['c'], 'c': [],
                                 'd': []}))

    def test_no_sdk_below_the_pure_layers(self):
        for name, path in modules().items():
            if is_pure(name):
                self.assertEqual([], sorted(
                    m for m in imports_of(path, None)
                    if m.split('.')[0] in SERVICE_LIBRARIES), name)

    def test_nothing_below_the_commands_imports_osc_lib(self):
        for name, path in modules().items():
            if not name.startswith('rcsnap_osc.v1') and (
                    name != 'rcsnap_osc.plugin'):
                self.assertEqual([], sorted(
                    m for m in imports_of(path, None)
                    if m.split('.')[0] in ('osc_lib', 'cliff')), name)

    def test_no_module_over_350_lines(self):
        for name, path in modules().items():
            with open(path) as source:
                self.assertLessEqual(len(source.readlines()), 350, name)

    def test_rules_find_what_they_forbid(self):
        self.assertEqual(
            ['rcsnap_osc.cloud.reads imports rcsnap_osc.share.run',
             'rcsnap_osc.core.snapshots imports rcsnap_osc.cloud.reads',
             'rcsnap_osc.prune.run imports rcsnap_osc.delete.plan',
             'rcsnap_osc.share.plan imports rcsnap_osc.share.run'],
            layer_violations({
                'rcsnap_osc.cloud.reads': ['rcsnap_osc.share.run'],
                'rcsnap_osc.core.snapshots': ['rcsnap_osc.cloud.reads'],
                'rcsnap_osc.prune.run': ['rcsnap_osc.delete.run',
                                         'rcsnap_osc.delete.plan'],
                'rcsnap_osc.share.plan': ['rcsnap_osc.share.run',
                                          'rcsnap_osc.core.copies'],
            }))

    def test_commands_use_only_run_and_plan_below_them(self):
        self.assertEqual(
            ['rcsnap_osc.plugin imports rcsnap_osc.v1.common',
             'rcsnap_osc.v1.snapshot imports rcsnap_osc.cloud.reads',
             'rcsnap_osc.v1.snapshot imports rcsnap_osc.delete.orphans',
             'rcsnap_osc.v1.snapshot imports rcsnap_osc.plugin'],
            layer_violations({
                'rcsnap_osc.v1.snapshot': [
                    'rcsnap_osc.cloud.reads', 'rcsnap_osc.cloud.session',
                    'rcsnap_osc.cloud.report', 'rcsnap_osc.core.snapshots',
                    'rcsnap_osc.delete.orphans', 'rcsnap_osc.delete.plan',
                    'rcsnap_osc.delete.run', 'rcsnap_osc.errors',
                    'rcsnap_osc.i18n', 'rcsnap_osc.constants',
                    'rcsnap_osc.plugin', 'rcsnap_osc.v1.common'],
                'rcsnap_osc.plugin': ['rcsnap_osc.i18n',
                                      'rcsnap_osc.v1.common'],
            }))


#: Top-level modules every layer may use.
COMMON = ('rcsnap_osc.errors', 'rcsnap_osc.i18n', 'rcsnap_osc.constants')

#: Libraries that talk to a cloud or a terminal: not for the pure layers.
SERVICE_LIBRARIES = ('openstack', 'keystoneauth1', 'osc_lib', 'cliff',
                     'requests')


#: The two modules of ``cloud/`` a command may use: the connection it was
#: given, and the reporter it passes down.
V1_MAY_USE_OF_CLOUD = ('rcsnap_osc.cloud.session', 'rcsnap_osc.cloud.report')


def modules():
    found = {}
    for info in pkgutil.walk_packages(rcsnap_osc.__path__, 'rcsnap_osc.'):
        spec = info.module_finder.find_spec(info.name.rsplit('.', 1)[-1])
        found[info.name] = spec.origin
    return found


def layer_of(name):
    """``(layer, capability)``: core, cloud, v1, top, or a capability."""
    parts = name.split('.')
    if len(parts) == 2 or name in ('rcsnap_osc.core', 'rcsnap_osc.cloud'):
        return ('top', None)
    if parts[1] in ('core', 'cloud', 'v1'):
        return (parts[1], None)
    return ('capability', parts[1])


def is_pure(name):
    return (layer_of(name)[0] == 'core' or name.endswith('.plan'))


def layer_violations(graph):
    """Every import that goes against the layers, as a line."""
    found = []
    for name, imported in sorted(graph.items()):
        layer, capability = layer_of(name)
        for other in sorted(imported):
            if other in COMMON or other == name:
                continue
            other_layer, other_capability = layer_of(other)
            if layer == 'core':
                ok = other_layer == 'core'
            elif layer == 'cloud':
                ok = other_layer in ('core', 'cloud')
            elif name.endswith('.plan'):
                ok = other_layer == 'core' or (
                    other_capability == capability
                    and not other.endswith('.run'))
            elif layer == 'capability':
                ok = (other_layer in ('core', 'cloud')
                      or other_capability == capability
                      or other.endswith('.run'))
            elif layer == 'v1':
                ok = (other_layer in ('v1', 'core')
                      or other in V1_MAY_USE_OF_CLOUD
                      or other.endswith(('.run', '.plan')))
            else:  # plugin, errors, i18n, constants: one another only
                ok = other_layer == 'top'
            if not ok:
                found.append('%s imports %s' % (name, other))
    return found


def levels(graph):
    """How many import levels lie below each module (a leaf has 1)."""
    depth = {}

    def level(node):
        if node not in depth:
            depth[node] = 1 + max([level(n) for n in graph.get(node, ())
                                   if n in graph] or [0])
        return depth[node]

    for node in graph:
        level(node)
    return depth


class TestBadArguments(base.TestCommand):
    """argparse refuses a bad number before any request is made."""

    def test_numbers_below_their_minimum(self):
        for argv, expected in [
                (['create', fakes.SERVER_ID, '--wait', '--timeout', '-5'],
                 "argument --timeout: '-5' is not a whole number of 0"),
                (['delete', fakes.IMAGE_ID, '--wait', '--timeout', 'soon'],
                 "argument --timeout: 'soon' is not a whole number"),
                (['launch', fakes.IMAGE_ID, '--size', '-3'],
                 "argument --size: '-3' is not a whole number of 1 or more"),
                (['flavors', fakes.IMAGE_ID, '--size', '0'],
                 "argument --size: '0' is not a whole number of 1 or more"),
                (['prune', '--server', fakes.SERVER_ID, '--keep', '-1',
                  '--yes'],
                 "argument --keep: '-1' is not a whole number of 0 or more"),
                (['batch', 'create', fakes.SERVER_ID, '--keep', '0'],
                 "argument --keep: '0' is not a whole number of 1 or more"),
        ]:
            self.assertBadArgument(expected, 'rc', 'snapshot', *argv)

    def test_usage_errors_are_one_line(self):
        self.assertBadArgument('the following arguments are required: '
                               '<snapshot>', 'rc', 'snapshot', 'show')


class TestOneWaiter(testtools.TestCase):
    """Every poll reads and sleeps through the one clock of
    :mod:`rcsnap_osc.cloud.waits`; tests move that clock, never a module's
    ``time``."""

    def test_no_poll_loop_of_its_own(self):
        for name, path in modules().items():
            if name == 'rcsnap_osc.cloud.waits':
                continue
            with open(path) as source:
                text = source.read()
            self.assertNotIn('time.sleep(', text, name)
            self.assertNotIn('time.monotonic()', text, name)

    def test_tests_patch_no_module_time(self):
        here = os.path.join(TOP, 'tests', 'unit')
        for folder, _dirs, files in os.walk(here):
            for file_name in files:
                if not file_name.endswith('.py'):
                    continue
                with open(os.path.join(folder, file_name)) as source:
                    text = source.read()
                self.assertEqual([], re.findall(
                    r"'rcsnap_osc\.[\w.]+\.time'", text), file_name)
