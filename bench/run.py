"""The benchmark (`make bench`): our server vs a raw `asyncio.start_server` responder (the upper
bound) vs Microdot 2.7.0 from PyPI, each serving bench/apps' two-route JSON app, in one run,
interleaved: every round measures every server in turn (their order rotated each round), each
fresh server is warmed up before it is measured, and every figure is printed as the median of
the rounds with its spread (min - max), ratios taken within each round. The conditions (date,
commit, builds, load generator, the machine's load) are printed first; on a busy machine the
run says its figures are not comparable.

On the MicroPython unix port (.mpy builds): req/s at 1 and 10 concurrent connections (a new
connection per request, and keep-alive), p50/p99 latency, heap after import + app (.py and
.mpy), the smallest ``-X heapsize`` that imports / answers 200 sequential requests / survives
10 concurrent connections, bytes allocated per request, .mpy sizes. On CPython: req/s of the
three. Every figure is also printed as a ratio to raw and to Microdot, and the issue's targets
are checked at the end. Load comes from wrk when installed (Debian's package), else from
bench/loadgen.py; both are reported when wrk is there.

Microdot 2.7.0 is only ever put on the path of its own server process (``--microdot DIR``, see
scripts/mk/bench.mk); nothing of ours imports it.

Units: MicroPython's unix port here is 64-bit, so its heap objects are about twice the size they
are on a 32-bit board. ``-X heapsize=NwK`` scales for that (N wK ~ N KB on a board), so heap
sizes are given in wK; byte counts are given as measured here and halved ("~32-bit") to compare
with the targets, which are for boards.
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
import loadgen  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, 'scripts'))
from run_host import ROM_BOOT  # noqa: E402  (mounts a ROMFS image, as make run-esp8266 does)
sys.path.insert(0, os.path.join(ROOT, 'tests'))
from support.runtimes import compile_tree  # noqa: E402  (mpy-cross of a tree)

APPS = os.path.join(BENCH, 'apps')
BUILD = os.path.join(ROOT, 'build', 'bench')
BIN = os.path.dirname(sys.executable)
MICROPYTHON = os.path.join(BIN, 'micropython')
OURS_CORE = ['__init__', 'app', 'multidict', 'platform', 'request', 'response', 'routing',
             'server', 'streams', 'urlcodec']
with open(os.path.join(ROOT, 'frozen', 'not_frozen.txt')) as _f:  # the one list
    CPYTHON_ONLY = tuple(line.split()[0] for line in _f  # never on a board
                         if line.strip() and line[0] != '#' and line.split()[1] == 'cpython')
SERVERS = ('raw', 'microdot', 'ours')
REQUEST = b'GET /user/42 HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n'
REQUESTS = [REQUEST, b'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n\r\n']


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Setup:
    """Where each server's code is, as source and as .mpy."""

    def __init__(self, microdot_dir):
        self.microdot = os.path.abspath(microdot_dir)
        mpy = os.path.join(BUILD, 'mpy')
        shutil.rmtree(mpy, ignore_errors=True)
        compile_tree(os.path.join(ROOT, 'frozen', 'microdot'),
                     os.path.join(mpy, 'ours', 'microdot'))
        compile_tree(os.path.join(self.microdot, 'microdot'),
                     os.path.join(mpy, 'microdot', 'microdot'))
        compile_tree(APPS, os.path.join(mpy, 'apps'))
        self.mpy = mpy

    def path(self, server, mpy):
        """MICROPYPATH / PYTHONPATH entries for `server`."""
        if mpy:
            apps = os.path.join(self.mpy, 'apps')
            lib = {'raw': [], 'ours': [os.path.join(self.mpy, 'ours')],
                   'microdot': [os.path.join(self.mpy, 'microdot')]}[server]
        else:
            apps = APPS
            lib = {'raw': [], 'ours': [os.path.join(ROOT, 'frozen')],
                   'microdot': [self.microdot]}[server]
        return [apps] + lib

    def module(self, server):
        return 'raw_app' if server == 'raw' else 'json_app'

    def rom(self, server):
        """A ROMFS image of `server`'s framework (None for raw): imported in place, like code
        frozen into flash, so its bytecode is not in the heap. Built once."""
        if server == 'raw':
            return None
        out = os.path.join(BUILD, 'rom', server + '.img')
        if not os.path.exists(out):
            tree = os.path.join(BUILD, 'rom', server)
            shutil.rmtree(tree, ignore_errors=True)
            src = os.path.join(ROOT, 'frozen', 'microdot') if server == 'ours' else \
                os.path.join(self.microdot, 'microdot')
            skip = ['__pycache__', '*.pyi', 'py.typed'] + [m + '.py' for m in CPYTHON_ONLY]
            shutil.copytree(src, os.path.join(tree, 'microdot'),
                            ignore=shutil.ignore_patterns(*skip))
            subprocess.run([os.path.join(BIN, 'mpremote'), 'romfs', '-o', out, 'build', tree],
                           check=True, stdout=subprocess.DEVNULL)
        return out

    def command(self, server, runtime, port, heap=None, script=None):
        """(argv, env) to serve `server` on `runtime`: 'mp' (.mpy files on the unix port),
        'mp-rom' (the framework in a ROMFS, the app as .mpy), 'mp-py' or 'cpython'. `heap` is
        in wK; for 'mp-rom' the image's own size is added (it is read into the heap)."""
        env = dict(os.environ)
        if script is None:
            script = 'import sys; sys.argv[:]=["l", %r, "%d"]; import launch_bench' % (
                self.module(server), port)
        if runtime == 'cpython':
            env['PYTHONPATH'] = os.pathsep.join(self.path(server, False))
            return [sys.executable, '-c', script.replace('[:]', '')], env
        image = self.rom(server) if runtime == 'mp-rom' else None
        path = self.path(server, runtime != 'mp-py')
        if image:
            path = path[:1]
            heap = '%d' % (int(heap[:-2]) * 2048 + os.path.getsize(image) + 64) if heap else heap
            script = ROM_BOOT % (os.path.getsize(image), image) + script
        env['MICROPYPATH'] = ':'.join(path + ['.frozen'])
        cmd = [MICROPYTHON] + (['-X', 'heapsize=' + heap] if heap else [])
        return cmd + ['-c', script], env


