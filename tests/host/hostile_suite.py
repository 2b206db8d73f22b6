"""The adversarial suite's cases and targets (used by test_hostile_suite.py; not a test module).

A *target* is a real server: the device UI as `make run-esp8266` serves it (ROMFS framework,
56wK heap, 3 connections), the UI as .mpy under 64wK, and apps under CPython and the unix port.
A *case* attacks it through raw sockets: each is a function ``case(target)`` that returns a
list of complaints (empty when the server answered as it should), or None when the target has
nothing it attacks (no WebSocket route, no uploads...): only the cases run are counted. After every case the suite
checks what the issue demands of every case: the server is alive, a fresh client is served,
and the files and settings on the (simulated) board are unchanged.

Classes covered: malformed request lines and headers, oversized lines / headers / bodies,
request smuggling (Content-Length vs chunked), strict chunk sizes and Content-Length, long
route arguments, deeply nested JSON and JWT, non-finite numbers, bodies up to the limit in one
piece and in 1-byte chunks, slowloris, idle streams holding slots, static-file traversal,
WebSocket handshake and protocol errors, fragment floods, bursts of concurrent clients, a deeply
nested session cookie on a login-protected page, and uploads that must change nothing (a name
twice, names too long or with a NUL, an upload cut short, a second upload meanwhile), and
valid settings saves at once on a short heap, which must neither be refused 400 nor lose a
setting (items 1 and 10).
"""
import base64
import hashlib
import json
import os
import socket
import struct
import threading
import time

from support.rawhttp import exchange, read_head
from support.wsclient import frame, parse, read_frames, upgrade

ROUNDS = int(os.environ.get('HOSTILE_ROUNDS', '1'))  # `make hostile` repeats the suite


class Target:
    """A running server under attack. Subclasses start it; `auth` is the Authorization header
    line (bytes, with CRLF) the owner-only endpoints need, `fs` the directory whose files must
    survive, `health` a path that answers 200 when the server is well."""

    auth = b''
    fs = None
    health = '/'
    ws_path = None  # a WebSocket echo route, if the target has one
    sse_path = None  # an event-stream route, if the target has one
    json_path = None  # a route that parses a JSON body
    static_prefix = None  # where static files are served
    streams = None  # the stream cap, if the suite should test it
    protected_path = None  # a page that needs a login through microdot.session (a JWT cookie)
    upload_path = None  # a multipart/form-data upload route (files in a field named "file")
    settings = None  # the settings file in `fs` the uploads must not replace (and its spellings)
    delete_path = None  # a route that deletes the file named after it (DELETE), if any
    settings_path = None  # the JSON settings route (GET: {"hostname", ...}; POST: save), if any
    json_checked = False  # the json_path route checks its numbers: {"level": 1e999} is 400
    short_heap = False  # ordinary requests may get 503 (busy, try again): the UI at 56wK
    heap_has_room = False  # no device heap: a 503 is then no answer to a malformed request

    def alive(self):
        raise NotImplementedError

    def output(self):
        raise NotImplementedError

    def raw(self, data, timeout=10.0):
        return exchange(self.port, data, timeout)

    def request(self, method, path, body=b'', headers=b'', close=True):
        head = b'%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n' % (method.encode(), path.encode())
        head += self.auth + headers
        if body or method in ('POST', 'PUT'):
            head += b'Content-Length: %d\r\n' % len(body)
        if close:
            head += b'Connection: close\r\n'
        return self.raw(head + b'\r\n' + body)


def snapshot(fs):
    """{relative path: sha256} of every file under `fs` (None: no filesystem to guard)."""
    if fs is None:
        return None
    out = {}
    for dirpath, _, names in os.walk(fs):
        for name in names:
            path = os.path.join(dirpath, name)
            with open(path, 'rb') as f:
                out[os.path.relpath(path, fs)] = hashlib.sha256(f.read()).hexdigest()
    return out


