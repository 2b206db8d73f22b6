"""Memory comes back after pressure (issue 13, item 6): a mixed soak (pages, API reads and
writes, assets, event streams opened and dropped, hostile bodies, bursts past the connection
cap) against the device UI on the ESP8266 profile (`make run-esp8266`: framework in ROMFS, 56wK,
3 connections), as .mpy under `MPY_HEAP`, and against
the stream test app as .mpy under 64wK; all three always. Every request must be answered, if
only by a 503 (an event stream is answered once its head came). Afterwards the free heap must be back
within a few KB of its idle baseline (taken after a warm-up that loads every module the load uses once), and
`/` must answer 200 within `PAGE_S` seconds of the soak's end.

The figures (baseline, low point, after, seconds to answer) are printed (``-s``); `make test`
runs a soak of `SOAK` requests, `make hostile` a long one of every target (HOSTILE_SOAK
requests).
"""
import json
import os
import threading
import time

import pytest

import hostile_suite
from support.rawhttp import exchange

SOAK = int(os.environ.get('HOSTILE_SOAK', '240'))
SLACK = 5120  # "within a few KB": the conservative GC may keep a few blocks from stale pointers
PAGE_S = 5  # "/" answers 200 within this many seconds of the soak's end


class Probe:
    """Free heap as the target reports it, the low point seen, and the soak's traffic."""

    def __init__(self, target, heap_path, heap_key):
        self.t = target
        self.heap_path = heap_path
        self.heap_key = heap_key
        self.low = None
        self.stop = threading.Event()

    def heap(self):
        answer = self.t.request('GET', self.heap_path)
        if hostile_suite.status_of(answer) != 200:
            return None
        value = json.loads(answer.partition(b'\r\n\r\n')[2])[self.heap_key]
        if self.low is None or value < self.low:
            self.low = value
        return value

    def settled_heap(self):
        """The free heap once nothing runs (the UI samples it at most once a second)."""
        for _ in range(20):
            time.sleep(1.1)
            value = self.heap()
            if value is not None:
                return value
        return None

    def recovered_heap(self, base, within=20):
        """The free heap once it is back within `SLACK` of `base` (the best reading within
        `within` seconds otherwise): connections the soak left half-open end at their
        deadline, a few seconds later, and their heap only then."""
        best = None
        start = time.time()
        while time.time() - start < within:
            time.sleep(1.1)
            value = self.heap()
            if value is not None and (best is None or value > best):
                best = value
            if best is not None and base is not None and best >= base - SLACK:
                break
        return best

    def sample(self):
        while not self.stop.wait(0.25):
            try:
                self.heap()
            except OSError:
                pass


def mixed(t, i):
    """Request number `i` of the soak (raw bytes)."""
    auth = t.auth
    deep = b'[' * 2000 + b']' * 2000
    kinds = [
        b'GET / HTTP/1.1\r\n' + auth + b'\r\n',
        b'GET ' + t.heap_path.encode() + b' HTTP/1.1\r\n' + auth + b'\r\n',
        b'GET ' + t.asset.encode() + b' HTTP/1.1\r\nAccept-Encoding: gzip\r\n' + auth + b'\r\n',
        b'POST ' + t.json_path.encode() + b' HTTP/1.1\r\n' + auth +
        b'Content-Type: application/json\r\nContent-Length: 12\r\n\r\n{"on": true}',
        b'POST ' + t.json_path.encode() + b' HTTP/1.1\r\n' + auth +
        b'Content-Type: application/json\r\nContent-Length: %d\r\n\r\n' % len(deep) + deep,
        b'GET /' + b'x' * 1500 + b' HTTP/1.1\r\n\r\n',
        b'POST ' + t.json_path.encode() + b' HTTP/1.1\r\n' + auth +
        b'Transfer-Encoding: chunked\r\n\r\n' + b'1\r\n{\r\n' * 300 + b'0\r\n\r\n',
    ]
    return kinds[i % len(kinds)]


def stream_status(t):
    """Open an event stream, read a moment of it and drop it; returns the status of its head,
    None if the connection closed with none, 'reset' if it was reset or timed out first.

    Once the head has come the stream was answered, whatever follows: on a heap in pieces its
    first event may come after the client's 5 s (the UI skips an event that finds no heap until
    a later round), and a refused stream's connection may be reset once its 503 is out."""
    try:
        s, status = hostile_suite._sse_open(t)
    except OSError:
        return 'reset'
    try:
        s.recv(512)
    except OSError:
        pass
    finally:
        s.close()
    return status


