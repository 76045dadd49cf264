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

"""The checks of ``verify --data`` and ``--boot``: the image's bytes
against Glance's digest, a temporary volume of each volume snapshot, and
the restore drill. What they make is in one rollback ledger
(:mod:`rcsnap_osc.cloud.rollback`), removed when the check ends, fails or
is interrupted. Each returns the problems found (one line each)."""

import hashlib

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import interrupts
from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import rollback
from rcsnap_osc.cloud import waits
from rcsnap_osc.core import snapshots
from rcsnap_osc import errors
from rcsnap_osc.i18n import _
from rcsnap_osc.verify import plan

#: Bytes read at a time.
CHUNK = 1024 * 1024

#: Cinder's states a new volume does not leave by itself.
VOLUME_FAILED = ('error',)


def image_data(conn, image, reporter):
    """Stream the image's bytes and hash them; the problems."""
    algo, _wanted = plan.hash_algo(image)
    digest = hashlib.new(algo)
    total = image.get('size') or 0
    report = reporter.progress(_('Reading image %s') % image['id'])
    clock = waits.CLOCK
    start, done = clock.now(), 0
    response = conn.image.get('/images/%s/file' % image['id'], stream=True)
    try:
        sdk_exc.raise_from_response(response)
        for chunk in response.iter_content(CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if total:
                report(clock.now() - start, [_('%(pct)d%% of %(total)s') % {
                    'pct': done * 10 // total * 10,
                    'total': snapshots.format_size(total)}])
    finally:
        response.close()
    problem = plan.digest_problem(
        dict(image, os_hash_value=plan.hash_algo(image)[1]), algo,
        digest.hexdigest(), done)
    return [problem] if problem else []


def volumes(conn, summary, timeout, reporter):
    """A temporary volume of each volume snapshot, each waited for until
    available and checked for its size, then all removed; the
    problems."""
    ledger = rollback.Ledger(conn, reporter)
    problems = []
    try:
        made = []
        name = summary.image.get('name') or summary.image['id']
        for index, device in enumerate(summary.devices):
            with interrupts.held():
                volume = conn.block_storage.create_volume(
                    snapshot_id=device.snapshot_id, size=device.size_gib,
                    name='verify-%s-%d' % (name, index),
                    description=_('Temporary volume of a verification of '
                                  'snapshot %s') % summary.image['id'])
                ledger.made('volume', volume.id,
                            label=_('temporary volume'))
            made.append((device, volume.id))
            reporter.say(_('Creating temporary volume %(vol)s from volume '
                           'snapshot %(vsnap)s') % {
                'vol': volume.id, 'vsnap': device.snapshot_id})
        deadline = waits.Deadline(timeout)
        for device, volume_id in made:
            subject = waits.cinder(_('Volume %s') % volume_id)
            try:
                found = waits.until_status(
                    deadline, subject,
                    lambda v=volume_id: reads.or_none(
                        conn.block_storage.get_volume, v),
                    ('available', 'deleted'), VOLUME_FAILED,
                    reporter.progress(subject.label))
            except errors.Refused as exc:
                problems.append(_('a volume from volume snapshot %(id)s '
                                  'failed: %(why)s') % {
                    'id': device.snapshot_id, 'why': exc})
                continue
            problem = plan.volume_problem(
                device, found and found.to_dict(computed=False))
            if problem:
                problems.append(problem)
    finally:
        ledger.roll_back()
    return problems


def drill(conn, summary, request, reporter):
    """Launch the snapshot with no network, on the smallest flavor that
    fits (the launch capability, ``request.launcher``), wait for ACTIVE
    and, when asked, for a text in its console log; then remove the
    server and its volumes. The problems."""
    from openstack.compute.v2 import server as sdk_server

    image = summary.image
    launching = request.launcher
    ledger = rollback.Ledger(conn, reporter)
    launch = launching.Request(
        name='verify-%s' % (image.get('name') or image['id']),
        no_network=True, delete_on_termination=bool(summary.devices),
        size=plan.drill_size(summary))
    try:
        try:
            fields = launching.launch(conn, image['id'], launch, reporter)
        except errors.Refused as exc:
            return [_('it cannot be launched: %s') % str(exc).rstrip('.')]
        server_id = fields['id']
        ledger.made('server', server_id,
                    record=sdk_server.Server.new(id=server_id))
        deadline = waits.Deadline(request.timeout)
        try:
            server = launching.wait_for_server(
                conn, server_id, request.timeout,
                progress=reporter.progress(_('Server %s') % server_id))
        except launching.LaunchFailed as failed:
            return [_('server %(id)s launched from it went to ERROR: '
                      '%(fault)s') % {'id': server_id,
                                      'fault': failed.fault}]
        except errors.Refused as exc:
            return [_('server %(id)s launched from it: %(why)s') % {
                'id': server_id, 'why': exc}]
        for volume in server.attached_volumes or []:
            ledger.made('volume', volume['id'], server=server_id)
        reporter.say(_('Server %s is ACTIVE') % server_id)
        if request.console_contains:
            return console(conn, server_id, request.console_contains,
                           deadline, reporter)
        return []
    finally:
        removed = ledger.roll_back().removed
        for ident in [i for kind, i in removed if kind == 'server']:
            reporter.say(_('Deleted server %(id)s, and the volumes it got '
                           'from the snapshot') % {'id': ident} if
                         summary.devices else _('Deleted server %s') % ident)


def console(conn, server_id, text, deadline, reporter):
    """Poll the server's console log until it holds ``text``."""
    report = reporter.progress(_('Console of server %s') % server_id)

    def fetch():
        answer = conn.compute.get_server_console_output(server_id)
        return answer.get('output') or ''

    for output in waits.polls(deadline, waits.NOVA, fetch):
        if output is not waits.UNKNOWN and text in output:
            reporter.say(_('The console of server %(id)s shows '
                           '"%(text)s"') % {'id': server_id, 'text': text})
            return []
        if deadline.passed:
            return [_('the console of server %(id)s launched from it did '
                      'not show "%(text)s" in %(secs)d s') % {
                'id': server_id, 'text': text, 'secs': deadline.timeout}]
        report(deadline.elapsed, [_('waiting for "%s"') % text])