def status_of(answer):
    line = answer.split(b'\r\n', 1)[0]
    if not line.startswith(b'HTTP/1.') or len(line.split()) < 2:
        return None
    return int(line.split()[1])


def healthy(target, within=8.0):
    """Seconds until a fresh client gets 200 on the target's health path (None: never)."""
    start = time.time()
    while time.time() - start < within:
        try:
            if status_of(target.request('GET', target.health)) == 200:
                return time.time() - start
        except OSError:
            pass
        time.sleep(0.2)
    return None


# --- raw request cases: (name, request bytes, acceptable statuses) -------------------------------
# {auth} is replaced by the target's Authorization line; a case passes if the answer's status is
# one of the acceptable ones (never a 500, never silence), whatever the route does with it.

BAD = (400, 401, 403, 404, 405, 411, 413, 414, 431, 501, 503, 505)


def raw_cases(target):
    json_path = (target.json_path or '/').encode()
    static = (target.static_prefix or '/static').encode()
    deep = b'[' * 3000 + b']' * 3000
    long_arg = b'a' * 1000
    deep_token = base64.urlsafe_b64encode(b'[' * 1400).rstrip(b'=') + b'.e30.x'
    busy = (503,) if target.short_heap else ()
    # {"level": 1e999}: 400 where the route checks numbers; else the route's answer (an app may
    # take infinity), and no route at all is 404/405 (item 12)
    if target.json_checked:
        huge = (400,) + busy
    elif target.json_path:
        huge = (200, 400) + busy
    else:
        huge = (404, 405)
    # a token nested 1400 deep in a cookie or bearer header: the page, or a login redirect or
    # refusal, never a 500, and 503 only where any page may be (item 13)
    page = (200, 302, 303, 400, 401, 431) + busy
    cases = [
        ('garbage request line', b'garbage\r\n\r\n', BAD),
        ('request line too long', b'GET /' + b'a' * 5000 + b' HTTP/1.1\r\n\r\n', BAD),
        ('header line too long', b'GET / HTTP/1.1\r\nX-Big: ' + b'b' * 5000 + b'\r\n\r\n', BAD),
        ('too many headers', b'GET / HTTP/1.1\r\n' + b'X-A: b\r\n' * 100 + b'\r\n', BAD),
        ('head too large', b'GET / HTTP/1.1\r\n' + (b'X-A: ' + b'c' * 1500 + b'\r\n') * 7 +
         b'\r\n', BAD),
        ('NUL in the head', b'GET / HTTP/1.1\r\nA\x00B: x\r\n\r\n', BAD),
        ('invalid UTF-8 in the path', b'GET /\xff\xfe HTTP/1.1\r\n\r\n', BAD),
        ('obsolete line folding', b'GET / HTTP/1.1\r\nX-A: 1\r\n  folded\r\n\r\n', BAD),
        ('HTTP/2.0', b'GET / HTTP/2.0\r\n\r\n', BAD),
        # smuggling: the two framings must never disagree
        ('Content-Length and chunked', b'POST ' + json_path + b' HTTP/1.1\r\n{auth}'
         b'Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /x HTTP/1.1\r\n\r\n',
         BAD),
        ('two Content-Lengths', b'POST ' + json_path + b' HTTP/1.1\r\n{auth}Content-Length: 3\r\n'
         b'Content-Length: 40\r\n\r\nabc', BAD),
        ('Content-Length list', b'POST ' + json_path + b' HTTP/1.1\r\n{auth}'
         b'Content-Length: 3, 3\r\n\r\nabc', BAD),
        ('unknown transfer coding', b'POST ' + json_path + b' HTTP/1.1\r\n{auth}'
         b'Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n', BAD),
        # strict numbers (item 16)
        ('chunk size 0x5', b'POST ' + json_path + b' HTTP/1.1\r\n{auth}'
         b'Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n', BAD),
        ('chunk size 0_5', b'POST ' + json_path + b' HTTP/1.1\r\n{auth}'
         b'Transfer-Encoding: chunked\r\n\r\n0_5\r\nhello\r\n0\r\n\r\n', BAD),
        ('chunk size overflow', b'POST ' + json_path + b' HTTP/1.1\r\n{auth}'
         b'Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n', BAD),
        ('Arabic-Indic Content-Length', b'POST ' + json_path + b' HTTP/1.1\r\n{auth}'
         b'Content-Length: \xd9\xa1\xd9\xa2\r\n\r\n' + b'x' * 12, BAD),
        ('Content-Length over the limit', b'POST ' + json_path + b' HTTP/1.1\r\n{auth}'
         b'Content-Length: 99999999999999\r\n\r\n', BAD),
        # long route arguments (item 11): no regex recursion
        ('1000-character static name', b'GET ' + static + b'/' + long_arg + b' HTTP/1.1\r\n\r\n',
         BAD),
        ('1900-character static name', b'GET ' + static + b'/' + b'b' * 1900 +
         b' HTTP/1.1\r\n\r\n', BAD),
        ('1000-character API name', b'GET /api/pins/' + long_arg + b' HTTP/1.1\r\n{auth}\r\n', BAD),
        # nesting and numbers (items 12, 13)
        ('deeply nested JSON', b'POST ' + json_path + b' HTTP/1.1\r\n{auth}'
         b'Content-Type: application/json\r\nContent-Length: %d\r\n\r\n' % len(deep) + deep, BAD),
        ('JSON level 1e999', b'POST ' + json_path + b' HTTP/1.1\r\n{auth}'
         b'Content-Type: application/json\r\nContent-Length: 15\r\n\r\n{"level":1e999}', huge),
        ('deeply nested JWT cookie', b'GET / HTTP/1.1\r\nCookie: session=' + deep_token +
         b'\r\n\r\n', page),
        ('deeply nested JWT bearer', b'GET / HTTP/1.1\r\nAuthorization: Bearer ' + deep_token +
         b'\r\n\r\n', page),
        # static traversal
        ('traversal ..', b'GET ' + static + b'/../config.json HTTP/1.1\r\n\r\n', BAD),
        ('traversal %2e%2e', b'GET ' + static + b'/%2e%2e/config.json HTTP/1.1\r\n\r\n', BAD),
        ('traversal ..%2f', b'GET ' + static + b'/..%2fconfig.json HTTP/1.1\r\n\r\n', BAD),
        ('traversal absolute', b'GET ' + static + b'//etc/passwd HTTP/1.1\r\n\r\n', BAD),
        ('traversal backslash', b'GET ' + static + b'/..\\config.json HTTP/1.1\r\n\r\n', BAD),
    ]
    return [(n, d.replace(b'{auth}', target.auth), ok) for n, d, ok in cases]


