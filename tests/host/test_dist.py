"""The framework for boards that keep stock firmware (docs/install.md): `make mpy` builds a
bytecode bundle, and mip installs the framework, as .mpy or as source, with mpremote (against the
MicroPython unix port behind a pty, the way a board sits behind USB serial) and with MicroPython's
own `mip` (the board fetching it over the network). Each installed copy then serves an example
with nothing but the installed files on the path."""
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from support.servers import free_port

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.dirname(sys.executable)
MICROPYTHON = os.path.join(BIN, 'micropython')
MPREMOTE = os.path.join(BIN, 'mpremote')
sys.path.insert(0, os.path.join(ROOT, 'scripts'))
import dist  # noqa: E402  (scripts/dist.py)


@pytest.fixture(scope='module')
def bundle(tmp_path_factory):
    """`make mpy` into a temporary output directory (the target's own command)."""
    out = tmp_path_factory.mktemp('dist')
    r = subprocess.run(['make', '--no-print-directory', '-C', ROOT, 'mpy'], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'mpremote mip install ./build/dist/mpy/package.json' in r.stdout
    r = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'dist.py'), 'mpy',
                        '--out', str(out)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return out


class PtyBoard:
    """The unix port on a pty (socat) with `fs` as its filesystem and `fs`/lib on sys.path,
    like a board's /lib."""

    def __init__(self, fs, tty):
        self.fs, self.tty = fs, tty
        env = dict(os.environ, MICROPYPATH=':.frozen:' + os.path.join(fs, 'lib'))
        self.proc = subprocess.Popen(
            ['socat', 'PTY,link=%s,raw,echo=0' % tty,
             'EXEC:%s,pty,raw,echo=0,stderr,setsid,ctty' % MICROPYTHON],
            cwd=fs, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while not os.path.exists(tty):
            assert time.time() < deadline, 'socat did not create the pty'
            time.sleep(0.05)
        time.sleep(0.3)

    def mpremote(self, *args, cwd=ROOT):
        r = subprocess.run([MPREMOTE, 'connect', self.tty, 'resume'] + list(args), cwd=cwd,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        return r.stdout

    def off(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


@pytest.fixture
def board(tmp_path):
    fs = tmp_path / 'board'
    fs.mkdir()
    b = PtyBoard(str(fs), str(tmp_path / 'tty'))
    yield b
    b.off()


def serve_hello_from(lib, example='hello', cwd=None):
    """Serve an example with only `lib` (and the example) on MicroPython's path; return the
    answer to GET /."""
    port = free_port()
    example_dir = cwd or os.path.join(ROOT, 'examples', example)
    env = dict(os.environ, MICROPYPATH=':'.join([example_dir, lib, '.frozen']))
    proc = subprocess.Popen([MICROPYTHON, '-c', 'import main; main.app.run(host="127.0.0.1", '
                             'port=%d)' % port], env=env, cwd=cwd or lib, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 10
        while True:
            assert proc.poll() is None, proc.stdout.read().decode()
            try:
                with urllib.request.urlopen('http://127.0.0.1:%d/' % port, timeout=5) as r:
                    return r.status, r.read()
            except OSError:
                assert time.time() < deadline, 'the installed framework did not serve'
                time.sleep(0.05)
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()


def installed(lib, ext='.py'):
    """The framework's files installed in `lib`: those of lib/microdot/, then the top-level
    modules it imports (dist.TOP_LEVEL), each with `ext` (all there are of lib/microdot/)."""
    top = [m[:-3] + ext for m in dist.TOP_LEVEL]
    return sorted(os.listdir(os.path.join(lib, 'microdot'))) + \
        [m for m in top if os.path.isfile(os.path.join(lib, m))]


def source_files():
    """What installing the source package should give (see `installed`)."""
    return dist.modules() + list(dist.TOP_LEVEL)


def signs_a_token_from(lib, cwd=None):
    """True if microdot.jwt, with nothing but `lib` on the unix port's path, signs and checks a
    token (on MicroPython its HMAC is the top-level hmacsha256 installed beside the package)."""
    code = ('from microdot import jwt\nt = jwt.encode({"a": 1}, "k")\n'
            'print(jwt.decode(t, "k") == {"a": 1})')
    r = subprocess.run([MICROPYTHON, '-c', code], cwd=cwd or lib, capture_output=True, text=True,
                       env=dict(os.environ, MICROPYPATH='.frozen:' + lib), timeout=60)
    return r.stdout.strip() == 'True' or (r.stdout + r.stderr)


# --- the bundle -------------------------------------------------------------------------------

def test_mpy_bundle_holds_every_board_module_as_portable_bytecode(bundle):
    names = sorted(os.listdir(bundle / 'mpy' / 'microdot'))
    assert names == sorted(m[:-3] + '.mpy' for m in dist.modules())
    assert 'app.mpy' in names and 'websocket.mpy' in names and 'asgi.mpy' not in names
    for name in names:
        head = (bundle / 'mpy' / 'microdot' / name).read_bytes()[:3]
        # 'M', format 6, flags 0: bytecode only, so loadable on every architecture
        assert head == b'M\x06\x00', (name, head)


def test_mpy_bundle_is_compiled_without_line_numbers(bundle, tmp_path):
    """`-O3`: the heap figures of docs/memory.md for the framework as `.mpy` (scripts/run_host.py
    --mpy) are those of this bundle, which leaves out the line-number tables."""
    for m in ('app.py', 'server.py'):
        ref = tmp_path / (m[:-3] + '.mpy')
        subprocess.run([dist.MPY_CROSS, '-O3', '-o', str(ref), '-s', 'microdot/' + m,
                        os.path.join(dist.PACKAGE, m)], check=True)
        built = (bundle / 'mpy' / 'microdot' / (m[:-3] + '.mpy')).read_bytes()
        assert built == ref.read_bytes(), m


def test_mpy_bundle_package_json_and_archive_list_the_same_files(bundle):
    import tarfile
    pkg = json.loads((bundle / 'mpy' / 'package.json').read_text())
    assert pkg['version'] == dist.version()
    targets = [t for t, _ in pkg['urls']]
    assert targets == ['microdot/' + m[:-3] + '.mpy' for m in dist.modules()] + \
        [m[:-3] + '.mpy' for m in dist.TOP_LEVEL]
    for target, url in pkg['urls']:
        assert (bundle / 'mpy' / url).is_file()
    with tarfile.open(bundle / ('microdot-mpy-%s.tar.gz' % dist.version())) as tar:
        assert sorted(tar.getnames()) == sorted('lib/' + t for t in targets)


def test_source_package_json_is_up_to_date_and_relative():
    r = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'dist.py'), 'package-json',
                        '--check'], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert dist.PACKAGE_JSON == os.path.join(ROOT, 'frozen', 'package.json')
    with open(dist.PACKAGE_JSON) as f:
        pkg = json.load(f)
    # each file's URL is its path below frozen/, which is also where it is installed in /lib
    for target, url in pkg['urls']:
        assert target == url, (target, url)
        assert os.path.isfile(os.path.join(ROOT, 'frozen', url))  # relative to package.json
    assert [u for _, u in pkg['urls']] == ['microdot/' + m for m in dist.modules()] + \
        list(dist.TOP_LEVEL)
    assert 'hmacsha256.py' in dist.TOP_LEVEL


def test_the_source_package_json_is_the_only_one_in_the_repository_tree():
    """One install address: frozen/microdot/ has no package.json of its own any more (it could
    not reach hmacsha256.py, one level up, without a `..` in a URL)."""
    found = sorted(os.path.relpath(os.path.join(d, 'package.json'), ROOT)
                   for d, _, files in os.walk(os.path.join(ROOT, 'frozen'))
                   if 'package.json' in files)
    assert found == ['frozen/package.json']


def dotdot_urls(pkg):
    """The URLs of a package.json (parsed) with a `..` path segment."""
    return [u for _, u in pkg.get('urls', ()) if '..' in u.split('/')]


def test_no_generated_package_json_has_a_dotdot_in_a_url(bundle):
    """mip joins a relative URL onto the package.json's address as text, so a `..` would reach
    the web server (raw.githubusercontent.com for `github:`) as it is."""
    generated = {'frozen/package.json': json.loads(dist.source_package_json()),
                 'mpy': json.loads((bundle / 'mpy' / 'package.json').read_text()),
                 'utemplate': json.loads((bundle / 'utemplate' / 'package.json').read_text())}
    for name, pkg in generated.items():
        assert pkg['urls'] and dotdot_urls(pkg) == [], name
    assert dotdot_urls({'urls': [['hmacsha256.py', '../hmacsha256.py']]})  # the check itself
    with pytest.raises(ValueError):  # and the generator refuses to write one
        dist.render_package_json([('hmacsha256.py', '../hmacsha256.py')])


# --- installing it ------------------------------------------------------------------------------

def test_mpremote_mip_installs_the_mpy_bundle_and_it_serves(bundle, board):
    out = board.mpremote('mip', 'install', str(bundle / 'mpy' / 'package.json'))
    assert 'Done' in out, out
    lib = os.path.join(board.fs, 'lib')
    assert installed(lib, '.mpy') == sorted(os.listdir(bundle / 'mpy' / 'microdot')) + \
        [m[:-3] + '.mpy' for m in dist.TOP_LEVEL]
    assert signs_a_token_from(lib) is True
    assert board.mpremote('exec', 'import microdot; print(microdot.__file__)').strip() \
        .endswith('lib/microdot/__init__.mpy')
    status, body = serve_hello_from(lib)
    assert status == 200 and b'Hello, world!' in body


def test_utemplate_package_installs_and_the_templates_example_runs_from_it(bundle, board,
                                                                           tmp_path):
    """The stock-firmware path for templates: the bundle and utemplate from `make mpy`."""
    pkg = json.loads((bundle / 'utemplate' / 'package.json').read_text())
    assert [t for t, _ in pkg['urls']] == ['utemplate/compiled.mpy', 'utemplate/recompile.mpy',
                                          'utemplate/source.mpy']
    out = board.mpremote('mip', 'install', str(bundle / 'mpy' / 'package.json'),
                         str(bundle / 'utemplate' / 'package.json'))
    assert out.count('Done') == 2, out
    lib = os.path.join(board.fs, 'lib')
    assert sorted(os.listdir(os.path.join(lib, 'utemplate'))) == ['compiled.mpy',
                                                                  'recompile.mpy', 'source.mpy']
    example = str(tmp_path / 'templates')
    shutil.copytree(os.path.join(ROOT, 'examples', 'templates'), example)
    status, body = serve_hello_from(lib, cwd=example)
    assert status == 200 and b'<title>Plants</title>' in body


def test_mpremote_mip_installs_the_source_package_from_the_repository(board):
    out = board.mpremote('mip', 'install', './frozen/package.json')
    assert 'Done' in out, out
    lib = os.path.join(board.fs, 'lib')
    assert installed(lib) == source_files()
    assert sorted(os.listdir(lib)) == ['hmacsha256.py', 'microdot']  # no more of frozen/
    assert signs_a_token_from(lib) is True
    with open(os.path.join(lib, 'microdot', 'app.py')) as a, \
            open(os.path.join(dist.PACKAGE, 'app.py')) as b:
        assert a.read() == b.read()
    status, body = serve_hello_from(lib)
    assert status == 200 and b'Hello, world!' in body


@pytest.fixture
def repo_over_http():
    """The repository served over HTTP on 127.0.0.1, standing in for raw.githubusercontent.com
    (mip rewrites github:owner/repo/path to such a URL and resolves relative URLs the same way,
    by joining text). Strict: a path with a `..` segment gets 400, where http.server would
    resolve it, so an install that works here does not depend on how a server treats `..`."""
    handler = functools.partial(StrictHandler, directory=ROOT)
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % server.server_address[1]
    server.shutdown()
    server.server_close()


class StrictHandler(http.server.SimpleHTTPRequestHandler):
    """Files of `directory`, quietly; a request whose path has a `..` segment (also spelt
    %2e%2e) gets 400."""

    def send_head(self):
        path = urllib.parse.unquote(self.path.split('?', 1)[0].split('#', 1)[0])
        if '..' in path.split('/'):
            self.send_error(400, 'path with ..')
            return None
        return super().send_head()

    def log_message(self, *args):
        pass


def test_the_local_repository_server_refuses_dotdot(repo_over_http):
    with urllib.request.urlopen(repo_over_http + '/frozen/hmacsha256.py') as r:
        assert r.status == 200
    for path in ('/frozen/microdot/../hmacsha256.py', '/frozen/microdot/%2e%2e/hmacsha256.py'):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(repo_over_http + path)
        assert e.value.code == 400, path


def test_mpremote_mip_installs_from_a_url_naming_the_package_directory(board, repo_over_http):
    out = board.mpremote('mip', 'install', repo_over_http + '/frozen')
    assert 'frozen/package.json' in out and 'Done' in out, out
    lib = os.path.join(board.fs, 'lib')
    assert installed(lib) == source_files()
    assert signs_a_token_from(lib) is True


def test_micropython_mip_on_the_board_installs_from_the_repository(tmp_path, repo_over_http):
    """What a board with Wi-Fi runs at its REPL: import mip; mip.install(...)."""
    r = subprocess.run([MICROPYTHON, '-c', 'import mip; mip.install(%r, target="lib")'
                        % (repo_over_http + '/frozen')], cwd=str(tmp_path),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and 'Done' in r.stdout, r.stdout + r.stderr
    lib = str(tmp_path / 'lib')
    assert installed(lib) == source_files()
    assert sorted(os.listdir(lib)) == ['hmacsha256.py', 'microdot']  # no more of frozen/
    assert signs_a_token_from(lib) is True
    status, body = serve_hello_from(lib)
    assert status == 200 and b'Hello, world!' in body
