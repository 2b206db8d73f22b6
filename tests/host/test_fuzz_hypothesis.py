"""Property-based fuzzing with hypothesis (CPython drives it): structured requests built from
hostile parts, and raw bytes, sent to the real server on 127.0.0.1 (a CPython server and the
unix port's .mpy build under a 64wK heap). Each must get a clean sequence of well-formed
responses, never a 500, or a clean close; the server must stay up and print nothing.

HYPOTHESIS_EXAMPLES sets the number of examples per property (`make fuzz` raises it)."""
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzzing
from support.servers import ServerProcess

EXAMPLES = int(os.environ.get('HYPOTHESIS_EXAMPLES', '300'))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


@pytest.fixture(scope='module', params=['cpython', 'mp-mpy'])
def server(request):
    heap = '64wK' if request.param == 'mp-mpy' else None
    proc = ServerProcess('hard_app', request.param, heapsize=heap,
                         args=['request_timeout=2']).start()
    yield proc
    out = proc.stop()
    assert 'Traceback' not in out, out[-3000:]


token = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=0, max_size=12)
hostile_text = st.one_of(
    token,
    st.binary(max_size=24).map(lambda b: b.decode('latin-1')),
    st.sampled_from(['%', '%zz', '%0d%0a', '%ff', '%E2%9C%93', '..', '/../', '\x00', '\r\n',
                     '\t', ' ', ':', '-1', '99999999999999999999999', 'chunked', 'close']))
methods = st.one_of(st.sampled_from(['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']), token)
paths = st.one_of(
    st.sampled_from(['/', '/json', '/args', '/header', '/redirect', '/cookie', '/form',
                     '/user/1', '/stream', '*']),
    st.builds(lambda a, b: '/' + a + '?' + b, hostile_text, hostile_text),
    st.builds(lambda a, b: '/header?v=' + a + b, hostile_text, hostile_text))
versions = st.sampled_from(['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 ', 'HTTP/x', ''])
header = st.tuples(st.one_of(st.sampled_from(['Content-Length', 'Transfer-Encoding',
                                              'Content-Type', 'Connection', 'Expect', 'Host']),
                             token), hostile_text)


def build(method, path, version, headers, body):
    head = (method + ' ' + path + ' ' + version + '\r\n').encode('latin-1')
    for name, value in headers:
        head += (name + ': ' + value + '\r\n').encode('latin-1')
    return head + b'\r\n' + body


def probe(server, data):
    statuses, _ = fuzzing.check(server.port, data)
    assert 500 not in statuses


@SETTINGS
@given(data=st.builds(build, methods, paths, versions, st.lists(header, max_size=6),
                      st.binary(max_size=64)))
def test_structured_hostile_requests(server, data):
    probe(server, data)


@SETTINGS
@given(data=st.binary(max_size=300))
def test_raw_bytes(server, data):
    probe(server, data)


@SETTINGS
@given(requests=st.lists(st.sampled_from(fuzzing.TEMPLATES), min_size=2, max_size=4),
       cut=st.integers(min_value=0, max_value=2000))
def test_pipelined_valid_requests_then_a_cut(server, requests, cut):
    data = b''.join(requests)
    probe(server, data[:cut] if cut < len(data) else data)


def test_server_still_serves_after_fuzzing(server):
    statuses, answer = fuzzing.check(server.port, b'GET / HTTP/1.1\r\n\r\n')
    assert statuses == [200] and answer.endswith(b'hello')


SEGMENTS = ['..', '.', '', 'a', '%2e', '%2E%2e', '%2f', '%5c', '%00', '/', '\\', 'C:', '.git', '%',
            'b%20c', '%0d%0a', '\x00']


@SETTINGS
@given(path=st.one_of(st.text(max_size=40),
                      st.lists(st.sampled_from(SEGMENTS), max_size=8).map('/'.join)))
def test_static_paths_never_escape(path):
    """microdot.static's path check: whatever the URL, the segments it lets through can only
    name something inside the served directory (or it answers 400 / 404)."""
    from microdot.static import safe_path
    parts = safe_path(path)
    if isinstance(parts, int):
        assert parts in (400, 404)
        return
    for seg in parts:
        assert seg and seg not in ('.', '..')
        assert '/' not in seg and '\\' not in seg and '\x00' not in seg
        assert not seg.startswith('.')
        assert not any(ord(c) < 32 for c in seg)
    assert not parts or ':' not in parts[0]
