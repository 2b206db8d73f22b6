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
import subprocess
import sys

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
# CPython sees the framework, the dual-runtime helpers (check.py) and tests/support.
sys.path[:0] = [os.path.join(os.path.dirname(TESTS), 'frozen'), os.path.join(TESTS, 'mp'), TESTS]
from support.runtimes import (  # noqa: E402  (needs the paths above)
    DUAL_DIRS, MICROPYTHON, MP_RUNTIMES, heap_for, micropython_env)

# utemplate's runtime in frozen/ is a build output of the bootstrap (`make venv`, which `make test`
# runs); a tree bootstrapped before the bootstrap made it gets it here.
if not os.path.exists(os.path.join(os.path.dirname(TESTS), 'frozen', 'utemplate', '.version')):
    subprocess.run([sys.executable, os.path.join(os.path.dirname(TESTS), 'scripts', 'templates.py'),
                    'runtime'], check=True, stdout=subprocess.DEVNULL)


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
