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

"""Functional tests: the real ``openstack`` executable, with this plugin
installed, against a real cloud.

The cloud is ``OS_CLOUD`` (default ``local-alpha``, the local cloud's
project "alpha"); ``RCSNAP_OTHER_CLOUD`` (default ``local-beta``) is a
second project for sharing tests. Any real cloud works when both name
clouds.yaml entries of two projects that can see a bootable image
(``RCSNAP_IMAGE``, default ``base-image``), a flavor (``RCSNAP_FLAVOR``,
default ``m1.small``) and, optionally, a network (``RCSNAP_NETWORK``;
unset means ``--nic none``). Every test removes what it made.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import uuid

import testtools

CLOUD = os.environ.get('OS_CLOUD', 'local-alpha')
OTHER_CLOUD = os.environ.get('RCSNAP_OTHER_CLOUD', 'local-beta')
IMAGE = os.environ.get('RCSNAP_IMAGE', 'base-image')
FLAVOR = os.environ.get('RCSNAP_FLAVOR', 'm1.small')
NETWORK = os.environ.get('RCSNAP_NETWORK')
TIMEOUT = int(os.environ.get('RCSNAP_TIMEOUT', '300'))


class CommandFailed(Exception):
    def __init__(self, argv, code, stdout, stderr):
        super().__init__('%s exited %s: %s' % (' '.join(argv), code,
                                               stderr.strip()))
        self.code, self.stdout, self.stderr = code, stdout, stderr


def openstack_bin():
    """The ``openstack`` beside this interpreter, else the one on PATH."""
    # Not realpath: a virtualenv's python links to the base interpreter.
    here = os.path.join(os.path.dirname(sys.executable), 'openstack')
    return here if os.path.exists(here) else shutil.which('openstack')


def run(*args, cloud=None, parse=True, check=True, timeout=TIMEOUT + 120):
    """Run ``openstack --os-cloud CLOUD *args``.

    With ``parse``, ``-f json`` is added and the parsed document returned;
    otherwise the CompletedProcess. ``check`` raises CommandFailed on a
    non-zero exit.
    """
    argv = [openstack_bin(), '--os-cloud', cloud or CLOUD, *args]
    if parse:
        argv += ['-f', 'json']
    proc = subprocess.run(argv, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    if check and proc.returncode != 0:
        raise CommandFailed(argv, proc.returncode, proc.stdout, proc.stderr)
    if parse and proc.returncode == 0:
        return json.loads(proc.stdout) if proc.stdout.strip() else None
    return proc


def wait_for(what, probe, timeout=TIMEOUT, interval=2):
    """Call ``probe`` until it returns a true value; fail after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for %s' % what)
        time.sleep(interval)


