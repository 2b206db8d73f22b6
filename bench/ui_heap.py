"""What holds the device UI's heap on the ESP8266 profile, and what splits it.

    .venv/bin/python bench/ui_heap.py [--heap 56wK] [--mpy] [--soak 240] [--sessions 1] [--maps DIR]

A fresh simulated board as `make run-esp8266` runs it (scripts/run_host.py's boot: frozen/ in a
ROMFS image, the app as .mpy, `--heap`, 3 connections; with `--mpy` as scripts/run_host.py
--mpy runs it: frozen/ as .mpy in the heap, the simulation's own heap added), with one route more, ``/__heap``, added
by this script's boot code: it collects garbage and prints ``micropython.mem_info(1)`` (the
heap map) and ``qstr_info()`` to the board's console. At each step (after start, after
`--sessions` dashboard sessions, after a soak of `--soak` requests as
tests/host/test_memory_recovery.py sends them) the script asks for a map (the first one, and
any a request cannot get, through a file: ``listening`` is read before any request) and
prints: free heap, the largest free block, the free blocks by size, the interned names (qstrs),
and the loaded app modules. With `--maps DIR` the full maps are written there. A measurement, not a test: the
figures go to docs/memory.md.

A dashboard session is what a browser does: log in (``POST /login``), load ``/``, its CSS and
scripts, ``/api/status`` and ``/api/pins``, keep the live stream (``/api/events``) open for a
few seconds, then close it.
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, 'tests', 'host'), os.path.join(ROOT, 'tests'),
                os.path.join(ROOT, 'frozen'), os.path.join(ROOT, 'scripts')]

# Added before the runtime boots: the app, once loaded, gets a route that prints the heap map.
# (launcher.load is wrapped: the runtime imports main.py through it.)
HOOK = '''from device import launcher
def _load(*a, _l=launcher.load):
    m, e = _l(*a)
    if m is not None:
        import micropython, gc, sys
        async def _heap(request):
            gc.collect()
            print('=== HEAP', request.args.get('tag', ''))
            micropython.mem_info(1)
            micropython.qstr_info()
            for k in sys.modules:
                print('module', k)
            print('=== END')
            return 'ok'
        m.app.get('/__heap')(_heap)
        import asyncio, os
        async def _watch():  # a map without a request: when the file .dump appears
            while True:
                await asyncio.sleep_ms(100)
                try:
                    os.stat('.dump')
                    os.remove('.dump')
                    gc.collect()
                    print('=== HEAP file')
                    micropython.mem_info(1)
                    micropython.qstr_info()
                    for k in sys.modules:
                        print('module', k)
                    print('=== END')
                except (OSError, MemoryError):
                    pass
        asyncio.create_task(_watch())
    return m, e
launcher.load = _load
'''


class Board:
    """The simulated board, its console collected in a thread."""

    def __init__(self, heap, connections=3, mpy=False):
        import run_host
        from test_app import HostApp, basic
        self.fs = tempfile.mkdtemp(prefix='ui-heap-')
        HostApp(self.fs)  # writes config.json with the test owner password
        env = dict(os.environ)
        env['MICROPYPATH'] = run_host.prepare(self.fs, True)
        # --rom: frozen/ in the ROMFS image; --mpy: frozen/ as .mpy in the heap (run_host --mpy)
        image = run_host.build_rom(os.path.join(ROOT, 'build', 'run-mpy', 'sim.img' if mpy
                                                else 'rom.img'), framework=not mpy)
        size = os.path.getsize(image)
        self.port = _free_port()
        boot = (run_host.ROM_BOOT % (size, image) + (run_host.lib_boot() if mpy else '') +
                run_host.CAP_BOOT % connections + HOOK +
                run_host.BOOT % ('127.0.0.1', self.port))
        heap = str(run_host.heap_bytes(heap) + size + 64 +
                   (run_host.sim_heap(image, self.fs) if mpy else 0))  # as run_host --mpy
        self.proc = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), 'micropython'), '-X',
             'heapsize=' + heap, '-c', boot], cwd=self.fs, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines = []
        self.times = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.auth = b'Authorization: ' + basic().encode() + b'\r\n'
        self.rom_blocks = size // 32
        self._wait('Starting async server', 30)

    def _read(self):
        for line in self.proc.stdout:
            self.times.append(time.time())
            self.lines.append(line.decode(errors='replace').rstrip('\n'))

    def _wait(self, text, timeout):
        start = time.time()
        while time.time() - start < timeout:
            if any(text in line for line in self.lines):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError('board: %r not seen\n%s' % (text, '\n'.join(self.lines[-40:])))

    def request(self, method, path, body=b'', headers=b'', auth=True, timeout=10):
        from support.rawhttp import exchange
        head = b'%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n' % (
            method.encode(), path.encode())
        if auth:
            head += self.auth
        head += headers
        if body or method == 'POST':
            head += b'Content-Length: %d\r\n' % len(body)
        return exchange(self.port, head + b'\r\n' + body, timeout)

    def heap_map(self, tag):
        """The board's heap map at this moment (after a collection): its console lines."""
        mark = len(self.lines)
        for _ in range(20):
            answer = self.request('GET', '/__heap?tag=' + tag)
            if answer.startswith(b'HTTP/1.1 200'):
                break
            time.sleep(0.5)
        else:
            raise RuntimeError('no heap map: %r' % answer[:200])
        start = time.time()
        while time.time() - start < 5:
            lines = self.lines[mark:]
            if '=== END' in lines:
                end = lines.index('=== END')
                starts = [i for i in range(end) if lines[i] == '=== HEAP ' + tag]
                return lines[starts[-1] if starts else 0:end]
            time.sleep(0.05)
        raise RuntimeError('heap map incomplete')

    def file_map(self, timeout=5):
        """The heap map now, asked for through a file (no request: works when requests fail)."""
        mark = len(self.lines)
        with open(os.path.join(self.fs, '.dump'), 'w'):
            pass
        start = time.time()
        while time.time() - start < timeout:
            lines = self.lines[mark:]
            if '=== END' in lines and '=== HEAP file' in lines:
                return lines[lines.index('=== HEAP file'):lines.index('=== END')]
            time.sleep(0.05)
        return None

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def analyse(lines, rom_blocks=0):
    """Figures from a heap map's lines: free, largest free run, free runs by size, qstrs."""
    out = {}
    for line in lines:
        m = re.search(r'GC: total: (\d+), used: (\d+), free: (\d+)', line)
        if m:
            out['total'], out['used'], out['free'] = map(int, m.groups())
        m = re.search(r'max free sz: (\d+)', line)
        if m:
            out['max_free_blocks'] = int(m.group(1))
        m = re.search(r'n_qstr=(\d+), n_str_data_bytes=(\d+)', line)
        if m:
            out['qstrs'], out['qstr_bytes'] = map(int, m.groups())
        if line.startswith('module '):
            out.setdefault('modules', []).append(line.split()[1])
    cells = []
    for line in lines:
        if re.match(r'^[0-9a-f]{8}: ', line):
            cells.append(line.split(': ', 1)[1])
        m = re.match(r'^\s*\((\d+) lines all free\)', line)
        if m:
            cells.append('.' * 64 * int(m.group(1)))
    cells = ''.join(cells)
    runs = [len(r) for r in re.findall(r'\.+', cells)]
    out['free_runs'] = runs
    out['map'] = cells
    return out


