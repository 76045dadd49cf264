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

"""Create instance snapshots: of one server, or of several at once.

Before Nova is asked, the quiesce verdict (:mod:`rcsnap_osc.create.plan`)
is read from what Nova will read, said once per server, and recorded on
the snapshot (image property ``rcsnap:consistency``). With ``stop``, an
ACTIVE server is stopped, snapshotted, waited for and started again
(:mod:`rcsnap_osc.create.stop`). Several servers are looked up in one listing,
and their snapshots requested and waited for together, one thread each.
"""

import concurrent.futures
import dataclasses
import threading

from openstack import exceptions as sdk_exc

from rcsnap_osc.cloud import discovery
from rcsnap_osc.cloud import find
from rcsnap_osc.cloud import reads
from rcsnap_osc.cloud import snapshot_ready
from rcsnap_osc.core import origin
from rcsnap_osc.core import quota
from rcsnap_osc.core import snapshots
from rcsnap_osc.create import nova
from rcsnap_osc.create import plan as create_plan
from rcsnap_osc.create import stop as stopping
from rcsnap_osc import errors
from rcsnap_osc.i18n import _

#: Servers snapshotted at the same time, at most.
MAX_SERVERS = 16

#: How long --stop waits for each step when no timeout is given.
DEFAULT_WAIT = 1800

#: What ``create`` and ``batch create`` are asked, for the callers that use
#: this capability through this module.
Request = create_plan.Request


@dataclasses.dataclass
class Result:
    """One server's snapshot: ``summary`` once made, ``error`` (one line)
    when it failed, ``down`` the seconds it was stopped (None: never),
    ``pruned`` what a retention did of its server's snapshots (the
    ``rcsnap_osc.retention.plan.Pruning``), None when none ran."""

    server: object
    name: str
    verdict: create_plan.Verdict
    summary: object = None
    error: str = None
    down: float = None
    pruned: object = None


# -- the quiesce verdict ------------------------------------------------------

def image_id_of(server):
    """The ID of the image an image-backed server boots from; None for a
    server that boots from a volume (Nova shows ``"image": ""``)."""
    image = server.image
    return getattr(image, 'id', None) or (
        image.get('id') if isinstance(image, dict) else None)


def gather(conn, servers):
    """What the verdicts and the quota pre-flight read, in one round of
    parallel requests: ``({server ID: the metadata Nova copied at boot,
    or None}, the volumes read, Cinder's quota set or None)``.

    The root volume's ``volume_image_metadata`` of the volume-backed
    servers (their volumes fetched in parallel for one server, else in
    one listing), the image properties of the others (each image once),
    and, when one server is volume-backed, Cinder's quota with usage
    (:mod:`rcsnap_osc.core.quota`).
    """
    image_ids = list(dict.fromkeys(
        i for i in map(image_id_of, servers) if i))
    volume_ids = [a.id for s in servers if not image_id_of(s)
                  for a in s.attached_volumes or ()]
    calls = [lambda i=i: fetch_image(conn, i) for i in image_ids]
    if len(servers) == 1:
        calls += [lambda v=v: fetch_volume(conn, v) for v in volume_ids]
    elif volume_ids:
        calls.append(lambda: reads.paginate(
            conn.block_storage, '/volumes/detail', 'volumes',
            {'limit': reads.PAGE_SIZE}))
    with_quota = bool(volume_ids)
    if with_quota:
        calls.append(lambda: reads.cinder_quota(conn))
    if volume_ids:
        discovery.cinder(conn)  # discovery once
    if image_ids:
        conn.image.get_endpoint_data()
    fetched = reads.parallel(calls)
    quota_set = fetched.pop() if with_quota else None
    images = dict(zip(image_ids, fetched[:len(image_ids)]))
    volumes = []
    for item in fetched[len(image_ids):]:
        volumes.extend(item if isinstance(item, list) else [item])
    volumes = [v for v in volumes if v]
    metadata = {s.id: create_plan.boot_metadata(
        image_id_of(s), images.get(image_id_of(s)),
        create_plan.root_volume(s.id, volumes)) for s in servers}
    return metadata, volumes, quota_set


