"""Shared by the fuzz tests: a seeded generator of hostile HTTP requests (mutations of valid
ones) and a strict reader of what the server sends back.

Not a test module: `test_fuzz_corpus.py` replays the corpus against real servers under every
runtime, `test_fuzz_hypothesis.py` lets hypothesis search (CPython)."""
import random
import re

from support.rawhttp import exchange

TEMPLATES = [
    b'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
    b'GET /json?a=1&b=%E2%9C%93&c HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n',
    b'GET /args?a=%41%42+c HTTP/1.0\r\n\r\n',
    b'GET /user/123 HTTP/1.1\r\nConnection: close\r\n\r\n',
    b'GET /header?v=abc HTTP/1.1\r\n\r\n',
    b'GET /redirect?to=/x HTTP/1.1\r\n\r\n',
    b'GET /cookie?v=abc HTTP/1.1\r\n\r\n',
    b'POST /json HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n'
    b'{"a": [1, 2]}',
    b'POST /form HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n'
    b'Content-Length: 11\r\n\r\na=1&b=%20&c',
    b'POST /stream HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    b'POST /json HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n'
    b'\r\n2;ext=1\r\n[1\r\n1\r\n]\r\n0\r\nTrailer: x\r\n\r\n',
    b'OPTIONS * HTTP/1.1\r\n\r\n',
    b'GET /static/a/../b HTTP/1.1\r\n\r\n',
    b'DELETE /json HTTP/1.1\r\n\r\n',
]
SPECIAL = [b'\r', b'\n', b'\r\n', b'\x00', b'%', b'%0d%0a', b'%zz', b'\xff', b'\xc3\x28', b':',
           b' ', b'\t', b'..', b'/', b'?', b'&', b'=', b'"', b'{', b'-1', b'99999999999999999999',
           b'Content-Length: 5\r\n', b'Transfer-Encoding: chunked\r\n', b'Connection: close\r\n',
           b'Expect: 100-continue\r\n', b'HTTP/1.1', b'\r\n\r\n', b'A' * 300]


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        pos = rng.randint(0, len(data))
        if op == 0 and data:  # flip a byte
            data[min(pos, len(data) - 1)] = rng.randrange(256)
        elif op == 1:  # insert something meaningful
            data[pos:pos] = rng.choice(SPECIAL)
        elif op == 2:  # delete a span
            del data[pos:pos + rng.randint(1, 10)]
        elif op == 3:  # truncate
            del data[pos:]
        elif op == 4:  # duplicate a span
            span = data[pos:pos + rng.randint(1, 40)]
            data[pos:pos] = span * rng.randint(1, 5)
        elif op == 5:  # an extra header
            at = data.find(b'\r\n')
            if at > 0:
                data[at + 2:at + 2] = b'X-' + bytes(rng.randrange(33, 127) for _ in range(
                    rng.randint(0, 8))) + b': ' + rng.choice(SPECIAL) + b'\r\n'
        else:  # random bytes
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 20)))
    return bytes(data)


def case(seed, index):
    """Case number `index` of corpus `seed`: one to three requests, mostly mutated."""
    rng = random.Random(seed * 1000003 + index)
    parts = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        t = rng.choice(TEMPLATES)
        parts.append(t if rng.random() < 0.15 else mutate(rng, t))
    return b''.join(parts)


_STATUS = re.compile(rb'^HTTP/1\.[01] [1-5]\d\d [^\r\n]*$')


class Malformed(Exception):
    pass


def parse_responses(data, head_only=False):
    """The statuses of the responses in `data`; Malformed if it is not a clean sequence of
    HTTP/1.x responses (a cut-off last response counts as malformed)."""
    statuses = []
    pos = 0
    while pos < len(data):
        end = data.find(b'\r\n\r\n', pos)
        if end < 0:
            raise Malformed('no end of head at %d: %r' % (pos, data[pos:pos + 80]))
        lines = data[pos:end].split(b'\r\n')
        if not _STATUS.match(lines[0]):
            raise Malformed('bad status line %r' % lines[0])
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(b':')
            if not sep or not name or name != name.strip() or b'\r' in line or b'\n' in line:
                raise Malformed('bad header line %r' % line)
            headers[name.lower()] = value.strip()
        pos = end + 4
        statuses.append(status)
        if status < 200 or status in (204, 304):
            continue
        if b'content-length' in headers:
            n = int(headers[b'content-length'])
            if head_only and not data.startswith(b'HTTP/1.', pos) and pos < len(data) \
                    and len(data) - pos < n:
                raise Malformed('short body')
            if head_only and (pos == len(data) or data.startswith(b'HTTP/1.', pos)):
                continue  # a HEAD answer: no body
            if len(data) - pos < n:
                raise Malformed('body cut short: %d of %d' % (len(data) - pos, n))
            pos += n
        elif headers.get(b'transfer-encoding') == b'chunked':
            while True:
                eol = data.find(b'\r\n', pos)
                if eol < 0:
                    raise Malformed('chunk size missing')
                size = int(data[pos:eol], 16)
                pos = eol + 2 + size
                if data[pos:pos + 2] != b'\r\n':
                    raise Malformed('chunk not terminated')
                pos += 2
                if size == 0:
                    break
        else:
            if not lines[0].startswith(b'HTTP/1.0') and headers.get(b'connection') != b'close':
                raise Malformed('close-delimited body on a kept-alive HTTP/1.1 response')
            pos = len(data)
    return statuses




def check(port, data):
    """Replay one case; returns (statuses, answer) or raises Malformed."""
    answer = exchange(port, data)
    statuses = parse_responses(answer, head_only=b'HEAD' in data)
    if 500 in statuses:
        raise Malformed('500 for %r' % data[:200])
    return statuses, answer