def run_raw(target, name, data, acceptable):
    answer = target.raw(data)
    status = status_of(answer)
    if status == 503:
        # "busy, try again" (the cap, or a MemoryError): an answer on a device heap, which a
        # request with a 2 KB line may find in pieces after a round of streams; where the heap
        # has room it would hide a malformed request that found the server failing (11-17)
        ok = not target.heap_has_room
    else:
        ok = status in acceptable
    if not ok:
        return ['%s: %r' % (name, answer[:160])]
    if name.startswith('traversal') and (b'"networks"' in answer or b'root:' in answer):
        return ['%s leaked a file: %r' % (name, answer[:160])]
    return []


# --- scenario cases -----------------------------------------------------------------------------

def case_bodies(target):
    """Bodies of 12-16 kB in one piece and 16 KiB in 1-byte chunks (item 15): answered (2xx or
    4xx, as the route decides), not 500 or a crash."""
    path = (target.json_path or '/').encode()
    wrong = []
    for size in (12000, 15000, 16384):
        body = b'[' + b'1,' * ((size - 2) // 2) + b'1]'
        answer = target.raw(b'POST ' + path + b' HTTP/1.1\r\n' + target.auth +
                            b'Content-Type: application/json\r\nConnection: close\r\n'
                            b'Content-Length: %d\r\n\r\n' % len(body) + body)
        if status_of(answer) in (None, 500):
            wrong.append('body %d: %r' % (size, answer[:120]))
    data = bytearray(b'POST ' + path + b' HTTP/1.1\r\n' + target.auth +
                     b'Content-Type: application/octet-stream\r\nConnection: close\r\n'
                     b'Transfer-Encoding: chunked\r\n\r\n')
    for _ in range(16384):
        data += b'1\r\nx\r\n'
    answer = target.raw(bytes(data + b'0\r\n\r\n'), timeout=30)
    if status_of(answer) in (None, 500):
        wrong.append('1-byte chunks: %r' % answer[:120])
    return wrong


def case_slowloris(target):
    """Six sockets trickle a head a byte at a time or stay silent; a fresh client is still
    served, within the request timeout at worst."""
    socks = []
    for i in range(6):
        try:
            s = socket.create_connection(('127.0.0.1', target.port), timeout=5)
        except OSError:
            continue
        socks.append(s)
        if i % 2:
            s.sendall(b'GET / HTTP/1.1\r\nX-Slow: ')
    stop = threading.Event()

    def trickle():
        while not stop.is_set():
            for s in socks[1::2]:
                try:
                    s.send(b'a')
                except OSError:
                    pass
            stop.wait(0.2)
    t = threading.Thread(target=trickle, daemon=True)
    t.start()
    try:
        took = healthy(target, within=15)
    finally:
        stop.set()
        t.join()
        for s in socks:
            s.close()
    return [] if took is not None else ['a fresh client was not served beside slow ones']


def case_burst(target):
    """Twenty clients at once: each gets 200 or 503, none 500 or a reset without an answer."""
    out = []

    def one():
        try:
            out.append(status_of(target.request('GET', target.health)))
        except OSError as exc:
            out.append(str(exc))
    threads = [threading.Thread(target=one) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # None: the connection was reset, which is how a refused client may see its 503 when it
    # closes before the request arrived; anything else must be 200 or 503
    bad = [s for s in out if s not in (200, 503, None)]
    if out.count(200) == 0:
        bad.append('no client served')
    return ['burst answers %r' % bad] if bad else []


def _sse_open(target):
    s = socket.create_connection(('127.0.0.1', target.port), timeout=5)
    s.sendall(b'GET ' + target.sse_path.encode() + b' HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
              target.auth + b'\r\n')
    return s, status_of(read_head(s))


def case_idle_streams(target):
    """As many event streams as there are connection slots, left idle (item 8): the ones past
    the stream cap get 503, and ordinary requests are still served."""
    if not target.sse_path or not target.streams:
        return None  # not a case for this target
    opened = []
    statuses = []
    try:
        for _ in range(target.streams + 1):
            s, status = _sse_open(target)
            opened.append(s)
            statuses.append(status)
        took = healthy(target, within=5)
    finally:
        for s in opened:
            s.close()
    wrong = []
    if statuses[:target.streams] != [200] * target.streams or statuses[-1] != 503:
        wrong.append('stream statuses %r (cap %d)' % (statuses, target.streams))
    if took is None:
        wrong.append('idle streams locked ordinary requests out')
    # the streams whose clients hung up give their slots back (all of them, within seconds)
    end = time.time() + 5
    while True:
        opened = []
        try:
            for _ in range(target.streams):
                s, status = _sse_open(target)
                opened.append(s)
                if status != 200:
                    break
            else:
                break
        finally:
            for s in opened:
                s.close()
        if time.time() > end:
            wrong.append('the slots of hung-up streams did not come back')
            break
        time.sleep(0.2)
    time.sleep(0.5)  # and these last ones end too
    return wrong


def _ws_open(target, key=None):
    s, head, rest = upgrade(target.port, target.ws_path, key, target.auth)
    return s, status_of(head), rest


WS_CASES = [
    ('unmasked frame', frame(1, b'hi', mask=False), 1002),
    ('reserved bit', frame(1, b'hi', rsv=4), 1002),
    ('unknown opcode', frame(3, b'hi'), 1002),
    ('long control frame', frame(9, b'p' * 126), 1002),
    ('fragmented control frame', frame(9, b'p', fin=False), 1002),
    ('continuation first', frame(0, b'hi'), 1002),
    ('text not UTF-8', frame(1, b'\xff\xfe'), 1007),
    ('bad close code', frame(8, struct.pack('!H', 999)), 1002),
    ('message over the limit', frame(2, b'', length=10 ** 9), 1009),
    ('fragment flood', frame(2, b'', fin=False) + frame(0, b'', fin=False) * 2000, 1009),
]


def case_websocket(target):
    """Handshakes with bad keys get 400 (item 16); protocol errors and fragment floods (item 14)
    get a CLOSE with the right code."""
    if not target.ws_path:
        return None  # not a case for this target
    wrong = []
    for key in (b'x', b'dGhlIHNhbXBsZSBub25jZQ=', b'A' * 24, b'dGhlIHNhbXBsZSBub25jZR=='):
        s, status, _ = _ws_open(target, key)
        s.close()
        if status != 400:
            wrong.append('key %r: %r' % (key, status))
    for name, data, code in WS_CASES:
        s, status, pending = _ws_open(target)
        if status != 101:
            wrong.append('%s: handshake %r' % (name, status))
            s.close()
            continue
        try:
            s.sendall(data)
        except OSError:
            pass
        frames = read_frames(s, pending)
        s.close()
        closes = [p for op, p in frames if op == 8]
        if not closes or struct.unpack('!H', closes[0][:2])[0] != code:
            wrong.append('%s: %r' % (name, frames[:2]))
    return wrong


def case_nested_session(target):
    """A session cookie whose JWT header is nested 1,400 deep, on a page that needs a login
    (item 13): there is no session, so the login redirect (or 401), never 500 or 503."""
    if not target.protected_path:
        return None  # not a case for this target
    token = base64.urlsafe_b64encode(b'[' * 1400).rstrip(b'=') + b'.e30.x'
    answer = target.raw(b'GET ' + target.protected_path.encode() + b' HTTP/1.1\r\n'
                        b'Host: 127.0.0.1\r\nCookie: session=' + token + b'\r\n\r\n')
    status = status_of(answer)
    return [] if status in (302, 303, 401) else ['nested session cookie: %r' % answer[:160]]


def _multipart(files, names=True):
    """The upload of `files`, announced first in a `names` field as uploads must be (a list:
    those names instead; False: no such field)."""
    body = b''
    if names:
        names = [n for n, _ in files] if names is True else names
        body = (b'--hostile7boundary\r\nContent-Disposition: form-data; name="names"\r\n\r\n' +
                b'\n'.join(names) + b'\r\n')
    for name, content in files:
        body += (b'--hostile7boundary\r\nContent-Disposition: form-data; name="file"; '
                 b'filename="' + name + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' +
                 content + b'\r\n')
    return body + b'--hostile7boundary--\r\n'


def _upload_head(target, length):
    return (b'POST ' + target.upload_path.encode() + b' HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
            target.auth + b'Content-Type: multipart/form-data; boundary=hostile7boundary\r\n'
            b'Content-Length: %d\r\n' % length)


def _settled(target, before, within=15.0):
    """True once the target's files are `before` again (a cut upload's temporary file goes when
    the server notices the hang-up)."""
    end = time.time() + within
    while snapshot(target.fs) != before:
        if time.time() > end:
            return False
        time.sleep(0.2)
    return True


def case_settings_upload(target):
    """An upload that would replace the target's settings file (Wi-Fi, pins, the owner
    password: issue 14), spelled as FAT would take it too, and a delete of it, must be refused
    400 (503: the heap is short, tried again a few times) and leave the file as it was."""
    if not (target.upload_path and target.settings):
        return None  # not a case for this target
    before = snapshot(target.fs)
    wrong = []
    name = target.settings.encode()
    asks = []
    for spelling in (name, name.upper(), name + b'.', name + b'.tmp', name + b'.bak'):
        body = _multipart([(spelling, b'{"hostname": "taken", "networks": []}')])
        asks.append(('an upload of %r' % spelling, _upload_head(target, len(body)) +
                     b'Connection: close\r\n\r\n' + body))
        if target.delete_path:
            asks.append(('a delete of %r' % spelling, b'DELETE ' + target.delete_path.encode() +
                         spelling + b' HTTP/1.1\r\nHost: 127.0.0.1\r\n' + target.auth +
                         b'Connection: close\r\n\r\n'))
    for what, request in asks:
        for _ in range(5):
            answer = target.raw(request)
            if status_of(answer) != 503:
                break
            time.sleep(0.5)
        if status_of(answer) not in (400, 503):
            wrong.append('%s: %r' % (what, answer[:160]))
    if snapshot(target.fs).get(target.settings) != before.get(target.settings):
        wrong.append('the settings (%s) changed by an upload or a delete' % target.settings)
    return wrong


def case_uploads(target):
    """Uploads that must change nothing on the board (items 2, 3, 5, 17): a name twice in one
    request (among the names announced, announced once, or with no names field), names too long
    or with a NUL, an upload cut short midway, and a second upload while
    one is under way. Refusals are 400 (409 for the second upload; 503 where the heap is short:
    try again); the files must be as they were, temporary files included."""
    if not target.upload_path:
        return None  # not a case for this target
    wrong = []
    before = snapshot(target.fs)
    twice = [(b'twice.txt', b'1' * 600), (b'twice.txt', b'2')]
    for name, files, names in (('a name twice', twice, True),
                               ('a name twice, announced once', twice, [b'twice.txt']),
                               ('no names field', twice, False),
                               ('a 300-character name', [(b'n' * 300 + b'.txt', b'x')], True),
                               ('a NUL in the name', [(b'a\x00b.txt', b'x')], True)):
        body = _multipart(files, names)
        answer = target.raw(_upload_head(target, len(body)) + b'Connection: close\r\n\r\n' +
                            body)
        if status_of(answer) not in (400, 503):
            wrong.append('upload with %s: %r' % (name, answer[:160]))
    body = _multipart([(b'cut.txt', b'c' * 20000)])
    first = socket.create_connection(('127.0.0.1', target.port), timeout=10)
    try:
        first.sendall(_upload_head(target, len(body)) + b'\r\n' + body[:8000])
        time.sleep(0.3)
        first.setblocking(False)
        try:
            refused = first.recv(200)  # the first one already answered: 503 (the heap), or ...
        except BlockingIOError:
            refused = None  # ... it is under way, as it should be
        first.setblocking(True)
        if refused is not None and status_of(refused) != 503:
            wrong.append('an upload half sent: %r' % refused[:160])
        elif refused is None:
            second = _multipart([(b'cut.txt', b'd')])
            answer = target.raw(_upload_head(target, len(second)) +
                                b'Connection: close\r\n\r\n' + second)
            if status_of(answer) not in (409, 503):
                wrong.append('a second upload meanwhile: %r' % answer[:160])
    finally:
        first.close()  # cut short midway
    if not _settled(target, before):
        wrong.append('files changed by refused or cut uploads')
    return wrong


def _retried(target, request, tries=20):
    """The answer to `request`, sent again while it is 503 (the heap is short: try again)."""
    for _ in range(tries):
        answer = target.raw(request)
        if status_of(answer) != 503:
            return answer
        time.sleep(0.5)
    return answer


def _settings_request(target, body):
    return (b'POST ' + target.settings_path.encode() + b' HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
            target.auth + b'Content-Type: application/json\r\nConnection: close\r\n'
            b'Content-Length: %d\r\n\r\n' % len(body) + body)


def settle_settings(target):
    """Before the suite: save the target's settings as they are, twice, so that the settings
    file and the copy kept beside it are both as the device itself writes them. From then on a
    save of the same values must leave every byte as it was (`case_settings_saves`). Returns
    the request body of such a save (None: the target has no settings route)."""
    if not target.settings_path:
        return None
    answer = _retried(target, b'GET ' + target.settings_path.encode() +
                      b' HTTP/1.1\r\nHost: 127.0.0.1\r\n' + target.auth +
                      b'Connection: close\r\n\r\n')
    assert status_of(answer) == 200, answer[:300]
    body = answer.split(b'\r\n\r\n', 1)[1]  # sent back whole, as the settings page does
    for _ in range(2):
        answer = _retried(target, _settings_request(target, body))
        assert status_of(answer) == 200, answer[:300]
    return body


def case_settings_saves(target):
    """Twenty valid settings saves at once on a short heap (items 1 and 10), each the whole form
    as the settings page sends it (name, port, pins): each is saved (200)
    or refused 503 (try again), never a 400 for a valid request, a 500, or an answer with a
    second response in it; the settings lose nothing (the files checks after every case: the
    saves write the values they already have, see `settle_settings`), and a save afterwards
    still works."""
    body = target.settings_body
    if body is None:
        return None  # not a case for this target
    out = []

    def one():
        try:
            out.append(target.raw(_settings_request(target, body), timeout=30))
        except OSError as exc:
            out.append(str(exc).encode())
    threads = [threading.Thread(target=one) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    wrong = []
    for answer in out:
        if not answer:
            continue  # reset before an answer: refused like a 503, the client tries again
        if status_of(answer) not in (200, 503) or answer.count(b'HTTP/1.') != 1:
            wrong.append('a save among twenty: %r' % answer[:160])
    answer = _retried(target, _settings_request(target, body))
    if status_of(answer) != 200:
        wrong.append('a save after twenty: %r' % answer[:160])
    return wrong


# run before the raw cases of each round: on the device UI at 56wK, by the time the other
# scenarios run every upload is refused 503 (the heap), and this one would test nothing
FIRST = [case_settings_upload]
SCENARIOS = [case_bodies, case_slowloris, case_burst, case_idle_streams, case_websocket,
             case_nested_session, case_uploads, case_settings_saves]


def run_all(target):
    """Every case against `target`, each followed by the liveness, fresh-client and files
    checks. Returns (number of cases run, complaints)."""
    target.settings_body = settle_settings(target)
    before = snapshot(target.fs)
    complaints = []
    count = 0

    def after(name):
        if not target.alive():
            complaints.append('%s: the server died:\n%s' % (name, target.output()[-2000:]))
            return False
        if healthy(target) is None:
            complaints.append('%s: no fresh client served afterwards' % name)
        now = snapshot(target.fs)
        if now != before:
            changed = sorted(k for k in set(now) | set(before) if now.get(k) != before.get(k))
            complaints.append('%s: files changed: %r' % (name, changed))
        return True

    def scenarios(which):
        """Run the scenarios `which`; False if the server died."""
        nonlocal count
        for scenario in which:
            found = scenario(target)
            if found is None:  # the target has nothing this scenario attacks
                continue
            count += 1
            complaints.extend(found)
            if not after(scenario.__name__):
                return False
        return True

    for _ in range(ROUNDS):
        if not scenarios(FIRST):
            return count, complaints
        for name, data, ok in raw_cases(target):
            count += 1
            complaints += run_raw(target, name, data, ok)
            if not after(name):
                return count, complaints
        if not scenarios(SCENARIOS):
            return count, complaints
    if 'Traceback' in target.output():
        complaints.append('a traceback on the console:\n' + target.output()[-3000:])
    return count, complaints
