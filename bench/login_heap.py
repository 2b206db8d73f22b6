"""The least heap on which the device UI's login works, on the ESP8266 profile; and how often
two first visits of the `.mpy` UI pass at a given heap.

    .venv/bin/python bench/login_heap.py [--low 40] [--high 56]
    .venv/bin/python bench/login_heap.py --visits 8 [--heap 64wK]

A fresh simulated board as `make run-esp8266` runs it (bench/ui_heap.py's `Board`: frozen/ in
ROMFS, the app as .mpy, 3 connections) is started with heaps between `--low` and `--high` wK,
bisected to 1 wK, and asked, right after it listens, for: ``GET /login`` (the form: 200),
``POST /login`` with the right password (303 with the session cookie), and, for comparison,
``GET /`` (the dashboard, a static page) and ``GET /api/hello`` (the app's smallest route), with
HTTP Basic credentials. For each, the least heap on which it is answered rather than refused
(503, the retrying page); a board that does not start counts as refused. A measurement, not a
test: the figures go to docs/memory.md.

With `--visits N`: tests/host/test_memory_recovery.py's two first visits (the login form, the
login, then with the session `/`, ``app.js``, ``/api/status`` and ``/api/pins``; twice) of the
UI as ``.mpy`` (``run_host --mpy``, 3 connections) are run N times at `--heap` (the test's
``MPY_LOGIN_TRY``), each on a fresh board; printed: each run's outcome (the failing assertion)
and the pass count. Below about 65wK the outcome depends on where things land in a heap in
pieces, so it is a rate, and a busy machine may change it.
"""
import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'bench'))

import ui_heap  # noqa: E402


def login_form():
    from test_app import PASSWORD
    return ('password=%s&next=/settings' % PASSWORD.replace(' ', '+')).encode()


REQUESTS = {  # name -> (method, path, body, with HTTP Basic credentials)
    'GET /login': ('GET', '/login?next=/settings', b'', False),
    'POST /login': ('POST', '/login', None, False),
    'GET /': ('GET', '/', b'', True),
    'GET /api/hello': ('GET', '/api/hello', b'', True),
}


def answered(heap_wk, name):
    """True if a fresh board of `heap_wk` wK answers the request `name` (first request)."""
    method, path, body, auth = REQUESTS[name]
    try:
        board = ui_heap.Board('%dwK' % heap_wk)
    except RuntimeError:
        return False  # did not start
    try:
        body = login_form() if body is None else body
        headers = b'Content-Type: application/x-www-form-urlencoded\r\n' if body else b''
        got = board.request(method, path, body, headers, auth=auth)
    finally:
        board.stop()
    return got.startswith(b'HTTP/1.1 200') or (got.startswith(b'HTTP/1.1 303') and
                                               b'Set-Cookie: owner=' in got)


def least(name, low, high):
    """The least heap (wK) in (low, high] on which `name` is answered, None if not on high."""
    if not answered(high, name):
        return None
    while high - low > 1:
        mid = (low + high) // 2
        if answered(mid, name):
            high = mid
        else:
            low = mid
    return high


def visits(heap, runs):
    """How many of `runs` runs of the two first visits at `heap` pass (printing each)."""
    passed = 0
    for run in range(runs):
        out = subprocess.run(
            [sys.executable, '-m', 'pytest', '-c', os.path.join(ROOT, 'tests', 'pytest.ini'),
             os.path.join(ROOT, 'tests', 'host', 'test_memory_recovery.py'), '-q', '-k',
             'serves_the_login_form'], env=dict(os.environ, MPY_LOGIN_TRY=heap), cwd=ROOT,
            capture_output=True, text=True)
        # the failing line of the test and its message
        failed = [' '.join(line.split()) for line in out.stdout.splitlines()
                  if line[:2] in ('> ', 'E ')]
        passed += out.returncode == 0
        print('run %d: %s' % (run + 1, 'passed' if out.returncode == 0 else
                              ' / '.join(failed[:2]) or 'failed (exit %d)' % out.returncode),
              flush=True)
    print('two first visits at %s: %d of %d passed' % (heap, passed, runs))
    return passed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--low', type=int, default=40)
    parser.add_argument('--high', type=int, default=56)
    parser.add_argument('--only', help='one of: ' + ', '.join(REQUESTS))
    parser.add_argument('--visits', type=int, help='run the two first visits this many times')
    parser.add_argument('--heap', default='64wK', help='the heap of --visits')
    args = parser.parse_args()
    if args.visits:
        visits(args.heap, args.visits)
        return
    for name in [args.only] if args.only else REQUESTS:
        print('%s: answered from %s wK on' % (name, least(name, args.low, args.high)), flush=True)


if __name__ == '__main__':
    main()