def quota_refusals(servers, volumes, quota_set, recount=None):
    """{server ID: refusal or None}: the volumes Nova would snapshot of
    each volume-backed server, against the quota (servers in order). On
    a refusal, ``recount()`` (:func:`recount`) says whether it comes from
    drift, and what of the quota the recycle bin holds (said, with the
    command that frees it): three listings, made only then."""
    by_id = {v['id']: v for v in volumes}
    needs = [(s.id, s.name, quota.need(
        [by_id.get(a.id, {'id': a.id}) for a in s.attached_volumes or ()]))
        for s in servers if not image_id_of(s)]
    refusals = quota.check(quota_set, needs)
    if recount and any(refusals.values()):
        listed, (count, gib) = recount()
        refusals = quota.check(quota_set, needs, listed)
        note = count and _(
            "; the recycle bin holds %(n)d volume snapshots, %(gib)d GiB "
            "of it: 'openstack rc snapshot bin purge' frees them") % {
                'n': count, 'gib': gib}
        refusals = {k: v and v + (note or '') for k, v in refusals.items()}
    return refusals


def recount(conn, volumes=None):
    """On a refusal: what the project holds, as Cinder counts it
    (:func:`quota.counted`), and the ``(count, GiB)`` of it the recycle
    bin holds: its listings and the bin's, at once."""
    conn.image.get_endpoint_data()
    (volume_snapshots, volumes), binned = reads.parallel([
        lambda: reads.quota_listings(conn, volumes),
        lambda: reads.list_images(conn, owner=conn.current_project_id,
                                  os_hidden='true')])
    return (quota.counted(volume_snapshots, volumes),
            create_plan.bin_held(binned, volume_snapshots))


def fetch_image(conn, image_id):
    return fetch(lambda: reads.image_record(conn.image.get_image(image_id)))


def fetch_volume(conn, volume_id):
    return fetch(lambda: conn.block_storage.get_volume(volume_id).to_dict(
        computed=False, original_names=True))


def fetch(get):
    """``get()``, or None when it is gone or not visible to us."""
    try:
        return get()
    except (sdk_exc.NotFoundException, sdk_exc.ForbiddenException):
        return None


def verdicts(conn, servers, stop=False):
    """``({server ID: :class:`create_plan.Verdict`}, room)``: ``room(some
    of the servers)`` is their :func:`quota_refusals`."""
    metadata, volumes, quota_set = gather(conn, servers)
    return {s.id: create_plan.verdict(s.status, metadata[s.id],
                                      stop=stop and s.status == 'ACTIVE')
            for s in servers}, lambda chosen: quota_refusals(
                chosen, volumes, quota_set,
                lambda: recount(conn, volumes if len(servers) > 1 else None))


# -- one server ---------------------------------------------------------------

def plan_snapshot(conn, server, request, reporter):
    """The :class:`Result` a snapshot of a server (name or ID) would
    give, its verdict said, nothing made yet; refused (nothing made) when
    ``require_quiesce`` or the quota refuses it, or ``--name`` names an
    existing snapshot (:func:`create_plan.name_taken`)."""
    if request.name and not request.duplicate_name:
        create_plan.name_taken(request.name, reads.list_images(
            conn, name=request.name))
    server = find.find_server(conn, server)
    verdict_of, room = verdicts(conn, [server], request.stop)
    verdict = verdict_of[server.id]
    refusal = (create_plan.require_quiesce_refusal(server.name, verdict)
               if request.require_quiesce else None) or room(
                   [server]).get(server.id)
    if refusal:
        raise errors.Refused(refusal + '; ' + _('nothing was made.'))
    result = Result(server, request.name or server.name, verdict)
    say_verdict(result, reporter)
    return result


def say_verdict(result, reporter):
    """Say which snapshot a server is getting, before Nova is asked."""
    reporter.say(_('Server %(server)s: %(verdict)s.') % {
        'server': result.server.name, 'verdict': result.verdict.text})


def make_snapshot(conn, result, request, reporter):
    """Snapshot the planned ``result`` (:func:`snapshot`): its summary
    once it is usable when the :class:`Request` waits or stops."""
    snapshot(conn, result, request, reporter, stopping.sleeper())
    return result


