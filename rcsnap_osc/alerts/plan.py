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


"""What the schedule runner tells, and how: pure.

After a run (``schedule run --notify-url``, ``--notify-email``), each
server that failed or is overdue is one alert: a server is overdue when
the run left it without a snapshot of the current window and its newest
scheduled snapshot stands for a window more than twice the policy's
interval ago (or it has none). With ``--notify-all`` each snapshot made
is told too. Servers that were not due are never told.

A webhook gets one JSON POST per alert (:func:`webhook_body`): a ``text``
that Slack and Mattermost incoming webhooks show, and the same facts as
fields. Mail is one message per run (:func:`email_message`). Neither
holds a secret: no URL, no credential, only the server, the window, the
snapshot, the result and its one-line reason.
"""

import dataclasses
import datetime
import email.message
import email.utils
import re

from rcsnap_osc import errors
from rcsnap_osc.i18n import _

FAILED = 'failed'
OVERDUE = 'overdue'
MADE = 'ok'

_URL = re.compile(r'^https?://[^/\s?#@]+(/\S*)?$', re.IGNORECASE)
_ADDRESS = re.compile(r'^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$')
_STAMP = '%Y-%m-%dT%H:%M:%SZ'


@dataclasses.dataclass(frozen=True)
class Notify:
    """Where a run's alerts go: a webhook ``url`` (None: none), mail
    ``emails`` (addresses), and ``every_run`` (``--notify-all``: each
    snapshot made is told too)."""

    url: str | None = None
    emails: tuple = ()
    every_run: bool = False

    def __bool__(self):
        return bool(self.url or self.emails)

    def args(self):
        """The options of ``schedule run`` that ask for the same."""
        found = ['--notify-url', self.url] if self.url else []
        for address in self.emails:
            found += ['--notify-email', address]
        return found + (['--notify-all'] if self.every_run and self else [])


def check_url(text):
    """``--notify-url``: an http(s) URL; Refused otherwise."""
    if not _URL.match(text or ''):
        raise errors.Refused(_("Invalid URL '%s': give the webhook's "
                               "http:// or https:// address.") % text)
    return text


def check_address(text):
    """``--notify-email``: one mail address; Refused otherwise."""
    if not _ADDRESS.match(text or ''):
        raise errors.Refused(_("Invalid mail address '%s'.") % text)
    return text