def soak(t, probe, total, workers=6):
    """`total` mixed requests from `workers` threads, an event stream opened and dropped every
    so often; returns {status: count}, where 'none' counts connections closed with no answer
    and 'reset' those reset or timed out (10 s; an event stream: 5 s for its head) with none."""
    counts = {}
    lock = threading.Lock()
    next_i = [0]

    def worker():
        while True:
            with lock:
                i = next_i[0]
                next_i[0] += 1
            if i >= total:
                return
            if t.sse_path and i % 25 == 0:
                status = stream_status(t)
            else:
                try:
                    status = hostile_suite.status_of(exchange(t.port, mixed(t, i), timeout=10))
                except OSError:
                    status = 'reset'
            if status is None:
                status = 'none'
            with lock:
                counts[status] = counts.get(status, 0) + 1

    sampler = threading.Thread(target=probe.sample, daemon=True)
    sampler.start()
    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    probe.stop.set()
    sampler.join()
    return counts


def recovery(t, probe, total):
    # warm-up: a short burst of the same load, so that modules that stay loaded and structures
    # that keep their high-water mark (asyncio's poll table, lists) are in the baseline: what
    # is compared is what a long soak adds, i.e. a leak or lasting fragmentation.
    warm = soak(t, Probe(t, t.heap_path, t.heap_key), 250)
    base = probe.settled_heap()
    probe.low = base
    counts = soak(t, probe, total)
    start = time.time()  # both times are counted from the soak's end
    page = None
    while page is None and time.time() - start < 15:
        try:
            if hostile_suite.status_of(t.request('GET', '/')) == 200:
                page = time.time() - start
                break
        except OSError:
            pass
        time.sleep(0.2)
    took = None
    if hostile_suite.healthy(t, within=15) is not None:
        took = time.time() - start
    after = probe.recovered_heap(base)
    return base, probe.low, after, took, page, counts, warm


def report(name, total, base, low, after, took, page, counts):
    print('\n%s: %d requests %r; heap free: idle %s, low %s, after %s; '
          'answers again after %s s, "/" 200 after %s s' % (
              name, total, counts, base, low, after,
              None if took is None else round(took, 2), None if page is None else round(page, 2)))


def check_target(t, name, page_required):
    probe = Probe(t, t.heap_path, t.heap_key)
    try:
        base, low, after, took, page, counts, warm = recovery(t, probe, SOAK)
        alive = t.alive()
    finally:
        out = t.stop()
    report(name, SOAK, base, low, after, took, page, counts)
    print('warm-up: 250 requests %r' % warm)
    assert alive, out[-3000:]
    assert 500 not in counts and 500 not in warm, (warm, counts)
    # every request was answered, if only by a 503 (an event stream: its head came)
    assert not any(c.get('none') or c.get('reset') for c in (warm, counts)), (warm, counts)
    # the load was served, not only refused: on the UI's 56wK heap most of it is 503 (the cap,
    # and MemoryError), and in some runs nearly all of the soak; counted with the warm-up
    # (the same load) so that this asks "served at all", not "served in this stretch"
    assert sum(counts.values()) == SOAK and counts.get(200, 0) + warm.get(200, 0) > 0, \
        (warm, counts)
    assert took is not None, 'not answering after the soak'
    if page_required:
        assert page is not None and page <= PAGE_S, \
            '"/" not answered 200 within %d s of the soak (%s)' % (PAGE_S, page)
    assert base is not None and after is not None and after >= base - SLACK, (base, after)
    assert 'Traceback' not in out, out[-3000:]


def ui_target(tmp_path, options):
    from test_hostile_suite import UiTarget
    t = UiTarget(tmp_path / 'board', options, streams=1)
    t.heap_path, t.heap_key, t.asset = '/api/status', 'heap_free', '/static/app.js'
    return t


def test_ui_esp8266_profile_memory_comes_back(tmp_path):
    # The dashboard at / is a static page sent by code that stays loaded (ui.static: a file
    # send in small reads), so it loads on the heap a soak leaves behind, in small pieces; the
    # live stream's modules go with the last stream (docs/memory.md, "The device UI after
    # pressure"). Back in `make test` on 2026-11-29 after 20 runs in a row passed, some of them
    # on a busy machine.
    check_target(ui_target(tmp_path, ['--rom', '--heapsize', '56wK', '--max-connections', '3']),
                 'UI, ESP8266 profile (ROMFS, 56wK, 3 connections)', page_required=True)