def snapshot(conn, result, request, reporter, sleep):
    """Snapshot ``result.server`` into ``result``; with ``stop``, an
    ACTIVE server is stopped first and started again afterwards,
    whatever happens between."""
    server = result.server
    wait, stop = request.wait, request.stop
    metadata = dict(request.properties or {})
    metadata[create_plan.PROPERTY] = result.verdict.consistency
    # Nova records no server on a volume-backed snapshot: say which.
    metadata[origin.SERVER_PROPERTY] = server.id

    def take():
        image_id = nova.request_image(conn, server, result.name, metadata)
        if wait is None and not stop:
            image = reads.image_record(conn.image.get_image(image_id))
            result.summary = reads.summarize(conn, image)
            return
        settled = {}  # the volume snapshots, as the wait last saw them
        image = snapshot_ready.wait_for_snapshot(
            conn, image_id, DEFAULT_WAIT if wait is None else wait,
            reporter=reporter, sleep=sleep, settled=settled)
        result.summary = snapshots.summarize(image, settled)

    if stop and server.status == 'ACTIVE':
        result.down = stopping.while_stopped(
            conn, server, DEFAULT_WAIT if wait is None else wait, sleep,
            reporter, take)
    else:
        take()


# -- several servers ----------------------------------------------------------

def choose_servers(conn, names_or_ids):
    """The project's servers named (by name or ID), from one listing;
    every server when ``names_or_ids`` is empty. Unknown or ambiguous
    names are refused before anything is made."""
    listed = list(conn.compute.servers())
    if not names_or_ids:
        if not listed:
            raise errors.Refused(_('This project has no server.'))
        return listed
    return find.servers_named(listed, names_or_ids)


def plan_snapshots(conn, names_or_ids, template=None, stop=False,
                   require_quiesce=False):
    """The :class:`Result` each server would give, nothing made yet; a
    server ``--require-quiesce`` refuses has its ``error`` set."""
    return plan_snapshots_of(conn, choose_servers(conn, names_or_ids),
                             template, stop, require_quiesce)


def plan_snapshots_of(conn, servers, template=None, stop=False,
                      require_quiesce=False):
    """:func:`plan_snapshots` of servers already listed."""
    names = create_plan.snapshot_names(
        [(s.id, s.name) for s in servers], template)
    verdict_of, room = verdicts(conn, servers, stop)
    results = []
    for server in servers:
        result = Result(server, names[server.id], verdict_of[server.id])
        if require_quiesce:
            result.error = create_plan.require_quiesce_refusal(
                server.name, result.verdict)
        results.append(result)
    # Those refused already take no room.
    refused = room([r.server for r in results if r.error is None])
    for result in results:
        result.error = result.error or refused.get(result.server.id)
    return results


def create_snapshots(conn, results, request, reporter):
    """Snapshot the servers of the planned ``results`` together, one
    thread each; a failure is recorded on its result and the others go
    on. On Ctrl-C every thread starts again the server it stopped, then
    the interrupt goes on."""
    todo = [r for r in results if r.error is None]
    for proxy in (conn.compute, conn.image, conn.block_storage):
        proxy.get_endpoint_data()  # discovery once, not once per thread
    cancel = threading.Event()
    locked = reporter.locked()  # one line at a time on stderr

    def work(result):
        try:
            snapshot(conn, result, request, locked,
                     stopping.sleeper(cancel))
        except stopping.Interrupted:
            result.error = _('interrupted')
        except KeyboardInterrupt:  # raised in this thread: stop the others
            cancel.set()
            raise
        except Exception as exc:
            error = errors.explain(exc)
            if error is None:
                raise
            result.error = str(error)

    if not todo:
        return results
    pool = concurrent.futures.ThreadPoolExecutor(min(MAX_SERVERS, len(todo)))
    futures = [pool.submit(work, r) for r in todo]
    try:
        for future in futures:
            future.result()
    except KeyboardInterrupt:
        cancel.set()
        concurrent.futures.wait(futures)
        raise
    finally:
        pool.shutdown(wait=True)
    return results