def summary(tag, a, block=32):
    runs = sorted(a['free_runs'])
    big = [r for r in runs if r * block >= 1024]
    small = [r for r in runs if r * block < 1024]
    print('%-22s free %7d B  largest free block %6d B  free runs %4d (%d under 1 KB, '
          '%d B in them)  qstrs %d (%d B)' % (
              tag, a['free'], a['max_free_blocks'] * block, len(runs), len(small),
              sum(small) * block, a.get('qstrs', 0), a.get('qstr_bytes', 0)))


def objects(cells):
    """[(start block, kind letter, blocks)] of the objects in a map."""
    out = []
    i, n = 0, len(cells)
    while i < n:
        c = cells[i]
        if c in '.=':
            i += 1
            continue
        j = i + 1
        while j < n and cells[j] == '=':
            j += 1
        out.append((i, c, j - i))
        i = j
    return out


def new_objects(a, b, block=32):
    """What `b` holds that `a` did not (an object starting where `a` had none of the same kind
    and size): bytes by kind letter (M module, D dict, B function, S str/bytes, T tuple, L list,
    h other), and the sizes of the largest."""
    before = set(objects(a['map']))
    fresh = [o for o in objects(b['map']) if o not in before]
    by = {}
    for _, kind, size in fresh:
        by[kind] = by.get(kind, 0) + size * block
    big = sorted((size * block, kind, start) for start, kind, size in fresh)[-8:]
    return sum(by.values()), by, big[::-1]


