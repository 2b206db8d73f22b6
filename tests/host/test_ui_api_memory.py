"""The JSON API's handler (``ui.api``) when importing the module that answers meets a
MemoryError, on the unix port: what no stream uses is dropped, and the import tried once more.

Before, a failed import skipped the handler's clean-up: the live stream's modules, loaded for a
stream that never started (several KB), stayed, and every later API request's import met a
MemoryError in turn; the `.mpy` UI at 64wK then answered ``/api/status`` with 503 for good
after a soak (`test_memory_recovery.test_ui_mpy_memory_comes_back`, 1 run in 10).
"""
import os
import shutil
import subprocess

from support.runtimes import MICROPYTHON

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Stands in for ui.status: its import meets a MemoryError the first `FAILS` times.
FAILING = '''from ui import state
state['tries'] = state.get('tries', 0) + 1
if state['tries'] <= %d:
    raise MemoryError


async def api(request, path, name):
    return {'tries': state['tries']}
'''

SNIPPET = r'''
import sys, asyncio
sys.path[:0] = [%r, %r, %r]
import ui
from ui import live, pinstate, sample  # noqa: what a stream that never started leaves loaded


class Request:
    method = 'GET'
    path = '/api/status'


try:
    answer = asyncio.run(ui.api(Request(), 'status'))
except MemoryError:
    answer = 'MemoryError'
print(answer)
print(' '.join(sorted(k for k in sys.modules if k in ('ui.live', 'ui.pinstate', 'ui.sample')))
      or '-')
'''


def run(tmp_path, fails):
    app = tmp_path / 'app'
    shutil.copytree(os.path.join(ROOT, 'app', 'ui'), str(app / 'ui'))
    (app / 'ui' / 'status.py').write_text(FAILING % fails)
    out = subprocess.run([MICROPYTHON, '-c', SNIPPET % (
        str(app), os.path.join(ROOT, 'frozen'), os.path.join(ROOT, 'scripts', 'sim'))],
        capture_output=True, text=True, timeout=30, cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-2:]


def test_an_import_that_meets_a_memory_error_is_tried_again_after_the_streams_modules_go(
        tmp_path):
    answer, loaded = run(tmp_path, 1)
    assert answer == "{'tries': 2}", answer
    assert loaded == '-', loaded


def test_an_import_that_fails_twice_still_drops_the_streams_modules(tmp_path):
    # the request gets its 503 (the server answers the MemoryError); the next one has the heap
    answer, loaded = run(tmp_path, 2)
    assert answer == 'MemoryError', answer
    assert loaded == '-', loaded