class Server:
    def __init__(self, setup, server, runtime, heap=None):
        self.port = free_port()
        cmd, env = setup.command(server, runtime, self.port, heap)
        self.proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)

    def wait(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                socket.create_connection(('127.0.0.1', self.port), timeout=0.2).close()
                time.sleep(0.05)
                return True
            except OSError:
                time.sleep(0.03)
        return False

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        out = self.proc.stdout.read().decode(errors='replace')
        self.proc.stdout.close()
        return out

    def __enter__(self):
        if not self.wait():
            raise RuntimeError('server did not start:\n' + self.stop())
        return self

    def __exit__(self, *exc):
        self.stop()


def get(port, path, close=True):
    s = socket.create_connection(('127.0.0.1', port), timeout=10)
    s.sendall(b'GET ' + path + b' HTTP/1.1\r\nHost: x\r\n' +
              (b'Connection: close\r\n' if close else b'') + b'\r\n')
    data = b''
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return data


# --- load ----------------------------------------------------------------------------------------

def warm_up(tool, port, conns, keep_alive, seconds):
    """Load a fresh server before measuring it (and discard the figures): its first requests
    grow the heap, fill caches and, on CPython, create the executor and the event loop's
    internals; measured cold, a short run is mostly start-up. Returns the warm-up's req/s
    (None without a warm-up)."""
    if seconds <= 0:
        return None
    if tool == 'wrk':
        return wrk_run(port, conns, keep_alive, seconds)['rate']
    return loadgen_run(port, conns, keep_alive, seconds, total=max(50, int(seconds * 300)))['rate']


def conditions(tools):
    """What a figure depends on besides the code: printed with the results and kept in them."""
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT,
                                  timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return '?'
    load = out(['cat', '/proc/loadavg']).split()[:3]
    return {'date': time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
            'commit': out(['git', 'describe', '--always', '--dirty']),
            'micropython': out([MICROPYTHON, '-c', 'import sys; print(sys.version)']),
            'cpython': sys.version.split()[0], 'load generator': '+'.join(tools),
            'cpus': os.cpu_count(), 'loadavg': ' '.join(load)}


def busy(cond):
    """True if other work was running: a 1-minute load above half the CPUs."""
    try:
        return float(cond['loadavg'].split()[0]) > (cond['cpus'] or 1) / 2.0
    except (ValueError, IndexError):
        return True


def spread(values, fmt='%.0f'):
    """'median [min-max, +-N %]' of a list of numbers."""
    values = [v for v in values if v is not None]
    if not values:
        return '-'
    mid = statistics.median(values)
    half = (max(values) - min(values)) / 2.0
    return (fmt + ' [' + fmt + ' - ' + fmt + ', +-%.0f %%]') % (
        mid, min(values), max(values), 100.0 * half / mid if mid else 0)


def wrk_run(port, conns, keep_alive, seconds):
    cmd = ['wrk', '-t1', '-c%d' % conns, '-d%ds' % max(1, int(round(seconds))),
           '--latency']  # wrk takes whole seconds
    if not keep_alive:
        cmd += ['-H', 'Connection: close']
    out = subprocess.run(cmd + ['http://127.0.0.1:%d/user/42' % port], capture_output=True,
                         text=True, timeout=seconds + 30).stdout
    rate = float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1))

    def lat(p):
        m = re.search(r'\s%s%%\s+([\d.]+)(us|ms|s)\b' % p, out)
        if not m:
            return None
        return float(m.group(1)) * {'us': 1e-6, 'ms': 1e-3, 's': 1.0}[m.group(2)]
    errors = re.search(r'Socket errors: (.*)', out)
    non2xx = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
    return {'rate': rate, 'p50': lat(50), 'p99': lat(99),
            'errors': (errors.group(1) if errors else '') +
                      (' non-2xx %s' % non2xx.group(1) if non2xx else '')}


