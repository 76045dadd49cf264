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
an existing entry are refused without --force.""")

FIELDS = ('kind', 'os_cloud_entry', 'command', 'service', 'timer',
          'crontab_line', 'application_credential_id', 'clouds_yaml',
          'secure_yaml', 'enable', 'status', 'log')


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
        from rcsnap_osc import errors
        from rcsnap_osc.schedule import install

        args = parsed_args
        kind = args.kind or 'systemd'
        seconds, interval = install.parse_interval(args.interval)
        entry = args.os_cloud_entry or (
            'rcsnap-schedule' if args.create_credential else
            getattr(self.app.options, 'cloud', None))
        if not entry:
            raise errors.Refused(_(
                'Give --os-cloud-entry <name> (or run with --os-cloud, or '
                'give --create-credential): the timer needs a clouds.yaml '
                'entry.'))
        if kind == 'systemd':
            install.check_units(entry, args.force)
        data = dict.fromkeys(FIELDS, '')
        data.update(kind=kind, os_cloud_entry=entry,
                    command=' '.join(install.command(entry)))
        files = None
        if args.create_credential:
            config = self.app.cloud_config
            files = install.config_files(
                getattr(config, 'config_filename', None),
                getattr(config, 'secure_config_filename', None))
            install.check_entry(files, entry, args.force)
            cred_id = install.credential_entry(
                self.conn, files, entry, self.conn.config.region_name)
            data.update(application_credential_id=cred_id,
                        clouds_yaml=files.clouds, secure_yaml=files.secure)
        env = install.environment(files)
        name = install.unit_name(entry)
        if kind == 'cron':
            data.update(
                crontab_line=install.cron_line(entry, seconds, env),
                enable=_('crontab -e, and add the crontab line'),
                log='~/.cache/%s.log' % name)
        else:
            data['service'], data['timer'] = install.write_units(
                entry, interval, env)
            data.update(
                enable='systemctl --user daemon-reload && systemctl --user '
                       'enable --now %s.timer' % name,
                status='systemctl --user list-timers %s.timer' % name,
                log='journalctl --user -u %s.service' % name)
        return FIELDS, tuple(data[f] for f in FIELDS)