def dashboard(board, live_s=4):
    """One browser's dashboard visit, as raw requests; returns the statuses."""
    from test_app import PASSWORD
    got = []
    body = ('password=%s&next=/' % PASSWORD).encode()
    answer = board.request('POST', '/login', body, b'Content-Type: '
                           b'application/x-www-form-urlencoded\r\n', auth=False)
    got.append(_status(answer))
    cookie = re.search(rb'Set-Cookie: (owner=[0-9a-f]+)', answer)
    head = b'Cookie: ' + cookie.group(1) + b'\r\n' if cookie else b''
    for path in ('/', '/static/app.css', '/static/app.js', '/static/firmware.js', '/api/status',
                 '/api/pins'):
        got.append(_status(board.request('GET', path, headers=head + b'Accept-Encoding: gzip\r\n',
                                         auth=not cookie)))
    s = socket.create_connection(('127.0.0.1', board.port), timeout=5)
    s.sendall(b'GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n' + head + b'\r\n')
    data = b''
    end = time.time() + live_s
    s.settimeout(0.5)
    while time.time() < end:
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            continue
        if not chunk:
            break
        data += chunk
    s.close()
    got.append(_status(data))
    got.append(data.count(b'event: live'))
    return got


def _status(answer):
    import hostile_suite
    return hostile_suite.status_of(answer)


class SoakTarget:
    """What test_memory_recovery.soak needs of a target."""

    json_path = '/api/pins/led'
    sse_path = '/api/events'
    heap_path, heap_key, asset = '/api/status', 'heap_free', '/static/app.js'

    def __init__(self, board):
        self.port = board.port
        self.auth = board.auth
        self.board = board

    def request(self, method, path, body=b'', headers=b'', close=True):
        return self.board.request(method, path, body, headers)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--heap', default='56wK')
    parser.add_argument('--mpy', action='store_true',
                        help='frozen/ as .mpy in the heap (run_host --mpy) instead of ROMFS')
    parser.add_argument('--soak', type=int, default=240)
    parser.add_argument('--sessions', type=int, default=1)
    parser.add_argument('--warm', type=int, default=250, help='a warm-up soak first')
    parser.add_argument('--maps', help='write the full heap maps into this folder')
    args = parser.parse_args()
    board = Board(args.heap, mpy=args.mpy)
    steps = []
    try:
        def record(tag, lines):  # a heap map read: its summary, and the map itself if asked
            a = analyse(lines)
            steps.append((tag, a))
            summary(tag, a)
            if args.maps:
                os.makedirs(args.maps, exist_ok=True)
                with open(os.path.join(args.maps, tag + '.txt'), 'w') as f:
                    f.write('\n'.join(lines) + '\n')

        def step(tag):
            time.sleep(1.5)
            try:
                lines = board.heap_map(tag)
            except RuntimeError as exc:  # no request answered: the map through a file
                print(tag, exc)
                lines = board.file_map()
            record(tag, lines)
        time.sleep(1.5)
        record('listening', board.file_map())  # before any request
        step('boot')
        for i in range(args.sessions):
            print('dashboard session', i + 1, dashboard(board))
            step('session%d' % (i + 1))
        if args.soak:
            import test_memory_recovery as tmr
            t = SoakTarget(board)
            if args.warm:
                print('warm-up', tmr.soak(t, tmr.Probe(t, t.heap_path, t.heap_key), args.warm))
                step('warm')
            counts = tmr.soak(t, tmr.Probe(t, t.heap_path, t.heap_key), args.soak)
            print('soak', counts)
            start = time.time()
            mark = len(board.lines)
            page = None
            stuck = None
            while time.time() - start < 20:
                if _status(board.request('GET', '/')) == 200:
                    page = time.time() - start
                    break
                if stuck is None and time.time() - start > 1:
                    stuck = board.file_map()
                time.sleep(0.2)
            print('"/" 200 after', page)
            if stuck:
                record('stuck', stuck)
                record('unstuck', board.file_map())
            if page is None or page > 1:
                for t, line in zip(board.times[mark:], board.lines[mark:]):
                    if not re.match(r'^[0-9a-f]{8}: ', line):
                        print('  %6.2f %s' % (t - start, line))
            time.sleep(6)  # half-open connections end at their deadline
            step('soak')
            print('dashboard session after soak', dashboard(board))
            step('after-soak-session')
        for (t1, a), (t2, b) in zip(steps, steps[1:]):
            total, by, big = new_objects(a, b)
            print('new since %s at %s: %d B %r; largest %r' % (t1, t2, total, by, big))
        first = set(steps[0][1].get('modules', ()))
        for tag, a in steps[1:]:
            print(tag, 'modules loaded since boot:',
                  ' '.join(sorted(set(a.get('modules', ())) - first)))
    finally:
        board.stop()
        if args.maps:
            with open(os.path.join(args.maps, 'console.txt'), 'w') as f:
                f.write('\n'.join(board.lines) + '\n')
    print('\n'.join(line for line in board.lines if 'Traceback' in line or 'Error' in line))


if __name__ == '__main__':
    main()
