"""The heap each page of the device needs on the ESP8266 profile, and its weight on the wire.

    .venv/bin/python bench/page_heap.py [--heaps 40 44 48 ...]

For each heap (in wK, the unit of `micropython -X heapsize`), a fresh simulated board with
frozen/ in a ROMFS image, imported in place as frozen code is on a board (`make run-esp8266`'s
profile; the app as .mpy): the app's pages (dashboard, settings, login) with an owner password
set, and, on a board without Wi-Fi or without an app, the device's own pages (setup portal,
recovery/welcome). A page counts as served when it answers 200 whole, three times in a row.
Printed: the smallest heap that serves each page, and each page's size (bytes sent, and gzipped:
the app's assets are sent gzipped, the device's own pages as they are). A measurement, not a
test: the figures go to docs/web-ui.md.
"""
import argparse
import gzip
import os
import socket
import sys
import tempfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, 'tests', 'host'), os.path.join(ROOT, 'tests'),
                os.path.join(ROOT, 'frozen'), os.path.join(ROOT, 'scripts')]

APP_PAGES = ('/', '/settings', '/login', '/api/settings', '/api/backup')
HOME = {'ssid': 'home', 'password': 'secret', 'rssi': -50}
CAFE = {'ssid': 'cafe', 'password': '', 'rssi': -70}


def fetch(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except Exception as exc:  # a cut-off page, a 503: not served
        return getattr(exc, 'code', 0), b''


def served(url, headers=None):
    sizes = set()
    for _ in range(3):
        status, body = fetch(url, headers)
        if status != 200 or not body:
            return None
        sizes.add(len(body))
    return body if len(sizes) == 1 else None


def app_pages(heap, results, sizes):
    from test_app import HostApp, basic
    with tempfile.TemporaryDirectory() as fs:
        server = HostApp(fs, '--rom', '--heapsize', '%dwK' % heap)
        try:
            server.start()
        except Exception:
            server.stop()
            return
        try:
            for path in APP_PAGES:
                headers = {} if path == '/login' else {'Authorization': basic()}
                body = served(server.url + path, headers)
                if body is not None:
                    results.setdefault(path, heap)
                    sizes[path] = (len(body), len(gzip.compress(body)))
        finally:
            server.stop()


def device_pages(heap, results, sizes):
    from conftest import Board
    for name, files in (('/setup (portal)', {}),
                        ('/ (welcome: no app yet)', {'config.json': {'networks': [HOME]}}),
                        ('/ (recovery)', {'config.json': {'networks': [HOME]},
                                          'main.py': 'import nothing_here\n'})):
        with tempfile.TemporaryDirectory() as tmp:
            fs = os.path.join(tmp, 'fs')
            os.makedirs(fs)
            board = Board(fs)
            board.world(networks=[HOME, CAFE])
            for f in files:
                board.write(f, files[f])
            board.boot(heapsize='%dwK' % heap, rom=True, connect_timeout=1, retries=1)
            try:
                board.wait_for('portal: serving on port', 30)
                body = served('http://127.0.0.1:%d%s' % (board.port, name.split()[0]))
                if body is not None:
                    results.setdefault(name, heap)
                    sizes[name] = (len(body), len(gzip.compress(body)))
            except AssertionError:
                pass
            finally:
                board.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--heaps', type=int, nargs='+', default=list(range(24, 74, 2)))
    args = parser.parse_args()
    results, sizes = {}, {}
    for heap in sorted(args.heaps):
        app_pages(heap, results, sizes)
        device_pages(heap, results, sizes)
        print('%dwK: served %s' % (heap, sorted(p for p in results if results[p] <= heap)),
              flush=True)
    print('\n| page | smallest heap that serves it | bytes sent | gzipped |\n|---|---|---|---|')
    for page in list(APP_PAGES) + sorted(p for p in results if p not in APP_PAGES):
        if page in results:
            print('| `%s` | %dwK | %d | %d |' % ((page, results[page]) + sizes[page]))
        else:
            print('| `%s` | not served up to %dwK | | |' % (page, max(args.heaps)))


if __name__ == '__main__':
    main()