def loadgen_run(port, conns, keep_alive, seconds, total=None, rate=None):
    """bench/loadgen.py sends a number of requests, not for a time: as many as `rate` (the
    warm-up's req/s) gives in `seconds`, so that a fast server is not measured over a tenth of a
    second (a fixed 1500 requests at 15 000 req/s is 0.1 s: all noise)."""
    if total is None:
        total = int(rate * seconds) if rate else (400 if conns == 1 else 1500)
        total = max(total, 400 if conns == 1 else 1500)
    res = loadgen.run_sync('127.0.0.1', port, total, conns, keep_alive=keep_alive,
                           requests=REQUESTS, timeout=10)
    bad = {k: v for k, v in res.statuses.items() if k != 200}
    return {'rate': res.rate, 'p50': res.percentile(50), 'p99': res.percentile(99),
            'errors': str(bad) if bad else ''}


# --- memory --------------------------------------------------------------------------------------

HEAP_SCRIPT = '''
import gc, asyncio, json, sys
gc.collect()
a = gc.mem_alloc()
import %s as m
gc.collect()
print('HEAP', gc.mem_alloc() - a)
'''


def heap_after_import(setup, server, mpy):
    env = dict(os.environ)
    env['MICROPYPATH'] = ':'.join(setup.path(server, mpy) + ['.frozen'])
    out = subprocess.run([MICROPYTHON, '-X', 'heapsize=1024wK', '-c',
                          HEAP_SCRIPT % setup.module(server)], env=env, capture_output=True,
                         text=True, timeout=60).stdout
    m = re.search(r'HEAP (\d+)', out)
    return int(m.group(1)) if m else None


def can_import(setup, server, heap, runtime='mp'):
    cmd, env = setup.command(server, runtime, 0, '%dwK' % heap,
                             'import asyncio, %s; print("IMPORTED")' % setup.module(server))
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    return 'IMPORTED' in proc.stdout


