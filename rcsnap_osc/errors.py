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

"""Every failure the commands report, as the one line the user sees.

:func:`explain` says which failures are the user's to read, and how;
only the ``run()`` of the base commands (:mod:`rcsnap_osc.v1.base`) turns
that line into the error a command exits with, so nothing here imports
osc-lib. The pure modules raise :class:`Refused`; the SDK and keystoneauth
raise their own exceptions. This module imports them only when a failure
is described, so that the pure modules can import :class:`Refused` without
loading the SDK.
"""

import re

from rcsnap_osc.i18n import _

_TAGS = re.compile(r'<[^>]*>')


class Refused(ValueError):
    """The request cannot be carried out; ``str()`` says why, on one line."""


def one_line(value):
    return ' '.join(str(value).split())


def explain(exc):
    """The one line that reports ``exc`` to the user: why a plan refused,
    or what an SDK or keystoneauth failure means; None when it is not ours
    to report (a bug: let it show its traceback). Only the commands' base
    class turns this line into the error the command exits with."""
    from keystoneauth1 import exceptions as ksa_exc
    from openstack import exceptions as sdk_exc

    if isinstance(exc, Refused):
        return str(exc)
    if isinstance(exc, (sdk_exc.SDKException, ksa_exc.ClientException)):
        return describe(exc)
    return None


def describe(exc):
    """One line that says what went wrong, for any SDK or auth failure."""
    from keystoneauth1 import exceptions as ksa_exc
    from openstack import exceptions as sdk_exc

    if isinstance(exc, ksa_exc.Unauthorized):
        return _('Authentication failed: the cloud refused the credentials '
                 '(HTTP 401)')
    if isinstance(exc, (ksa_exc.ConnectFailure, ksa_exc.ConnectTimeout,
                        ksa_exc.DiscoveryFailure)):
        return _('Cannot reach the cloud: %s') % one_line(exc)
    if isinstance(exc, ksa_exc.EndpointNotFound):
        return _('The cloud has no endpoint for a service we need: %s') % (
            one_line(exc))
    if isinstance(exc, sdk_exc.HttpException):
        detail = describe_detail(exc)
        if is_quota_error(exc):
            return _('Quota exceeded: %s') % detail
        return _('%(method)s %(url)s failed (HTTP %(code)s): %(detail)s') % {
            'method': exc.method or 'request', 'url': exc.url or '',
            'code': exc.status_code, 'detail': detail}
    return one_line(exc)


def describe_detail(exc):
    """The service's own words from an HTTP error, on one line.

    Nova wraps them as ``{"conflictingRequest": {"message": ...}}``, Glance
    and Cinder as ``{"message": ...}`` or ``{"itemNotFound": {...}}``.
    """
    message = None
    try:
        body = exc.response.json()
    except Exception:  # Glance answers some errors in HTML
        body = None
        text = getattr(exc.response, 'text', None)
        if text and text.strip():
            message = text
    if isinstance(body, dict):
        if isinstance(body.get('message'), str):
            message = body['message']
        elif len(body) == 1:
            inner = next(iter(body.values()))
            if isinstance(inner, dict) and isinstance(
                    inner.get('message'), str):
                message = inner['message']
    return one_line(_TAGS.sub(' ', message or exc.details or exc.message))


def refused(exc, what):
    """The :class:`Refused` for a service's refusal (an SDK HTTP error):
    the quota it names, else ``what`` (one ``%s``: the service's words)."""
    detail = describe_detail(exc)
    if is_quota_error(exc):
        return Refused(_('Quota exceeded: %s') % detail)
    return Refused(what % detail)


def is_quota_error(exc):
    text = ('%s %s' % (exc.details or '', exc.message or '')).lower()
    return exc.status_code in (403, 413) and 'quota' in text


