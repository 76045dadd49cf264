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
from rcsnap_osc.v1 import common
from rcsnap_osc.v1 import notify

DESCRIPTION = _(
    "Install the timer that runs the snapshot schedules.\n\n"
    "A user-level systemd timer (default), or a crontab line with --cron.\n\n"
    "The user guide page \"Schedule snapshots\" has the details.")

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
        common.add_deprecated_alias(
            parser, '--os-cloud-entry', '--cloud-entry', 'cloud_entry',
            metavar='<name>')
        parser.add_argument(
            '--cloud-entry', metavar='<name>',
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
        notify.add_notify_arguments(parser, _('each run of the timer'))
        return parser

    def take_action(self, parsed_args):
        from rcsnap_osc.schedule import run as running

        args = parsed_args
        config = getattr(self.app, 'cloud_config', None)
        installed = running.install(
            lambda: self.conn,
            kind=args.kind or 'systemd', interval=args.interval,
            entry=args.cloud_entry,
            cloud=getattr(self.app.options, 'cloud', None),
            create_credential=args.create_credential, force=args.force,
            notify=tuple(notify.notify_of(args).args()),
            loaded_from=(
                getattr(config, 'config_filename', None),
                getattr(config, 'secure_config_filename', None)))
        return FIELDS, tuple(getattr(installed, f) for f in FIELDS)
