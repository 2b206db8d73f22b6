"""`make run`: the app on the MicroPython unix port, with simulated hardware.

    python scripts/run_host.py [--host 127.0.0.1] [--port 8080] [--fs build/device]
                               [--app app] [--mpy] [--rom] [--heapsize 38wK]
                               [--max-connections 3] [--memory-reserve 4096] [--cpython]

1. Builds the app image (scripts/build_assets.py: app/, or `--app DIR`, into build/app/) and
   copies it into the simulated board's filesystem, `--fs` (default build/device/); uploads made
   in the UI land there too.
2. First run: writes the board's config.json (hostname, the simulated network "SimNet", the LED
   and a fan (PWM), a relay (on/off) and a button (input, GPIO 0); with `--fresh`, as
   `make run-device` passes, the network only) and
   sim.json (the simulated radio world of scripts/sim/network.py). Edit them there; later runs
   keep them.
3. Boots like the firmware, through the firmware's own boot sequence (`device.runtime`): joins
   the saved network, imports main.py, prints the free heap, and serves `main.app` at
   http://HOST:PORT/ (the URL is printed) with the Wi-Fi reconnect task beside it. A main.py
   that fails to import gets the recovery page, as on a board; without a network, the setup
   access point's page (the captive DNS then listens on a free port, not 53).
4. The UI's Restart calls `machine.reset()`, which the simulation turns into exit code 77: the
   board is then started again, as a real one reboots. Ctrl-C stops.

`--ota` makes the board an ESP32 with two firmware slots (the OTA variant): its flash is simulated
in FS/.flash (scripts/sim/esp32flash.py) and the Firmware card of the UI can update it; the
runtime confirms a new firmware after the app's first successful response, or resets and the
simulated bootloader rolls it back.

`--mpy` runs the image and frozen/ as mpy-cross bytecode loaded into the heap (frozen/ with `-O3`,
without line numbers: less heap; mounted at /lib, where a board keeps the .mpy bundle, so that
module file names are as short as there); the simulated `network`/`machine`, which stand for a board's C
modules (no heap on a board), are imported in place from a ROMFS image as with `--rom`. `--rom`
goes one step closer to a board: frozen/ (the framework and the boot package, which a board keeps
in flash) and the simulated `network`/`machine` are put in a ROMFS image
(``mpremote romfs build``) that MicroPython imports in place, like frozen code; only the app's
own .mpy files load into the heap. The heap is then `--heapsize` *plus* the bytes of that image,
which the image occupies, so `--rom --heapsize 38wK` leaves the app an ESP8266's heap. With
`--mpy` it is also plus what the simulated modules take in the heap once imported (`sim_heap`,
measured at each start, about 6 KB: their module and class objects, not the names they intern),
which a board's C modules do not; `--rom` leaves it counted (the ESP8266 profile's 56wK and its
figures in docs/ were measured so).

`--cpython` boots the same board (filesystem, settings, simulated `network`/`machine`, the same
boot sequence and app) on CPython instead of the unix port: the framework runs there as it is
(its CPython side, `microdot.platform_cpython`), and what CPython lacks of MicroPython's API for
the device runtime and the UI (`micropython.const`, `time.ticks_ms`, `gc.mem_free`,
`os.ilistdir`, ...) is added by scripts/sim/mpapi.py before the boot (`CPYTHON_BOOT`), on this
host only. There is no device heap to measure (`gc.mem_free()` reports a heap with room).
"""
import argparse
import json
import os
import signal
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
APP = os.path.join(ROOT, 'app')
MPY_FROZEN = os.path.join(ROOT, 'build', 'run-mpy', 'frozen')  # frozen/ compiled by prepare()
RESET_EXIT_CODE = 77  # scripts/sim/machine.py: machine.reset()

FIRST_CONFIG = {
    'hostname': 'microdot-sim',
    'networks': [{'ssid': 'SimNet', 'password': 'simulated'}],
    'pins': {'safe_mode': None, 'led': {'pin': 2, 'mode': 'pwm'}, 'relay': 5,
             'fan': {'pin': 4, 'mode': 'pwm'},
             'button': {'pin': 0, 'mode': 'input', 'invert': True}},
}
FRESH_CONFIG = {'networks': FIRST_CONFIG['networks']}
FIRST_WORLD = {
    'networks': [
        {'ssid': 'SimNet', 'password': 'simulated', 'rssi': -48, 'channel': 6},
        {'ssid': 'Neighbours', 'password': 'secret123', 'rssi': -71, 'channel': 11},
        {'ssid': 'Cafe Guest', 'password': '', 'rssi': -83, 'channel': 1},
    ],
    'join_ms': 300,
    'sta_ip': '127.0.0.1',
    'ap_ip': '127.0.0.1',
    'pins': {'0': 1, '2': 0, '4': 0, '5': 0},
}