# The UI with the framework's and the boot package's bytecode in RAM (`--mpy`). Below about
# 68wK the outcome depends on where things land in a heap in pieces, not on its size: the next
# heap size or the next change of the code may give another. Measured 2026-11-30 (MPY64-2) on
# main after a stream that cannot start drops its modules (ui.live; before, they stayed loaded
# and the soak at 64wK passed 2 of 6 runs: every request 503 with the stream's ~8 KB held) and
# the accept loop closes idle connections when short of heap: the soak passed 64wK 15 of 21
# runs (7/8, 5/8, 3/5 as main moved), 66wK 11/16, 67wK 4/5, 68wK 6/6 (the failures: /api/status, the health check, 503 for
# 15 s after the soak while "/" answers 200: its import of ui.status/ui.sample finds no block);
# two first visits (below) passed 65wK 6/7, 66wK 4/4, 64wK 0/7 (the second login: 503).
# (LOGIN64) The login now checks the password before ui.login loads, a successful one loads no
# page text (ui.authpage) and device.owner is 1.8 KB with a smaller table of names (2.6 KB;
# device.ownerset sets passwords): two first visits at 64wK passed 10/10 (1/8 before), 63wK
# 5/6 (the failure: /api/pins, ui.pins, not the login), 62wK 0/5 (the login among them).
# (SOAK64) The failing soaks had the live stream's modules (~8 KB) loaded with no stream
# running: a stream that never started left them, and ui.api's clean-up, which drops them, did
# not run when its import met a MemoryError, so every later import failed too (ui.api now
# cleans up after a failed import and tries it once more: test_ui_api_memory). And the
# simulated network/machine took ~6 KB of the heap that a board, where they are C modules, has
# for the app: run_host --mpy adds it to the heap, as it adds the ROMFS image
# (test_mpy_heap_leaves_out_what_the_simulation_takes; LOGIN64's figures above are from
# before). The soak at 64wK then passed 30 of 30 (10 before, 20 after merges of main);
# with the heap added but not the clean-up 26 of 28, with the clean-up but not the heap 6 of
# 10; at 62wK, 1 run of 3 found the server not accepting for over 10 s (docs/memory.md): the
# accept loop's pause while short of heap, gone since (it always accepts: 503 at once; 62wK
# then passed 10 of 10, with 0-59 200s a soak: the board thrashes there).
# (SOAKMPY) Most of the soak's 503s were the connection cap: 6 clients, 3 connections, each
# request a few tens of ms. A newcomer at a full cap of busy connections now waits up to
# evict_after/5 for a slot (microdot.server, `Server.may_wait`): 200s per soak at 64wK 29-86
# -> 91-134 (mean 50 -> 104-121, 5-6 runs each, bench/soak_mpy.py), ESP8266 profile 52-82 ->
# 139-142; 62wK still thrashes (0-25: no free block of 288 B for a request's coroutine there),
# and no request is left without an answer since the 503 is sent when its coroutine finds no
# heap (13-28 a soak at 62wK before).
# The constants keep a margin above those failures. MPY_HEAP_TRY / MPY_LOGIN_TRY run them at
# another heap (to measure). They do not depend on the checkout's path: frozen/ is mounted at
# /lib (`test_mpy_modules_load_from_lib`).
MPY_HEAP = os.environ.get('MPY_HEAP_TRY', '64wK')  # the soak
MPY_LOGIN_HEAP = os.environ.get('MPY_LOGIN_TRY', '64wK')  # two first visits in a row


def mpy_ui(heap):
    return ['--mpy', '--heapsize', heap, '--max-connections', '3']


def test_mpy_modules_load_from_lib(tmp_path):
    # run_host --mpy mounts the compiled frozen/ at /lib, as a board keeps the .mpy bundle: a
    # module's file name is interned in the heap, so a checkout on a long path (CI) would
    # otherwise have less heap than this one (25 modules, a path each)
    import subprocess
    import sys
    from support.runtimes import MICROPYTHON
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), 'scripts'))
    import run_host
    env = dict(os.environ, MICROPYPATH=run_host.prepare(str(tmp_path / 'board'), True))
    code = run_host.lib_boot() + 'import microdot.app, device.config\n' + \
        'print(microdot.app.__file__, device.config.__file__)\n'
    out = subprocess.run([MICROPYTHON, '-c', code], env=env, capture_output=True, text=True,
                         cwd=str(tmp_path), timeout=60)
    assert out.stdout.split() == ['/lib/microdot/app.mpy', '/lib/device/config.mpy'], out


