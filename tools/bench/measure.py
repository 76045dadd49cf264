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

"""How the benchmark measures: real ``openstack`` processes, timed side by
side (A, B, A, B...), and their HTTP requests counted from keystoneauth's
request log (``--debug`` prints one ``REQ: curl`` line per request)."""

import collections
import compileall
import importlib.util
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse

REQUEST = re.compile(
    r'REQ: curl -g -i(?: --insecure| --cacert "[^"]*")? -X (\S+) "?([^"\s]+)')
#: Path segments that only name a service or an API version: a GET made
#: of nothing else is version discovery.
_VERSION = re.compile(r'^(v\d+(\.\d+)?|[0-9a-f]{32}|identity|compute|image|'
                      r'volume|volumev3|block-storage|placement)$')
IMPORT_LINE = re.compile(r'^import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)')


def compile_plugin(package='rcsnap_osc'):
    """Compile the plugin's modules to bytecode, as ``pip install`` does.

    An editable install compiles them at the first import and keeps the
    bytecode, unless ``PYTHONDONTWRITEBYTECODE`` is set: then every
    ``openstack`` run would compile the plugin again, a cost no installed
    plugin has, while OSC's own modules come compiled. Measured that way,
    every ``openstack`` run paid 30-50 ms more for the plugin's command
    modules (cliff imports every command module of every plugin at
    start-up), and ``rc snapshot show`` 10-18 ms more for its own."""
    spec = importlib.util.find_spec(package)
    for path in spec.submodule_search_locations or ():
        compileall.compile_dir(path, quiet=1)


class Venv:
    """An ``openstack`` installation: run it as ``python bin/openstack``."""

    def __init__(self, path):
        self.path = path
        self.python = os.path.join(path, 'bin', 'python')
        self.script = os.path.join(path, 'bin', 'openstack')

    def argv(self, *args, python_opts=()):
        return [self.python, *python_opts, self.script, *args]


def strip_plugin_copy(source, target, plugin='rcsnap_osc'):
    """A copy of the ``source`` virtualenv without the plugin: the same
    files, the same versions. Rebuilt when the source's set of installed
    distributions changes; returns the copy's path."""
    site = os.path.join('lib', 'python%d.%d' % sys.version_info[:2],
                        'site-packages')

    def dists(root):
        return sorted(n for n in os.listdir(os.path.join(root, site))
                      if n.endswith('.dist-info') and plugin not in n)

    stamp = os.path.join(target, '.dists')
    wanted = '\n'.join(dists(source))
    if os.path.exists(stamp) and open(stamp).read() == wanted:
        return target
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, symlinks=True)
    for name in os.listdir(os.path.join(target, site)):
        if plugin in name.replace('-', '_').lower():
            path = os.path.join(target, site, name)
            (shutil.rmtree if os.path.isdir(path) else os.remove)(path)
    with open(stamp, 'w') as out:
        out.write(wanted)
    return target


def run(argv, env=None):
    """Run to completion; return (seconds, stdout, stderr). Fails loudly."""
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=600)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError('%s exited %d: %s' % (
            ' '.join(argv), proc.returncode, proc.stderr.strip()[-500:]))
    return seconds, proc.stdout, proc.stderr


def run_all(argvs):
    """Several commands one after the other (a workflow): total seconds."""
    return sum(run(argv)[0] for argv in argvs)


def side_by_side(a, b, runs):
    """Call ``a()`` and ``b()`` alternately ``runs`` times each, after one
    untimed warm-up of each; return their median results."""
    a(), b()
    times_a, times_b = [], []
    for _ in range(runs):
        times_a.append(a())
        times_b.append(b())
    return statistics.median(times_a), statistics.median(times_b)


def classify(method, url):
    parts = urllib.parse.urlsplit(url)
    if '/auth/tokens' in parts.path:
        return 'auth'
    segments = [s for s in parts.path.split('/') if s]
    if method == 'GET' and all(_VERSION.match(s) for s in segments):
        return 'discovery'
    return 'api'


def count_requests(argvs, outputs=None):
    """Requests made by the commands (a workflow is several), by kind:
    {'api': n, 'auth': n, 'discovery': n, 'calls': ['GET /path', ...],
    'in_flight': most requests sent and not yet answered at once}.
    Each command's stdout is appended to ``outputs`` when given (for
    commands that make something, to be removed).
    keystoneauth logs ``REQ:`` before sending and ``RESP: [code]`` on the
    answer, so requests that overlap in time show as in flight together.
    """
    counts = collections.Counter()
    calls = []
    in_flight = most = 0
    for argv in argvs:
        _, out, err = run(debug(argv))
        if outputs is not None:
            outputs.append(out)
        for line in err.splitlines():
            if 'Making authentication request to' in line:
                counts['auth'] += 1  # logged without a REQ line
                continue
            if 'RESP: [' in line:
                in_flight = max(0, in_flight - 1)
                continue
            found = REQUEST.search(line)
            if not found:
                continue
            method, url = found.groups()
            kind = classify(method, url)
            counts[kind] += 1
            in_flight += 1
            if kind == 'api':
                most = max(most, in_flight)
                calls.append('%s %s' % (method, urllib.parse.urlsplit(
                    url).path))
    return dict(counts, calls=calls, in_flight=most)


def debug(argv):
    """``argv`` with ``--debug`` after the ``openstack`` script."""
    for index, arg in enumerate(argv):
        if arg.endswith('/openstack'):
            return argv[:index + 1] + ['--debug'] + argv[index + 1:]
    raise ValueError('not an openstack command: %s' % argv)


#: Runs ``openstack`` in-process and, at exit, writes the plugin modules
#: it imported on one marked stderr line.
_WRAPPER = """
import atexit, os, sys
from openstackclient import shell
atexit.register(lambda: os.write(2, ('\\nRCSNAP-MODULES %s\\n' % ' '.join(
    sorted(m for m in sys.modules if m.startswith('rcsnap_osc')))).encode()))
sys.argv = ['openstack'] + sys.argv[1:]
sys.exit(shell.main())
"""


def plugin_imports(venv, *args):
    """The plugin's modules ``openstack *args`` imports, and what importing
    them costs (what they pull in that OSC has not loaded already), in
    microseconds, from ``python -X importtime``."""
    proc = subprocess.run([venv.python, '-c', _WRAPPER, *args],
                          capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)
    found = re.search(r'^RCSNAP-MODULES (.*)$', proc.stderr, re.M)
    modules = found.group(1).split() if found else []
    # What OSC imports anyway (not openstackclient.shell: importing it
    # loads every OSC plugin module), then the plugin's modules.
    code = ('import cliff.columns, oslo_i18n, osc_lib.cli.format_columns, '
            'osc_lib.cli.parseractions, osc_lib.command.command, '
            'osc_lib.exceptions, osc_lib.utils\n') + ''.join(
        'import %s\n' % m for m in modules)
    proc = subprocess.run([venv.python, '-X', 'importtime', '-c', code],
                          capture_output=True, text=True, timeout=600)
    cost = 0
    for line in proc.stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match and not match.group(3).strip(' ') and len(
                match.group(3)) == 1 and match.group(4) in modules:
            cost += int(match.group(2))
    return modules, cost
