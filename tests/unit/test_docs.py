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

"""The built command reference can be copy-pasted: every option keeps its
two hyphens (Sphinx's smart quotes would make ``--keep`` ``\u2013keep``).

It reads the HTML that ``sphinx-build`` made in ``$RCSNAP_BUILT_DOCS``
(``.ci/run`` builds the docs there first, with ``-W``), else builds the
docs itself; it is skipped where Sphinx is not installed."""

import configparser
import importlib
import importlib.util
import os
import re
import subprocess
import sys

import fixtures
import testtools

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
#: An option name whose hyphens became a dash: en-dash or em-dash.
DASHED = re.compile('[\u2013\u2014][a-z][a-z-]*')


def built_reference(test):
    """The text of cli/index.html, built or read."""
    built = os.environ.get('RCSNAP_BUILT_DOCS')
    if not built:
        if importlib.util.find_spec('sphinx') is None:
            test.skipTest('Sphinx is not installed (doc/requirements.txt)')
        built = test.useFixture(fixtures.TempDir()).path
        subprocess.run(
            [sys.executable, '-m', 'sphinx', '-W', '-q', '-b', 'html',
             os.path.join(TOP, 'doc', 'source'), built],
            check=True, capture_output=True, cwd=TOP)
    with open(os.path.join(built, 'cli', 'index.html'),
              encoding='utf-8') as f:
        return f.read()


class TestReference(testtools.TestCase):

    def test_options_keep_their_hyphens(self):
        text = built_reference(self)
        # The reference is there: a command and options of several kinds.
        self.assertIn('id="rc-snapshot-create"', text)
        for option in ('--keep', '--wait', '--timeout', '--cloud-entry',
                       '--dry-run'):
            self.assertIn(option, text)
        self.assertEqual([], DASHED.findall(text))


def guide_titles():
    """The titles of the user guide's pages."""
    folder = os.path.join(TOP, 'doc', 'source', 'user')
    titles = set()
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), encoding='utf-8') as f:
            titles.add(f.read().splitlines()[1].replace('``', ''))
    return titles


class TestDescriptions(testtools.TestCase):
    """``--help`` says what a command does in a sentence or two and names
    the user guide page that has the rest, as the ``server`` and ``image``
    commands keep theirs short."""

    def test_short_and_pointing_to_the_guide(self):
        config = configparser.ConfigParser()
        config.read(os.path.join(TOP, 'setup.cfg'))
        titles = guide_titles()
        entries = config['entry_points']['openstack.rcsnap.v1']
        for entry in entries.strip().splitlines():
            name, target = (part.strip() for part in entry.split('='))
            module, attr = target.split(':')
            text = str(getattr(importlib.import_module(module),
                               attr)._description)
            self.assertLessEqual(len(text.split()), 45, name)
            page = re.search(r'The user guide page "(.+)" has the details',
                             ' '.join(text.split()))
            self.assertIsNotNone(page, name)
            self.assertIn(page.group(1), titles, name)