ROM_BOOT = '''import gc, sys, vfs
rom = bytearray(%d)
with open(%r, 'rb') as f:
    f.readinto(rom)
vfs.mount(vfs.VfsRom(rom), '/rom')
sys.path.insert(1, '/rom')
del f
'''
# --mpy: the compiled frozen/ mounted at /lib, where a board keeps the .mpy bundle (`make mpy`), so
# that each module's __file__ (a name interned in the heap) is as short as on a board and the
# figures do not depend on where the checkout is
LIB_BOOT = '''import sys, vfs
vfs.mount(vfs.VfsPosix(%r), '/lib')
sys.path.insert(1, '/lib')
'''
CAP_BOOT = '''from microdot import Microdot
Microdot.max_connections = %d
'''
RESERVE_BOOT = '''from microdot import Microdot
Microdot.memory_reserve = %d
'''
# --cpython: MicroPython's API on CPython (scripts/sim/mpapi.py) first, then the same BOOT
CPYTHON_BOOT = '''import mpapi
mpapi.install()
'''
BOOT = '''from device import runtime
try:
    runtime.main(host=%r, port=%d, dns_port=0, debug=True)
except KeyboardInterrupt:  # Ctrl-C: a quiet stop, not a traceback
    pass
'''


def sync_image(image, fs):
    """Copy the app image into the board's filesystem; files a previous image put there and this
    one no longer has are removed (a record is kept in fs/.image)."""
    record = os.path.join(fs, '.image')
    try:
        with open(record) as f:
            before = set(f.read().split('\n')) - {''}
    except OSError:
        before = set()
    now = set()
    for dirpath, _, filenames in os.walk(image):
        for name in filenames:
            src = os.path.join(dirpath, name)
            rel = os.path.relpath(src, image)
            dest = os.path.join(fs, rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(src, 'rb') as f, open(dest, 'wb') as g:
                g.write(f.read())
            now.add(rel)
    for rel in before - now:
        try:
            os.remove(os.path.join(fs, rel))
        except OSError:
            pass
    with open(record, 'w') as f:
        f.write('\n'.join(sorted(now)))


def first_run(fs, fresh=False):
    """Give a new simulated board its settings and radio world (`fresh`: settings with the
    network only, as a board just set up through the portal has)."""
    config = FRESH_CONFIG if fresh else FIRST_CONFIG
    for name, content in (('config.json', config), ('sim.json', FIRST_WORLD)):
        path = os.path.join(fs, name)
        if not os.path.exists(path):
            with open(path, 'w') as f:
                json.dump(content, f, indent=1)
            print('run: wrote', os.path.relpath(path), '(first run)')


def ota_flash(fs):
    """The simulated ESP32 flash of an `--ota` board (scripts/sim/esp32flash.py): two app
    slots, firmware 1.0.0 in the first, made on first use."""
    path = os.path.join(fs, '.flash')
    if not os.path.exists(os.path.join(path, 'table.json')):
        sys.path.insert(0, os.path.join(ROOT, 'scripts', 'sim'))
        import esp32flash
        esp32flash.create(path)
        print('run: simulated ESP32 flash with two firmware slots in', os.path.relpath(path))
    return path


def port_in_use(host, port):
    """An error message if `host`:`port` cannot be listened on now (another `make run`, an
    example, any other server), else None. SO_REUSEADDR, as the server's own socket: a port a
    stopped server left in TIME_WAIT counts as free."""
    import socket
    try:
        family, _, _, _, address = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
    except OSError:
        return None  # a name this computer cannot resolve: the server says so itself
    s = socket.socket(family, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(address)
    except OSError as exc:
        return ('error: cannot serve on %s:%d (%s): another server (a make run or an example '
                'still running?) has it; stop it or pass PORT=<another port>'
                % (host, port, exc.strerror or exc))
    finally:
        s.close()
    return None


def heap_bytes(size):
    """-X heapsize text ('38wK', '64K', '100000') as bytes on this (64-bit) unix port."""
    size = size.strip()
    mult = 1
    if size[-1] in 'kKmM':
        mult = 1024 if size[-1] in 'kK' else 1024 * 1024
        size = size[:-1]
    if size.endswith('w'):
        mult *= 2  # words: 8 bytes here for 4 on the 32-bit boards the figure comes from
        size = size[:-1]
    return int(size) * mult


def build_rom(out, framework=True):
    """A ROMFS image of frozen/ (unless not `framework`) and the simulated hardware modules;
    returns its path."""
    import shutil
    import tempfile
    tree = tempfile.mkdtemp(prefix='rom-')
    try:
        for pkg in ('microdot', 'device', 'utemplate') if framework else ():
            shutil.copytree(os.path.join(ROOT, 'frozen', pkg), os.path.join(tree, pkg),
                            ignore=shutil.ignore_patterns('__pycache__', '*.css', 'asgi.py',
                                                          'wsgi.py', 'jinja.py'))
        if framework:  # the HMAC both packages use (frozen at the top level)
            shutil.copy(os.path.join(ROOT, 'frozen', 'hmacsha256.py'), tree)
        for name in ('network.py', 'machine.py', 'esp32.py', 'esp32_partition.py',
                     'esp32flash.py'):
            shutil.copy(os.path.join(ROOT, 'scripts', 'sim', name), tree)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        subprocess.run([os.path.join(BIN, 'mpremote'), 'romfs', '-o', out, 'build', tree],
                       check=True, stdout=subprocess.DEVNULL)
    finally:
        shutil.rmtree(tree)
    return out


# What the simulated `network`/`machine` keep in the heap once imported and used (a board's C
# modules keep nothing there): measured by `sim_heap` in a fresh process, after `ROM_BOOT`.
SIM_HEAP = '''import gc, micropython
gc.collect()
micropython.qstr_info()
before = gc.mem_alloc()
import network, machine
network.world()
gc.collect()
print('sim heap', gc.mem_alloc() - before)
micropython.qstr_info()
'''


def sim_heap(image, fs):
    """The bytes of heap the simulated `network` and `machine` from ROMFS `image` take once
    imported and used (their module and class objects, the simulated world read from `fs`),
    without the names they intern (counted as the app's: on a board the app may intern the
    same names). A board pays none of it: they are C modules there."""
    import re
    out = subprocess.run([os.path.join(BIN, 'micropython'), '-X', 'heapsize=1M', '-c',
                          ROM_BOOT % (os.path.getsize(image), image) + SIM_HEAP],
                         cwd=fs, capture_output=True, text=True, timeout=30, check=True).stdout
    total = int(re.search(r'sim heap (\d+)', out).group(1))
    pools = [int(n) for n in re.findall(r'n_total_bytes=(\d+)', out)]
    return total - (pools[-1] - pools[0])


def prepare(fs, mpy, app=APP, fresh=False):
    """Build everything the board runs from the app sources `app`; returns MICROPYPATH. With
    `mpy` the path holds neither the simulation nor frozen/: the simulated `network`/`machine`
    come from a ROMFS image (`build_rom`), as C modules would on a board, and frozen/ from that
    image too (`--rom`) or, compiled into `MPY_FROZEN`, from /lib (`lib_boot`)."""
    sys.path.insert(0, os.path.join(ROOT, 'scripts'))
    import build_assets
    build = os.path.join(ROOT, 'build')
    if os.path.abspath(app) != APP:  # another app's image must not replace app/'s
        build = os.path.join(build, 'other-apps', os.path.abspath(app).strip(os.sep)
                             .replace(os.sep, '_'))
    out, out_mpy = os.path.join(build, 'app'), os.path.join(build, 'app-mpy')
    sizes = build_assets.main(['--quiet', '--src', app, '--out', out] +
                              (['--mpy', out_mpy] if mpy else []))
    print('run: web assets %d bytes gzipped' % sum(sizes.values()))
    os.makedirs(fs, exist_ok=True)
    sync_image(out_mpy if mpy else out, fs)
    first_run(fs, fresh)
    frozen, sim = os.path.join(ROOT, 'frozen'), os.path.join(ROOT, 'scripts', 'sim')
    if mpy:
        # -O3: no line-number tables (2.5 KB of heap once the UI's server listens at 64wK)
        build_assets.compile_mpy(frozen, MPY_FROZEN, ['-O3'])
        return ':'.join(['', '.frozen'])  # frozen/ from the ROMFS image or /lib (LIB_BOOT)
    return ':'.join(['', sim, frozen, '.frozen'])


def lib_boot():
    """Boot code that puts the compiled frozen/ (`prepare` with `mpy`) on the path as a board's
    /lib (`LIB_BOOT`)."""
    return LIB_BOOT % MPY_FROZEN


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8080)
    parser.add_argument('--app', default=APP, help='the app sources (default app/)')
    parser.add_argument('--fs', default=os.path.join(ROOT, 'build', 'device'),
                        help="the simulated board's filesystem (default build/device)")
    parser.add_argument('--fresh', action='store_true',
                        help='first run: settings with the network only (no pins), as a board '
                             'just set up (make run-device)')
    parser.add_argument('--mpy', action='store_true', help='run mpy-cross bytecode')
    parser.add_argument('--rom', action='store_true',
                        help='framework and simulation in a ROMFS image, like frozen code')
    parser.add_argument('--heapsize', help='MicroPython heap, e.g. 38wK (ESP8266), 110wK (ESP32)')
    parser.add_argument('--ota', action='store_true',
                        help='an ESP32 with two firmware slots (simulated flash: FS/.flash)')
    parser.add_argument('--max-connections', type=int,
                        help="the server's connection cap, e.g. 3 as on an ESP8266")
    parser.add_argument('--cpython', action='store_true',
                        help='boot the board on CPython instead of the unix port')
    parser.add_argument('--memory-reserve', type=int,
                        help="the server's memory_reserve in bytes (to measure another)")
    args = parser.parse_args(argv)
    if args.cpython and (args.mpy or args.rom or args.heapsize or args.ota):
        parser.error('--cpython runs the sources on CPython: no --mpy, --rom, --heapsize or '
                     '--ota')
    if args.heapsize:
        try:
            heap_bytes(args.heapsize)
        except (ValueError, IndexError):
            parser.error('HEAP=%s is not a heap size: a number of bytes with an optional K or M, '
                         'in words with w (e.g. 56wK, 110wK)' % args.heapsize)
    busy = port_in_use(args.host, args.port)
    if busy:
        sys.exit(busy)
    fs = os.path.abspath(args.fs)
    env = dict(os.environ)
    env['MICROPYPATH'] = prepare(fs, args.mpy or args.rom, args.app, args.fresh)
    env.pop('MICRODOT_SIM', None)
    cmd = [os.path.join(BIN, 'micropython')]
    boot = BOOT % (args.host, args.port)
    if args.max_connections:
        boot = CAP_BOOT % args.max_connections + boot
    if args.memory_reserve is not None:
        boot = RESERVE_BOOT % args.memory_reserve + boot
    if args.cpython:  # the same path as the unix port's, as CPython's
        env['PYTHONPATH'] = ':'.join(os.path.join(fs, p) for p in
                                     env.pop('MICROPYPATH').split(':') if p)
        cmd = [sys.executable]
        boot = CPYTHON_BOOT + boot
    if args.ota:
        env['MICRODOT_FLASH'] = ota_flash(fs)
    heap = args.heapsize
    if args.rom or args.mpy:
        # the simulated network/machine stand for C modules, which take no heap on a board:
        # with --mpy too they are imported in place from a ROMFS image (only the framework's
        # and the app's .mpy files load into the heap)
        image = build_rom(os.path.join(ROOT, 'build', 'run-mpy', 'rom.img' if args.rom else
                                       'sim.img'), framework=args.rom)
        size = os.path.getsize(image)
        boot = ROM_BOOT % (size, image) + ('' if args.rom else lib_boot()) + boot
        sim = 0 if args.rom else sim_heap(image, fs)
        if heap:  # (+ the paths of the image and of /lib's folder, which the boot code and
            # the /lib mount keep in the heap and a board's firmware does not: so the app's heap
            # does not depend on where the checkout is)
            paths = len(image) + (0 if args.rom else 2 * len(MPY_FROZEN))
            heap = str(heap_bytes(heap) + size + 64 + sim + paths)
        print('run: %s in ROMFS (%d bytes), imported in place' % (
            'framework and simulation' if args.rom else 'simulation', size) +
            ('; the heap its modules take (%d bytes) added to the heap' % sim if sim else ''))
    if heap:
        cmd += ['-X', 'heapsize=' + heap]
    cmd += ['-c', boot]
    url = 'http://%s:%d/' % (args.host, args.port)
    print('run: the device UI is at %s (board filesystem: %s; Ctrl-C stops)'
          % (url, os.path.relpath(fs)), flush=True)
    child = [None]
    stopping = []

    def stop(signum, frame):
        # SIGTERM, or Ctrl-C (SIGINT, which the terminal also sent the board): end the board;
        # the loop below then returns.
        stopping.append(signum)
        if child[0] is not None and child[0].poll() is None:
            child[0].terminate()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        child[0] = subprocess.Popen(cmd, cwd=fs, env=env)
        if stopping:  # the signal came while starting it
            child[0].terminate()
        code = child[0].wait()
        if stopping:
            print('run: stopped', flush=True)
            return 0
        if code != RESET_EXIT_CODE:
            return code
        print('run: the board reset; starting it again at', url, flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