def site(url):
    """What a line may say of a webhook: its scheme and host only (the
    path of an incoming webhook is its secret)."""
    return re.sub(r'^(https?://[^/?#]+).*$', r'\1', url or '',
                  flags=re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Alert:
    """One server to tell of: its ``status`` (:data:`FAILED`,
    :data:`OVERDUE`, :data:`MADE`), the ``window`` of the run (text),
    the ``snapshot`` made (or ''), the window of its newest scheduled
    snapshot ``newest`` (or ''), and the one-line ``reason``."""

    server: str
    server_id: str
    status: str
    window: str
    snapshot: str = ''
    newest: str = ''
    reason: str = ''


def _stamp(when):
    return when.strftime('%Y%m%dT%H%MZ') if when else ''


def alerts(rows, now, every_run=False):
    """The :class:`Alert` of each row of a run worth telling; a row has
    ``server`` (``name``, ``id``), ``policy`` (``every``), ``due``
    (``window``, ``made``), ``result``, ``why``, ``image`` (as
    ``schedule run`` makes them)."""
    found = []
    for row in rows:
        if row.due is None or row.policy is None:
            if row.result == FAILED:  # a policy that cannot be read
                found.append(Alert(row.server.name, row.server.id, FAILED,
                                   '', reason=row.why))
            continue
        window, made = row.due.window, row.due.made
        alert = Alert(row.server.name, row.server.id, '', _stamp(window),
                      row.image or '', _stamp(made), row.why or '')
        if row.result == FAILED:
            found.append(dataclasses.replace(alert, status=FAILED))
        elif row.result == 'made':
            if every_run:
                found.append(dataclasses.replace(
                    alert, status=MADE, newest=_stamp(window)))
        elif row.due.due and (made is None or (now - made).total_seconds()
                              > 2 * row.policy.every):
            found.append(dataclasses.replace(
                alert, status=OVERDUE, reason=alert.reason or _(
                    'no snapshot for more than twice its interval')))
    return found


def text(alert, cloud):
    """The one line a person reads."""
    what = {
        FAILED: _('the snapshot of server %(server)s failed'),
        OVERDUE: _('the snapshots of server %(server)s are overdue'),
        MADE: _('server %(server)s: snapshot %(snapshot)s made'),
    }[alert.status] % {'server': alert.server, 'snapshot': alert.snapshot}
    line = _('[%(cloud)s] %(what)s') % {'cloud': cloud, 'what': what}
    if alert.window:
        line += _(' (window %s)') % alert.window
    if alert.status == OVERDUE:
        line += _('; newest snapshot: %s') % (alert.newest or _('none'))
    if alert.reason:
        line += ': ' + errors.one_line(alert.reason)
    return line


def webhook_body(alert, cloud, project_id, now):
    """The JSON document of one alert's POST."""
    return {
        'text': text(alert, cloud),
        'status': alert.status,
        'cloud': cloud,
        'project_id': project_id,
        'server': alert.server,
        'server_id': alert.server_id,
        'window': alert.window or None,
        'snapshot': alert.snapshot or None,
        'newest_window': alert.newest or None,
        'reason': errors.one_line(alert.reason) if alert.reason else None,
        'at': now.strftime(_STAMP),
    }


def email_message(alerts, cloud, sender, recipients, now):
    """One mail of a run's alerts (an :class:`email.message.EmailMessage`
    with no Message-ID: the relay adds one)."""
    counts = {s: sum(1 for a in alerts if a.status == s)
              for s in (FAILED, OVERDUE, MADE)}
    parts = [_('%(n)d %(what)s') % {'n': counts[s], 'what': w}
             for s, w in ((FAILED, _('failed')), (OVERDUE, _('overdue')),
                          (MADE, _('made'))) if counts[s]]
    message = email.message.EmailMessage()
    message['Subject'] = _('[%(cloud)s] snapshot schedules: %(what)s') % {
        'cloud': cloud, 'what': ', '.join(parts)}
    message['From'] = sender
    message['To'] = ', '.join(recipients)
    message['Date'] = email.utils.format_datetime(
        now.replace(tzinfo=datetime.timezone.utc))
    message.set_content('\n'.join(
        [text(a, cloud) for a in alerts] +
        ['', _('openstack --os-cloud %s rc snapshot coverage shows every '
               'server.') % cloud]))
    return message


@dataclasses.dataclass(frozen=True)
class Smtp:
    """The ``notify`` settings of the plugin's key: the relay's
    ``host`` and ``port``, ``starttls``, the ``user`` and ``password``
    to log in with (None: no login) and the ``sender``."""

    host: str
    port: int
    starttls: bool
    user: str | None
    password: str | None
    sender: str


def _flag(value, name):
    if isinstance(value, bool) or value is None:
        return bool(value)
    if str(value).strip().lower() in ('true', 'yes', '1', 'on'):
        return True
    if str(value).strip().lower() in ('false', 'no', '0', 'off', ''):
        return False
    raise errors.Refused(_("rcsnap: notify: %(name)s is '%(value)s': give "
                           "true or false.") % {'name': name,
                                                'value': value})


def smtp_settings(settings, host_name):
    """The :class:`Smtp` of the plugin's settings (their ``notify``
    mapping; openstacksdk gives its values as strings); Refused, one
    line naming the setting, when one cannot be read."""
    notify = settings.get('notify') or {}
    if not isinstance(notify, dict):
        raise errors.Refused(_('rcsnap: notify is not a mapping.'))
    starttls = _flag(notify.get('starttls'), 'starttls')
    port = str(notify.get('smtp_port') or (587 if starttls else 25))
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise errors.Refused(_("rcsnap: notify: smtp_port is '%s': give a "
                               "port number.") % port)
    sender = str(notify.get('smtp_from') or 'rcsnap@%s' % host_name)
    return Smtp(str(notify.get('smtp_host') or 'localhost'), int(port),
                starttls, notify.get('smtp_user') and str(
                    notify['smtp_user']),
                notify.get('smtp_password') and str(
                    notify['smtp_password']), sender)
