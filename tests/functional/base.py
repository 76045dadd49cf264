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
second project for sharing tests; ``RCSNAP_REMOTE_CLOUD`` (unset: the
tests of another cloud skip) names a project of *another* cloud, with its
own Keystone and region, for ``copy --to-cloud`` (the local cloud's
second cloud: ``remote-alpha``, see tools/localcloud). Any real cloud
works when both name clouds.yaml entries of two projects that can see a
bootable image (``RCSNAP_IMAGE``, default ``base-image``), a flavor
(``RCSNAP_FLAVOR``, default ``m1.small``) and, optionally, a network
(``RCSNAP_NETWORK``; unset means ``--nic none``). A test that needs a
flavor of some size finds the smallest one on the cloud
(:meth:`FunctionalTest.find_flavor`) and is skipped, saying what it
looked for, where there is none. Every test
removes what it made.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

import openstack
from openstack import exceptions as sdk_exc
import testtools
from testtools import content

from tests.functional import inventory

CLOUD = os.environ.get('OS_CLOUD', 'local-alpha')
OTHER_CLOUD = os.environ.get('RCSNAP_OTHER_CLOUD', 'local-beta')
REMOTE_CLOUD = os.environ.get('RCSNAP_REMOTE_CLOUD') or None
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


TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
LOCALCLOUD = os.path.join(TOP, 'tools', 'localcloud', 'localcloud')


def local_state():
    """The local cloud's state directory when the tests run on it (it can
    restart a service, or change a database as an operator would)."""
    config = os.environ.get('OS_CLIENT_CONFIG_FILE', '')
    state = os.path.dirname(config)
    if config and os.path.exists(os.path.join(state, 'run',
                                              'glance-api.pid')):
        return state
    return None


def localcloud(*args, timeout=300):
    """``tools/localcloud/localcloud *args`` on the cloud the tests run on
    (its state directory); its output."""
    env = dict(os.environ, LOCALCLOUD_DIR=local_state())
    return subprocess.run([sys.executable, LOCALCLOUD, *args], check=True,
                          env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=timeout).stdout


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


def volume_mapping(*volume_ids):
    """Nova's ``block_device_mapping`` of existing volumes, the first the
    root; each kept when the server is deleted."""
    return [{'uuid': volume_id, 'source_type': 'volume',
             'destination_type': 'volume', 'boot_index': -1 if n else 0,
             'delete_on_termination': False}
            for n, volume_id in enumerate(volume_ids)]


