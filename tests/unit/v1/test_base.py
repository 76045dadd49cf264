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

"""The one error boundary: what is the user's to read becomes one
CommandError line in the base command, and nowhere else."""

from keystoneauth1 import exceptions as ksa_exc
from openstack import exceptions as sdk_exc
from osc_lib import exceptions
import testtools

from rcsnap_osc import errors
from rcsnap_osc.v1 import base


class TestExplain(testtools.TestCase):

    def test_a_refusal_is_its_own_words(self):
        self.assertEqual('No.', errors.explain(errors.Refused('No.')))

    def test_an_sdk_or_auth_failure_is_described(self):
        self.assertIn('Cannot reach the cloud', errors.explain(
            ksa_exc.ConnectFailure('refused')))
        self.assertEqual('gone', errors.explain(
            sdk_exc.SDKException('gone')))

    def test_a_bug_is_not_ours(self):
        self.assertIsNone(errors.explain(KeyError('id')))


class TestCommandError(testtools.TestCase):

    def test_one_line_of_what_is_ours(self):
        error = base.command_error(errors.Refused('No.'))
        self.assertIsInstance(error, exceptions.CommandError)
        self.assertEqual('No.', str(error))

    def test_a_command_error_is_itself(self):
        error = exceptions.CommandError('Nothing was done.')
        self.assertIs(error, base.command_error(error))

    def test_a_bug_keeps_its_traceback(self):
        self.assertIsNone(base.command_error(KeyError('id')))
