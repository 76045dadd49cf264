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

"""Base classes of the plugin's commands: the one error boundary.

:meth:`_Command.run` turns any SDK, keystoneauth or plan error raised while
a command runs into one :class:`osc_lib.exceptions.CommandError` line
(worded by :func:`rcsnap_osc.errors.explain`), so no command wraps its own
body. It is the only place that builds that error from a failure below the
commands.
A command that has done part of its work says so with :meth:`partial`: the
base prints that output before the error line. A command that printed its
whole output but must still exit 1 sets :meth:`fail_after_output`.
"""

import logging

from osc_lib.command import command

#: keystoneauth warns when identity version discovery fails, and then the
#: authentication fails with its own, clearer message: one line is enough.
_DISCOVERY_LOGGER = 'keystoneauth.identity.generic.base'


#: keystoneauth says on stderr each time it retries a request; our reads
#: are retried quietly (:mod:`rcsnap_osc.cloud.session`), and when they finally
#: fail the command says so in one line.
_SESSION_LOGGER = 'keystoneauth.session'


class _DropWarnings(logging.Filter):
    def filter(self, record):
        return record.levelno != logging.WARNING


class _DropRetryNotes(logging.Filter):
    def filter(self, record):
        return not (record.levelno == logging.WARNING
                    and 'Retrying in' in record.getMessage())


_DROP_WARNINGS = _DropWarnings()
_DROP_RETRY_NOTES = _DropRetryNotes()


class _Command:
    """Our commands fail with one line on stderr, authentication included.

    OSC authenticates before ``take_action``; the filter is added when one
    of our commands is made, so other commands are left as they are.
    """

    def __init__(self, app, app_args, cmd_name=None):
        super().__init__(app, app_args, cmd_name=cmd_name)
        logging.getLogger(_DISCOVERY_LOGGER).addFilter(_DROP_WARNINGS)
        logging.getLogger(_SESSION_LOGGER).addFilter(_DROP_RETRY_NOTES)
        self._partial = None
        self._failure = None

    @property
    def conn(self):
        """The openstacksdk connection OSC made for this plugin; its reads
        are retried (:mod:`rcsnap_osc.cloud.session`)."""
        from rcsnap_osc.cloud import session

        conn = self.app.client_manager.rcsnap
        session.retry_reads(conn.session)
        return conn

    def get_parser(self, prog_name):
        """A bad argument is refused in one line (argparse would print the
        whole usage first), with argparse's exit code 2, before any
        request."""
        parser = super().get_parser(prog_name)

        def error(message):
            self.app.stderr.write('%s: error: %s\n' % (prog_name, message))
            raise SystemExit(2)

        parser.error = error
        return parser

    def partial(self, output):
        """``output()`` returns the ``(columns, data)`` of the work done so
        far: printed before the error line if the command fails now."""
        self._partial = output

    def fail_after_output(self, error):
        """Exit 1 with ``error`` once the output is printed."""
        self._failure = error

    def run(self, parsed_args):
        self._partial = self._failure = None
        try:
            code = super().run(parsed_args)
        except Exception as exc:
            error = command_error(exc)
            if error is None:
                raise
            if self._partial is not None:
                self.produce_output(parsed_args, *self._partial())
            if error is exc:
                raise
            raise error from exc
        if self._failure is not None:
            raise self._failure
        return code


def command_error(exc):
    """The CommandError that reports ``exc`` (``exc`` itself when it is
    one), or None when it is not ours to report (a bug)."""
    from osc_lib import exceptions

    from rcsnap_osc import errors

    if isinstance(exc, exceptions.CommandError):
        return exc
    line = errors.explain(exc)
    return None if line is None else exceptions.CommandError(line)


class ShowOne(_Command, command.ShowOne):
    pass


class Lister(_Command, command.Lister):
    pass
