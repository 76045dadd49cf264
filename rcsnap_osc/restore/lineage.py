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

"""Which server stands for another after restores: a server a restore made
records, in its metadata, the servers it replaced (latest first), and the
server it replaced records the one that did. Pure."""

from rcsnap_osc.core import origin

RESTORED_FROM = origin.RESTORED_FROM
REPLACED_BY = origin.REPLACED_BY


def lineage(server: dict) -> str:
    """The new server's :data:`RESTORED_FROM`: the old one's ID, then
    those it replaced itself, within 255 characters."""
    ids = [server['id']] + (
        (server.get('metadata') or {}).get(RESTORED_FROM) or '').split()
    while len(' '.join(ids)) > 255:
        ids.pop()
    return ' '.join(ids)


def successor(ident: str, servers: list[dict]) -> dict | None:
    """The server that stands for server ``ident`` now: one whose
    :data:`RESTORED_FROM` names it and that no restore replaced since
    (the latest, when several do); None."""
    def chain(server):
        return ((server.get('metadata') or {}).get(RESTORED_FROM)
                or '').split()
    found = [s for s in servers if ident in chain(s) and not (
        s.get('metadata') or {}).get(REPLACED_BY)]
    found.sort(key=lambda s: chain(s).index(ident), reverse=True)
    return found[0] if found else None