class FunctionalTest(testtools.TestCase):
    """Helpers that create real resources and always remove them."""

    def setUp(self):
        super().setUp()
        self.prefix = 'rcsnap-ft-%s' % uuid.uuid4().hex[:8]

    def openstack(self, *args, **kwargs):
        return run(*args, **kwargs)

    def rc(self, *args, **kwargs):
        """``openstack rc snapshot *args``."""
        return run('rc', 'snapshot', *args, **kwargs)

    def assertFailsCleanly(self, expected, *args, cloud=None):
        """The command exits 1 with one line on stderr naming the thing."""
        proc = run(*args, cloud=cloud, parse=False, check=False)
        self.assertEqual(1, proc.returncode, proc.stdout + proc.stderr)
        self.assertNotIn('Traceback', proc.stderr)
        lines = proc.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), proc.stderr)
        self.assertIn(expected, lines[0])
        return lines[0]

    # -- resources, each removed at cleanup --------------------------------

    def create_volume(self, size=1, image=IMAGE, cloud=None):
        name = '%s-vol-%s' % (self.prefix, uuid.uuid4().hex[:4])
        args = ['volume', 'create', '--size', str(size)]
        if image:
            args += ['--image', image]
        volume = run(*args, name, cloud=cloud)
        self.addCleanup(self.delete_volume, volume['id'], cloud)
        volume = wait_for('volume %s' % name, lambda: self._settled(
            run('volume', 'show', volume['id'], cloud=cloud), 'available'))
        if image:
            run('volume', 'set', '--bootable', volume['id'], cloud=cloud,
                parse=False)
        return volume

    def create_server(self, volume_size=1, data_volume_size=None,
                      flavor=FLAVOR, cloud=None):
        """A volume-backed server (and optionally one data volume)."""
        root = self.create_volume(volume_size, cloud=cloud)
        name = '%s-vm' % self.prefix
        args = ['server', 'create', '--flavor', flavor, '--volume',
                root['id'], '--wait']
        if data_volume_size:
            data = self.create_volume(data_volume_size, image=None,
                                      cloud=cloud)
            args += ['--block-device',
                     'uuid=%s,source_type=volume,destination_type=volume,'
                     'boot_index=-1' % data['id']]
        args += ['--network', NETWORK] if NETWORK else ['--nic', 'none']
        server = run(*args, name, cloud=cloud)
        self.addCleanup(self.delete_server, server['id'], cloud)
        return server

    def create_image_backed_server(self, flavor='m1.tiny', cloud=None):
        name = '%s-ivm' % self.prefix
        args = ['server', 'create', '--flavor', flavor, '--image', IMAGE,
                '--wait']
        args += ['--network', NETWORK] if NETWORK else ['--nic', 'none']
        server = run(*args, name, cloud=cloud)
        self.addCleanup(self.delete_server, server['id'], cloud)
        return server

    def snapshot_server(self, server, cloud=None):
        """``rc snapshot create --wait``; the snapshot is removed at cleanup
        with its volume snapshots."""
        snap = run('rc', 'snapshot', 'create', server['id'], '--name',
                   '%s-snap-%s' % (self.prefix, uuid.uuid4().hex[:4]),
                   '--wait', '--timeout', str(TIMEOUT), cloud=cloud)
        self.addCleanup(self.delete_snapshot_image, snap, cloud)
        return snap

    # -- cleanup -------------------------------------------------------------

    @staticmethod
    def _settled(resource, wanted):
        status = resource.get('status')
        if status in ('error', 'error_deleting', 'ERROR'):
            raise AssertionError('%s is %s' % (resource.get('id'), status))
        return resource if status == wanted else None

    def delete_server(self, server_id, cloud=None):
        run('server', 'delete', '--wait', server_id, cloud=cloud,
            parse=False, check=False)

    def delete_volume(self, volume_id, cloud=None):
        def gone():
            proc = run('volume', 'show', volume_id, '-f', 'json',
                       cloud=cloud, parse=False, check=False)
            if proc.returncode != 0:
                return True
            if json.loads(proc.stdout)['status'] in ('available', 'error'):
                run('volume', 'delete', volume_id, cloud=cloud,
                    parse=False, check=False)
            return False
        wait_for('volume %s deleted' % volume_id, gone)

    def delete_volume_snapshot(self, snapshot_id, cloud=None):
        def gone():
            proc = run('volume', 'snapshot', 'show', snapshot_id, '-f',
                       'json', cloud=cloud, parse=False, check=False)
            if proc.returncode != 0:
                return True
            if json.loads(proc.stdout)['status'] in ('available', 'error'):
                run('volume', 'snapshot', 'delete', snapshot_id,
                    cloud=cloud, parse=False, check=False)
            return False
        wait_for('volume snapshot %s deleted' % snapshot_id, gone)

    def delete_snapshot_image(self, snap, cloud=None):
        run('image', 'delete', snap['id'], cloud=cloud, parse=False,
            check=False)
        for device in snap.get('volume_snapshots') or []:
            self.delete_volume_snapshot(device['snapshot_id'], cloud)
