"""`make firmware-test`: boot a Pico W firmware image in the rp2040js emulator and check it.

    python scripts/firmware_test/firmware_test.py --uf2 firmware/RPI_PICO_W.uf2 \
        --bootrom PATH --micropy DIR [--app app] [--only NAME]

Each boot runs board.mjs (rp2040js with the UF2 in flash, a littlefs image made from exactly
the files `make deploy` copies at the port's filesystem offset, console over emulated USB-CDC).
The named checks print PASS or FAIL with the console transcript of a failure; the run fails if
any check fails. The emulator has no CYW43 Wi-Fi chip (the radio never starts), MAC and
unique_id read as zeros, and flash writes are not kept between boots.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'scripts'))

import deploy  # noqa: E402  (app_files: exactly what `make deploy` copies)
import fw_frozen_check  # noqa: E402

BOOT_TIMEOUT = 60  # seconds of wall time for the console to show a boot step


class Failed(Exception):
    pass


# -- the filesystem image ---------------------------------------------------------------------

FLASH_BASE = 0x10000000
BLOCK = 4096


def uf2_end(path):
    """The flash offset just past the last byte the UF2 image writes."""
    import struct
    end = 0
    with open(path, 'rb') as f:
        while True:
            block = f.read(512)
            if len(block) < 512:
                return end
            flags, addr, size = struct.unpack_from('<III', block, 8)
            if not flags & 1:  # 1: not main flash
                end = max(end, addr - FLASH_BASE + size)


def probe_geometry(opts):
    """(flash offset, block count) of the filesystem, as the firmware itself sees it: every 4 KiB
    block after the image is marked with its own number, the board reads the last block of its
    filesystem (rp2.Flash(); formatting touches only the first ones) and reports the count."""
    start = -(-uf2_end(opts.uf2) // BLOCK) * BLOCK
    path = os.path.join(ROOT, 'build', 'firmware-test', 'probe.bin')
    os.makedirs(os.path.dirname(path), exist_ok=True)  # fw_compare probes without a test run
    with open(path, 'wb') as f:
        for n in range(start // BLOCK, 4 * 1024 * 1024 // BLOCK):  # the RP2040 boards' 2 or 4 MiB
            f.write((b'MDFWBLK%08d\n' % n).ljust(BLOCK, b'\xff'))
    opts.fs_offset = start
    b = Board(opts, path)
    try:
        b.enter_raw_repl()
        out, err = b.raw_exec('import rp2\nf = rp2.Flash()\nn = f.ioctl(4, 0)\n'
                              'm = bytearray(16)\nf.readblocks(n - 1, m)\n'
                              'print("GEOMETRY", n, f.ioctl(5, 0), bytes(m[7:15]).decode())\n')
    finally:
        b.close()
    m = re.search(r'GEOMETRY (\d+) (\d+) (\d{8})', out)
    if err.strip() or not m:
        raise Failed('could not read the filesystem geometry from the board: %s' % (err or out))
    count, size, last = (int(g) for g in m.groups())
    if size != BLOCK:
        raise Failed('block size %d, expected %d' % (size, BLOCK))
    return (last - (count - 1)) * BLOCK, count


def make_fs_image(path, block_count, files, extra=None):
    """A littlefs image with the rp2 port's geometry (4096-byte blocks; program size 256 as its
    _boot.py formats; read size and lookahead 32, MicroPython's VfsLfs2 defaults)."""
    from littlefs import LittleFS
    fs = LittleFS(block_size=4096, block_count=block_count, prog_size=256, read_size=32,
                  lookahead_size=32)
    def folders(remote):
        parts = remote.split('/')[:-1]
        for i in range(1, len(parts) + 1):
            try:
                fs.mkdir('/'.join(parts[:i]))
            except FileExistsError:
                pass
    for local, remote in files:
        folders(remote)
        with open(local, 'rb') as src, fs.open(remote, 'wb') as dst:
            dst.write(src.read())
    for remote, data in (extra or {}).items():
        folders(remote)
        with fs.open(remote, 'wb') as dst:
            dst.write(data)
    with open(path, 'wb') as f:
        f.write(fs.context.buffer)


