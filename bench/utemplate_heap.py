"""The heap cost of utemplate's runtime, which the firmware freezes with the framework.

    .venv/bin/python bench/utemplate_heap.py
    .venv/bin/python bench/utemplate_heap.py --uf2 firmware/RPI_PICO_W.uf2 \
        --bootrom build/rp2040-bootrom/bootrom.ts --micropy build/micropython

Each case runs in a fresh MicroPython unix-port process: the framework is imported, then
`gc.collect()`, `gc.mem_free()`, the import (and one render of a template compiled at build
time), `gc.collect()`, `gc.mem_free()` again; the difference is what utemplate keeps on the heap.
Every case is measured twice:

- **.mpy**: frozen/ compiled by mpy-cross and imported from the filesystem: the bytecode is
  loaded into the heap (what a board without our firmware pays after `mip install`);
- **in place**: the same .mpy files in a ROMFS image that MicroPython imports without copying
  the bytecode, as it does frozen modules; only the module objects, their globals, classes and
  functions, and the interned names (qstrs) are on the heap. Frozen into flash costs less still:
  a frozen module's qstrs are in the firmware's own table, in flash.

The unix port is 64-bit: its objects are about twice the size they have on a 32-bit board, so a
"~32-bit" column (halved) is printed beside the measured bytes.

With `--uf2` the same cases run on the firmware itself, frozen: a Pico W image (`make firmware
BOARD=RPI_PICO_W`) booted in the rp2040js emulator as `make firmware-test` does (`make
fw-test-tools` fetches the emulator and the boot ROM; `--micropy` is the MicroPython checkout the
image was built from), one soft reset per case; the template module is a .py file on the board's
filesystem, as the build ships it. The figures are in bench/README.md.
"""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
sys.path.insert(0, os.path.join(ROOT, 'tests'))
from support.runtimes import compile_tree  # noqa: E402

TEMPLATE = '{% args name %}<p>Hello {{name}}</p>\n'
# (name, code run before the first reading, code measured). The framework is imported first, so
# the figures are utemplate's share only.
SETUP = 'import microdot.utemplate\n'
CASES = [
    ('import utemplate.compiled', SETUP, 'from utemplate import compiled'),
    ('import utemplate.recompile (imports source)', SETUP, 'from utemplate import recompile'),
    ('Template(), compiled loader, one render', SETUP,
     'from microdot.utemplate import Template\nfrom utemplate import compiled\n'
     'Template.initialize(loader_class=compiled.Loader)\nTemplate("t.html").render("x")'),
    ('Template(), default loader, one render', SETUP,
     'from microdot.utemplate import Template\nTemplate("t.html").render("x")'),
]
PROBE = '''import gc
%s
gc.collect()
_a = gc.mem_free()
%s
gc.collect()
print('HEAP', _a - gc.mem_free())
'''
ROM = '''import vfs, sys
_rom = bytearray(%d)
with open(%r, 'rb') as _f:
    _f.readinto(_rom)
vfs.mount(vfs.VfsRom(_rom), '/rom')
sys.path.insert(0, '/rom')
del _f
'''


