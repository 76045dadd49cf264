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

"""Values several layers share, the commands' choices among them.

Imports nothing, so that a command module may read it at load time
(the plugin is imported on every ``openstack`` run).
"""

#: The formats a volume is converted to (``share --copy --disk-format``,
#: ``export --format``, the manifest's ``format``).
DISK_FORMATS = ('qcow2', 'raw')

#: ``share --copy --volumes`` and ``export --volumes``: the root disk
#: only, or every volume.
VOLUMES = ('root', 'all')

#: Glance's disk formats: an image-backed snapshot is exported as it is.
GLANCE_DISK_FORMATS = ('ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw',
                       'qcow2', 'vdi', 'iso', 'ploop')

#: Seconds a rollback, or a removal's own cleanup, waits for what it
#: deletes to settle or go.
CLEANUP_TIMEOUT = 300