# -- one emulated boot --------------------------------------------------------------------------

class Board:
    """An emulator process; its console output collects in `text`."""

    def __init__(self, opts, fs_image, bootsel='released'):
        cmd = ['node', os.path.join(HERE, 'board.mjs'), '--uf2', opts.uf2,
               '--bootrom', opts.bootrom, '--fs', fs_image, '--fs-offset', str(opts.fs_offset),
               '--bootsel', bootsel]
        self.proc = subprocess.Popen(cmd, cwd=HERE, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.raw = bytearray()
        self.events = []
        self.lock = threading.Lock()
        threading.Thread(target=self._pump_out, daemon=True).start()
        threading.Thread(target=self._pump_err, daemon=True).start()

    def _pump_out(self):
        while True:
            b = self.proc.stdout.read1(4096)
            if not b:
                return
            with self.lock:
                self.raw += b

    def _pump_err(self):
        for line in self.proc.stderr:
            line = line.decode(errors='replace').rstrip()
            if not line.startswith('Read from invalid SIO address'):  # rp2040js noise
                self.events.append(line)

    @property
    def text(self):
        with self.lock:
            return self.raw.decode(errors='replace').replace('\r\n', '\n')

    def wait_for(self, pattern, timeout=BOOT_TIMEOUT, start=0):
        """Wait for `pattern` (str or compiled regex) in the console from offset `start`;
        returns the offset after it."""
        deadline = time.monotonic() + timeout
        while True:
            t = self.text
            if isinstance(pattern, str):
                i = t.find(pattern, start)
                if i >= 0:
                    return i + len(pattern)
            else:
                m = pattern.search(t, start)
                if m:
                    return m.end()
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise Failed('no %r on the console (%s)' % (
                    getattr(pattern, 'pattern', pattern),
                    'emulator exited %s' % self.proc.returncode if self.proc.poll() is not None
                    else 'after %ds' % timeout))
            time.sleep(0.05)

    def send(self, data):
        try:
            self.proc.stdin.write(data if isinstance(data, bytes) else data.encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise Failed('the emulator has exited (%s)' % self.proc.poll())

    def raw_exec(self, code, timeout=BOOT_TIMEOUT):
        """Run `code` through the raw REPL (the board must be at it); returns (stdout, stderr)."""
        start = len(self.text)
        self.send(code.encode() + b'\x04')
        after = self.wait_for('OK', timeout, start)
        end_out = self.wait_for('\x04', timeout, after)
        end_err = self.wait_for('\x04', timeout, end_out)
        self.wait_for('>', timeout, end_err)
        t = self.text
        return t[after:end_out - 1], t[end_out:end_err - 1]

    def enter_raw_repl(self, soft_reset=True):
        """Interrupt whatever runs, enter the raw REPL and (by default) soft-reset there: a clean
        interpreter on which main.py does not run."""
        self.send(b'\r\x03\x03')
        time.sleep(0.5)
        start = len(self.text)
        self.send(b'\r\x01')
        self.wait_for('raw REPL; CTRL-B to exit\n>', 30, start)
        if soft_reset:
            start = len(self.text)
            self.send(b'\x04')
            self.wait_for('soft reboot', 30, start)
            self.wait_for('raw REPL; CTRL-B to exit\n>', 30, start)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


# -- the checks ---------------------------------------------------------------------------------

RADIO_DOWN = 'the radio did not start (no address); retrying in 1s'


def frozen_modules(opts):
    """Importable names of every module our manifest freezes, except the boot entry main.py."""
    names = fw_frozen_check.expected_names(
        opts.micropy, 'rp2', os.path.join(opts.micropy, 'ports/rp2/boards', opts.board),
        os.path.join(ROOT, 'frozen', 'manifest.py'))
    out = []
    for n in names:
        if n == 'main.py' or not n.endswith('.py'):
            continue
        n = n[:-3].replace('/', '.')
        out.append(n[:-len('.__init__')] if n.endswith('.__init__') else n)
    return out


def check_boot_console(board, saved_networks):
    """The boot console tells the truth: hostname and saved networks, the station attempts (if
    any), then the radio reported as not started, never an access point at 0.0.0.0."""
    board.wait_for('device: hostname')
    board.wait_for(RADIO_DOWN)
    t = board.text
    problems = []
    if 'device: hostname microdot - saved networks: %d' % saved_networks not in t:
        problems.append('hostname/saved networks line missing')
    if saved_networks == 0 and 'wifi: no saved networks' not in t:
        problems.append("no 'no saved networks'")
    if 'safe mode' in t:
        problems.append('entered safe mode with BOOTSEL released')
    for bad in ('0.0.0.0', 'join Wi-Fi', 'Traceback'):
        if bad in t:
            problems.append('console shows %r' % bad)
    return problems


def check_reset(board):
    """The retries grow and end in a reset of the board (watchdog reset in the emulator)."""
    board.wait_for('retrying in 2s', 120)
    board.wait_for('resetting the board', 300)
    deadline = time.monotonic() + 60
    while board.proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    return [] if board.proc.returncode == 3 else ['no reset after the message (exit %s)'
                                                  % board.proc.returncode]


def run_steps(board, script):
    """Run `script` on the board piece by piece: each line ``heap('label')`` ends a piece and is
    run on its own afterwards, so a heap figure never counts the bytecode of the code being
    measured (the raw REPL compiles a whole piece before running it). Stops at the first error.
    Returns (stdout, stderr) of all pieces."""
    outs, piece = [], []
    for line in script.strip('\n').split('\n') + ["heap('')"]:
        if not (line.startswith("heap('") and line.endswith("')")):
            piece.append(line)
            continue
        for code in ('\n'.join(piece), line if line != "heap('')" else ''):
            if code.strip():
                out, err = board.raw_exec(code, 120)
                outs.append(out)
                if err.strip():
                    return ''.join(outs), err
        piece = []
    return ''.join(outs), ''


def run_checks(opts):
    results = []  # (name, ok, detail)
    transcripts = {}
    heap = []
    tmp = os.path.join(ROOT, 'build', 'firmware-test')
    os.makedirs(tmp, exist_ok=True)
    files = deploy.app_files(opts.app)

    def image(name, config=None, extra=None):
        path = os.path.join(tmp, name + '.lfs')
        extra = dict(extra or {})
        if config is not None:
            extra['config.json'] = json.dumps(config).encode()
        make_fs_image(path, opts.block_count, files, extra)
        return path

    def check(name, fn):
        if opts.only and name not in opts.only:
            return
        t0 = time.monotonic()
        try:
            problems = fn()
        except Failed as exc:
            problems = [str(exc)]
        ok = not problems
        results.append((name, ok, problems))
        print('%s %s (%.0fs)%s' % ('PASS' if ok else 'FAIL', name, time.monotonic() - t0,
                                   '' if ok else ': ' + '; '.join(problems)), flush=True)

    def boot(name, fs, bootsel='released'):
        b = Board(opts, fs, bootsel)
        transcripts[name] = b
        return b

    # The test client is not frozen: it is installed as apps install it (mip or the .mpy
    # bundle), compiled by the checkout's mpy-cross into /lib/microdot/test_client.mpy, and
    # found there through the frozen stand-in (frozen/stubs/microdot/test_client.py).
    mpy = os.path.join(tmp, 'test_client.mpy')
    subprocess.run([os.path.join(opts.micropy, 'mpy-cross', 'build', 'mpy-cross'), '-o', mpy,
                    '-s', 'microdot/test_client.py',
                    os.path.join(ROOT, 'frozen', 'microdot', 'test_client.py')], check=True)
    with open(mpy, 'rb') as f:
        client = f.read()
    plain = image('no-network', extra={'lib/microdot/test_client.mpy': client})
    saved = image('saved-unreachable', {
        'networks': [{'ssid': 'HomeNet', 'password': 'secret123'}],
        'connect_timeout': 3, 'retries': 2, 'radio_wait_s': 8})

    # 1. no saved network: the true messages, then Ctrl-C, the REPL, Ctrl-D reruns the boot
    b = boot('no saved network', plain)
    try:
        check('boot console, no saved network', lambda: check_boot_console(b, 0))

        def repl():
            start = len(b.text)
            b.send(b'\x03')
            b.wait_for('>>> ', 30, start)
            start = len(b.text)
            b.send(b'print(6 * 7)\r')
            b.wait_for('42\n', 30, start)
            start = len(b.text)
            b.send(b'\x04')
            b.wait_for('soft reboot', 30, start)
            b.wait_for('device: hostname', BOOT_TIMEOUT, start)
            b.wait_for(RADIO_DOWN, BOOT_TIMEOUT, start)
            return []
        check('Ctrl-C gives a usable REPL, Ctrl-D reruns the boot', repl)

        def frozen():
            names = frozen_modules(opts)
            b.enter_raw_repl()
            code = ('ok = bad = 0\nfor n in %r:\n try:\n  __import__(n)\n  ok += 1\n'
                    ' except Exception as e:\n  bad += 1\n  print("FAIL", n, repr(e))\n'
                    'print("imported", ok, "of", ok + bad)\n' % (names,))
            out, err = b.raw_exec(code, 120)
            if err or 'imported %d of %d' % (len(names), len(names)) not in out:
                return [line for line in (out + err).splitlines() if line][:8]
            print('  %d frozen modules imported' % len(names))
            return []
        check('every frozen module imports', frozen)

        def app():
            b.enter_raw_repl()
            out, err = run_steps(b, APP_CODE)
            rows = [json.loads(line[5:]) for line in out.splitlines() if line.startswith('ROUTE')]
            problems = [err.strip().splitlines()[-1]] if err.strip() else []
            for path, status, size in rows:
                print('  GET %s -> %s (%d bytes)' % (path, status, size))
                if status >= 500 or status == 404 or size == 0:
                    problems.append('%s answered %s (%d bytes)' % (path, status, size))
            if len(rows) != 3:
                problems.append('%d of 3 routes answered' % len(rows))
            if 'TESTCLIENT /lib/microdot/test_client.mpy' not in out:
                problems.append('the test client did not come from /lib/microdot/test_client.mpy')
            for line in out.splitlines():
                if line.startswith('HEAP'):
                    heap.append(json.loads(line[4:]))
            return problems
        check('the deployed app imports and its routes answer (test client installed in '
              '/lib/microdot)', app)

        def heap_report():
            b.enter_raw_repl()
            out, err = run_steps(b, HEAP_CODE)
            if err.strip():
                return [err.strip().splitlines()[-1]]
            for line in out.splitlines():
                if line.startswith('HEAP'):
                    heap.append(json.loads(line[4:]))
            return []
        check('heap report', heap_report)
    finally:
        b.close()

    # 2. a saved network that cannot be reached: the attempts, the radio, the bounded reset
    b = boot('saved but unreachable network', saved)
    try:
        def unreachable():
            problems = check_boot_console(b, 1)
            tries = b.text.count("connect to HomeNet failed") + b.text.count("could not join 'HomeNet'")
            if tries != 2:
                problems.append('%d attempts at HomeNet, expected 2 (retries)' % tries)
            return problems + check_reset(b)
        check('boot console, saved but unreachable network', unreachable)
    finally:
        b.close()

    # 3. the safe-mode window: BOOTSEL held during the first second
    b = boot('BOOTSEL pressed', saved, 'pressed')
    try:
        def safe():
            b.wait_for('device: safe mode (button): the app will not start')
            return []
        check('safe-mode window (BOOTSEL held)', safe)
    finally:
        b.close()

    print()
    for name, board in transcripts.items():
        print('--- console: %s ---' % name)
        print(board.text.strip())
        for e in board.events:
            print(e)
    if heap:
        print()
        print('--- heap on the emulated RP2040 (after gc.collect()) ---')
        print('%-52s %10s %10s' % ('state', 'mem_alloc', 'mem_free'))
        for row in heap:
            print('%-52s %10d %10d' % (row[0], row[1], row[2]))
    failed = [r for r in results if not r[1]]
    print()
    print('%d passed, %d failed' % (len(results) - len(failed), len(failed)))
    return 1 if failed or not results else 0


# Runs on the board (raw REPL, right after a soft reset: main.py has not run).
HEAP = '''
import gc
def heap(what):
    gc.collect()
    print('HEAP' + '["%s", %d, %d]' % (what, gc.mem_alloc(), gc.mem_free()))
'''

APP_CODE = HEAP + '''
heap('at boot')
import main
heap('the deployed app imported (/main.py)')
import asyncio, json
from microdot.test_client import TestClient
import microdot.test_client
print('TESTCLIENT', microdot.test_client.__file__)
heap('plus asyncio and the test client (bytecode in RAM: installed in /lib, not frozen)')
seen = []
@main.app.get('/__heap')
async def _heap(request):
    gc.collect()
    seen.append(gc.mem_alloc())
    seen.append(gc.mem_free())
    return 'ok'
# The UI answers only the owner, under the device's own names (ui.auth): give it an owner
# password (in RAM: flash writes are not kept) and send it as HTTP Basic, to microdot.local.
import binascii
from device import config, owner
from ui import auth
cfg = config.current()
cfg['owner'] = owner.make('firmware-test owner', 100)
auth.load(cfg)
AUTH = {'Authorization': 'Basic ' + binascii.b2a_base64(b'admin:firmware-test owner').decode().strip()}
async def go():
    c = TestClient(main.app, host='microdot.local')
    for path in ('/', '/static/app.js', '/api/status'):
        r = await c.get(path, headers=AUTH)
        print('ROUTE' + json.dumps([path, r.status_code, len(r.body or b'')]))
    await c.get('/__heap', headers=AUTH)
asyncio.run(go())
if seen:
    print('HEAP' + '["while serving a request (the deployed app)", %d, %d]' % (seen[0], seen[1]))
'''

# The framework's own steps, with asyncio imported first so that only the framework counts;
# `{p}` is the package measured (bench/fw_compare.py runs them for Microdot 2.7.0 too).
FRAMEWORK_STEPS = '''
import asyncio
heap('after import asyncio')
import {p}
heap('after import microdot')
from {p} import Microdot
app = Microdot()
@app.get('/')
async def index(request):
    return 'hello'
@app.post('/echo')
async def echo(request):
    return request.json
heap('plus a two-route app')
import {p}.websocket, {p}.sse, {p}.session, {p}.cors
heap('plus websocket, sse, session, cors')
'''

HEAP_CODE = HEAP + "heap('at boot (soft reset, no main.py)')" + FRAMEWORK_STEPS.format(p='microdot') + '''
import device.runtime, device.portal, device.dns
heap('plus the device runtime (runtime, portal, dns)')
'''


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--uf2', required=True)
    ap.add_argument('--bootrom', required=True)
    ap.add_argument('--micropy', required=True)
    ap.add_argument('--board', default='RPI_PICO_W')
    ap.add_argument('--app', default=os.path.join(ROOT, 'app'))
    ap.add_argument('--only', action='append', help='run only the named check (repeatable)')
    opts = ap.parse_args(argv)
    opts.uf2, opts.bootrom = os.path.abspath(opts.uf2), os.path.abspath(opts.bootrom)
    for need, why in ((opts.uf2, 'the firmware image'), (opts.bootrom, 'the RP2040 boot ROM')):
        if not os.path.isfile(need):
            sys.exit('firmware-test: no %s at %s' % (why, need))
    if not shutil.which('node'):
        sys.exit('firmware-test: node is not installed (Debian: nodejs)')
    os.makedirs(os.path.join(ROOT, 'build', 'firmware-test'), exist_ok=True)
    try:
        opts.fs_offset, opts.block_count = probe_geometry(opts)
    except Failed as exc:
        print('FAIL filesystem geometry: %s' % exc)
        print('0 passed, 1 failed')
        return 1
    print('firmware-test: %s; the firmware puts its filesystem at flash offset 0x%x, %d blocks '
          'of 4096' % (opts.uf2, opts.fs_offset, opts.block_count))
    return run_checks(opts)


if __name__ == '__main__':
    sys.exit(main())
