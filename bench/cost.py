"""The cost of one request, measured deterministically (for a machine too busy for req/s):
the server's CPU instructions per request under valgrind's callgrind, and (unix port) the bytes
it allocates per request, for raw asyncio, Microdot 2.7.0 and ours, with a new connection per
request and with keep-alive.

    .venv/bin/python bench/cost.py [--only mp|cpython] [--requests N] [--profile DIR]

Each server is started under ``valgrind --tool=callgrind --instr-atstart=no``; a client
sends warm-up requests, then instrumentation is switched on (``callgrind_control -i on``) for
`--requests` requests of `bench/run.py`'s mix, one at a time, and dumped. The figure is the
instruction count (Ir) of that window divided by the requests: the server's whole work for
them (Python or MicroPython interpreter, the kernel calls' user-space side, collections),
not the client's. `--profile DIR` keeps the callgrind files there (read them with
``callgrind_annotate``; on CPython, `bench/cost.py --cprofile` prints cProfile's view
instead). Instruction counts do not depend on other load on the machine; a request's wall
time does, so they are the measure to compare code changes by, and `make bench` the one to
state throughput with.
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
import run  # noqa: E402  (Setup, Server, REQUESTS, alloc_per_request)

REQUESTS = run.REQUESTS


def recv_response(sock, buf):
    """Read one response from `sock` (Content-Length framed); returns (close, rest)."""
    while b'\r\n\r\n' not in buf:
        data = sock.recv(65536)
        if not data:
            raise EOFError
        buf += data
    head, _, buf = buf.partition(b'\r\n\r\n')
    m = re.search(rb'(?i)\r\ncontent-length:\s*(\d+)', head)
    length = int(m.group(1))
    while len(buf) < length:
        data = sock.recv(65536)
        if not data:
            raise EOFError
        buf += data
    close = head.startswith(b'HTTP/1.0') or re.search(rb'(?i)\r\nconnection:\s*close', head)
    if not head.startswith(b'HTTP/1.') or b' 200 ' not in head.split(b'\r\n')[0] + b' ':
        raise RuntimeError('unexpected answer: %r' % head[:80])
    return bool(close), buf[length:]


WRK = [b'GET /user/42 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n']  # what wrk sends


def send(port, n, keep_alive):
    """`n` requests of the bench mix (or wrk's, with --wrk), one at a time."""
    reqs = REQUESTS if keep_alive else [
        r.replace(b'\r\n\r\n', b'\r\nConnection: close\r\n\r\n', 1) for r in REQUESTS]
    sock = None
    buf = b''
    for i in range(n):
        if sock is None:
            sock = socket.create_connection(('127.0.0.1', port), timeout=60)
            buf = b''
        sock.sendall(reqs[i % len(reqs)])
        close, buf = recv_response(sock, buf)
        if close:
            # read to the end, as a client does before it reconnects
            while sock.recv(65536):
                pass
            sock.close()
            sock = None
    if sock is not None:
        sock.close()


def valgrind_pid(port):
    """The pid of the valgrind process serving `port` (valgrind's wrapper script is the child
    we started; the tool runs in a process of its own)."""
    listing = subprocess.run(['vgdb', '-l'], capture_output=True, text=True).stdout
    for line in listing.splitlines():
        if '"%d"' % port in line or ' %d ' % port in line:
            return re.search(r'--pid=(\d+)', line).group(1)
    raise RuntimeError('no valgrind process for port %d: %s' % (port, listing))


def control(pid, state):
    out = subprocess.run(['callgrind_control', '-i', state, pid], capture_output=True, text=True)
    if 'OK' not in out.stdout:
        raise RuntimeError('callgrind_control failed: ' + out.stdout + out.stderr)


def callgrind(setup, server, runtime, keep_alive, n, warm, keep_dir=None):
    """Instructions per request of `server` on `runtime` ('mp' or 'cpython')."""
    out_dir = keep_dir or tempfile.mkdtemp(prefix='cost-')
    port = run.free_port()
    cmd, env = setup.command(server, runtime, port)
    out = os.path.join(out_dir, 'callgrind.%s.%s.%s.out' % (
        runtime, server, 'ka' if keep_alive else 'new'))
    cmd = ['valgrind', '--tool=callgrind', '--instr-atstart=no', '--callgrind-out-file=' + out,
           '--dump-instr=no'] + cmd
    proc = subprocess.Popen(cmd, env=env, cwd=run.ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 120
        while True:
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError('server did not start: ' + proc.stdout.read().decode())
            try:
                socket.create_connection(('127.0.0.1', port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        send(port, warm, keep_alive)
        pid = valgrind_pid(port)
        control(pid, 'on')
        send(port, n, keep_alive)
        control(pid, 'off')
    finally:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    total = 0
    for name in os.listdir(out_dir):
        if name.startswith(os.path.basename(out)):
            with open(os.path.join(out_dir, name)) as f:
                for line in f:
                    if line.startswith('summary:') or line.startswith('totals:'):
                        total = max(total, int(line.split()[1]))
    if keep_dir is None:
        shutil.rmtree(out_dir, ignore_errors=True)
    return total / float(n)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--microdot', default=os.path.join(run.BUILD, 'microdot270'))
    parser.add_argument('--only', choices=('mp', 'cpython'))
    parser.add_argument('--servers', default='raw,microdot,ours')
    parser.add_argument('--requests', type=int, default=400)
    parser.add_argument('--warm', type=int, default=100)
    parser.add_argument('--profile', help='keep the callgrind files in this directory')
    parser.add_argument('--no-alloc', action='store_true')
    parser.add_argument('--keep-alive-only', action='store_true')
    parser.add_argument('--wrk', action='store_true',
                        help="send wrk's request (one header) instead of the loadgen mix")
    args = parser.parse_args()
    if args.wrk:
        global REQUESTS
        REQUESTS = WRK
    run.BUILD = os.path.join(run.BUILD, 'cost')  # its own .mpy builds: make bench may be running
    setup = run.Setup(args.microdot)
    servers = args.servers.split(',')
    if args.profile:
        os.makedirs(args.profile, exist_ok=True)
    print('== instructions per request (callgrind Ir, %d requests after %d)' % (
        args.requests, args.warm))
    for runtime in (args.only,) if args.only else ('mp', 'cpython'):
        for ka in (True,) if args.keep_alive_only else (False, True):
            figures = {}
            for s in servers:
                figures[s] = callgrind(setup, s, runtime, ka, args.requests, args.warm,
                                       args.profile)
            print('  %-8s %-10s ' % (runtime, 'keep-alive' if ka else 'new conn') + '  '.join(
                '%s %8.0f' % (s, figures[s]) for s in servers) + (
                '   ours/raw %.2f' % (figures['ours'] / figures['raw'])
                if 'ours' in figures and 'raw' in figures else ''))
            sys.stdout.flush()
    if not args.no_alloc and args.only != 'cpython':
        print('== bytes allocated per request (unix port, .mpy)')
        for ka in (True,) if args.keep_alive_only else (True, False):
            print('  %-10s ' % ('keep-alive' if ka else 'new conn') + '  '.join(
                '%s %6.0f' % (s, run.alloc_per_request(setup, s, ka)) for s in servers))


if __name__ == '__main__':
    main()
