"""Hostile input over real sockets, under every runtime: each malformed or malicious request gets
the right 4xx/5xx answer (never a traceback on the console) and the server keeps serving."""

import pytest

from support.rawhttp import exchange

JSON = b'Content-Type: application/json\r\n'
FORM = b'Content-Type: application/x-www-form-urlencoded\r\n'

# (name, raw request, expected status)
CASES = [
    ('garbage request line', b'garbage\r\n\r\n', 400),
    ('two-word request line', b'GET /\r\n\r\n', 400),
    ('four-word request line', b'GET / x HTTP/1.1\r\n\r\n', 400),
    ('not HTTP', b'GET / FOO/1.1\r\n\r\n', 400),
    ('bad version syntax', b'GET / HTTP/x\r\n\r\n', 400),
    ('HTTP/2.0 on a 1.x socket', b'GET / HTTP/2.0\r\n\r\n', 505),
    ('target without slash', b'GET index HTTP/1.1\r\n\r\n', 400),
    ('invalid UTF-8 in the path', b'GET /\xff\xfe HTTP/1.1\r\n\r\n', 400),
    ('invalid UTF-8 in a header', b'GET / HTTP/1.1\r\nX: \xc3\x28\r\n\r\n', 400),
    ('NUL in a header name', b'GET / HTTP/1.1\r\nA\x00B: x\r\n\r\n', 400),
    ('header without colon', b'GET / HTTP/1.1\r\nNoColon\r\n\r\n', 400),
    ('space before colon', b'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400),
    ('obsolete line folding', b'GET / HTTP/1.1\r\nX-A: 1\r\n  folded\r\n\r\n', 400),
    # a malformed percent-escape is kept as text, as Microdot does (docs/migrating.md)
    ('bad percent-escape in query', b'GET /args?a=%zz HTTP/1.1\r\n\r\n', 200),
    ('truncated percent-escape', b'GET /args?a=%4 HTTP/1.1\r\n\r\n', 200),
    ('escape that is not UTF-8', b'GET /args?a=%ff HTTP/1.1\r\n\r\n', 400),
    ('Content-Length not a number', b'POST /json HTTP/1.1\r\nContent-Length: abc\r\n\r\n', 400),
    ('negative Content-Length', b'POST /json HTTP/1.1\r\nContent-Length: -3\r\n\r\nabc', 400),
    ('signed Content-Length', b'POST /json HTTP/1.1\r\nContent-Length: +3\r\n\r\nabc', 400),
    ('list Content-Length', b'POST /json HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc', 400),
    ('conflicting Content-Length',
     b'POST /json HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd', 400),
    ('Content-Length and chunked', b'POST /json HTTP/1.1\r\nContent-Length: 3\r\n'
     b'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400),
    ('unknown transfer coding', b'POST /json HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nzz', 501),
    ('bad chunk size', b'POST /json HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400),
    ('negative chunk size',
     b'POST /json HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n', 400),
    ('huge chunk size',
     b'POST /json HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffff\r\n', 413),
    ('chunk without CRLF',
     b'POST /json HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX0\r\n\r\n', 400),
    ('body too large', b'POST /json HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n', 413),
    ('request line too long', b'GET /' + b'a' * 5000 + b' HTTP/1.1\r\n\r\n', 414),
    ('header line too long', b'GET / HTTP/1.1\r\nX-Big: ' + b'b' * 5000 + b'\r\n\r\n', 431),
    ('too many headers', b'GET / HTTP/1.1\r\n' + b'X-A: b\r\n' * 100 + b'\r\n', 431),
    ('invalid JSON', b'POST /json HTTP/1.1\r\n' + JSON + b'Content-Length: 3\r\n\r\n{x}', 400),
    ('JSON that is not UTF-8',
     b'POST /json HTTP/1.1\r\n' + JSON + b'Content-Length: 2\r\n\r\n\xff\xfe', 400),
    ('bad form escape', b'POST /form HTTP/1.1\r\n' + FORM + b'Content-Length: 4\r\n\r\na=%z', 200),
    ('form value that is not UTF-8',
     b'POST /form HTTP/1.1\r\n' + FORM + b'Content-Length: 5\r\n\r\na=%ff', 400),
    ('CR/LF into a response header', b'GET /header?v=a%0d%0aX-Evil:%201 HTTP/1.1\r\n\r\n', 400),
    ('LF alone into a response header', b'GET /header?v=a%0aX-Evil:%201 HTTP/1.1\r\n\r\n', 400),
    ('CR/LF into a redirect', b'GET /redirect?to=/a%0d%0aX-Evil:%201 HTTP/1.1\r\n\r\n', 400),
    ('CR/LF into a cookie', b'GET /cookie?v=a%0d%0aX-Evil:%201 HTTP/1.1\r\n\r\n', 400),
    ('int route with junk', b'GET /user/%zz HTTP/1.1\r\n\r\n', 404),
]




def status_of(data):
    line = data.split(b'\r\n', 1)[0]
    assert line[:7] in (b'HTTP/1.', ) and len(line.split()) >= 2, data[:200]
    return int(line.split()[1])


def test_each_hostile_request_gets_its_status_and_no_traceback(serve, runtime):
    server = serve('hard_app', heapsize='64wK' if runtime == 'mp-mpy' else None)
    wrong = []
    for name, data, expected in CASES:
        answer = exchange(server.port, data)
        if not answer or status_of(answer) != expected or b'X-Evil' in answer:
            wrong.append((name, expected, answer[:120]))
    ok = exchange(server.port, b'GET / HTTP/1.1\r\nConnection: close\r\n\r\n')
    out = server.stop()
    assert not wrong, wrong
    assert ok.endswith(b'hello')
    assert 'Traceback' not in out, out


def test_error_answers_close_the_connection_and_say_so(serve):
    server = serve('hard_app')
    data = exchange(server.port, b'GET / HTTP/1.1\r\nNoColon\r\n\r\nGET / HTTP/1.1\r\n\r\n')
    assert data.count(b'HTTP/1.1') == 1 and b'Connection: close' in data  # nothing after it


def test_invalid_json_is_400_and_keeps_the_connection(serve):
    import http.client
    server = serve('hard_app')
    conn = http.client.HTTPConnection('127.0.0.1', server.port, timeout=5)
    conn.request('POST', '/json', body=b'{"a": ', headers={'Content-Type': 'application/json'})
    res = conn.getresponse()
    assert res.status == 400 and res.read() == b'Invalid JSON'
    conn.request('POST', '/json', body=b'[1]', headers={'Content-Type': 'application/json'})
    res = conn.getresponse()
    assert res.status == 200 and res.read() == b'{"type": "list"}'
    conn.close()


@pytest.mark.parametrize('runtime', ['mp-py', 'mp-mpy'])  # CPython has no heap to exhaust
def test_memory_error_gives_503_closes_and_the_server_keeps_serving(serve, runtime):
    server = serve('hard_app', heapsize='64wK' if runtime == 'mp-mpy' else '128wK')
    base = exchange(server.port, b'GET /mem HTTP/1.1\r\nConnection: close\r\n\r\n')
    for _ in range(3):
        answer = exchange(server.port, b'GET /hog HTTP/1.1\r\n\r\n')
        assert status_of(answer) == 503 and b'Connection: close' in answer
    after = exchange(server.port, b'GET /mem HTTP/1.1\r\nConnection: close\r\n\r\n')
    import json
    used = json.loads(base.partition(b'\r\n\r\n')[2])['alloc']
    used_after = json.loads(after.partition(b'\r\n\r\n')[2])['alloc']
    assert used_after < used + 4096, (used, used_after)
    assert 'Traceback' not in server.stop()


@pytest.mark.parametrize('runtime', ['mp-py', 'mp-mpy'])
def test_memory_error_after_the_head_closes_without_a_second_response(serve, runtime):
    server = serve('hard_app', heapsize='64wK' if runtime == 'mp-mpy' else '128wK')
    for keep_alive in (False, True):
        answer = exchange(server.port, b'GET /hogstream HTTP/1.1\r\n' +
                          (b'' if keep_alive else b'Connection: close\r\n') + b'\r\n')
        assert answer.startswith(b'HTTP/1.1 200 OK'), answer[:200]
        assert answer.count(b'HTTP/1.') == 1 and b'503' not in answer, answer
        assert b'chunk 0' in answer
    ok = exchange(server.port, b'GET / HTTP/1.1\r\nConnection: close\r\n\r\n')
    assert ok.endswith(b'hello')
    assert 'Traceback' not in server.stop()