def measure(setup, code, path, rom=None):
    env = dict(os.environ, MICROPYPATH=':'.join(([] if rom else [path]) + ['', '.frozen']))
    boot = ROM % (os.path.getsize(rom), rom) if rom else ''
    out = subprocess.run([os.path.join(BIN, 'micropython'), '-c', boot + PROBE % (setup, code)],
                         cwd=os.path.dirname(path), env=env, capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if line.startswith('HEAP '):
            return int(line.split()[1])
    raise RuntimeError(out.stdout + out.stderr)


def on_board(uf2, bootrom, micropy):
    """The CASES on a Pico W firmware image in the emulator: {name: bytes}."""
    import types
    sys.path.insert(0, os.path.join(ROOT, 'scripts', 'firmware_test'))
    sys.path.insert(0, os.path.join(ROOT, 'scripts'))
    import build_assets
    import firmware_test as ft
    opts = types.SimpleNamespace(uf2=os.path.abspath(uf2), bootrom=os.path.abspath(bootrom),
                                 micropy=micropy, board='RPI_PICO_W', only=None)
    opts.fs_offset, opts.block_count = ft.board_geometry(micropy, opts.board)
    work = tempfile.mkdtemp(prefix='utemplate-heap-')
    board = None
    try:
        files = []
        for name, text in (('__init__.py', ''), ('t_html.py',
                                                 build_assets.compile_template(TEMPLATE))):
            with open(os.path.join(work, name), 'w') as f:
                f.write(text)
            files.append((os.path.join(work, name), 'templates/' + name))
        image = os.path.join(work, 'fs.lfs')
        ft.make_fs_image(image, opts.block_count, files)
        board = ft.Board(opts, image)
        board.wait_for('device:', 120)
        found = {}
        for name, setup, code in CASES:
            board.enter_raw_repl()  # a soft reset: a fresh heap for each case
            out, err = board.raw_exec(PROBE % (setup, code), 120)
            lines = [ln for ln in out.splitlines() if ln.startswith('HEAP ')]
            if not lines:
                raise RuntimeError(out + err)
            found[name] = int(lines[0].split()[1])
        return found
    finally:
        if board is not None:
            board.close()
        shutil.rmtree(work)


def main():
    if '--uf2' in sys.argv:
        import argparse
        ap = argparse.ArgumentParser()
        for opt in ('--uf2', '--bootrom', '--micropy'):
            ap.add_argument(opt, required=True)
        args = ap.parse_args()
        print('heap kept on the board (bytes, frozen, %s)' % os.path.basename(args.uf2))
        for name, n in on_board(args.uf2, args.bootrom, args.micropy).items():
            print('%-44s %8d' % (name, n))
        return
    if not os.path.isfile(os.path.join(ROOT, 'frozen', 'utemplate', '.version')):
        sys.exit('frozen/utemplate is missing: run `make venv`')
    work = tempfile.mkdtemp(prefix='utemplate-heap-')
    try:
        lib = os.path.join(work, 'lib')
        for pkg in ('microdot', 'utemplate'):
            compile_tree(os.path.join(ROOT, 'frozen', pkg), os.path.join(lib, pkg))
        # The app's template, compiled at build time as scripts/build_assets.py does.
        sys.path.insert(0, os.path.join(ROOT, 'scripts'))
        import build_assets
        os.makedirs(os.path.join(work, 'templates'))
        open(os.path.join(work, 'templates', '__init__.py'), 'w').close()
        with open(os.path.join(work, 'templates', 't_html.py'), 'w') as f:
            f.write(build_assets.compile_template(TEMPLATE))
        rom = os.path.join(work, 'rom.img')
        subprocess.run([os.path.join(BIN, 'mpremote'), 'romfs', '-o', rom, 'build', lib],
                       check=True, stdout=subprocess.DEVNULL)
        mpy_size = sum(os.path.getsize(os.path.join(d, n))
                       for d, _, names in os.walk(os.path.join(lib, 'utemplate')) for n in names)
        with open(os.path.join(ROOT, 'frozen', 'utemplate', '.version')) as f:
            version = f.read().strip()
        print('utemplate %s runtime: %d bytes of .mpy (flash when frozen)' % (version, mpy_size))
        print('%-44s %16s %16s' % ('heap kept (bytes, 64-bit unix port)', '.mpy (~32-bit)',
                                   'in place (~32-bit)'))
        for name, setup, code in CASES:
            a, b = measure(setup, code, lib), measure(setup, code, lib, rom)
            print('%-44s %8d (%5d) %8d (%5d)' % (name, a, a // 2, b, b // 2))
    finally:
        shutil.rmtree(work)


if __name__ == '__main__':
    main()
