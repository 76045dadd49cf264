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

"""The alert options ``schedule run`` and ``schedule install`` share:
``--notify-url``, ``--notify-email``, ``--notify-all``, checked while
the arguments are read."""

import argparse

from rcsnap_osc.i18n import _


def _checked(check_name):
    def convert(text):
        from rcsnap_osc.alerts import plan
        from rcsnap_osc import errors

        try:
            return getattr(plan, check_name)(text)
        except errors.Refused as exc:
            raise argparse.ArgumentTypeError(str(exc))
    convert.__name__ = check_name
    return convert


def add_notify_arguments(parser, where):
    """The alert options; ``where`` says which runs they apply to."""
    parser.add_argument(
        '--notify-url', metavar='<url>', type=_checked('check_url'),
        help=_('After %s, POST one JSON document per failed or overdue '
               'server to this webhook (a "text" field that Slack and '
               'Mattermost incoming webhooks show, and the same facts as '
               'fields); a webhook that cannot be reached is one warning '
               'line') % where)
    parser.add_argument(
        '--notify-email', metavar='<address>', action='append', default=[],
        type=_checked('check_address'),
        help=_('After %s, mail the failed and overdue servers to this '
               'address, through the SMTP relay of the "notify" setting '
               'of the cloud\'s "rcsnap" key in clouds.yaml; repeat for '
               'several') % where)
    parser.add_argument(
        '--notify-all', action='store_true',
        help=_('Also tell each snapshot made, not only failures and '
               'overdue servers (with --notify-url or --notify-email)'))


def notify_of(parsed_args):
    """The :class:`alerts.plan.Notify` of the parsed options."""
    from rcsnap_osc.alerts import plan

    return plan.Notify(parsed_args.notify_url,
                       tuple(dict.fromkeys(parsed_args.notify_email)),
                       parsed_args.notify_all)
