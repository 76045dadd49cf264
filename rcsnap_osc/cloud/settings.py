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

"""The plugin's own settings in a cloud's clouds.yaml entry.

They sit under one key, :data:`KEY`, of the cloud's entry, read through
openstacksdk's config (which merges secure.yaml into clouds.yaml, so a
password can live in secure.yaml)::

    clouds:
      mycloud:
        auth: {...}
        rcsnap:
          bin_days: 14

openstacksdk turns the values of the mapping's first level into strings
(``bin_days: 14`` reads as ``'14'``): each capability parses and
validates the settings it reads; this module only finds them.
"""

#: The key of the plugin's settings in a cloud's entry.
KEY = 'rcsnap'


def plugin_settings(conn) -> dict:
    """The ``rcsnap`` mapping of the cloud ``conn`` was made from; ``{}``
    when the entry has none (or no entry: ``OS_*`` variables only)."""
    config = getattr(getattr(conn, 'config', None), 'config', None)
    found = config.get(KEY) if isinstance(config, dict) else None
    return dict(found) if isinstance(found, dict) else {}