def default_sigint():
    """In a child, before exec: SIGINT back to its default action. A shell
    starts background jobs (``nohup tools/run-tests &``) with SIGINT
    ignored, and children inherit that: a test's Ctrl-C would do
    nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt_on(when, *args):
    """Run ``openstack *args`` on the test cloud, as from an interactive
    shell (:func:`default_sigint`), and Ctrl-C it (SIGINT) once a line of
    its standard error holds ``when``: ``(exit code, standard error)``."""
    proc = subprocess.Popen(
        [openstack_bin(), '--os-cloud', CLOUD, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL, preexec_fn=default_sigint)
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if when in line:
            proc.send_signal(signal.SIGINT)
            break
    rest = proc.communicate(timeout=TIMEOUT)[1]
    return proc.returncode, ''.join(seen) + rest


def intervals(first=0.5, most=3.0, factor=1.5):
    """Seconds between polls: short at first, when most waits end (a
    volume on the local cloud is ready in about a second), then longer."""
    interval = first
    while True:
        yield interval
        interval = min(most, interval * factor)


def run_each(commands, cloud=None, most=4, timeout=TIMEOUT + 120):
    """Run ``openstack --os-cloud CLOUD *args`` for each ``args`` in
    ``commands``, ``most`` at a time; the CompletedProcesses, in order."""
    def start(args):
        return subprocess.Popen(
            [openstack_bin(), '--os-cloud', cloud or CLOUD, *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            stdin=subprocess.DEVNULL)

    commands = list(commands)
    done = []
    for first in range(0, len(commands), most):
        batch = [(args, start(args))
                 for args in commands[first:first + most]]
        for args, proc in batch:
            out, err = proc.communicate(timeout=timeout)
            done.append(subprocess.CompletedProcess(
                proc.args, proc.returncode, out, err))
    return done


def wait_for(what, probe, timeout=TIMEOUT):
    """Call ``probe`` until it returns a true value; fail after timeout."""
    deadline = time.monotonic() + timeout
    for interval in intervals():
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for %s' % what)
        time.sleep(interval)


#: States in which Cinder deletes a volume or volume snapshot.
DELETABLE = frozenset(('available', 'error', 'error_restoring',
                       'error_extending', 'error_managing'))
FAILED = frozenset(('error', 'error_deleting', 'ERROR'))


def wait_for_status(get, ident, wanted, timeout=TIMEOUT):
    """``get(ident)`` until its status is ``wanted``; fail on an error
    status or after timeout."""
    def settled():
        resource = get(ident)
        if resource.status in FAILED:
            raise AssertionError('%s is %s' % (ident, resource.status))
        return resource if resource.status == wanted else None
    return wait_for('%s %s' % (ident, wanted), settled, timeout)


def remove_all(conn, servers=(), volumes=(), volume_snapshots=(),
               timeout=TIMEOUT):
    """Delete servers, volumes and volume snapshots (IDs) side by side and
    wait until all are gone. Servers are deleted at once; a volume or a
    volume snapshot whenever it is in a state Cinder deletes, which it
    reaches once its server is gone, or once what was made from it is
    (Cinder refuses until then: the next poll tries again)."""
    compute, block = conn.compute, conn.block_storage
    for ident in servers:
        try:
            compute.delete_server(ident)
        except sdk_exc.NotFoundException:
            pass
    items = ([(compute.get_server, ident, None) for ident in servers]
             + [(block.get_volume, ident, block.delete_volume)
                for ident in volumes]
             + [(block.get_snapshot, ident, block.delete_snapshot)
                for ident in volume_snapshots])

    def gone():
        left = False
        for get, ident, delete in items:
            try:
                resource = get(ident)
            except sdk_exc.NotFoundException:
                continue
            left = True
            if delete and resource.status in DELETABLE:
                try:
                    delete(ident)
                except sdk_exc.HttpException:
                    pass  # gone meanwhile, or still depended on
        return not left
    wait_for('%d resources gone' % len(items), gone, timeout)


def sweep(inv, mark, keep=(), timeout=TIMEOUT):
    """Delete every resource of ``mark`` in the projects of ``inv`` (an
    :class:`inventory.Inventory`), except the IDs in ``keep``; return the
    lines describing what was found.

    A test's cleanups remove what it made; this is the net under them,
    for what a command or an assertion left before a cleanup could be
    registered.
    """
    found = inv.of(mark, keep)
    for cloud, conn in inv.conns.items():
        of = {kind: [i for (c, k, i) in found if c == cloud and k == kind]
              for kind in ('server', 'image', 'volume', 'volume snapshot')}
        for ident in of['image']:
            try:
                if conn.image.get_image(ident).is_protected:
                    conn.image.update_image(ident, is_protected=False)
                conn.image.delete_image(ident)
            except sdk_exc.NotFoundException:
                pass
        remove_all(conn, of['server'], of['volume'], of['volume snapshot'],
                   timeout)
    return ['%s %s %s %s' % (c, k, i, list(e))
            for (c, k, i), e in sorted(found.items())]


_INVENTORY = None


def projects():
    """An :class:`inventory.Inventory` of both test projects (and of the
    other cloud's, with ``RCSNAP_REMOTE_CLOUD``), made once."""
    global _INVENTORY
    if _INVENTORY is None:
        _INVENTORY = inventory.Inventory(
            CLOUD, OTHER_CLOUD, *([REMOTE_CLOUD] if REMOTE_CLOUD else []))
    return _INVENTORY


def connection(cloud=None):
    """The SDK connection to ``cloud`` (default: the test project)."""
    return projects().conns[cloud or CLOUD]


GiB = 1024 ** 3


def flavor_order(flavor):
    """Smallest first, as ``rc snapshot flavors`` lists them: RAM, then
    vCPUs, then disk (name breaks ties)."""
    return (flavor.ram or 0, flavor.vcpus or 0, flavor.disk or 0,
            flavor.name or '')


def smallest_flavor(fits, cloud=None):
    """The smallest flavor the project can use for which ``fits(flavor)``
    is true, None when there is none: tests that need a flavor of some
    size find it on the cloud, not by a name only one cloud has."""
    flavors = [f for f in connection(cloud).compute.flavors()
               if fits(f)]
    return min(flavors, key=flavor_order, default=None)


def new_mark():
    return 'rcsnap-ft-%s' % uuid.uuid4().hex[:8]


#: The cloud entry allowed to read Cinder's service list.
ADMIN_CLOUD = os.environ.get('RCSNAP_ADMIN_CLOUD', 'local-admin')
_BACKUP_SERVICE = []


def no_backup_service():
    """Why the tests that make Cinder backups cannot run here ('' when
    they can): asked once per run of the admin cloud (``os-services``,
    binary cinder-backup). Where no admin cloud answers, '' (the tests
    run and say what they meet)."""
    if not _BACKUP_SERVICE:
        _BACKUP_SERVICE.append(_ask_backup_service())
    return _BACKUP_SERVICE[0]


def _ask_backup_service():
    try:
        conn = openstack.connect(cloud=ADMIN_CLOUD, connect_retries=0,
                                 api_timeout=10)
        response = conn.block_storage.get(
            '/os-services', params={'binary': 'cinder-backup'})
    except Exception:  # no admin cloud: the tests decide by themselves
        return ''
    if response.status_code != 200:
        return ''
    services = response.json().get('services') or []
    if any(s.get('state') == 'up' and s.get('status') == 'enabled'
           for s in services):
        return ''
    return 'no cinder-backup service is up on this cloud (%s: %s)' % (
        ADMIN_CLOUD, ', '.join('%s %s, %s' % (
            s.get('host'), s.get('status'), s.get('state'))
            for s in services) or 'none registered')


class FunctionalTest(testtools.TestCase):
    """Helpers that create real resources and always remove them.

    Everything a test makes is named with its ``prefix``; whatever of it
    is still there after the test's own cleanups is removed by a last
    cleanup, :func:`sweep`, and named in the test's details. What the tests
    of a class share (:meth:`class_fixture`) is named with the class's
    mark and swept after the last of them.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.class_mark = new_mark()
        cls.fixtures = {}

    @classmethod
    def tearDownClass(cls):
        try:
            sweep(projects(), cls.class_mark)
        finally:
            super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.prefix = new_mark()
        self.in_fixture = False
        self.addCleanup(self.sweep)

    def later(self, function, *args, **kwargs):
        """Remove at cleanup, unless making a class fixture (the class's
        sweep removes those)."""
        if not self.in_fixture:
            self.addCleanup(function, *args, **kwargs)

    def class_fixture(self, key, make):
        """``make()``, called once for the tests of the class: whatever
        the helpers make in it is named with the class's mark."""
        cls = type(self)
        if key not in cls.fixtures:
            prefix, self.prefix = self.prefix, cls.class_mark
            self.in_fixture = True
            try:
                cls.fixtures[key] = make()
            finally:
                self.prefix, self.in_fixture = prefix, False
        return cls.fixtures[key]

    def keep(self):
        """IDs the sweep leaves: fixtures shared by the tests of a class."""
        return ()

    def sweep(self):
        swept = sweep(projects(), self.prefix, self.keep())
        if swept:
            self.addDetail('swept', content.text_content(
                '\n'.join(swept)))

    def find_flavor(self, what, fits, cloud=None):
        """The name of the smallest flavor of the cloud for which
        ``fits(flavor)`` is true; the test is skipped, saying ``what`` it
        looked for, when the cloud has none."""
        flavor = smallest_flavor(fits, cloud)
        if flavor is None:
            self.skipTest('no flavor on this cloud %s' % what)
        return flavor.name

    def flavor_for_volume(self, size):
        """A flavor for a server booted from a ``size`` GiB volume whose
        snapshot is then launched on a volume of that size: Nova gives the
        snapshot the flavor's disk as ``min_disk``, so the flavor's disk
        may not be larger than the volume."""
        return self.find_flavor(
            'with a disk of at most %d GiB (a server booted from a %d GiB '
            'volume with it has snapshots that a volume of that size can '
            'launch)' % (size, size), lambda f: (f.disk or 0) <= size)

    def flavor_for_image(self, image, cloud=None):
        """A flavor that boots an image-backed server from ``image`` (an
        ID or name): its disk holds the image and its ``min_disk``, its RAM
        the image's ``min_ram``."""
        image = connection(cloud).image.find_image(image,
                                                   ignore_missing=False)
        disk = max(image.min_disk or 0, -(-(image.size or 0) // GiB), 1)
        ram = image.min_ram or 0
        return self.find_flavor(
            'with a disk of at least %d GiB and at least %d MiB of RAM to '
            'boot image %s' % (disk, ram, image.name or image.id),
            lambda f: (f.disk or 0) >= disk and (f.ram or 0) >= ram,
            cloud=cloud)

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
    #
    # Made and removed with openstacksdk in-process: they are not what is
    # tested, and each ``openstack`` run costs seconds of startup and
    # authentication on a loaded machine.

    def create_volume(self, size=1, image=IMAGE, bootable=None, cloud=None):
        """A volume (from ``image``, or blank); bootable when made from an
        image or with ``bootable``."""
        conn = connection(cloud)
        name = '%s-vol-%s' % (self.prefix, uuid.uuid4().hex[:4])
        image_id = image and conn.image.find_image(
            image, ignore_missing=False).id
        volume = conn.block_storage.create_volume(size=size, name=name,
                                                  image_id=image_id)
        self.later(self.delete_volume, volume.id, cloud)
        volume = wait_for_status(conn.block_storage.get_volume, volume.id,
                                 'available')
        if bootable or (image and not volume.is_bootable):
            conn.block_storage.set_volume_bootable_status(volume, True)
        return volume

    def boot(self, name, flavor, cloud=None, **attrs):
        """``compute.create_server(**attrs)`` until ACTIVE; removed at
        cleanup."""
        conn = connection(cloud)
        flavor_id = conn.compute.find_flavor(flavor, ignore_missing=False).id
        networks = 'none'
        if NETWORK:
            networks = [{'uuid': conn.network.find_network(
                NETWORK, ignore_missing=False).id}]
        server = conn.compute.create_server(
            name=name, flavor_id=flavor_id, networks=networks, **attrs)
        self.later(self.delete_claims, server.id, cloud)
        self.later(self.delete_server, server.id, cloud)
        return wait_for_status(conn.compute.get_server, server.id, 'ACTIVE')

    def create_server(self, volume_size=1, data_volume_size=None,
                      flavor=FLAVOR, image=IMAGE, cloud=None):
        """A server booted from a volume made from ``image`` (a blank,
        bootable one with ``image=None``: the compute driver needs nothing
        on it), and optionally one data volume."""
        root = self.create_volume(volume_size, image=image, bootable=True,
                                  cloud=cloud)
        ids = [root.id]
        if data_volume_size:
            ids.append(self.create_volume(data_volume_size, image=None,
                                          cloud=cloud).id)
        return self.boot('%s-vm' % self.prefix, flavor, cloud=cloud,
                         block_device_mapping=volume_mapping(*ids))

    def create_image_backed_server(self, cloud=None):
        """A server booted from the test image (``RCSNAP_IMAGE``), no
        volume, with the smallest flavor that holds it."""
        image = connection(cloud).image.find_image(IMAGE,
                                                   ignore_missing=False)
        return self.boot('%s-ivm' % self.prefix,
                         self.flavor_for_image(image.id, cloud),
                         cloud=cloud, image_id=image.id)

    def snapshot_server(self, server, cloud=None):
        """``rc snapshot create --wait``; the snapshot is removed at cleanup
        with its volume snapshots."""
        snap = run('rc', 'snapshot', 'create', server['id'], '--name',
                   '%s-snap-%s' % (self.prefix, uuid.uuid4().hex[:4]),
                   '--wait', '--timeout', str(TIMEOUT), cloud=cloud)
        self.later(self.delete_snapshot_image, snap, cloud)
        return snap

    def create_image(self, body, data=None, cloud=None):
        """An image from a Glance create body (properties included, as the
        API takes them), with ``data`` uploaded; removed at cleanup."""
        conn = connection(cloud)
        response = conn.image.post('/images', json=body)
        sdk_exc.raise_from_response(response)
        image_id = response.json()['id']
        self.later(self.delete_image, image_id, cloud)
        if data is not None:
            response = conn.image.put(
                '/images/%s/file' % image_id, data=data,
                headers={'Content-Type': 'application/octet-stream'})
            sdk_exc.raise_from_response(response)
        return image_id

    def upload_snapshot(self, min_disk=1, min_ram=0, cloud=None):
        """An image-backed snapshot made cheaply: a private image holding a
        1 MiB disk, with the property Nova gives a server snapshot (so that
        it also works where the compute driver cannot snapshot). Returns
        ``rc snapshot show`` of it."""
        image_id = self.create_image({
            'name': '%s-isnap-%s' % (self.prefix, uuid.uuid4().hex[:4]),
            'disk_format': 'raw', 'container_format': 'bare',
            'visibility': 'private', 'min_disk': min_disk,
            'min_ram': min_ram, 'image_type': 'snapshot'},
            data=os.urandom(1024 * 1024), cloud=cloud)
        return run('rc', 'snapshot', 'show', image_id, cloud=cloud)

    # -- cleanup -------------------------------------------------------------

    def delete_server(self, server_id, cloud=None):
        remove_all(connection(cloud), servers=[server_id])

    def delete_claims(self, server_id, cloud=None):
        """The retention claim a run of ``prune`` or ``create --keep``
        leaves (released, for the next run to find) goes with the
        server."""
        conn = connection(cloud)
        for image in conn.image.images(name='rcsnap-lock-%s' % server_id,
                                       is_hidden=True):
            conn.image.delete_image(image.id, ignore_missing=True)

    def delete_image(self, image_id, cloud=None):
        """An image, unprotected first if the recycle bin or a lock holds
        it."""
        conn = connection(cloud)
        try:
            conn.image.delete_image(image_id, ignore_missing=True)
        except sdk_exc.ForbiddenException:
            conn.image.update_image(image_id, is_protected=False)
            conn.image.delete_image(image_id, ignore_missing=True)

    def delete_volume(self, volume_id, cloud=None):
        remove_all(connection(cloud), volumes=[volume_id])

    def delete_snapshot_image(self, snap, cloud=None):
        """An instance snapshot: its image, then its volume snapshots."""
        self.delete_image(snap['id'], cloud)
        remove_all(connection(cloud), volume_snapshots=[
            d['snapshot_id'] for d in snap.get('volume_snapshots') or []])
