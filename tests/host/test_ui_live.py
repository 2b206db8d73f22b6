"""The dashboard's live stream (app/ui/live.py) on the unix port: what it runs on is loaded
before its response's head goes out, it is written by the request's own task (no
``microdot.sse``, no task of its own), and a small board keeps one at a time."""
import os
import socket
import subprocess
import time

from support.rawhttp import read_head
from support.runtimes import MICROPYTHON
from test_app import HostApp, basic

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(snippet):
    """Run `snippet` (its `%r, %r, %r` get the app, framework and simulation folders) on the
    unix port; return its output's lines, after checking it exited cleanly."""
    out = subprocess.run([MICROPYTHON, '-c', snippet % tuple(
        os.path.join(ROOT, d) for d in ('app', 'frozen', 'scripts/sim'))],
        capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()


# What live.api is given: a request on a connection that records what is written to it (and,
# at its first write, which modules are loaded), allows `Conn.allowed` streams, and ends the
# stream (as a client hanging up would) after `Conn.writes` writes.
FAKES = r'''
import sys, asyncio
sys.path[:0] = [%r, %r, %r]
from ui import auth, live
auth.still_owner = lambda request: True
live.POLL_MS = 10
tasks = []  # the tasks made (asyncio.create_task)
_create_task = asyncio.create_task
asyncio.create_task = lambda coro: tasks.append(coro) or _create_task(coro)


class Gone(Exception):
    pass


class Conn:
    allowed = 1
    writes = 4
    claimed = 0

    def __init__(self):
        self.out = []

    def claim_stream(self, silent=False):
        if Conn.claimed >= Conn.allowed:
            return False
        Conn.claimed += 1
        return silent

    async def awrite(self, data):
        if not self.out:
            self.loaded = sorted(k for k in sys.modules if k.startswith(('ui.', 'microdot.sse')))
        self.out.append(data)
        if len(self.out) >= Conn.writes:
            raise OSError(104)  # the client went away


class Request:
    method = 'GET'

    def __init__(self):
        self.sock = (None, Conn())


def streamed():
    return sorted(k for k in sys.modules if k in ('ui.live', 'ui.pinstate', 'ui.sample',
                                                 'microdot.sse'))
'''

WRITTEN = FAKES + r'''
req = Request()
res = asyncio.run(live.api(req, 'events', None))
conn = req.sock[1]
from microdot import Response
print(res is Response.already_handled)
print(' '.join(conn.loaded))
print(repr(b''.join(conn.out)))
print(' '.join(streamed()) or '-', len(tasks))
'''


def test_the_stream_is_written_whole_by_the_request_after_its_modules_are_loaded():
    # On a heap in pieces (an ESP8266 serving a page) an import can fail: done once the head
    # is out, it cut the response off; done before, it is a clean 503 the page retries. The
    # stream is written by the request's own task, straight to the connection: no
    # microdot.sse (its module, queue, iterators and producer task cost a small board the
    # second page), and every event whole (event line, JSON data line, blank line).
    done, loaded, out, after = run(WRITTEN)[-4:]
    assert done == 'True'
    for name in ('ui.auth', 'ui.log', 'ui.pinstate', 'ui.sample'):
        assert name in loaded.split(), loaded
    assert 'microdot.sse' not in loaded.split(), loaded
    out = eval(out)  # the bytes' repr
    head, _, body = out.partition(b'\r\n\r\n')
    assert head.startswith(b'HTTP/1.1 200 OK\r\n')
    assert b'Content-Type: text/event-stream' in head and b'Connection: close' in head
    assert b'Transfer-Encoding' not in head  # the body ends with the connection
    events = body.split(b'\n\n')
    assert events[-1] == b''
    import json
    names = []
    for ev in events[:-1]:
        name, data = ev.split(b'\n')
        assert name.startswith(b'event: ') and data.startswith(b'data: '), ev
        json.loads(data[6:])
        names.append(name[7:].decode())
    assert names == ['pins', 'log', 'live'], names
    assert after == '- 0', after  # the stream ended (the client left): its modules dropped;
    # and it made no task


RESILIENT = FAKES + r'''
made = []
event = live.event


def failing(name, value):  # the first event meets a MemoryError
    made.append(name)
    if len(made) == 1:
        raise MemoryError
    return event(name, value)


live.event = failing
Conn.writes = 5
req = Request()
asyncio.run(live.api(req, 'events', None))
print(' '.join(made))
print(' '.join(b.split(b'\n')[0][7:].decode() for b in req.sock[1].out[1:]))
'''


def test_a_memory_error_in_a_round_of_the_stream_does_not_end_it():
    # Beside a second page loading, a round of the stream may find no heap for an event: the
    # stream goes on and sends it the next round (before, the first page went offline).
    made, sent = run(RESILIENT)[-2:]
    assert made.split()[:2] == ['pins', 'pins'], made
    assert sent.split() == ['pins', 'log', 'live', 'live'][:len(sent.split())], sent
    assert sent.split()[:3] == ['pins', 'log', 'live'], sent


REFUSED = FAKES + r'''
Conn.allowed = 0  # the one stream the cap allows is taken
res = asyncio.run(live.api(Request(), 'events', None))
print(res[1], res[0]['error'])
print(' '.join(streamed()) or '-')
'''


def test_a_stream_that_cannot_start_drops_its_modules():
    # A stream refused at the stream cap (503: the page asks for the values instead), or whose
    # imports meet a MemoryError, never runs the loop whose end drops what streams use
    # (ui.release): they stayed loaded, about 8 KB, until some later API request dropped
    # them. On 64wK .mpy a soak then left every request 503.
    status, modules = run(REFUSED)[-2:]
    assert status.startswith('503 '), status
    assert modules == '-', modules


def stream_status(port, auth):
    """Open /api/events; (status code, the socket: still open if it is a stream)."""
    s = socket.create_connection(('127.0.0.1', port), timeout=10)
    s.sendall(b'GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ' +
              auth.encode() + b'\r\n\r\n')
    return int(read_head(s).split(b' ', 2)[1]), s


def test_a_small_board_keeps_one_live_stream_a_larger_one_more(tmp_path):
    # The ESP8266 profile (56wK, ROMFS): below ui.TWO_LIVE_HEAP free once the UI is installed,
    # a second page's stream gets 503 (the page then asks every few seconds: its values and
    # controls work) instead of a stream that leaves neither page the heap for its requests.
    # At 62wK (test_browser_dashboard's ESP8266_TWO_PAGES_HEAP: two pages live) both get one.
    for heap, second in (('56wK', 503), ('62wK', 200)):
        server = HostApp(tmp_path / heap, '--rom', '--heapsize', heap,
                         '--max-connections', '3').start()
        held = []
        try:
            first, s = stream_status(server.port, basic())
            held.append(s)
            assert first == 200, server.output[-2000:]
            time.sleep(0.5)
            status, s = stream_status(server.port, basic())
            held.append(s)
            assert status == second, (heap, server.output[-2000:])
        finally:
            for s in held:
                s.close()
            server.stop()
