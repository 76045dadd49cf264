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

"""Base classes of the plugin's commands."""

import logging

from osc_lib.command import command

#: keystoneauth warns when identity version discovery fails, and then the
#: authentication fails with its own, clearer message: one line is enough.
_DISCOVERY_LOGGER = 'keystoneauth.identity.generic.base'


class _DropWarnings(logging.Filter):
    def filter(self, record):
        return record.levelno != logging.WARNING


_DROP_WARNINGS = _DropWarnings()


class _OneLineErrors:
    """Our commands fail with one line on stderr, authentication included.

    OSC authenticates before ``take_action``; the filter is added when one
    of our commands is made, so other commands are left as they are.
    """

    def __init__(self, app, app_args, cmd_name=None):
        super().__init__(app, app_args, cmd_name=cmd_name)
        logging.getLogger(_DISCOVERY_LOGGER).addFilter(_DROP_WARNINGS)


class ShowOne(_OneLineErrors, command.ShowOne):
    pass


class Lister(_OneLineErrors, command.Lister):
    pass
