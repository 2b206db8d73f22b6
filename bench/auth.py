"""Cost of the owner password and of the UI's auth layer, measured on the MicroPython unix port.

    .venv/bin/python bench/auth.py [--heapsize 110wK] [--micropython PATH] [--repeat 5]

The web UI (app/, built as `make deploy` ships it: .mpy files loaded into the heap) is run in
process through ``microdot.test_client``, with frozen/ and the simulated network/machine in a
ROMFS image imported in place (scripts/run_host.py --rom), or, with ``--micropython`` naming a
unix build that has frozen/ frozen in, from that build's frozen modules (the board's case).
Printed (bytes on this 64-bit port; a 32-bit board needs roughly half):

- one password check (``device.owner.matches``, PBKDF2-HMAC-SHA256 at ``owner.ITERATIONS``):
  time (median of --repeat) and the heap the framework's HMAC brings in (``microdot`` package
  and ``microdot.jwt``, when nothing else has imported them, as in the setup portal) and
  ``device.owner`` itself;
- the auth layer of the UI: the heap ``ui.install`` keeps for it (``ui.auth`` and its state),
  measured as the difference with the same app whose ``ui.install`` leaves it out;
- the login page: ``GET /login`` and a successful ``POST /login`` (which includes one password
  check): time and the heap left in use after each;
- a request with a session cookie and one with the HTTP Basic header that passed before (the
  fast path) against a request to a public path: the time the check adds.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
sys.path[:0] = [os.path.join(ROOT, 'scripts'), os.path.join(ROOT, 'frozen')]

PASSWORD = 'owner of the board'

PROBE = '''
import gc, sys, time
sys.path.insert(0, '')
REPEAT = %(repeat)d
NO_AUTH = %(no_auth)r

def free():
    gc.collect()
    return gc.mem_free()

def median_us(f):
    times = []
    for _ in range(REPEAT):
        t = time.ticks_us()
        f()
        times.append(time.ticks_diff(time.ticks_us(), t))
    times.sort()
    return times[len(times) // 2]

import network, machine  # C modules on a board: not counted
base_pkg = free()
import microdot
if not NO_AUTH:
    after_pkg = free()
    from device import owner
    after_owner = free()
    import microdot.jwt
    after_jwt = free()
    print('RESULT import microdot package', base_pkg - after_pkg)
    print('RESULT import device.owner', after_pkg - after_owner)
    print('RESULT import microdot.jwt', after_owner - after_jwt)
    record = owner.make(%(password)r)
    before_check = free()
    print('RESULT check_us', median_us(lambda: owner.matches(record, %(password)r)))
    print('RESULT heap kept by a check', before_check - free())
    print('RESULT check_iterations', owner.ITERATIONS)
    del owner
    sys.modules.pop('device.owner', None)
    sys.modules.pop('microdot.jwt', None)
    if hasattr(microdot, 'jwt'):
        delattr(microdot, 'jwt')

from device import config, wifi
cfg = config.current()
wifi.connect_saved(cfg)
before_app = free()
import main
started = free()
print('RESULT app started', before_app - started)
from microdot.test_client import TestClient
import asyncio, binascii
client = TestClient(main.app)
H = {'Host': '127.0.0.1'}
BASIC = {'Host': '127.0.0.1', 'Authorization': 'Basic ' +
         binascii.b2a_base64(b'admin:' + %(password)r.encode()).decode().strip()}
TIMES = {}

async def timed(name, path, headers, method='GET', body=None):
    gc.collect()
    t = time.ticks_us()
    r = await client.request(method, path, headers=headers, body=body)
    TIMES[name] = time.ticks_diff(time.ticks_us(), t)
    return r

async def go():
    await timed('public', '/static/app.css', H)  # warm up: the static route, the client
    after_warm = free()
    if NO_AUTH:
        await timed('status', '/api/status', H)
        print('RESULT steady after /api/status', after_warm - free())
        return
    r = await timed('login page', '/login', H)
    assert r.status_code == 200, r.status_code
    print('RESULT heap after GET /login', after_warm - free())
    form = dict(H)
    form['Content-Type'] = 'application/x-www-form-urlencoded'
    r = await timed('login post', '/login', form, 'POST', b'password=' + %(password)r.replace(
        ' ', '+').encode() + b'&next=%%2F')
    assert r.status_code == 303, r.status_code
    cookie = r.headers['Set-Cookie'][0] if isinstance(r.headers['Set-Cookie'], list) else \\
        r.headers['Set-Cookie']
    print('RESULT heap after POST /login', after_warm - free())
    session = {'Host': '127.0.0.1', 'Cookie': cookie.split(';')[0]}
    r = await timed('first basic', '/api/status', BASIC)
    assert r.status_code == 200, r.status_code
    steady = free()
    for name, headers in (('session', session), ('basic again', BASIC)):
        times = []
        for _ in range(REPEAT):
            await timed(name, '/api/log', headers)
            times.append(TIMES[name])
        times.sort()
        TIMES[name] = times[len(times) // 2]
    times = []
    for _ in range(REPEAT):
        await timed('public', '/static/nothing.css', H)
        times.append(TIMES['public'])
    times.sort()
    TIMES['public'] = times[len(times) // 2]
    print('RESULT steady after /api/status', after_warm - steady)
    for name in ('login page', 'login post', 'first basic', 'session', 'basic again', 'public'):
        print('RESULT us', name, TIMES[name])

asyncio.run(go())
'''


def build(tmp, no_auth):
    """The app image (as .mpy) in a board filesystem under `tmp`, with an owner password."""
    import json
    import build_assets
    from device import owner
    from run_host import FIRST_CONFIG, FIRST_WORLD
    src = os.path.join(tmp, 'src')
    shutil.copytree(os.path.join(ROOT, 'app'), src, ignore=shutil.ignore_patterns('__pycache__'))
    if no_auth:  # the same UI with its auth layer left out
        path = os.path.join(src, 'ui', '__init__.py')
        with open(path) as f:
            text = f.read()
        for line in ('    from ui import auth\n', '    auth.load()\n',
                     '    app.before_request(auth.check)'):
            assert line in text, line
            text = text.replace(line, '    pass  # ' if line.endswith(')') else '')
        with open(path, 'w') as f:
            f.write(text)
    fs = os.path.join(tmp, 'fs')
    build_assets.main(['--quiet', '--src', src, '--out', os.path.join(tmp, 'out'), '--mpy', fs])
    cfg = dict(FIRST_CONFIG)
    cfg['owner'] = owner.make(PASSWORD)
    with open(os.path.join(fs, 'config.json'), 'w') as f:
        json.dump(cfg, f)
    with open(os.path.join(fs, 'sim.json'), 'w') as f:
        json.dump(FIRST_WORLD, f)
    return fs


def run(args, no_auth):
    import run_host
    tmp = tempfile.mkdtemp(prefix='bench-auth-')
    try:
        fs = build(tmp, no_auth)
        probe = PROBE % {'repeat': args.repeat, 'no_auth': no_auth, 'password': PASSWORD}
        env = dict(os.environ)
        heap = args.heapsize
        if args.micropython:  # frozen/ frozen into this build; the simulation as source
            binary = args.micropython
            env['MICROPYPATH'] = ':'.join(['', os.path.join(ROOT, 'scripts', 'sim'), '.frozen'])
        else:
            binary = os.path.join(BIN, 'micropython')
            image = run_host.build_rom(os.path.join(tmp, 'rom.img'))
            size = os.path.getsize(image)
            probe = run_host.ROM_BOOT % (size, image) + probe
            heap = str(run_host.heap_bytes(heap) + size + 64)
            env['MICROPYPATH'] = '.frozen'
        r = subprocess.run([binary, '-X', 'heapsize=' + heap, '-c', probe], cwd=fs, env=env,
                           capture_output=True, text=True, timeout=300)
        if r.returncode:
            raise SystemExit(r.stdout + r.stderr)
        return [line[7:] for line in r.stdout.split('\n') if line.startswith('RESULT ')]
    finally:
        shutil.rmtree(tmp)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--heapsize', default='110wK')
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--micropython', help='a unix build with frozen/ frozen in')
    args = parser.parse_args(argv)
    where = 'frozen in %s' % args.micropython if args.micropython else 'ROMFS'
    print('bench/auth.py: heap %s, frozen/ %s (bytes on this 64-bit port)' % (args.heapsize,
                                                                             where))
    with_auth = run(args, False)
    without = run(args, True)
    for line in with_auth:
        print('  ' + line)
    print('  without the auth layer:')
    for line in without:
        print('    ' + line)
    started = [int(line.split()[-1]) for line in with_auth if line.startswith('app started')]
    started_without = [int(line.split()[-1]) for line in without if line.startswith('app started')]
    steady = [int(line.split()[-1]) for line in with_auth if line.startswith('steady')]
    steady_without = [int(line.split()[-1]) for line in without if line.startswith('steady')]
    print('  auth layer: %d bytes at start-up, %d bytes after the first requests'
          % (started[0] - started_without[0],
             started[0] + steady[0] - started_without[0] - steady_without[0]))


if __name__ == '__main__':
    main()
