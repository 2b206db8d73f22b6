"""The dashboard's live stream (app/ui/live.py) on the unix port: what it runs on is loaded
before its response's head goes out."""
import os
import subprocess

from support.runtimes import MICROPYTHON

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(snippet):
    """Run `snippet` (its `%r, %r, %r` get the app, framework and simulation folders) on the
    unix port; return its output's lines, after checking it exited cleanly."""
    out = subprocess.run([MICROPYTHON, '-c', snippet % tuple(
        os.path.join(ROOT, d) for d in ('app', 'frozen', 'scripts/sim'))],
        capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()

SNIPPET = r'''
import sys, asyncio
sys.path[:0] = [%r, %r, %r]
from ui import live
res = asyncio.run(live.api(None, 'events', None))
print(res[1], ' '.join(sorted(k for k in sys.modules if k.startswith('ui.') or k == 'microdot.sse')))
'''


def test_the_streams_modules_are_loaded_before_its_head_is_sent():
    # On a heap in pieces (an ESP8266 serving a page) an import can fail. Done when the stream
    # starts, after its head, it cut the response off (the page saw
    # ERR_INCOMPLETE_CHUNKED_ENCODING and went offline); done by the handler, it is a clean
    # 503 the page retries. The handler's answer is the stream not yet begun: by then the
    # modules must be there.
    lines = run(SNIPPET)
    status, modules = lines[-1].split(' ', 1)
    assert status == '200'
    for name in ('ui.auth', 'ui.log', 'ui.pinstate', 'ui.sample', 'microdot.sse'):
        assert name in modules.split(), modules


RESILIENT = r'''
import sys, asyncio
sys.path[:0] = [%r, %r, %r]
from ui import auth, live
auth.still_owner = lambda request: True
live.POLL_MS = 10


class Events:  # what the stream sends to; its first send meets a MemoryError
    calls = 0
    got = []

    async def send(self, data, event=None):
        Events.calls += 1
        if Events.calls == 1:
            raise MemoryError
        self.got.append(event)
        return True


async def main():
    task = asyncio.create_task(live.stream(None, Events()))
    await asyncio.sleep(0.3)
    running = not task.done()
    task.cancel()
    return running

print(asyncio.run(main()), ' '.join(Events.got))
'''


def test_a_memory_error_in_a_round_of_the_stream_does_not_end_it():
    # Beside a second page loading, a round of the stream may find no heap (for an event, or
    # the coroutine that queues it): the stream goes on and sends it the next round. Before,
    # the MemoryError ended the stream after its head (the first page went offline).
    lines = run(RESILIENT)
    running, events = lines[-1].split(' ', 1)
    assert running == 'True', lines
    assert events.split()[:3] == ['pins', 'log', 'live'], events


REFUSED = r'''
import sys, asyncio
sys.path[:0] = [%r, %r, %r]
from microdot import Microdot
from microdot.server import Connection, Server
app = Microdot()
app.max_connections, app.max_streams = 3, 1
server = Server(app)
assert Connection(server, None, None).claim_stream()  # the one stream the cap allows


class Request:  # what sse_response looks at: the connection the request came on
    sock = (None, Connection(server, None, None))


from ui import live
try:
    asyncio.run(live.api(Request(), 'events', None))
except Exception as exc:
    print(getattr(exc, 'status_code', exc))
print(' '.join(sorted(k for k in sys.modules if k in ('ui.live', 'ui.pinstate', 'ui.sample',
                                                     'microdot.sse'))) or '-')
'''


def test_a_stream_that_cannot_start_drops_its_modules():
    # A stream refused at the stream cap (503), or whose imports meet a MemoryError, never runs
    # the producer whose end drops what streams use (ui.release): they stayed loaded, about
    # 8 KB, until some later API request dropped them. On 64wK .mpy a soak then left every
    # request 503 (test_memory_recovery.test_ui_mpy_memory_comes_back failed 4 of 6 runs).
    lines = run(REFUSED)
    status, modules = lines[-2:]
    assert status == '503', lines
    assert modules == '-', modules
