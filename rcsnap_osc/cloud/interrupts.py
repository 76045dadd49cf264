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

"""Ctrl-C held back while a write is answered and recorded.

A Ctrl-C that lands while a POST is on its way raises KeyboardInterrupt
inside the HTTP client: the service may have made the volume (or volume
snapshot, or backup), but the command never learns its ID, so the
rollback ledger cannot remove it. Inside :func:`held`, a first Ctrl-C
waits for the block to end (the answer read and its ID written on the
ledger), then interrupts; a second one interrupts at once, as a user who
insists expects. Where Ctrl-C is not Python's (ignored, handled by the
caller) or off the main thread, nothing changes.
"""

import contextlib
import signal
import threading


@contextlib.contextmanager
def held():
    """A block a first Ctrl-C does not cut short (see the module)."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT)
            is not signal.default_int_handler):
        yield
        return
    pending = []

    def wait_for_the_block(signum, frame):
        if pending:
            raise KeyboardInterrupt
        pending.append(signum)

    signal.signal(signal.SIGINT, wait_for_the_block)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if pending:
        raise KeyboardInterrupt