def serves(setup, server, heap, conns, total, runtime='mp'):
    """True if the server under `heap` wK answers `total` requests from `conns` concurrent
    connections with 200 (or 503 from a cap) and is still up and serving afterwards."""
    srv = Server(setup, server, runtime, '%dwK' % heap)
    try:
        if not srv.wait():
            return False
        res = loadgen.run_sync('127.0.0.1', srv.port, total, conns, requests=REQUESTS, timeout=5)
        ok = set(res.statuses) <= {200, 503} and res.statuses[200] > 0
        if conns == 1:
            ok = ok and res.statuses[200] == total
        time.sleep(0.1)
        return ok and srv.alive() and get(srv.port, b'/').split(b' ', 2)[1] == b'200'
    except OSError:
        return False
    finally:
        srv.stop()


def smallest(check, lo=2, hi=256):
    """The smallest heap (wK) in [lo, hi] for which check(heap) holds (None if not even hi);
    assumes monotonicity, then confirms the answer once more."""
    if not check(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if check(mid):
            hi = mid
        else:
            lo = mid + 1
    return hi


def alloc_per_request(setup, server, keep_alive, n=200):
    with Server(setup, server, 'mp', '4096wK') as srv:
        get(srv.port, b'/user/1')
        get(srv.port, b'/_alloc/start')
        res = loadgen.run_sync('127.0.0.1', srv.port, n, 1, keep_alive=keep_alive,
                               requests=REQUESTS)
        data = get(srv.port, b'/_alloc/stop')
        assert res.statuses[200] == n, res.statuses
        used = int(data.partition(b'\r\n\r\n')[2])
        return used / (n + 1)  # the stop request is counted too


def mpy_sizes(setup):
    def size(root, names=None):
        total = 0
        for dirpath, _, files in os.walk(root):
            for f in files:
                if f.endswith('.mpy') and (names is None or f[:-4] in names):
                    total += os.path.getsize(os.path.join(dirpath, f))
        return total
    ours = os.path.join(setup.mpy, 'ours', 'microdot')
    theirs = os.path.join(setup.mpy, 'microdot', 'microdot')
    board = [f[:-4] for f in os.listdir(ours)
             if f.endswith('.mpy') and f[:-4] not in CPYTHON_ONLY]
    return {'ours core': size(ours, OURS_CORE), 'ours board set': size(ours, board),
            'ours all': size(ours), 'microdot core': size(theirs, ['__init__', 'microdot']),
            'microdot all': size(theirs)}


# --- report --------------------------------------------------------------------------------------

def ratio(value, ref):
    if value is None or not ref:
        return '   -  '
    return '%5.2fx' % (value / ref)


def line(label, values, fmt, better='higher'):
    raw, md, ours = (values.get(s) for s in SERVERS)
    cells = [(fmt % v if v is not None else '-').rjust(10) for v in (raw, md, ours)]
    print('  %-34s %s %s %s   ours/raw %s  ours/microdot %s' % (
        label, cells[0], cells[1], cells[2], ratio(ours, raw), ratio(ours, md)))


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--microdot', required=True, help='directory Microdot 2.7.0 is in')
    parser.add_argument('--rounds', type=int, default=5,
                        help='interleaved rounds (each measures every server once per case)')
    parser.add_argument('--seconds', type=int, default=2, help='per wrk measurement')
    parser.add_argument('--warmup', type=float, default=1.0,
                        help='seconds of load on each fresh server before measuring it')
    parser.add_argument('--quick', action='store_true',
                        help='3 rounds (not --rounds), no heap search')
    parser.add_argument('--only', choices=('mp', 'cpython'), help='one runtime only')
    parser.add_argument('--throughput-only', action='store_true',
                        help='skip the memory and size section and the targets')
    parser.add_argument('--json', default=os.path.join(BUILD, 'results.json'))
    args = parser.parse_args()
    rounds = 3 if args.quick else args.rounds
    setup = Setup(args.microdot)
    have_wrk = shutil.which('wrk') is not None
    tools = ['wrk', 'loadgen'] if have_wrk else ['loadgen']
    results = {}
    header = '  %-34s %10s %10s %10s' % ('', 'raw', 'microdot', 'ours')
    cond = conditions(tools)
    print('== Conditions: ' + ', '.join('%s %s' % kv for kv in cond.items()))
    print('   %d interleaved rounds, %d s per measurement after %.1f s of warm-up' % (
        rounds, args.seconds, args.warmup))
    if rounds < 3:
        print('   WARNING: fewer than 3 rounds: too few for a spread; this is a check, not a figure')
    if busy(cond):
        print('   WARNING: the machine is busy (load %s on %s CPUs): these figures are not '
              'comparable with a quiet machine\'s' % (cond['loadavg'], cond['cpus']))
    results['conditions'] = cond

    # Throughput and latency, interleaved: round -> case -> server, the servers' order rotated
    # each round so that none is always measured first (or right after the same one).
    for runtime in (args.only,) if args.only else ('mp', 'cpython'):
        cases = [(tool, c, ka) for tool in tools for c in (1, 10) for ka in (False, True)]
        if runtime == 'cpython':
            cases = [(tool, c, ka) for tool, c, ka in cases if c == 10]
        samples = {}
        for n in range(rounds):
            order = SERVERS[n % len(SERVERS):] + SERVERS[:n % len(SERVERS)]
            for tool, conns, ka in cases:
                for server in order:
                    with Server(setup, server, runtime) as srv:
                        warm = warm_up(tool, srv.port, conns, ka, args.warmup)
                        if tool == 'wrk':
                            r = wrk_run(srv.port, conns, ka, args.seconds)
                        else:
                            r = loadgen_run(srv.port, conns, ka, args.seconds, rate=warm)
                        out_ok = srv.alive()
                    if not out_ok:
                        r['errors'] += ' (server died)'
                    samples.setdefault((tool, conns, ka), {}).setdefault(server, []).append(r)
        title = ('MicroPython unix port (.mpy)' if runtime == 'mp' else 'CPython %s' %
                 sys.version.split()[0])
        print('\n== %s: throughput and latency (median of %d interleaved rounds)' % (
            title, rounds))
        print(header)
        for (tool, conns, ka), per in samples.items():
            name = '%s c=%d %s' % (tool, conns, 'keep-alive' if ka else 'new conn')
            rate = {s: median([r['rate'] for r in per[s]]) for s in per}
            p50 = {s: median([r['p50'] for r in per[s]]) for s in per}
            p99 = {s: median([r['p99'] for r in per[s]]) for s in per}
            line(name + ' req/s', rate, '%.0f')
            line(name + ' p50 ms', {s: v * 1000 if v is not None else None
                                    for s, v in p50.items()}, '%.2f')
            line(name + ' p99 ms', {s: v * 1000 if v is not None else None
                                    for s, v in p99.items()}, '%.2f')
            # The spread: each server's req/s over the rounds, and ours/raw and
            # ours/microdot taken within each round (measured minutes apart at most, so
            # the machine's drift over the run cancels out of the ratio).
            for s in SERVERS:
                print('    %-8s req/s %s' % (s, spread([r['rate'] for r in per[s]])))
            ratios = {}
            for ref in ('raw', 'microdot'):
                ratios[ref] = [o['rate'] / r['rate'] for o, r in zip(per['ours'], per[ref])
                               if r['rate']]
                print('    ours/%-8s per round %s' % (ref, spread(ratios[ref], '%.2f')))
            errs = {s: [r['errors'] for r in per[s] if r['errors']] for s in per}
            for s, e in errs.items():
                if e:
                    print('    (%s: %s)' % (s, '; '.join(e)))
            results['%s %s' % (runtime, name)] = {
                'rate': rate, 'p50': p50, 'p99': p99,
                'rates': {s: [r['rate'] for r in per[s]] for s in per}, 'ratios': ratios}
    if args.throughput_only:
        cond['loadavg after'] = conditions(tools)['loadavg']
        os.makedirs(os.path.dirname(args.json), exist_ok=True)
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=1, default=str)
        print('\n(results also in %s)' % os.path.relpath(args.json, ROOT))
        return

    print('\n== MicroPython unix port: memory and size')
    print(header)
    heap_py = {s: heap_after_import(setup, s, False) for s in SERVERS}
    heap_mpy = {s: heap_after_import(setup, s, True) for s in SERVERS}
    line('heap after import+app .py (B)', heap_py, '%d', 'lower')
    line('heap after import+app .mpy (B)', heap_mpy, '%d', 'lower')
    line('  same, ~32-bit board (KB)', {s: v / 2048.0 for s, v in heap_mpy.items() if v}, '%.1f')
    alloc_ka = {s: alloc_per_request(setup, s, True) for s in SERVERS}
    alloc_new = {s: alloc_per_request(setup, s, False) for s in SERVERS}
    line('alloc/request keep-alive (B)', alloc_ka, '%.0f')
    line('alloc/request new conn (B)', alloc_new, '%.0f')
    line('  keep-alive, ~32-bit board (KB)', {s: v / 2048.0 for s, v in alloc_ka.items()}, '%.1f')
    sizes = mpy_sizes(setup)
    print('  .mpy sizes (bytes): ' + ', '.join('%s %d' % kv for kv in sizes.items()))
    print('    ours core / microdot core %.2fx, ours all / microdot all %.2fx' % (
        sizes['ours core'] / float(sizes['microdot core']),
        sizes['ours all'] / float(sizes['microdot all'])))
    results.update({'heap_py': heap_py, 'heap_mpy': heap_mpy, 'alloc_keep_alive': alloc_ka,
                    'alloc_new_conn': alloc_new, 'mpy_sizes': sizes})
    if not args.quick:
        mins = {}
        for label, check in (
                ('import', lambda s: lambda h: can_import(setup, s, h)),
                ('200 sequential', lambda s: lambda h: serves(setup, s, h, 1, 200)),
                ('10 concurrent', lambda s: lambda h: serves(setup, s, h, 10, 500))):
            mins[label] = {s: smallest(check(s)) for s in SERVERS}
            line('min -X heapsize, %s (wK)' % label, mins[label], '%d', 'lower')
        results['min_heap_wK'] = mins
        print('  the same with the framework in a ROMFS, imported in place like frozen code:')
        rom = {}
        for label, check in (
                ('import', lambda s: lambda h: can_import(setup, s, h, 'mp-rom')),
                ('200 sequential', lambda s: lambda h: serves(setup, s, h, 1, 200, 'mp-rom')),
                ('10 concurrent', lambda s: lambda h: serves(setup, s, h, 10, 500, 'mp-rom'))):
            rom[label] = {s: smallest(check(s)) for s in SERVERS}
            line('min heap (ROMFS), %s (wK)' % label, rom[label], '%d', 'lower')
        results['min_heap_rom_wK'] = rom

    print('\n== Targets (issue 15; ratios from this run, ours/raw taken within each round)')
    targets = []

    def per_round(runtime, case):
        return results.get('%s %s %s' % (runtime, tools[0], case), {}).get('ratios', {}).get(
            'raw') or [0]
    targets.append(('unix c=10 keep-alive >= 0.85 x raw',
                    statistics.median(per_round('mp', 'c=10 keep-alive')), 0.85))
    targets.append(('CPython c=10 new conn >= 0.80 x raw',
                    statistics.median(per_round('cpython', 'c=10 new conn')), 0.8))
    targets.append(('CPython c=10 keep-alive >= 0.60 x raw',
                    statistics.median(per_round('cpython', 'c=10 keep-alive')), 0.6))
    targets.append(('alloc/request keep-alive <= 4 KB (unix port, as measured)',
                    alloc_ka['ours'] / 1024.0, -4))
    for name, value, target in targets:
        ok = value >= target if target > 0 else value <= -target
        print('  %-48s %8.2f  %s' % (name, value, 'met' if ok else 'MISSED by %.2f' % (
            abs(value - abs(target)))))
    results['targets'] = [(n, v, t) for n, v, t in targets]
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, 'w') as f:
        json.dump(results, f, indent=1, default=str)
    print('\n(results also in %s)' % os.path.relpath(args.json, ROOT))


if __name__ == '__main__':
    main()
