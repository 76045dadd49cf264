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

"""``rc snapshot schedule install``: the timer that runs ``schedule
run``."""

from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import base

DESCRIPTION = _("""Install the timer that runs the snapshot schedules

With --systemd (the default), writes a user-level systemd service and
timer, rcsnap-schedule-<entry>.service and .timer, in
$XDG_CONFIG_HOME/systemd/user (~/.config/systemd/user), that run
"openstack --os-cloud <entry> rc snapshot schedule run" every --interval;
the output says how to enable the timer and read its log. With --cron,
writes nothing: prints the crontab line, which runs the same command
under "flock -n" so that a run never starts beside the previous one
(two runs on two hosts are kept apart by the claims of "schedule run").

The clouds.yaml entry is --os-cloud-entry (default: the cloud this
command runs with). With --create-credential, a Keystone application
credential of your user in the current project is made, limited to the
"member" role, and written as that entry (default name: rcsnap-schedule):
its ID in clouds.yaml, its secret in secure.yaml (mode 0600) beside it;
the secret is never printed nor put on a command line. Existing units or
an existing entry are refused without --force; with --force, the
application credential the entry named is deleted once the new one is
written (replaced_credential says so).""")

FIELDS = ('kind', 'os_cloud_entry', 'command', 'service', 'timer',
          'crontab_line', 'application_credential_id', 'replaced_credential',
          'clouds_yaml', 'secure_yaml', 'enable', 'status', 'log')


class InstallSchedule(base.ShowOne):
    _description = DESCRIPTION

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        kind = parser.add_mutually_exclusive_group()
        kind.add_argument(
            '--systemd', dest='kind', action='store_const', const='systemd',
            help=_('Write a user-level systemd service and timer (default)'))
        kind.add_argument(
            '--cron', dest='kind', action='store_const', const='cron',
            help=_('Print a crontab line instead, with flock'))
        parser.add_argument(
            '--interval', metavar='<interval>', default='15m',
            help=_('How often the timer runs "schedule run": minutes or '
                   'hours, e.g. 15m, 1h (default: 15m); a policy is made '
                   'once per window whatever the interval'))
        parser.add_argument(
            '--os-cloud-entry', metavar='<name>',
            help=_('The clouds.yaml entry the timer runs with (default: '
                   'the cloud this command runs with; with '
                   '--create-credential, rcsnap-schedule)'))
        parser.add_argument(
            '--create-credential', action='store_true',
            help=_('Make an application credential limited to the member '
                   'role and write it as the clouds.yaml entry, its secret '
                   'in secure.yaml (mode 0600)'))
        parser.add_argument(
            '--force', action='store_true',
            help=_('Replace existing units, or an existing entry'))
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.schedule import run as running

        args = parsed_args
        config = getattr(self.app, 'cloud_config', None)
        installed = running.install(
            lambda: self.conn,
            kind=args.kind or 'systemd', interval=args.interval,
            entry=args.os_cloud_entry,
            cloud=getattr(self.app.options, 'cloud', None),
            create_credential=args.create_credential, force=args.force,
            loaded_from=(
                getattr(config, 'config_filename', None),
                getattr(config, 'secure_config_filename', None)))
        return FIELDS, tuple(getattr(installed, f) for f in FIELDS)
