"""Heap and flash of our framework against Microdot 2.7.0, both frozen into one Pico W image.

    make fw-compare MICROPY_DIR=dir [RP2040JS_REPO=...]
    python bench/fw_compare.py --micropy DIR --stage build/boards/RPI_PICO_W --bootrom FILE

A measurement, never a test. It builds an RPI_PICO_W image from the MicroPython checkout with
everything our firmware freezes plus Microdot 2.7.0 (from PyPI, unpacked into
build/fw-compare/ and renamed to the package ``mdref`` so both fit in one image: only its
``microdot`` imports are rewritten; nothing of it enters the repository) and micropython-lib's
``jwt`` (which Microdot's sessions import), in a build folder of its own
(``ports/rp2/build-RPI_PICO_W-mdcmp``). Then it prints:

- **flash**: for each frozen module of either framework, the bytes of its bytecode, constants
  and tables (the sizes of its symbols in the compiled ``frozen_content.c``, plus its entry in
  the frozen-name table), and the qstrs (interned names and strings) the framework adds to
  the image: those its modules use that no stock module of the image uses, at length + 7 bytes
  each on the rp2 port (the string and its NUL, a pointer, one byte of hash, one of length);
- **heap**: booted in the rp2040js emulator, after a soft reset (so ``main.py`` does not run),
  ``gc.mem_alloc()`` after ``gc.collect()`` with asyncio already imported, for ``import
  microdot``, a two-route app, and websocket, sse, session and cors on top; each framework in a
  fresh interpreter (soft reset between them).
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, 'scripts', 'firmware_test'))
sys.path.insert(0, os.path.join(ROOT, 'scripts'))

import firmware_test as ft  # noqa: E402

REF_VERSION = '2.7.0'
WORK = os.path.join(ROOT, 'build', 'fw-compare')
QSTR_OVERHEAD = 7  # rp2: NUL, pointer (4), hash (1 byte), length (1 byte)


def not_frozen():
    """Module names frozen/not_frozen.txt keeps out of the image (applied to both frameworks)."""
    with open(os.path.join(ROOT, 'frozen', 'not_frozen.txt')) as f:
        return {line.split()[0] for line in f if line.strip() and line[0] != '#'}


def prepare_reference():
    """Microdot 2.7.0 unpacked into build/fw-compare/ref/mdref/, imports renamed; the path."""
    dest = os.path.join(WORK, 'ref')
    pkg = os.path.join(dest, 'mdref')
    if os.path.isfile(os.path.join(pkg, '.version')):
        return dest
    dl = os.path.join(WORK, 'dl')
    wheels = glob.glob(os.path.join(dl, 'microdot-%s-*.whl' % REF_VERSION))
    if not wheels:
        subprocess.check_call([sys.executable, '-m', 'pip', 'download', '-q', '--no-deps',
                               '-d', dl, 'microdot==%s' % REF_VERSION])
        wheels = glob.glob(os.path.join(dl, 'microdot-%s-*.whl' % REF_VERSION))
    shutil.rmtree(pkg, ignore_errors=True)
    os.makedirs(pkg)
    skip = not_frozen()
    with zipfile.ZipFile(wheels[0]) as z:
        for name in z.namelist():
            m = re.match(r'microdot/(\w+)\.py$', name)
            if not m or m.group(1) in skip:
                continue
            src = z.read(name).decode()
            src = re.sub(r'\b(from|import) microdot\b', r'\1 mdref', src)
            with open(os.path.join(pkg, m.group(1) + '.py'), 'w') as f:
                f.write(src)
    with open(os.path.join(pkg, '.version'), 'w') as f:
        f.write(REF_VERSION + '\n')
    return dest


def build(opts):
    ref = prepare_reference()
    manifest = os.path.join(WORK, 'manifest.py')
    with open(manifest, 'w') as f:
        f.write('include(%r)\nrequire("pyjwt")\npackage("mdref", base_path=%r)\n' % (
            os.path.join(ROOT, 'boards', opts.board, 'manifest.py'), ref))
    port = os.path.join(opts.micropy, 'ports', 'rp2')
    # cmake keeps the board folder and manifest of its first configure: a build folder made
    # from another working tree would go on building that tree's code, so start it afresh
    source = os.path.join(opts.build, 'mdcmp-source')
    if os.path.isdir(opts.build):
        try:
            with open(source) as f:
                same = f.read() == manifest
        except OSError:
            same = False
        if not same:
            print('%s was configured for another tree: starting it afresh' % opts.build)
            shutil.rmtree(opts.build)
    os.makedirs(opts.build, exist_ok=True)
    with open(source, 'w') as f:
        f.write(manifest)
    cmd = ['make', '-C', port, 'BOARD=' + opts.board, 'BOARD_DIR=' + opts.stage,
           'BUILD=' + opts.build, 'FROZEN_MANIFEST=' + manifest]
    subprocess.check_call(['make', '-C', os.path.join(opts.micropy, 'mpy-cross')])
    subprocess.check_call(cmd)


# -- flash -------------------------------------------------------------------------------------

def frozen_sections(text):
    """{module name: its text} from frozen_content.c's per-module sections."""
    parts = re.split(r'^// frozen module \S+\n', text, flags=re.M)
    out = {}
    for body in parts[1:]:
        name = re.search(r'^// - frozen file name: (\S+)\.m?py$', body, flags=re.M).group(1)
        end = body.find('\n// collection of all frozen modules')
        out[name] = body if end < 0 else body[:end]
    return out


