"""`make run-device` (and `make run`) as a user runs them, through make: a fresh clone builds the
app it copies (the dashboard, not the recovery page), PORT is the port served on every run,
"Save and reboot" on the setup page restarts the simulated board, which then joins the network
and serves the app, and Ctrl-C stops it quietly (no traceback, no make error)."""
import gzip
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from support.console import ConsoleProcess
from support.servers import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Make(ConsoleProcess):
    name = 'make'

    def __init__(self, *args):
        self.args = list(args)

    def start(self):
        # Its own process group, as a shell gives a foreground job: Ctrl-C goes to all of it.
        self.lines = []
        self.proc = subprocess.Popen(['make', '--no-print-directory', '-C', ROOT] + self.args,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     bufsize=1, start_new_session=True)
        import threading
        threading.Thread(target=self._pump, daemon=True).start()
        return self

    def ctrl_c(self, timeout=15):
        """What the terminal does on Ctrl-C: SIGINT to the whole foreground process group.
        True if everything stopped cleanly: the board said "run: stopped", and make ended
        either with status 0 or, as GNU make does once its recipe has finished on a Ctrl-C,
        by SIGINT itself (which a shell reports as nothing at all)."""
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            code = self.proc.wait(timeout)
        finally:
            time.sleep(0.2)  # let the pump drain
        return code in (0, -signal.SIGINT) and 'run: stopped' in self.output

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def get(port, path='/', data=None, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen('http://127.0.0.1:%d%s' % (port, path), data=data,
                                        timeout=5) as r:
                body = r.read()  # the UI's static pages (/login too) come gzipped
                if r.headers.get('Content-Encoding') == 'gzip':
                    body = gzip.decompress(body)
                return r.status, body.decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def run_device(tmp_path):
    started = []

    def start(*args, fs=None):
        m = Make('run-device', 'SIM_DEVICE=%s' % (fs or tmp_path / 'board'), *args).start()
        started.append(m)
        return m
    yield start
    for m in started:
        m.stop()


def test_run_device_builds_what_it_copies_and_serves_on_port(run_device, tmp_path):
    shutil.rmtree(os.path.join(ROOT, 'build', 'app'), ignore_errors=True)  # a fresh clone
    port = free_port()
    m = run_device('PORT=%d' % port)
    m.wait_for('Starting async server', 60)
    status, body = get(port)
    assert status == 200 and 'Recovery' not in body and '<html' in body.lower(), \
        (status, body[:300], m.output)
    assert os.path.exists(str(tmp_path / 'board' / 'static' / 'index.html.gz'))
    assert m.ctrl_c(), m.output
    # The next run serves on the PORT it is given, not the first run's.
    port2 = free_port()
    m = run_device('PORT=%d' % port2)
    m.wait_for('Starting async server', 60)
    assert get(port2)[0] == 200, m.output
    assert m.ctrl_c(), m.output


def test_run_device_reboots_after_save_and_reboot(run_device, tmp_path):
    fs = tmp_path / 'board'
    fs.mkdir()
    (fs / 'config.json').write_text('{"networks": []}')  # a new board: the setup portal
    port = free_port()
    m = run_device('PORT=%d' % port)
    m.wait_for('portal: serving on port %d' % port, 60)
    status, body = get(port, '/setup')
    assert status == 200 and 'SimNet' in body, (status, body, m.output)
    form = urllib.parse.urlencode({'ssid': 'SimNet', 'password': 'simulated',  # and the owner
                                   'owner': 'device password',  # password, asked at first
                                   'owner2': 'device password'}).encode()  # setup
    status, body = get(port, '/setup', data=form)
    assert status == 200 and 'Saved' in body, (status, body, m.output)
    m.wait_for('the board reset; starting it again', 30)
    m.wait_for("connected to 'SimNet'", 30)
    m.wait_for('launcher: starting the app', 30)
    m.wait_for('Starting async server', 30)
    status, body = get(port)
    assert status == 200, (status, body[:300], m.output)
    assert m.proc.poll() is None and 'Error 77' not in m.output, m.output
    assert m.ctrl_c(), m.output


@pytest.mark.parametrize('target', ['run-device', 'run'])
def test_ctrl_c_stops_quietly(target, tmp_path):
    port = free_port()
    # (make run's board filesystem is build/device/, a build output)
    m = Make(target, 'PORT=%d' % port, 'SIM_DEVICE=%s' % (tmp_path / 'board')).start()
    try:
        m.wait_for('Starting async server', 60)
        assert get(port)[0] == 200, m.output
        assert m.ctrl_c(), m.output
    finally:
        m.stop()
    assert 'Traceback' not in m.output and 'KeyboardInterrupt' not in m.output, m.output
    assert 'run: stopped' in m.output and 'Error' not in m.output, m.output


@pytest.mark.parametrize('target', ['run', 'run-device', 'run-esp8266', 'example'])
def test_a_port_in_use_is_a_clear_error(target, tmp_path):
    """Another server on PORT (a second `make run`, an example left running): an error that says
    so, at once. (Before, `make run` announced the UI at that address, its app failed to listen
    and the recovery page waited for the port forever; `make example` ended in a traceback.)"""
    import socket
    port = free_port()
    other = socket.socket()
    other.bind(('127.0.0.1', port))
    other.listen()
    try:
        r = subprocess.run(['make', '--no-print-directory', '-C', ROOT, target, 'PORT=%d' % port,
                            'NAME=hello', 'SIM_DEVICE=%s' % (tmp_path / 'board')],
                           capture_output=True, text=True, timeout=120)
    finally:
        other.close()
    assert r.returncode == 2, r.stdout + r.stderr
    assert 'cannot serve on 127.0.0.1:%d' % port in r.stderr and 'PORT=' in r.stderr, r.stderr
    assert 'Traceback' not in r.stdout + r.stderr and 'the device UI is at' not in r.stdout


def test_a_heap_that_is_not_a_size_is_a_clear_error():
    r = subprocess.run(['make', '--no-print-directory', '-C', ROOT, 'run-esp8266', 'HEAP=56kw',
                        'PORT=%d' % free_port()], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stdout + r.stderr
    assert 'HEAP=56kw is not a heap size' in r.stderr and 'Traceback' not in r.stderr, r.stderr


def test_the_port_check_takes_the_address_family_of_host():
    """HOST=::1 (IPv6) is checked as IPv6: a free port is free, not 'cannot serve'."""
    sys.path.insert(0, os.path.join(ROOT, 'scripts'))
    from run_host import port_in_use
    port = free_port()
    assert port_in_use('::1', port) is None
    assert port_in_use('127.0.0.1', port) is None
