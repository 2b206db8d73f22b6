"""How much free heap the device UI's login needs, on the ESP8266 profile.

    .venv/bin/python bench/login_heap.py [--heap 56wK] [--runs 1]

A fresh simulated board as `make run-esp8266` runs it (bench/ui_heap.py's `Board`: frozen/ in
ROMFS, the app as .mpy, `--heap`, 3 connections) with one route more, ``/__ballast?free=N``:
it collects garbage and fills the heap with ballast (blocks of 16 B to 4 KB, the largest first)
until N bytes are left free, and drops the ballast again 1.5 s later. For ``GET /login`` and for
``POST /login`` (the right password) the script bisects N: the least free heap with which the
request is answered (200, resp. 303 with the session cookie) rather than refused (503). The
figure includes what the connection itself costs (its task, stream and request), the same for
every route; ``GET /api/hello`` (the app's smallest route, no owner check: HTTP Basic known) is
measured the same way for comparison. A measurement, not a test: the figures go to
docs/memory.md.
"""
import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'bench'))

import ui_heap  # noqa: E402

BALLAST = '''
def _load2(*a, _l=launcher.load):
    m, e = _l(*a)
    if m is not None:
        import gc, asyncio
        held = []
        async def _drop():
            await asyncio.sleep_ms(1500)
            held.clear()
            gc.collect()
        async def _ballast(request):
            held.clear()
            gc.collect()
            want = int(request.args.get('free', '0'))
            size = 4096
            while size >= 16:
                try:
                    while gc.mem_free() - size - 16 >= want:
                        held.append(bytearray(size))
                except MemoryError:
                    pass
                size //= 4
            left = gc.mem_free()
            asyncio.create_task(_drop())
            return str(left)
        m.app.get('/__ballast')(_ballast)
    return m, e
launcher.load = _load2
'''


def trial(board, free, method, path, body=b'', auth=False):
    """(answered, free heap actually left) for one request made with `free` bytes left."""
    answer = board.request('GET', '/__ballast?free=%d' % free)
    left = int(answer.rpartition(b'\r\n\r\n')[2] or b'-1') if answer.startswith(
        b'HTTP/1.1 200') else -1
    headers = b'Content-Type: application/x-www-form-urlencoded\r\n' if body else b''
    got = board.request(method, path, body, headers, auth=auth)
    time.sleep(1.8)  # the ballast is dropped
    ok = got.startswith(b'HTTP/1.1 200') or (got.startswith(b'HTTP/1.1 303') and
                                             b'Set-Cookie: owner=' in got)
    return ok, left


def least(board, method, path, body=b'', auth=False, hi=24000, step=128):
    """The least free heap (bytes, to `step`) with which the request is answered."""
    ok, _ = trial(board, hi, method, path, body, auth)
    if not ok:
        return None
    lo = 0
    while hi - lo > step:
        mid = (lo + hi) // 2
        ok, _ = trial(board, mid, method, path, body, auth)
        if ok:
            hi = mid
        else:
            lo = mid
    return hi


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--heap', default='56wK')
    parser.add_argument('--runs', type=int, default=1)
    args = parser.parse_args()
    from test_app import PASSWORD
    form = ('password=%s&next=/' % PASSWORD.replace(' ', '+')).encode()
    ui_heap.HOOK += BALLAST
    for run in range(args.runs):
        board = ui_heap.Board(args.heap)
        try:
            board.request('GET', '/api/hello')  # HTTP Basic checked once, then known
            figures = {
                'GET /api/hello': least(board, 'GET', '/api/hello', auth=True),
                'GET /login': least(board, 'GET', '/login'),
                'POST /login': least(board, 'POST', '/login', form),
            }
        finally:
            board.stop()
        print('run %d (%s):' % (run + 1, args.heap),
              ', '.join('%s needs %s B free' % kv for kv in figures.items()), flush=True)


if __name__ == '__main__':
    main()
