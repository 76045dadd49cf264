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

"""``schedule run`` finds a snapshot of its window by the window it
records (a run cut short between the snapshot and its metadata write
made it) and takes it for this run's, making no second one."""

from rcsnap_osc.core import origin
from rcsnap_osc.schedule import plan
from tests.unit import fakes
from tests.unit.schedule import test_run as tr


class TestWindowMadeBefore(tr.RunTest):

    def test_a_snapshot_of_the_window_is_not_made_again(self):
        earlier = fakes.volume_backed_image(
            tr.NEW_IDS[0], 'node-0-%s' % tr.WINDOW,
            entries=[fakes.root_entry(tr.NEW_SNAPS[0])],
            **{origin.SERVER_PROPERTY: tr.IDS[0],
               plan.WINDOW_PROPERTY: tr.WINDOW})
        fakes.register_image_list(self.requests, [earlier], '?%s=%s' % (
            plan.WINDOW_PROPERTY, tr.WINDOW))
        rows, lines = self.run_schedule()
        self.assertEqual([('node-0', tr.NEW_IDS[0],
                           'made (by an earlier run that did not record it)'),
                          ('node-1', tr.NEW_IDS[1], 'made')],
                         [(r['Server'], r['Snapshot'], r['Result'])
                          for r in rows])
        # Nova is asked for node-1's snapshot only.
        self.assertEqual(['%s' % ('node-1-%s' % tr.WINDOW)],
                         [b['createImage']['name']
                          for b in self.action_bodies()])
        self.assertEqual(tr.NEW_IDS[0], self.last(0)['image'])
        self.assertEqual(tr.WINDOW, self.last(0)['made'])
        self.assertEqual(1, self.calls().count(
            'GET %s?limit=1000&%s=%s' % (tr.IMAGES, 'rcsnap%3Aschedule_'
                                         'window', tr.WINDOW)))
