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

"""A size in a GiB column: one unit (the header's), rounded, a number."""

import testtools

from rcsnap_osc.core import snapshots


class TestRoundGib(testtools.TestCase):

    def test_cases(self):
        for size, shown in ((None, None), (0, 0), (10, 10), (10.0, 10),
                            (1181286400 / 1024 ** 3, 1.1),
                            (1 / 1024, 0), (2.999, 3), (0.125, 0.12)):
            self.assertEqual(shown, snapshots.round_gib(size), size)
            self.assertIs(type(shown), type(snapshots.round_gib(size)))
