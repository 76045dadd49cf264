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

"""The contributor guide's tree lists every module of the package, one
line each, and no module that is gone."""

import os
import re

import testtools

from tests.unit import test_boundary

PACKAGE_RST = os.path.join(test_boundary.TOP, 'doc', 'source',
                           'contributor', 'package.rst')

_ENTRY = re.compile(r'^( +)([\w.]+/|\w+\.py)(\s|$)')


def listed_modules(text):
    """The modules the tree of ``text`` lists, as dotted names: each
    entry's folders are the entries above it with less indentation."""
    block = text.split('The tree\n', 1)[1].split('::\n', 1)[1]
    folders, found = [], set()
    for line in block.splitlines():
        if line.strip() and not line.startswith(' '):
            break  # the end of the literal block
        match = _ENTRY.match(line)
        if not match:
            continue
        indent, name = len(match.group(1)), match.group(2)
        folders = [(i, f) for i, f in folders if i < indent]
        if name.endswith('/'):
            folders.append((indent, name[:-1]))
        else:
            found.add('.'.join([f for _i, f in folders] + [name[:-3]]))
    return found


class TestPackageDoc(testtools.TestCase):

    def test_every_module_is_listed_once(self):
        with open(PACKAGE_RST) as source:
            listed = listed_modules(source.read())
        actual = {name for name, path in test_boundary.modules().items()
                  if not path.endswith('__init__.py')}
        self.assertEqual([], sorted(actual - listed), 'not in package.rst')
        self.assertEqual([], sorted(listed - actual), 'gone from the code')

    def test_reader_finds_what_is_missing(self):
        text = ('The tree\n--------\n\nEvery module::\n\n'
                '  rcsnap_osc/\n    plugin.py   the plugin\n'
                '    core/       the model\n'
                '      quota.py  headroom\n'
                '    v1/\n      base.py   boundary\n\nAfter the tree.\n')
        self.assertEqual({'rcsnap_osc.plugin', 'rcsnap_osc.core.quota',
                          'rcsnap_osc.v1.base'}, listed_modules(text))