def qstr_costs(text):
    """{MP_QSTR_name: bytes in flash} for every qstr of the frozen pool."""
    enum = text[text.index('enum {'):]
    enum = enum[:enum.index('};')]
    names = re.findall(r'^\s+(MP_QSTR_\w+)', enum, flags=re.M)
    lens = text[text.index('mp_qstr_frozen_const_lengths[] = {'):]
    lens = [int(n) for n in re.findall(r'\d+', lens[lens.index('{'):lens.index('}')])]
    assert len(names) == len(lens), (len(names), len(lens))
    return {n: ln + QSTR_OVERHEAD for n, ln in zip(names, lens)}


def symbol_sizes(obj):
    """{symbol: size} of the compiled frozen_content.c."""
    nm = shutil.which('arm-none-eabi-nm') or 'nm'
    out = subprocess.check_output([nm, '-S', obj], text=True)
    sizes = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4:
            sizes[f[3]] = int(f[1], 16)
    return sizes


def flash_report(build_dir, groups):
    """{group: ({module: bytes}, qstr bytes)} for each group of module-name prefixes."""
    with open(os.path.join(build_dir, 'frozen_content.c')) as f:
        text = f.read()
    sections = frozen_sections(text)
    costs = qstr_costs(text)
    obj = glob.glob(os.path.join(build_dir, 'CMakeFiles', '*', 'frozen_content.c.o*'))
    sizes = symbol_sizes([p for p in obj if p.endswith('.o') or p.endswith('.obj')][0])
    mangled = {m: re.sub(r'\W', '_', m) for m in sections}
    # every symbol to the module whose mangled name (after the kind of symbol) is its longest
    # matching prefix
    per_module = {m: len(m) + 4 + 4 for m in sections}  # frozen-name table entry ('.py', NUL)
    kinds = re.compile(r'^(fun_data|const_obj_table_data|const_obj|const_qstr_table_data|'
                       r'proto_fun|children|frozen_module|raw_code)_')
    for sym, size in sizes.items():
        k = kinds.match(sym)
        if not k:
            continue
        rest = sym[k.end():]
        best = None
        for m, mg in mangled.items():
            if (rest == mg or rest.startswith(mg + '_')) and (
                    best is None or len(mg) > len(mangled[best])):
                best = m
        if best:
            per_module[best] += size

    def group_of(m):
        for g, prefixes in groups.items():
            if any(m == p or m.startswith(p + '/') for p in prefixes):
                return g
        return None

    used = {}
    for m, body in sections.items():
        used[m] = set(re.findall(r'MP_QSTR_\w+', body)) & set(costs)
    stock = set()
    for m in sections:
        if group_of(m) is None:
            stock |= used[m]
    report = {}
    for g in groups:
        mods = {m: per_module[m] for m in sections if group_of(m) == g}
        q = set()
        for m in mods:
            q |= used[m]
        report[g] = (mods, sum(costs[n] for n in q - stock), len(q - stock))
    return report


