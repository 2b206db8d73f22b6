"""Start an app from tests/apps/ as a real server on 127.0.0.1 under a chosen runtime.

Runtimes: ``cpython`` (frozen/ as source), ``mp-py`` (unix port, frozen/ as .py) and ``mp-mpy``
(unix port, frozen/ and the app compiled by mpy-cross, device-like heap).
"""
import os
import socket
import subprocess
import sys
import time

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(TESTS)
APPS = os.path.join(TESTS, 'apps')
RUNTIMES = ('cpython', 'mp-py', 'mp-mpy')
DEFAULT_MPY_HEAP = '110wK'


def free_port(kind=socket.SOCK_STREAM):
    """A port on 127.0.0.1 that is free right now (TCP, or UDP with ``socket.SOCK_DGRAM``)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def end_process(proc, grace=5):
    """Terminate `proc` (kill it after `grace` seconds) and return everything it printed."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    out = proc.stdout.read().decode(errors='replace')
    proc.stdout.close()
    return out


class ServerProcess:
    """One server process. `start()` waits until it accepts connections; `stop()` ends it and
    returns everything it printed (also kept in `output`)."""

    def __init__(self, app, runtime, heapsize=None, port=None, args=()):
        self.app = app
        self.runtime = runtime
        self.heapsize = heapsize or (DEFAULT_MPY_HEAP if runtime == 'mp-mpy' else None)
        self.port = port or free_port()
        self.args = [str(a) for a in args]
        self.proc = None
        self.output = ''

    def command(self):
        from support.runtimes import MICROPYTHON, micropython_env
        argv = ['launch', self.app, '127.0.0.1', str(self.port)] + self.args
        if self.runtime == 'cpython':
            env = dict(os.environ)
            env['PYTHONPATH'] = os.pathsep.join([APPS, os.path.join(ROOT, 'frozen')])
            return [sys.executable, '-u', '-c', 'import sys; sys.argv=%r; import launch' % argv], env
        env = micropython_env(self.runtime, APPS)
        cmd = [MICROPYTHON]
        if self.heapsize:
            cmd += ['-X', 'heapsize=' + self.heapsize]
        cmd += ['-c', 'import sys; sys.argv[:]=%r; import launch' % argv]
        return cmd, env

    def start(self, timeout=10):
        cmd, env = self.command()
        if 'MICROPYPATH' in env:
            # relative to the server's directory (APPS): each module's __file__ and sys.path are
            # then as short as a board's (/lib/...) wherever the checkout is, so the heap a test
            # pins does not depend on the checkout path's length (a 109-character one left
            # test_hostile_bodies' 16 KiB body no block at 64wK). (`command()` keeps them
            # absolute for callers that start it from elsewhere.)
            env['MICROPYPATH'] = ':'.join(os.path.relpath(p, APPS) if os.path.isabs(p) else p
                                          for p in env['MICROPYPATH'].split(':'))
        self.proc = subprocess.Popen(cmd, env=env, cwd=APPS, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('%s server exited early:\n%s' % (self.runtime, self.stop()))
            try:
                socket.create_connection(('127.0.0.1', self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError('%s server did not start:\n%s' % (self.runtime, self.stop()))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return self.output
        self.output = end_process(self.proc)
        self.proc = None
        return self.output

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port
