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

"""``schedule install``: what runs ``schedule run`` from a timer, a
user-level systemd service and timer, or a crontab line with ``flock``;
and, on request, the Keystone application credential it runs with
(member role only), its clouds.yaml entry and its secret in secure.yaml
(mode 0600, never printed, never on a command line).
"""

import dataclasses
import os
import re
import shlex
import shutil
import sys

from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.schedule import credential

_INTERVAL = re.compile(r'^([1-9]\d{0,3})(m|h)$')


def parse_interval(text):
    """``15m``, ``1h``: ``(seconds, systemd text)``; Refused otherwise."""
    found = _INTERVAL.match((text or '').strip())
    if not found:
        raise errors.Refused(_("Invalid interval '%s': give minutes or "
                               "hours, e.g. 15m, 1h.") % text)
    count, unit = int(found.group(1)), found.group(2)
    return count * (60 if unit == 'm' else 3600), '%d%s' % (
        count, 'min' if unit == 'm' else 'h')


def unit_name(entry):
    """``rcsnap-schedule-<entry>``, the entry's name made safe for a
    unit name."""
    return 'rcsnap-schedule-' + re.sub(r'[^A-Za-z0-9_.-]', '_', entry)


def executable():
    """The absolute path of the ``openstack`` executable running now."""
    beside = os.path.join(os.path.dirname(sys.executable), 'openstack')
    return beside if os.access(beside, os.X_OK) else (
        shutil.which('openstack') or 'openstack')


def command(entry, extra=()):
    """``schedule run`` of ``entry``, with ``extra`` options."""
    return [executable(), '--os-cloud', entry, 'rc', 'snapshot',
            'schedule', 'run', *extra]


def environment(files=None):
    """The variables that say where the clouds.yaml and secure.yaml are,
    as set now (the timer does not inherit the shell's environment), or
    those of ``files`` (:class:`Files`) when they are not where the SDK
    looks by default."""
    found = {k: os.path.abspath(os.environ[k]) for k in (
        'OS_CLIENT_CONFIG_FILE', 'OS_CLIENT_SECURE_FILE')
        if os.environ.get(k)}
    if files is not None:
        from openstack.config import loader

        for key, path, defaults in (
                ('OS_CLIENT_CONFIG_FILE', files.clouds, loader.CONFIG_FILES),
                ('OS_CLIENT_SECURE_FILE', files.secure,
                 loader.SECURE_FILES)):
            if path not in defaults:
                found[key] = path
    return found


def service_text(entry, env, extra=()):
    lines = ['[Unit]',
             'Description=OpenStack snapshot schedules of cloud %s' % entry,
             'Wants=network-online.target',
             'After=network-online.target', '',
             '[Service]', 'Type=oneshot']
    lines += ['Environment=%s' % shlex.quote('%s=%s' % kv)
              for kv in sorted(env.items())]
    lines += ['ExecStart=%s' % ' '.join(
        shlex.quote(a).replace('%', '%%') for a in command(entry, extra)),
        '']
    return '\n'.join(lines)


def timer_text(entry, interval):
    return '\n'.join([
        '[Unit]',
        'Description=Run the OpenStack snapshot schedules of cloud %s '
        'every %s' % (entry, interval), '',
        '[Timer]', 'OnBootSec=5min', 'OnUnitActiveSec=%s' % interval,
        'AccuracySec=1min', 'RandomizedDelaySec=30', '',
        '[Install]', 'WantedBy=timers.target', ''])


