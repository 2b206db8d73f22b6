"""What each page of the device UI weighs on the wire and costs in heap on the ESP8266 profile.

    .venv/bin/python bench/page_cost.py [--low 40wK] [--high 72wK] [--runs 3] [--only / ...]

(`--runs 0`: the weights only.) Not while tests run in the same checkout: both build build/app.

The profile is `make run-esp8266`'s: the app as .mpy, frozen/ and the simulated board in a
ROMFS image imported in place (as frozen code is on a board), the heap given beside it. For
each page, the smallest heap at which a fresh board serves it whole three times in a row
(`whole`) is found by bisection between `--low` and `--high`, to `STEP` bytes (the login's
password check is done once before, and is part of no page). The page's cost is that heap
minus the one the app's smallest route needs (``/api/hello``, a JSON line): what the page needs
on top of the running app (the request, the handler's modules, the answer's buffers), with the
slack its largest allocations need. Each bisection is done `--runs` times and the largest result
kept (a board's heap differs a little from one start to the next: about 2 KB). The device's own
pages (the setup portal, the welcome and recovery pages) are served by the portal on a board
without a running app: for them the smallest heap is the whole cost. Figures are bytes of the
64-bit unix port, where objects are about twice their size on a 32-bit board (``56wK`` is
114,688 bytes here).

Weights: the page's bytes, gzipped, and the bytes sent (the app's pages and assets are stored
and sent gzipped; the JSON answers and the device's own pages are sent as they are). A
measurement, not a test: the figures go to docs/web-ui.md.
"""
import argparse
import gzip
import json
import os
import sys
import tempfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, 'tests', 'host'), os.path.join(ROOT, 'tests'),
                os.path.join(ROOT, 'frozen'), os.path.join(ROOT, 'scripts')]
from page_heap import fetch  # noqa: E402  (bench/: a page as the board sends it, or 0)

STEP = 1024
BASE = '/api/hello'
PAGES = ('/', '/settings', '/login', '/static/app.css', '/static/app.js',
         '/static/settings.js', '/api/status', '/api/settings', '/api/backup', '/api/files')


def whole(body):
    """True if `body` is complete: gzip that decompresses, JSON that parses, or HTML up to its
    end (a page with live values differs from one request to the next, so it is not compared)."""
    try:
        if body[:2] == b'\x1f\x8b':
            gzip.decompress(body)
        elif body[:1] in (b'{', b'['):
            json.loads(body)
        else:
            return body.rstrip().endswith((b'</html>', b'</main>'))
    except (ValueError, EOFError, OSError):
        return False
    return True


def served(page, heap):
    """The body of `page` if a fresh board with `heap` bytes serves it whole three times."""
    from test_app import HostApp, basic
    auth = {'Authorization': basic(), 'Accept-Encoding': 'gzip'}
    headers = {'Accept-Encoding': 'gzip'} if page.startswith('/static/') or \
        page == '/login' else auth
    with tempfile.TemporaryDirectory() as fs:
        server = HostApp(fs, '--rom', '--heapsize', str(heap))
        try:
            server.start()
        except Exception:  # the app does not start in that heap
            server.stop()
            return None
        try:
            fetch(server.url + BASE, auth)  # the password check, once
            for _ in range(3):
                status, body = fetch(server.url + page, headers)
                if status != 200 or not whole(body):
                    return None
            return body
        finally:
            server.stop()


HOME = {'ssid': 'home', 'password': 'secret', 'rssi': -50}
DEVICE_PAGES = {  # the device's own pages: the board's files that make the portal show them
    '/setup (portal)': {},
    '/ (welcome: no app yet)': {'config.json': {'networks': [HOME]}},
    '/ (recovery)': {'config.json': {'networks': [HOME]}, 'main.py': 'import nothing_here\n'}}


_whole = {}  # device page -> its length at the largest heap (these pages do not end in a tag;
# the recovery page's traceback names the ROMFS image's folder, which differs on each start)


def device_served(page, heap):
    """The body of a device page (`DEVICE_PAGES`) if a fresh board with `heap` bytes, frozen/
    in ROMFS and no app running, serves it three times as long as with the most heap."""
    from conftest import Board
    with tempfile.TemporaryDirectory() as tmp:
        fs = os.path.join(tmp, 'fs')
        os.makedirs(fs)
        board = Board(fs)
        board.world(networks=[HOME, {'ssid': 'cafe', 'password': '', 'rssi': -70}])
        for name, content in DEVICE_PAGES[page].items():
            board.write(name, content)
        board.boot(heapsize=str(heap), rom=True, connect_timeout=1, retries=1)
        try:
            board.wait_for('portal: serving on port', 30)
            for _ in range(3):
                status, body = fetch('http://127.0.0.1:%d%s' % (board.port, page.split()[0]))
                if status != 200 or not body or len(body) != _whole.setdefault(page, len(body)):
                    return None
            return body
        except AssertionError:  # the board did not get that far
            return None
        finally:
            board.stop()


def smallest(page, low, high, runs):
    """(the smallest heap in bytes, to STEP, that serves `page` in each of `runs` bisections
    (the largest of their results: a board's heap differs a little from one start to the
    next), its body); (None, None) if `high` does not."""
    serve = device_served if page in DEVICE_PAGES else served
    body = serve(page, high)
    if body is None:
        return None, None
    found = []
    if not runs:  # the weights only
        return None, body
    for _ in range(runs):
        lo, hi = low, high
        while hi - lo > STEP:
            mid = (lo + hi) // 2 // 16 * 16
            if serve(page, mid) is not None:
                hi = mid
            else:
                lo = mid
        found.append(hi)
    return max(found), body


def main():
    from run_host import heap_bytes
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--low', default='40wK', help='a heap too small for the app')
    parser.add_argument('--high', default='72wK', help='a heap that serves every page')
    parser.add_argument('--only', nargs='+', default=PAGES + tuple(DEVICE_PAGES),
                        help='the pages to measure')
    parser.add_argument('--runs', type=int, default=3, help='bisections per page (default 3)')
    args = parser.parse_args()
    low, high = heap_bytes(args.low), heap_bytes(args.high)
    base = smallest(BASE, low, high, args.runs)[0] if args.runs else None
    print('%s: served from %s bytes of heap' % (BASE, base), flush=True)
    rows = []
    for page in args.only:
        heap, body = smallest(page, heap_bytes('8wK') if page in DEVICE_PAGES else low, high,
                              args.runs)
        body = body or b''
        if body[:2] == b'\x1f\x8b':  # stored and sent gzipped
            size, zipped, sent = len(gzip.decompress(body)), len(body), len(body)
        else:
            size, zipped, sent = len(body), len(gzip.compress(body)), len(body)
        rows.append((page, size, zipped, sent, heap))
        print('%s: %d bytes, %d gzipped, %d sent; served from %s bytes of heap' % (
            page, size, zipped, sent, heap), flush=True)
    print('\n| page | bytes | gzipped | sent | smallest heap | heap it costs |')
    print('|---|---:|---:|---:|---:|---:|')
    for page, size, zipped, sent, heap in rows:
        print('| `%s` | %s | %s | %s | %s | %s |' % (
            page, format(size, ','), format(zipped, ','), format(sent, ','),
            '' if not args.runs else 'not served' if heap is None else format(heap, ','),
            '' if heap is None or base is None or page in DEVICE_PAGES else
            format(heap - base, ',')))
    if base:
        print('\nthe app with its smallest route (`%s`): %s bytes; 56wK is %s bytes' % (
            BASE, format(base, ','), format(heap_bytes('56wK'), ',')))


if __name__ == '__main__':
    main()