def is_gone(exc):
    """Whether an SDK error says the thing is gone already: 404, Cinder's
    "could not be found", or Glance's refusal to delete an image that is
    deleted (400 "Image status transition from deleted to deleted is not
    allowed")."""
    from openstack import exceptions as sdk_exc

    if isinstance(exc, sdk_exc.NotFoundException):
        # Not Cinder's "Service cinder-backup could not be found.": with
        # no backup service up it cannot delete a backup that exists.
        return not describe_detail(exc).lower().startswith('service ')
    if not isinstance(exc, sdk_exc.HttpException) or not exc.status_code:
        return False
    if not 400 <= exc.status_code < 500:
        return False
    text = describe_detail(exc).lower()
    return ('could not be found' in text or
            'status transition from deleted to deleted' in text)


#: How to remove by hand what a cleanup could not.
_REMOVE = {
    'server': 'openstack server delete %s',
    'volume': 'openstack volume delete %s',
    'image': 'openstack image delete %s',
    'volume snapshot': 'openstack volume snapshot delete %s',
    'backup': 'openstack volume backup delete %s',
}

#: How an operator resets the state of what its owner cannot delete
#: (Cinder's policy gives ``--state`` to admins only).
_RESET = {
    'volume': 'openstack volume set --state available %s',
    'volume snapshot': 'openstack volume snapshot set --state available %s',
}

#: Cinder's states that it leaves by itself, and deletes nothing in.
BUSY = {
    'volume': frozenset((
        'creating', 'downloading', 'uploading', 'extending', 'backing-up',
        'restoring-backup', 'retyping', 'maintenance', 'attaching',
        'detaching', 'reserved', 'awaiting-transfer')),
    'volume snapshot': frozenset((
        'creating', 'backing-up', 'restoring', 'unmanaging')),
}

#: Cinder's states only an operator can take a thing out of.
STUCK = frozenset(('error_deleting',))


def undeletable(kind, ident, status):
    """``status: why``, when the owner cannot delete this ``kind`` in this
    ``status`` (one of :data:`BUSY` or :data:`STUCK`), with who can
    change that; None for any other status."""
    if kind not in _RESET:
        return None
    values = {'status': status, 'reset': _RESET[kind] % ident}
    if status in STUCK:
        return _('%(status)s: only an operator can reset it, with '
                 '`%(reset)s` (admin only)') % values
    if status in BUSY[kind]:
        return _('%(status)s: Cinder deletes nothing in that state until '
                 'it ends; if it stays so, an operator can reset it with '
                 '`%(reset)s` (admin only)') % values
    return None


def left_behind(kind, ident, why=None, label=None, status=None):
    """The warning line for something a rollback could not remove: what
    (``label``, e.g. "temporary volume", else ``kind``), its ID, and the
    command that removes it; with the ``status`` it was read back in,
    when its owner cannot delete it in that status, what to do."""
    values = {'kind': label or kind, 'id': ident,
              'why': ' (%s)' % one_line(why) if why else '',
              'command': _REMOVE[kind] % ident, 'status': status,
              'reset': _RESET.get(kind, '%s') % ident}
    if kind in _RESET and status in STUCK:
        return _('Warning: could not delete %(kind)s %(id)s: it is '
                 '%(status)s, a state only an operator can reset: ask one '
                 'to run `%(reset)s` (admin only), then delete it with '
                 '`%(command)s`.') % values
    if kind in _RESET and status in BUSY[kind]:
        return _('Warning: could not delete %(kind)s %(id)s: it is '
                 '%(status)s, a state Cinder deletes nothing in: wait until '
                 'it ends, then delete it with `%(command)s`; if it stays '
                 '%(status)s, ask an operator to reset its state '
                 '(`%(reset)s`, admin only).') % values
    return _('Warning: could not delete %(kind)s %(id)s%(why)s: delete it '
             'with `%(command)s`.') % values


def not_undone(what, why, command):
    """The warning line for a step a rollback could not take back: what
    ("start server X again"), why, and the command that does it."""
    return _('Warning: could not %(what)s (%(why)s): run `%(command)s`.') % {
        'what': what, 'why': one_line(why), 'command': command}