def cron_line(entry, seconds, env, extra=()):
    minutes = seconds // 60
    when = ('*/%d * * * *' % minutes if minutes < 60 else
            '0 */%d * * *' % (minutes // 60))
    lock = os.path.join('${XDG_RUNTIME_DIR:-/tmp}', unit_name(entry) +
                        '.lock')
    log = os.path.join('$HOME', '.cache', unit_name(entry) + '.log')
    prefix = ''.join('%s=%s ' % (k, shlex.quote(v))
                     for k, v in sorted(env.items()))
    return '%s %sflock -n %s %s >> %s 2>&1' % (
        when, prefix, lock, ' '.join(
            shlex.quote(a).replace('%', r'\%') for a in command(entry, extra)),
        log)


def unit_dir():
    """The user's systemd units: ``$XDG_CONFIG_HOME/systemd/user``."""
    top = os.environ.get('XDG_CONFIG_HOME') or os.path.join(
        os.path.expanduser('~'), '.config')
    return os.path.join(top, 'systemd', 'user')


def write_private(path, text, mode=0o644):
    """Write ``text`` to ``path`` through a file created with ``mode``,
    renamed over it (never readable by others on the way)."""
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    tmp = path + '.tmp'
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, 'w') as out:
        out.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def unit_paths(entry):
    """The service and the timer of ``entry``."""
    return [os.path.join(unit_dir(), unit_name(entry) + s)
            for s in ('.service', '.timer')]


def check_units(entry, force):
    """Refuse units that exist without ``force``."""
    there = [p for p in unit_paths(entry) if os.path.exists(p)]
    if there and not force:
        raise errors.Refused(_('%s exists: --force replaces it.') %
                             there[0])


def write_units(entry, interval, env, extra=()):
    """Write the service (its owner's only when it holds options: a
    webhook URL is a secret) and the timer: their paths."""
    paths = unit_paths(entry)
    write_private(paths[0], service_text(entry, env, extra),
                  0o600 if extra else 0o644)
    write_private(paths[1], timer_text(entry, interval))
    return paths


@dataclasses.dataclass
class Files:
    """Where the credential's entry goes: ``clouds`` (clouds.yaml) and
    ``secure`` (secure.yaml)."""

    clouds: str
    secure: str


def config_files(loaded_clouds, loaded_secure):
    """The :class:`Files` to write: those the configuration was loaded
    from (or named by OS_CLIENT_CONFIG_FILE / OS_CLIENT_SECURE_FILE),
    else ``~/.config/openstack/``; secure.yaml beside clouds.yaml."""
    clouds = os.environ.get('OS_CLIENT_CONFIG_FILE') or loaded_clouds or \
        os.path.join(os.path.expanduser('~'), '.config', 'openstack',
                     'clouds.yaml')
    secure = os.environ.get('OS_CLIENT_SECURE_FILE') or loaded_secure or \
        os.path.join(os.path.dirname(clouds), 'secure.yaml')
    return Files(os.path.abspath(clouds), os.path.abspath(secure))


def read_yaml(path):
    import yaml

    try:
        with open(path) as source:
            found = yaml.safe_load(source) or {}
    except FileNotFoundError:
        found = {}
    if not isinstance(found, dict):
        raise errors.Refused(_('%s is not a mapping.') % path)
    found.setdefault('clouds', {})
    return found


def check_entry(files, entry, force):
    """Refuse an entry that exists (either file) without ``force``."""
    for path in (files.clouds, files.secure):
        if entry in read_yaml(path)['clouds'] and not force:
            raise errors.Refused(_('%(path)s has an entry %(entry)s: '
                                   '--force replaces it.') % {
                'path': path, 'entry': entry})


def write_entry(files, entry, body, secret):
    """The entry in clouds.yaml, its secret in secure.yaml (0600)."""
    import yaml

    clouds = read_yaml(files.clouds)
    clouds['clouds'][entry] = body
    mode = os.stat(files.clouds).st_mode & 0o777 if os.path.exists(
        files.clouds) else 0o600
    write_private(files.clouds, yaml.safe_dump(clouds, sort_keys=False),
                  mode)
    secure = read_yaml(files.secure)
    secure['clouds'][entry] = {'auth': {
        'application_credential_secret': secret}}
    write_private(files.secure, yaml.safe_dump(secure, sort_keys=False),
                  0o600)


def credential_entry(conn, files, entry, region):
    """Make the credential and write its entry; the credential is
    deleted again when the entry cannot be written. ``(its ID, what
    became of the credential the entry named before)``: deleted once the
    new one is written (``--force``), or why not and how."""
    old = ((read_yaml(files.clouds)['clouds'].get(entry) or {}).get(
        'auth') or {}).get('application_credential_id')
    cred_id, secret, body = credential.create(conn, entry, region)
    try:
        write_entry(files, entry, body, secret)
    except BaseException:
        conn.identity.delete_application_credential(conn.current_user_id,
                                                    cred_id)
        raise
    return cred_id, credential.replace(conn, old) if old else ''


@dataclasses.dataclass(frozen=True)
class Request:
    """What ``schedule install`` was asked for: ``kind`` (``systemd`` or
    ``cron``), every ``interval`` (``15m``, ``1h``), the clouds.yaml
    ``entry`` (None: ``cloud``, the one the command runs with), whether to
    ``create_credential``, ``force``, and the clouds.yaml and secure.yaml
    the configuration was ``loaded_from`` (:func:`config_files`), and the
    ``notify`` options of each run."""

    kind: str = 'systemd'
    interval: str = '15m'
    entry: str | None = None
    cloud: str | None = None
    create_credential: bool = False
    force: bool = False
    loaded_from: tuple = (None, None)
    notify: tuple = ()


@dataclasses.dataclass
class Installed:
    """What was installed, and how to enable it and read its log; a text
    that does not apply to ``kind`` is empty."""

    kind: str
    os_cloud_entry: str
    command: str
    service: str = ''
    timer: str = ''
    crontab_line: str = ''
    application_credential_id: str = ''
    replaced_credential: str = ''
    clouds_yaml: str = ''
    secure_yaml: str = ''
    enable: str = ''
    status: str = ''
    log: str = ''


def install(connect, request):
    """Install the timer of ``request`` (:class:`Request`): the systemd
    units written, or the crontab line made, with the credential entry
    first when asked (``connect()``: the connection that makes it, asked
    for only then). Refused, before anything is written, when the entry
    is missing or what it would write exists without ``force``."""
    seconds, interval = parse_interval(request.interval)
    entry = request.entry or ('rcsnap-schedule' if request.create_credential
                              else request.cloud)
    if not entry:
        raise errors.Refused(_(
            'Give --cloud-entry <name> (or run with --os-cloud, or '
            'give --create-credential): the timer needs a clouds.yaml '
            'entry.'))
    if request.kind == 'systemd':
        check_units(entry, request.force)
    done = Installed(kind=request.kind, os_cloud_entry=entry,
                     command=' '.join(command(entry, request.notify)))
    files = None
    if request.create_credential:
        files = config_files(*request.loaded_from)
        check_entry(files, entry, request.force)
        conn = connect()
        done.application_credential_id, done.replaced_credential = (
            credential_entry(conn, files, entry, conn.config.region_name))
        done.clouds_yaml, done.secure_yaml = files.clouds, files.secure
    env = environment(files)
    name = unit_name(entry)
    if request.kind == 'cron':
        done.crontab_line = cron_line(entry, seconds, env, request.notify)
        done.enable = _('crontab -e, and add the crontab line')
        done.log = '~/.cache/%s.log' % name
    else:
        done.service, done.timer = write_units(entry, interval, env,
                                               request.notify)
        done.enable = ('systemctl --user daemon-reload && systemctl --user '
                       'enable --now %s.timer' % name)
        done.status = 'systemctl --user list-timers %s.timer' % name
        done.log = 'journalctl --user -u %s.service' % name
    return done
