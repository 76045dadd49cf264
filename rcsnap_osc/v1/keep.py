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

"""The keep rules ``prune``, ``create`` and ``batch create`` share:
``--keep-daily``, ``--keep-weekly``, ``--keep-monthly``, ``--keep-within``
beside ``--keep``, as :class:`rcsnap_osc.core.retention.Rules`."""

from rcsnap_osc.i18n import _
from rcsnap_osc.v1 import common


def add_arguments(parser, when=''):
    """``--keep-daily``, ``--keep-weekly``, ``--keep-monthly`` and
    ``--keep-within``: the calendar rules of
    :class:`rcsnap_osc.core.retention.Rules`, ``when`` opening their
    help."""
    def opened(text):
        return when + text[:1].lower() + text[1:] if when else text

    for option, what in (('--keep-daily', _('UTC days')),
                         ('--keep-weekly', _('ISO weeks')),
                         ('--keep-monthly', _('calendar months'))):
        parser.add_argument(
            option,
            metavar='<N>',
            type=common.whole_number(1, _('leave the option out')),
            help=opened(_('Keep the newest snapshot of each of the last N '
                          '%s that have snapshots, counting back from the '
                          'newest snapshot') % what),
        )
    parser.add_argument(
        '--keep-within',
        metavar='<duration>',
        help=opened(_('Keep every snapshot made at most this long before '
                      'the newest one, e.g. 2w, 30d, 12h')),
    )


def rules(args):
    """The :class:`rcsnap_osc.core.retention.Rules` of ``--keep`` and the
    calendar rules, None when none is given; a bad ``--keep-within`` is
    refused."""
    from rcsnap_osc.core import retention

    within = args.keep_within
    rules = retention.Rules(
        last=args.keep, daily=args.keep_daily, weekly=args.keep_weekly,
        monthly=args.keep_monthly,
        within=None if within is None else retention.parse_duration(within),
        within_text=None if within is None else within.strip())
    return rules if rules.given() else None