def test_mpy_heap_leaves_out_what_the_simulation_takes(tmp_path):
    # `--heapsize` is the board's heap: the ROMFS image (in the heap here, in flash on a board)
    # and, with --mpy, the heap the simulated network/machine take once imported (C modules
    # on a board, about 6 KB here) are added to it, so the app has the heap asked for
    import re
    import sys
    from test_app import HostApp
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), 'scripts'))
    from run_host import heap_bytes
    app = HostApp(tmp_path / 'board', *mpy_ui('64wK')).start()
    try:
        status, _, body = app.request('/api/status')
    finally:
        app.stop()
    line = re.search(r'in ROMFS \((\d+) bytes\).*the heap its modules take \((\d+) bytes\) '
                     r'added', app.output)
    assert line, app.output[-2000:]
    image, sim = int(line.group(1)), int(line.group(2))
    assert sim > 4096, sim
    heap = json.loads(body)
    pool = heap['heap_free'] + heap['heap_used']  # the GC's blocks: ~98.8% of -X heapsize
    assert status == 200 and pool - image - sim >= 0.98 * heap_bytes('64wK'), (pool, image, sim)


def test_ui_mpy_memory_comes_back(tmp_path):
    check_target(ui_target(tmp_path, mpy_ui(MPY_HEAP)), 'UI, .mpy, %s' % MPY_HEAP,
                 page_required=True)


def test_ui_mpy_serves_the_login_form_the_dashboard_and_the_api(tmp_path):
    # a browser's first visit, one request at a time: the login form, the login (the owner's
    # password checked: device.owner loaded for it), then with the session
    # the dashboard, its script and the JSON API
    import gzip
    import urllib.parse
    from test_app import PASSWORD, HostApp
    app = HostApp(tmp_path / 'board', *mpy_ui(MPY_LOGIN_HEAP)).start()
    try:
        form = {'Content-Type': 'application/x-www-form-urlencoded'}
        gz = {'Accept-Encoding': 'gzip'}
        for _ in range(2):
            status, headers, body = app.request('/login', headers=gz, auth=False)  # gzipped
            assert status == 200 and b'name="password"' in gzip.decompress(body)
            status, headers, _ = app.request(
                '/login', urllib.parse.urlencode({'password': PASSWORD}).encode(), 'POST',
                form, auth=False)
            assert status == 303, status
            session = {'Cookie': headers['Set-Cookie'].split(';')[0]}
            assert app.request('/', headers=dict(session, **gz), auth=False)[0] == 200
            assert app.request('/static/app.js', headers=gz, auth=False)[0] == 200
            status, _, body = app.request('/api/status', headers=session, auth=False)
            assert status == 200 and json.loads(body)['heap_free'] > 0
            assert app.request('/api/pins', headers=session, auth=False)[0] == 200
    finally:
        app.stop()


@pytest.mark.parametrize('runtime', ['mp-mpy'])
def test_framework_64wK_memory_comes_back(tmp_path, runtime):
    from test_hostile_suite import AppTarget
    t = AppTarget('hard_ws_app', runtime, heapsize='64wK', args=['max_connections=3'],
                  sse_path='/events', streams=1)
    t.heap_path, t.heap_key, t.asset, t.json_path = '/mem', 'free', '/', '/json'
    check_target(t, 'framework (hard_ws_app), .mpy, 64wK', page_required=True)


STREAM_SLACK = 4096  # what a first stream may keep: the names it interned, asyncio's Event


def test_a_closed_live_stream_gives_its_heap_back(tmp_path):
    # The live stream's modules (ui.live, ui.pins, ui.status, microdot.sse: about 8 KB on this
    # profile) are dropped when the last stream ends; they used to stay loaded once a page had
    # been opened. Two streams in turn: the second must not keep more than the first left.
    from test_app import read_events
    t = ui_target(tmp_path, ['--rom', '--heapsize', '56wK', '--max-connections', '3'])
    probe = Probe(t, t.heap_path, t.heap_key)
    try:
        before = probe.settled_heap()
        for _ in range(2):
            assert len(read_events(t.port, 3, timeout=15)) == 3  # pins, log, live
            after = probe.recovered_heap(before, within=10)
        alive = t.alive()
    finally:
        out = t.stop()
    print('\nheap free before a stream %s, after two %s' % (before, after))
    assert alive, out[-3000:]
    assert before is not None and after is not None and after >= before - STREAM_SLACK, \
        (before, after)
