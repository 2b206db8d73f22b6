"""The heap cost of utemplate's runtime, which the firmware freezes with the framework.

    .venv/bin/python bench/utemplate_heap.py

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
"~32-bit" column (halved) is printed beside the measured bytes. The figures are in bench/README.md.
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


def main():
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