# -- heap --------------------------------------------------------------------------------------

def heap_code(pkg):
    return ft.HEAP + ft.FRAMEWORK_STEPS.format(p=pkg)


def measure_heap(opts):
    opts.fs_offset, opts.block_count = ft.probe_geometry(opts)
    fs = os.path.join(WORK, 'empty.lfs')
    ft.make_fs_image(fs, opts.block_count, [])
    board = ft.Board(opts, fs)
    result = {}
    try:
        for name, pkg in (('ours', 'microdot'), ('microdot 2.7.0', 'mdref')):
            board.enter_raw_repl()
            out, err = ft.run_steps(board, heap_code(pkg))
            if err.strip():
                raise ft.Failed('%s: %s' % (name, err.strip().splitlines()[-1]))
            rows = dict((r[0], r[1]) for r in (
                __import__('json').loads(line[4:]) for line in out.splitlines()
                if line.startswith('HEAP')))
            base = rows['after import asyncio']
            result[name] = [rows[k] - base for k in ('after import microdot', 'plus a two-route app',
                                                    'plus websocket, sse, session, cors')]
    finally:
        board.close()
    return result


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--micropy', required=True, help='MicroPython checkout (v1.28.0 or later)')
    ap.add_argument('--stage', required=True, help='the staged board folder (make fw-stage)')
    ap.add_argument('--bootrom', required=True)
    ap.add_argument('--board', default='RPI_PICO_W')
    ap.add_argument('--no-build', action='store_true', help='measure the last build')
    ap.add_argument('--no-heap', action='store_true', help='flash figures only')
    opts = ap.parse_args(argv)
    opts.micropy = os.path.abspath(opts.micropy)
    opts.stage = os.path.abspath(opts.stage)
    opts.bootrom = os.path.abspath(opts.bootrom)
    opts.build = os.path.join(opts.micropy, 'ports', 'rp2', 'build-%s-mdcmp' % opts.board)
    os.makedirs(WORK, exist_ok=True)
    if not opts.no_build:
        build(opts)
    opts.uf2 = os.path.join(opts.build, 'firmware.uf2')

    flash = flash_report(opts.build, {'ours': ['microdot'],
                                      'microdot 2.7.0': ['mdref', 'jwt', 'hmac']})
    names = sorted(set(m.split('/')[-1] for g in flash.values() for m in g[0]))
    print('--- flash: frozen bytes per module (symbols of frozen_content.c + name entry) ---')
    print('%-22s %8s %8s' % ('module', 'ours', '2.7.0'))
    for n in names:
        row = []
        for g in ('ours', 'microdot 2.7.0'):
            mods = flash[g][0]
            hit = [v for m, v in mods.items() if m.split('/')[-1] == n]
            row.append('%8d' % hit[0] if hit else '%8s' % '-')
        print('%-22s %s %s' % (n, row[0], row[1]))
    totals = {}
    for g, (mods, qbytes, qn) in flash.items():
        totals[g] = sum(mods.values()) + qbytes
        print('%-14s modules %6d B + %4d qstrs %6d B = %6d B (%.1f KB)' % (
            g, sum(mods.values()), qn, qbytes, totals[g], totals[g] / 1000))
    print('flash ratio ours / 2.7.0: %.2f' % (totals['ours'] / totals['microdot 2.7.0']))
    if opts.no_heap:
        return 0
    heap = measure_heap(opts)
    print()
    print('--- heap on the emulated RP2040, asyncio imported first (gc.mem_alloc deltas) ---')
    labels = ('import', 'plus a two-route app', 'plus websocket, sse, session, cors')
    print('%-36s %8s %8s %6s' % ('what', 'ours', '2.7.0', 'ratio'))
    for i, label in enumerate(labels):
        a, b = heap['ours'][i], heap['microdot 2.7.0'][i]
        print('%-36s %8d %8d %6.2f' % (label, a, b, a / b))
    return 0


if __name__ == '__main__':
    sys.exit(main())
