"""The least heap on which the device UI's login works, on the ESP8266 profile.

    .venv/bin/python bench/login_heap.py [--low 40] [--high 56]

A fresh simulated board as `make run-esp8266` runs it (bench/ui_heap.py's `Board`: frozen/ in
ROMFS, the app as .mpy, 3 connections) is started with heaps between `--low` and `--high` wK,
bisected to 1 wK, and asked, right after it listens, for: ``GET /login`` (the form: 200),
``POST /login`` with the right password (303 with the session cookie), and, for comparison,
``GET /`` (the dashboard, a static page) and ``GET /api/hello`` (the app's smallest route), with
HTTP Basic credentials. For each, the least heap on which it is answered rather than refused
(503, the retrying page); a board that does not start counts as refused. A measurement, not a
test: the figures go to docs/memory.md.
"""
import argparse
import os
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--low', type=int, default=40)
    parser.add_argument('--high', type=int, default=56)
    parser.add_argument('--only', help='one of: ' + ', '.join(REQUESTS))
    args = parser.parse_args()
    for name in [args.only] if args.only else REQUESTS:
        print('%s: answered from %s wK on' % (name, least(name, args.low, args.high)), flush=True)


if __name__ == '__main__':
    main()
