"""The framework's modules import each other without a circle, each imports on its own, and the
MicroPython/CPython differences come from one module (microdot.platform)."""
import ast
import os
import subprocess
import sys

import pytest

from support.runtimes import FROZEN, MICROPYTHON, micropython_env

sys.path.insert(0, os.path.join(os.path.dirname(FROZEN), 'scripts'))
import dist  # noqa: E402  (scripts/dist.py: reads frozen/not_frozen.txt)

PACKAGE = os.path.join(FROZEN, 'microdot')
MODULES = sorted(f[:-3] for f in os.listdir(PACKAGE) if f.endswith('.py'))
ON_MICROPYTHON = [m for m in MODULES if m + '.py' not in dist.not_frozen('cpython')]
NEEDS_MORE = {'jinja'}  # imports jinja2, which the tests do not install for CPython apps


def imports_of(name):
    """The framework modules `name` imports anywhere in its code (also inside functions, which
    run later but still make a circle), '__init__' for the package itself."""
    with open(os.path.join(PACKAGE, name + '.py')) as f:
        tree = ast.parse(f.read())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:  # from .x import y / from . import x
                out.update([node.module] if node.module else [a.name for a in node.names])
            elif node.module and node.module.split('.')[0] == 'microdot':
                parts = node.module.split('.')
                out.add(parts[1] if len(parts) > 1 else '__init__')
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split('.')
                if parts[0] == 'microdot':
                    out.add(parts[1] if len(parts) > 1 else '__init__')
    out.discard(name)
    return {m for m in out if m in MODULES}


def find_cycle(graph):
    """One import circle as a list of module names, or None."""
    state = {}

    def visit(node, path):
        state[node] = 'open'
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 'open':
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = 'done'
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [node])
            if found:
                return found
    return None


def test_the_graph_reader_finds_a_circle():
    assert find_cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}}) == ['a', 'b', 'c', 'a']
    assert find_cycle({'a': {'b'}, 'b': set()}) is None
    assert 'platform' in imports_of('app') and 'server' in imports_of('app')


def test_no_import_circle_between_framework_modules():
    # The package itself ('__init__') imports the core; a module importing the package (asgi,
    # wsgi) is a leaf on top of it. Circles through lazy imports count too.
    graph = {m: imports_of(m) for m in MODULES}
    assert find_cycle(graph) is None, find_cycle(graph)


def test_the_platform_differences_live_in_one_module():
    # Only microdot.platform asks which implementation runs or uses asyncio internals; the
    # CPython-only modules (never on a board) may be CPython-specific throughout.
    for name in ON_MICROPYTHON:
        if name == 'platform':
            continue
        with open(os.path.join(PACKAGE, name + '.py')) as f:
            text = f.read()
        for marker in ('sys.implementation', '_io_queue', 'run_in_executor', 'from time import ticks',
                       'server_cpython import ticks'):
            assert marker not in text, (name, marker)
    assert 'platform' not in imports_of('server_cpython')
    assert 'server' not in imports_of('server_cpython')


@pytest.mark.parametrize('runtime', ['cpython', 'mp-py', 'mp-mpy'])
def test_each_module_imports_on_its_own(runtime):
    names = [m for m in (MODULES if runtime == 'cpython' else ON_MICROPYTHON)
             if m not in NEEDS_MORE and m != '__init__']
    failed = []
    for name in names:
        code = 'import microdot.%s' % name
        if runtime == 'cpython':
            cmd, env = [sys.executable, '-c', code], dict(os.environ, PYTHONPATH=FROZEN)
        else:
            cmd, env = [MICROPYTHON, '-c', code], micropython_env(runtime)
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        if proc.returncode:
            failed.append((name, (proc.stdout + proc.stderr).strip().splitlines()[-1:]))
    assert not failed, failed


# What `import microdot` and a two-route app load: the core only. The server (app.run()), the
# connection streams and wire errors, url decoding (the first query string or form) and every
# extension load when first used: each module loaded is heap on a board.
CORE = {'microdot', 'microdot.app', 'microdot.multidict',
        'microdot.platform', 'microdot.request', 'microdot.response', 'microdot.routing'}
TWO_ROUTES = '''import sys
import microdot
from microdot import Microdot
app = Microdot()
@app.get('/')
async def index(request):
    return 'hello'
@app.post('/echo')
async def echo(request):
    return request.json
print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] == 'microdot')))
'''


@pytest.mark.parametrize('runtime', ['cpython', 'mp-py', 'mp-mpy'])
def test_import_microdot_and_a_two_route_app_load_only_the_core(runtime):
    if runtime == 'cpython':
        cmd, env = [sys.executable, '-c', TWO_ROUTES], dict(os.environ, PYTHONPATH=FROZEN)
    else:
        cmd, env = [MICROPYTHON, '-c', TWO_ROUTES], micropython_env(runtime)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    # (on CPython the CPython side of microdot.platform, a module a board never loads)
    assert set(proc.stdout.split()) == CORE | (
        {'microdot.platform_cpython'} if runtime == 'cpython' else set())
