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

"""The OpenStackClient plugin contract, and nothing else.

This module is imported on every ``openstack`` run (``--version`` included),
so it imports nothing heavy: the SDK connection is built by OSC on demand.
"""

import logging

LOG = logging.getLogger(__name__)

# API_NAME becomes an attribute of OSC's ClientManager, so it must not clash
# with a core service name; the commands are still typed `openstack rc ...`.
DEFAULT_API_VERSION = '1'
# OSC reads API_VERSION_OPTION (less its "os_") from the cloud's settings;
# no command-line option carries it.
API_VERSION_OPTION = 'os_rcsnap_api_version'
API_NAME = 'rcsnap'
API_VERSIONS = ('1',)


def make_client(instance):
    """Return the openstacksdk connection OSC already built for us."""
    LOG.debug('rcsnap client uses the OpenStack SDK connection')
    return instance.sdk_connection


def build_option_parser(parser):
    """Add nothing to the ``openstack`` parser.

    The plugin has one command set and no service API of its own to choose a
    version of, so it adds no global option: OSC only needs the function.
    """
    return parser


def check_api_version(check_version):
    """Accept only the versions we ship commands for."""
    return check_version in API_VERSIONS
