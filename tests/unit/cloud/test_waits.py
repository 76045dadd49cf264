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

"""The one waiter: a poll answered with a server error is no answer, and
a wait that ends so says so; and what counts as gone."""

from openstack import exceptions as sdk_exc
import requests
import testtools

from rcsnap_osc.cloud import waits
from rcsnap_osc import errors
from tests.unit import base


def answer(status, body=b'{}'):
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers['Content-Type'] = 'application/json'
    return response


def http_error(status, body=b'{}'):
    try:
        sdk_exc.raise_from_response(answer(status, body))
    except sdk_exc.HttpException as exc:
        return exc
    raise AssertionError('no error for %s' % status)


class TestDeadline(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.clock = self.useFixture(base.FakeClock())

    def raises(self, status):
        def fetch():
            raise http_error(status)
        return fetch

    def test_server_error_is_unknown_and_named(self):
        deadline = waits.Deadline(20)
        while not deadline.passed:
            self.assertIs(waits.UNKNOWN,
                          deadline.poll(waits.CINDER, self.raises(500)))
            deadline.pause()
        self.assertEqual('unknown (Cinder answered 500)',
                         deadline.note(waits.CINDER))
        self.assertEqual(
            'Cinder answered 500 to every poll for 20 s; the state of '
            'volume snapshot X is unknown.',
            str(deadline.expired('volume snapshot X', 'Timed out.')))

    def test_answered_then_erred_names_the_last_polls(self):
        deadline = waits.Deadline(20)
        for fetch in [lambda: 'deleting'] * 3 + [self.raises(503)] * 8:
            deadline.poll(waits.CINDER, fetch)
            deadline.pause()
        deadline.poll(waits.CINDER, self.raises(500))
        self.assertEqual(
            'Cinder answered 500, 503 to every poll of the last 16 s; the '
            'state of volume X is unknown',
            deadline.unanswered('volume X'))

    def test_an_answer_ends_the_errors(self):
        deadline = waits.Deadline(20)
        deadline.poll(waits.GLANCE, self.raises(500))
        self.assertEqual('saving',
                         deadline.poll(waits.GLANCE, lambda: 'saving'))
        self.assertIsNone(deadline.unanswered('image X'))
        self.assertEqual('Timed out.',
                         str(deadline.expired('image X', 'Timed out.')))

    def test_client_errors_are_raised(self):
        deadline = waits.Deadline(20)
        self.assertRaises(sdk_exc.BadRequestException, deadline.poll,
                          waits.CINDER, self.raises(400))
        self.assertIsNone(deadline.unanswered('volume X'))

    def test_until_status_names_the_server_error(self):
        def fetch():
            raise http_error(500)
        seen = []
        error = self.assertRaises(
            errors.Refused, waits.until_status, waits.Deadline(10),
            waits.cinder('Volume V'), fetch, ('available',),
            report=lambda elapsed, pending: seen.append((elapsed, pending)))
        self.assertEqual('Cinder answered 500 to every poll for 10 s; the '
                         'state of volume V is unknown.', str(error))
        self.assertEqual((0, ['unknown (Cinder answered 500)']), seen[0])
        self.assertEqual(6, len(seen))

    def test_until_each_polls_only_what_is_pending(self):
        answers = iter([{'a': 'deleting', 'b': 'deleting'},
                        http_error(503),
                        {'a': 'deleting'}, {}])
        asked, seen = [], []

        def fetch(ids):
            asked.append(ids)
            found = next(answers)
            if isinstance(found, Exception):
                raise found
            return {i: s for i, s in found.items() if i in ids}

        def check(ident, status):
            return None if status is None or ident == 'b' else status

        self.assertEqual({}, waits.until_each(
            waits.Deadline(20), waits.CINDER, fetch, check, ['a', 'b'],
            'volume %s',
            lambda elapsed, notes: seen.append((elapsed, notes))))
        self.assertEqual([['a', 'b'], ['a'], ['a'], ['a']], asked)
        self.assertEqual([
            (0, ['volume a deleting']),
            (2, ['volume a unknown (Cinder answered 503)']),
            (4, ['volume a deleting'])], seen)

    def test_until_each_returns_what_the_deadline_left(self):
        deadline = waits.Deadline(4)
        self.assertEqual({'a': 'in-use'}, waits.until_each(
            deadline, waits.CINDER, lambda ids: {'a': 'in-use'},
            lambda ident, status: status, ['a']))
        self.assertGreaterEqual(deadline.elapsed, 4)
        self.assertEqual({}, waits.until_each(
            deadline, waits.CINDER, self.fail, self.fail, []))

    def test_ticks_pause_between_and_end_with_the_loop(self):
        deadline = waits.Deadline(10)
        times = []
        for _tick in waits.ticks(deadline):
            times.append(deadline.elapsed)
            if len(times) == 3:
                break
        self.assertEqual([0, 2, 4], times)
        polls = waits.polls(deadline, waits.NOVA,
                            _Answers([http_error(500), 'x']))
        self.assertEqual([waits.UNKNOWN, 'x'], [next(polls), next(polls)])
        self.assertEqual(6, deadline.elapsed)


class _Answers:
    """A fetch that gives its answers in turn, raising the errors."""

    def __init__(self, answers):
        self.answers = iter(answers)

    def __call__(self):
        found = next(self.answers)
        if isinstance(found, Exception):
            raise found
        return found


class TestOrNone(testtools.TestCase):

    def test_404_is_none_other_errors_are_raised(self):
        from rcsnap_osc.cloud import reads

        self.assertIsNone(reads.or_none(_Answers([http_error(404)])))
        self.assertEqual('x', reads.or_none(lambda ident: ident, 'x'))
        self.assertRaises(sdk_exc.HttpException, reads.or_none,
                          _Answers([http_error(500)]))


class TestGone(testtools.TestCase):

    def test_what_means_gone(self):
        for status, body, gone in (
                (404, b'{"itemNotFound": {"code": 404, "message": '
                      b'"Snapshot S could not be found."}}', True),
                (400, b'{"code": "400 Bad Request", "title": "Bad Request", '
                      b'"message": "Image status transition from deleted to '
                      b'deleted is not allowed<br /><br />\\n\\n\\n"}', True),
                (400, b'{"badRequest": {"code": 400, "message": "Invalid '
                      b'volume: Volume status must be available or error"}}',
                 False),
                (500, b'{"computeFault": {"code": 500, "message": "The '
                      b'server has either erred or is incapable of '
                      b'performing the requested operation."}}', False)):
            self.assertEqual(gone, errors.is_gone(http_error(status, body)),
                             body)
