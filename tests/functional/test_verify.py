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

"""``rc snapshot verify`` against a real cloud: a good snapshot passes
each level and the result is on its image; a volume snapshot deleted
behind the image's back fails it, named; nothing a check makes is left.

The local cloud's Nova runs a fake driver: its console log is always
``FAKE CONSOLE OUTPUT``, so the drill proves what Nova and Cinder do, not
that a guest came up."""

import fixtures

from tests.functional import base

#: What the fake compute driver answers to os-getConsoleOutput.
FAKE_CONSOLE = 'FAKE CONSOLE OUTPUT'


class VerifyTest(base.FunctionalTest):

    def verify(self, snap, *args, check=True):
        return self.rc('verify', snap['id'], '--timeout',
                       str(base.TIMEOUT), *args, check=check)

    def leftovers(self, snap):
        """Servers and volumes a verification of ``snap`` made."""
        conn = base.connection()
        name = 'verify-%s' % snap['name']
        return ([s.id for s in conn.compute.servers(name='^%s' % name)] +
                [v.id for v in conn.block_storage.volumes()
                 if (v.name or '').startswith(name)])

    def test_image_backed_three_levels(self):
        snap = self.upload_snapshot()
        for args, level in (((), 'default'), (('--data',), 'data'),
                            (('--boot', '--console-contains',
                              FAKE_CONSOLE), 'boot')):
            rows = self.verify(snap, *args)
            self.assertEqual([{'ID': snap['id'], 'Name': snap['name'],
                               'Level': level, 'Result': 'ok'}], rows)
        self.assertEqual([], self.leftovers(snap))
        shown = self.rc('show', snap['id'])
        self.assertEqual('ok', shown['verified_result'])
        self.assertEqual('boot', shown['verified_level'])
        listed = self.rc('list', '--name', snap['name'])
        self.assertRegex(listed[0]['Verified'],
                         r'^\d{4}-\d\d-\d\d ok \(boot\)$')

    def test_volume_backed_data_and_boot(self):
        snap = self.snapshot_server(self.create_server(
            1, image=None, flavor=self.flavor_for_volume(1)))
        rows = self.verify(snap, '--data', '--boot', '--console-contains',
                           FAKE_CONSOLE)
        self.assertEqual([('data+boot', 'ok')],
                         [(r['Level'], r['Result']) for r in rows])
        self.assertEqual([], self.leftovers(snap))

    def test_volume_snapshot_deleted_behind_its_back(self):
        snap = self.snapshot_server(self.create_server(
            1, image=None, flavor=self.flavor_for_volume(1)))
        device = snap['volume_snapshots'][0]
        vsnap = device['snapshot_id']
        base.remove_all(base.connection(), volume_snapshots=[vsnap])
        proc = self.verify(snap, check=False)
        self.assertEqual(1, proc.returncode, proc.stderr)
        self.assertNotIn('Traceback', proc.stderr)
        self.assertIn('volume snapshot %s (%s) is missing' % (
            vsnap, device['device_name']), proc.stderr)
        self.assertIn('failed verification: %s' % snap['id'],
                      proc.stderr.strip().splitlines()[-1])
        shown = self.rc('show', snap['id'])
        self.assertIn(vsnap, shown['verified_result'])


class ScheduledVerifyTest(base.FunctionalTest):
    """``verify=1d`` in a policy, ``schedule run`` on two days (the clock
    of the runs set by ``RCSNAP_SCHEDULE_NOW``, as in test_schedule)."""

    def run_at(self, server, when):
        self.useFixture(fixtures.EnvironmentVariable(
            'RCSNAP_SCHEDULE_NOW', when))
        rows = self.rc('schedule', 'run', '--server', server['id'])
        for row in rows:
            if row['Snapshot']:
                self.later(self.delete_image, row['Snapshot'])
        return rows[0]

    def test_two_days_two_verifications(self):
        server = self.create_image_backed_server()
        shown = self.rc('schedule', 'set', server['id'], '--every', '1d',
                        '--at', '03:00', '--keep', '2', '--verify-every',
                        '1d')
        self.assertEqual('every=1d;at=03:00;keep=2;verify=1d',
                         shown['policy'])
        conn = base.connection()
        for day in (20, 21):
            row = self.run_at(server, '2026-11-%dT05:00:00Z' % day)
            self.assertEqual('made', row['Result'])
            last = conn.compute.get_server(server['id']).metadata[
                'rcsnap:schedule_last']
            self.assertIn(';verified=202611%dT050000Z;check=ok' % day, last)
            image = self.rc('show', row['Snapshot'])
            self.assertEqual(('2026-11-%dT05:00:00Z' % day, 'default', 'ok'),
                             (image['verified_at'], image['verified_level'],
                              image['verified_result']))
