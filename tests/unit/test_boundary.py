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
prints what it did first. The package has no import cycle.
"""

import ast
import configparser
import json
import os
import pkgutil

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

    def test_delete_wait_cinder_500_prints_what_was_done(self):
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
                          status_code=500,
                          json=fakes.glance_error(500, 'Cinder erred'))
        code, out, err = self.run_cli('rc', 'snapshot', 'delete',
                                      fakes.IMAGE_ID, '--wait', '-f', 'json')
        self.assertEqual(1, code, err)
        self.assertEqual([
            {'Resource': fakes.IMAGE_ID, 'Kind': 'image',
             'Name': 'analysis-vm-snap', 'Result': 'deleted'},
            {'Resource': fakes.ROOT_SNAP_ID, 'Kind': 'volume snapshot',
             'Name': 'snapshot for analysis-vm-snap',
             'Result': 'deleting'}], json.loads(out))
        self.assertEqual(1, len(err.strip().splitlines()), err)
        self.assertIn('failed (HTTP 500): Cinder erred', err)
        self.assertNotIn('Traceback', err)


def imports_of(path, package):
    """The package's modules a module imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + ['%s.%s' % (node.module, alias.name)
                                     for alias in node.names]
        else:
            continue
        found.update(n for n in names if n.startswith(package + '.'))
    return found


def import_graph():
    modules = {}
    for info in pkgutil.walk_packages(rcsnap_osc.__path__, 'rcsnap_osc.'):
        spec = info.module_finder.find_spec(info.name.rsplit('.', 1)[-1])
        modules[info.name] = spec.origin
    return {name: sorted(imports_of(path, 'rcsnap_osc') & set(modules))
            for name, path in modules.items()}


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

    def test_generic_layer_imports_no_feature_module(self):
        self.assertEqual(['rcsnap_osc.errors', 'rcsnap_osc.i18n',
                          'rcsnap_osc.snapshots'],
                         import_graph()['rcsnap_osc.cloud'])
