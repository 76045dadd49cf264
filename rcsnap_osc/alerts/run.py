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


"""Sending a run's alerts (:mod:`.plan`): a webhook through requests,
mail through smtplib, each with a short timeout. A channel that cannot
be reached is one warning line through the reporter and never fails the
run; the line names the webhook by its host only (the path of an
incoming webhook is its secret) and never holds a credential.
"""

import socket

from rcsnap_osc.alerts import plan
from rcsnap_osc.cloud import settings as plugin
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

#: Seconds a webhook or the mail relay is given to answer.
TIMEOUT = 10


def _cloud(conn):
    """The clouds.yaml entry the run used; a cloud given by ``OS_*``
    variables alone has no name of its own (openstacksdk says
    ``envvars``, or nothing in older releases)."""
    name = getattr(getattr(conn, 'config', None), 'name', None)
    return name if name and name != 'envvars' else _('the cloud')


def post_all(url, bodies, reporter):
    """POST each body to the webhook, in order; at the first failure the
    rest are not tried (the webhook is down), and one line says so."""
    import requests

    for sent, body in enumerate(bodies):
        try:
            answer = requests.post(url, json=body, timeout=TIMEOUT)
            if answer.status_code >= 400:
                raise ValueError(_('HTTP %d') % answer.status_code)
        except (requests.RequestException, ValueError) as exc:
            reason = (str(exc) if isinstance(exc, ValueError)
                      else type(exc).__name__)
            reporter.say(_('Warning: %(n)d of %(total)d alerts were not '
                           'posted to the webhook at %(site)s: %(why)s.') % {
                'n': len(bodies) - sent, 'total': len(bodies),
                'site': plan.site(url), 'why': reason})
            return sent
    return len(bodies)


def mail(smtp, message, reporter):
    """Send ``message`` through the relay ``smtp`` (:class:`plan.Smtp`);
    one warning line when it cannot."""
    import smtplib

    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT) as relay:
            if smtp.starttls:
                relay.starttls()
            if smtp.user:
                relay.login(smtp.user, smtp.password or '')
            relay.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        reporter.say(_('Warning: the alert mail to %(to)s was not sent '
                       'through %(host)s:%(port)d: %(why)s.') % {
            'to': message['To'], 'host': smtp.host, 'port': smtp.port,
            'why': errors.one_line(str(exc) or type(exc).__name__)})
        return False
    return True


def send(conn, notify, rows, now, reporter):
    """Tell what ``notify`` (:class:`plan.Notify`) asks of a run's rows
    (:func:`plan.alerts`); the number of alerts told."""
    alerts = plan.alerts(rows, now, notify.every_run)
    if not notify or not alerts:
        return 0
    cloud = _cloud(conn)
    if notify.url:
        post_all(notify.url, [plan.webhook_body(
            a, cloud, conn.current_project_id, now) for a in alerts],
            reporter)
    if notify.emails:
        try:
            smtp = plan.smtp_settings(plugin.plugin_settings(conn),
                                      socket.getfqdn())
        except errors.Refused as exc:
            reporter.say(_('Warning: the alert mail was not sent: %s') %
                         exc)
            return len(alerts)
        mail(smtp, plan.email_message(alerts, cloud, smtp.sender,
                                      notify.emails, now), reporter)
    return len(alerts)
