# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Sphinx configuration for rcsnap-osc."""

extensions = [
    'cliff.sphinxext',
]

# The command reference is generated from the commands' own help text.
autoprogram_cliff_application = 'openstack'

# The output options cliff adds to every command (formatter, columns,
# table and shell options) are documented once by OpenStackClient: the
# reference shows each command's own options only.
autoprogram_cliff_ignored = [
    '--help', '--format', '--column', '--max-width', '--fit-width',
    '--print-empty', '--noindent', '--prefix', '--quote', '--sort-column',
    '--sort-ascending', '--sort-descending',
]

# Option names are copied from the reference into shells: Sphinx's smart
# quotes would turn "--keep" in help text into an en-dash ("\u2013keep").
# Quotes and ellipses only, never dashes.
smartquotes_action = 'qe'

source_suffix = '.rst'
master_doc = 'index'
project = 'rcsnap-osc'
copyright = 'rcsnap-osc developers'
exclude_patterns = []
pygments_style = 'sphinx'
html_theme = 'alabaster'
