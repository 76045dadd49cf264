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

"""The one question a command asks before it changes anything."""

import argparse
import io
import types

import testtools

from rcsnap_osc import errors
from rcsnap_osc.v1 import common


class Terminal(io.StringIO):

    def __init__(self, text='', tty=True):
        super().__init__(text)
        self.tty = tty

    def isatty(self):
        return self.tty


def app(answer='', tty=True):
    return types.SimpleNamespace(stdin=Terminal(answer, tty),
                                 stderr=io.StringIO())


def args(*argv):
    parser = argparse.ArgumentParser()
    common.add_plan_arguments(parser, 'Show the plan')
    return parser.parse_args(argv)


class TestConfirmation(testtools.TestCase):

    def test_asks_once_on_a_terminal_with_the_plan(self):
        terminal = app('y\n')
        common.Confirmation(terminal, args(), 'refused').confirm(
            ['one', 'two'], 'Go? [y/N] ')
        self.assertEqual('one\ntwo\nGo? [y/N] ', terminal.stderr.getvalue())

    def test_anything_but_yes_does_nothing(self):
        for answer in ('', 'n\n', 'yess\n'):
            error = self.assertRaises(
                errors.Refused, common.Confirmation(
                    app(answer), args(), 'refused').confirm, [], 'Go? ')
            self.assertEqual('Nothing was done.', str(error))

    def test_refused_at_once_not_on_a_terminal(self):
        error = self.assertRaises(errors.Refused, common.Confirmation,
                                  app(tty=False), args(), 'add --yes')
        self.assertEqual('add --yes', str(error))

    def test_yes_dry_run_or_not_needed_ask_nothing(self):
        for argv, needed in ((('--yes',), True), (('--dry-run',), True),
                             ((), False)):
            quiet = app(tty=False)
            common.Confirmation(quiet, args(*argv), 'refused',
                                needed).confirm(['one'], 'Go? ')
            self.assertEqual('', quiet.stderr.getvalue())

    def test_a_command_that_never_asks_has_no_yes(self):
        parser = argparse.ArgumentParser()
        common.add_plan_arguments(parser, 'Show the plan', yes=None)
        self.assertEqual({'dry_run': True},
                         vars(parser.parse_args(['--dry-run'])))
