"""The dashboard's live stream (app/ui/live.py) on the unix port: what it runs on is loaded
before its response's head goes out."""
import os
import subprocess

from support.runtimes import MICROPYTHON

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

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
    out = subprocess.run([MICROPYTHON, '-c', SNIPPET % tuple(
        os.path.join(ROOT, d) for d in ('app', 'frozen', 'scripts/sim'))],
        capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    status, modules = out.stdout.strip().splitlines()[-1].split(' ', 1)
    assert status == '200'
    for name in ('ui.auth', 'ui.log', 'ui.pinstate', 'microdot.sse'):
        assert name in modules.split(), modules
