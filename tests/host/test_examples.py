"""Every example in examples/ starts on the MicroPython unix port (the way `make example` runs
it; also in an ESP32-sized heap), on CPython, and deployed to a simulated board running the
firmware's boot path; each time its pages and endpoints are checked. `make example` and
`make example-deploy` work as documented. A new example directory without a check here fails
the suite."""
import gzip
import http.client
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from support.servers import end_process, free_port

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXAMPLES = os.path.join(ROOT, 'examples')

_spec = importlib.util.spec_from_file_location('examples_run', os.path.join(EXAMPLES, 'run.py'))
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)


class Example:
    """One example served by examples/run.py's command on 127.0.0.1."""

    def __init__(self, name, cpython=False, heapsize=None, directory=None):
        self.name = name
        self.port = free_port()
        cmd, env, cwd = runner.command(name, '127.0.0.1', self.port, cpython, heapsize,
                                       directory)
        self.cwd = cwd
        self.proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.proc, self.stop)

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def stop(self):
        return end_process(self.proc)


def wait_for_port(port, proc, stop, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError('example exited early:\n' + stop())
        try:
            socket.create_connection(('127.0.0.1', port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError('example did not start:\n' + stop())


def fetch(url, method='GET', body=None, headers=None):
    """(status, headers, body bytes) of one request; HTTP errors are answers too."""
    headers = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        headers.setdefault('Content-Type', 'application/json')
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


# --- one check per example: its main page, then what it is about ---------------------------

def check_hello(ex):
    status, headers, body = fetch(ex.url + '/')
    assert status == 200 and b'Hello, world!' in body
    assert headers['Content-Type'].startswith('text/html')
    assert json.loads(fetch(ex.url + '/hello/ada')[2]) == {'hello': 'ada'}


def check_mount(ex):
    status, _, body = fetch(ex.url + '/')
    assert status == 200 and b'/api/items' in body
    status, headers, body = fetch(ex.url + '/api/items/1')
    assert status == 200 and json.loads(body) == {'item': 'pear'}
    assert headers['Cache-Control'] == 'no-store'
    assert fetch(ex.url + '/api/items/9')[0] == 404
    status, headers, body = fetch(ex.url + '/admin/')
    assert status == 200 and body == b'admin area, mounted at /admin'
    assert 'Cache-Control' not in headers  # the api's hook is local to the api


def check_gpio(ex):
    status, _, body = fetch(ex.url + '/')
    assert status == 200 and b'<h1>LED is' in body
    assert json.loads(fetch(ex.url + '/api/state')[2]) == {'led': 0, 'button': False}
    status, _, body = fetch(ex.url + '/api/led', 'PUT', {'on': 1})
    assert status == 200 and json.loads(body)['led'] == 1
    assert json.loads(fetch(ex.url + '/api/state')[2])['led'] == 1
    assert fetch(ex.url + '/api/led', 'PUT', {'off': 1})[0] == 400


def check_static_files(ex):
    status, headers, body = fetch(ex.url + '/')
    assert status == 200 and b'<script src="/static/app.js">' in body
    status, headers, body = fetch(ex.url + '/static/style.css')
    assert status == 200 and headers['Content-Type'].startswith('text/css')
    etag = headers['ETag']
    assert fetch(ex.url + '/static/style.css', headers={'If-None-Match': etag})[0] == 304
    status, headers, body = fetch(ex.url + '/static/app.js', headers={'Accept-Encoding': 'gzip'})
    assert status == 200 and headers['Content-Encoding'] == 'gzip'
    assert headers['Content-Type'].startswith('application/javascript')
    with open(os.path.join(EXAMPLES, 'static_files', 'assets', 'app.js'), 'rb') as f:
        assert gzip.decompress(body) == f.read()  # the .gz is the current source
    assert fetch(ex.url + '/static/%2e%2e/main.py')[0] == 400


def check_websocket_chat(ex):
    import websocket  # websocket-client
    assert b'new WebSocket' in fetch(ex.url + '/')[2]
    ws_url = 'ws://127.0.0.1:%d/chat' % ex.port
    a = websocket.create_connection(ws_url, timeout=10)
    b = websocket.create_connection(ws_url, timeout=10)
    try:
        a.send('ada: hello')
        assert a.recv() == 'ada: hello'
        assert b.recv() == 'ada: hello'  # broadcast to the other page too
        b.close()
        a.send('ada: anyone?')  # a closed page must not break the chat
        assert a.recv() == 'ada: anyone?'
    finally:
        a.close()


def check_sse_sensor(ex):
    assert b'EventSource' in fetch(ex.url + '/')[2]
    conn = http.client.HTTPConnection('127.0.0.1', ex.port, timeout=10)
    conn.request('GET', '/events')
    res = conn.getresponse()
    assert res.status == 200 and res.getheader('Content-Type').startswith('text/event-stream')
    events = []
    while len(events) < 2:
        event = {}
        for line in iter(res.fp.readline, b'\n'):
            key, _, value = line.decode().rstrip('\n').partition(': ')
            event[key] = value
        events.append(event)
    conn.close()
    assert [e['event'] for e in events] == ['reading', 'reading']
    readings = [json.loads(e['data']) for e in events]
    assert [r['count'] for r in readings] == [1, 2]
    assert all(0 <= r['value'] <= 65535 for r in readings)


def check_login(ex):
    import urllib.parse
    with open(os.path.join(ex.cwd, 'secret.key')) as f:  # made on the first run, this board's own
        key = f.read()
    assert len(key) == 64 and int(key, 16) and key != 'replace me with a long random string'
    sys.path.insert(0, os.path.join(ROOT, 'frozen'))
    from microdot import jwt
    forged = jwt.encode({'_user_id': 1}, 'replace me with a long random string')
    body = fetch(ex.url + '/', headers={'Cookie': 'session=' + forged})[2]
    assert b'<h1>Log in</h1>' in body  # a session signed with the old published key: worthless
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    with opener.open(ex.url + '/', timeout=10) as r:  # not logged in: sent to the login page
        assert r.url == ex.url + '/login?next=/' and b'<h1>Log in</h1>' in r.read()
    form = urllib.parse.urlencode({'name': 'admin', 'password': 'wrong'}).encode()
    with opener.open(ex.url + '/login', form, timeout=10) as r:
        assert b'Wrong name or password' in r.read()
    form = urllib.parse.urlencode({'name': 'admin', 'password': 'hunter2'}).encode()
    with opener.open(ex.url + '/login?next=%2F', form, timeout=10) as r:
        assert r.url == ex.url + '/' and b'Hello, admin!' in r.read()
    with opener.open(ex.url + '/', timeout=10) as r:  # the session cookie keeps us in
        assert b'Hello, admin!' in r.read()
    for cross_site in ({'Origin': 'http://evil.example'}, {'Sec-Fetch-Site': 'cross-site'}):
        req = urllib.request.Request(ex.url + '/logout', b'', headers=cross_site)
        with pytest.raises(urllib.error.HTTPError) as refused:  # another site cannot log us out
            opener.open(req, timeout=10)
        assert refused.value.code == 403
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(ex.url + '/logout', timeout=10)
    assert refused.value.code == 405  # logout is a POST
    with opener.open(ex.url + '/', timeout=10) as r:
        assert b'Hello, admin!' in r.read()
    with opener.open(ex.url + '/logout', b'', timeout=10) as r:
        assert r.url == ex.url + '/login'
    with opener.open(ex.url + '/', timeout=10) as r:
        assert r.url.startswith(ex.url + '/login')


def multipart(files, names=True):
    """A body with `files` ([(filename, bytes)]), named first in a `names` field as the page
    does (`names=False`: no such field; a list: those names)."""
    boundary = 'exampleboundary42'
    out = b''
    if names:
        names = [n for n, _ in files] if names is True else names
        out += ('--%s\r\nContent-Disposition: form-data; name="names"\r\n\r\n%s\r\n'
                % (boundary, '\n'.join(names))).encode()
    for name, content in files:
        out += ('--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
                'Content-Type: application/octet-stream\r\n\r\n' % (boundary, name)).encode()
        out += content + b'\r\n'
    out += ('--%s--\r\n' % boundary).encode()
    return out, {'Content-Type': 'multipart/form-data; boundary=' + boundary}


def check_uploads(ex):
    status, _, body = fetch(ex.url + '/')
    assert status == 200 and b'enctype="multipart/form-data"' in body
    big = bytes(range(256)) * 400  # 100 KiB: streamed to flash, more than the default limit
    body, headers = multipart([('notes.txt', b'hello\n'), ('../../escape.bin', big)])
    status, _, answer = fetch(ex.url + '/upload', 'POST', body, headers)
    assert status == 200 and json.loads(answer) == {'saved': ['notes.txt', 'escape.bin']}
    with open(os.path.join(ex.cwd, 'uploads', 'escape.bin'), 'rb') as f:
        assert f.read() == big
    assert b'escape.bin (102400 bytes)' in fetch(ex.url + '/')[2]
    body, headers = multipart([('<img src=x onerror=alert(1)>&.txt', b'x')])
    assert fetch(ex.url + '/upload', 'POST', body, headers)[0] == 200
    page = fetch(ex.url + '/')[2]
    assert b'<img' not in page and b'&lt;img src=x onerror=alert(1)&gt;&amp;.txt' in page
    body, headers = multipart([('huge.bin', b'x' * (300 * 1024))])
    assert fetch(ex.url + '/upload', 'POST', body, headers)[0] == 413
    # A name no filesystem takes, or with a NUL: 400 (not a 500), nothing written.
    for bad in ('n' * 300 + '.txt', 'a\x00b.txt'):
        body, headers = multipart([(bad, b'x')])
        assert fetch(ex.url + '/upload', 'POST', body, headers)[0] == 400, bad
    # A request that is refused installs none of its files: a name twice, or a bad name after a
    # good one, is 400 and every file of it stays as it was (no temporary file left either).
    # (a body that sends a file its names did not announce is refused only at that file)
    for files, names in (([('dup.txt', b'first'), ('dup.txt', b'second')], True),
                         ([('notes.txt', b'replaced?'), ('fresh.txt', b'new'), ('n' * 300, b'x')],
                          True),
                         ([('notes.txt', b'replaced?'), ('fresh.txt', b'new'), ('dup.txt', b'x')],
                          ['notes.txt', 'fresh.txt'])):
        body, headers = multipart(files, names)
        status, _, answer = fetch(ex.url + '/upload', 'POST', body, headers)
        assert status == 400 and json.loads(answer)['saved'] == [], answer
        assert 'dup.txt' not in uploads_dir(ex) and 'fresh.txt' not in uploads_dir(ex)
        assert read_upload(ex, 'notes.txt') == b'hello\n'
        assert [n for n in uploads_dir(ex) if n.startswith('.')] == []
    # The names come first: a repeated one, or none at all, is 400 before anything is written
    # (the answer comes while the first file is still arriving).
    for files, names in (([('first.txt', b'1' * 20000), ('first.txt', b'2')], False),
                         ([('first.txt', b'1' * 20000), ('first.txt', b'2')], True),
                         ([('first.txt', b'1' * 20000)], ['first.txt', 'first.txt'])):
        body, _ = multipart(files, names)
        s = socket.create_connection(('127.0.0.1', ex.port), timeout=10)
        try:
            s.sendall(upload_head(len(body)) + body[:1000])
            answer = s.recv(4096)
            assert answer.startswith(b'HTTP/1.1 400 '), (names, answer)
            assert 'first.txt' not in uploads_dir(ex)
            assert [n for n in uploads_dir(ex) if n.startswith('.')] == []
        finally:
            s.close()
    # As the example's docstring says it with curl: the names field once per file.
    src = os.path.join(ex.cwd, 'curl-src')
    os.makedirs(src, exist_ok=True)
    for name in ('a.txt', 'b.txt'):
        with open(os.path.join(src, name), 'w') as f:
            f.write('content of ' + name)
    with open(os.path.join(EXAMPLES, 'uploads', 'main.py')) as f:
        line = [x for x in f.read().split('\n') if x.strip().startswith('curl ')][0]
    argv = [a.replace('http://127.0.0.1:5000', ex.url) for a in line.split()] + ['-s']
    done = subprocess.run(argv, cwd=src, capture_output=True, timeout=30)
    assert json.loads(done.stdout) == {'saved': ['a.txt', 'b.txt']}, (done.stdout, done.stderr)
    assert read_upload(ex, 'b.txt') == b'content of b.txt'
    # An upload cut short leaves the old file whole; one upload at a time (409 meanwhile).
    uploads_never_lose_a_file(ex)


def upload_head(length):
    return (b'POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; '
            b'boundary=exampleboundary42\r\nContent-Length: %d\r\n\r\n' % length)


def uploads_dir(ex):
    return sorted(os.listdir(os.path.join(ex.cwd, 'uploads')))


def read_upload(ex, name):
    with open(os.path.join(ex.cwd, 'uploads', name), 'rb') as f:
        return f.read()


def uploads_never_lose_a_file(ex):
    before = read_upload(ex, 'notes.txt')
    body, _ = multipart([('notes.txt', b'partial' * 3000)])
    s = socket.create_connection(('127.0.0.1', ex.port), timeout=10)
    s.sendall(upload_head(len(body)) + body[:5000])
    time.sleep(0.3)
    s.close()  # the connection drops midway
    deadline = time.time() + 10
    while [n for n in uploads_dir(ex) if n.startswith('.')]:  # its temporary file goes
        assert time.time() < deadline, uploads_dir(ex)
        time.sleep(0.1)
    assert read_upload(ex, 'notes.txt') == before
    first = multipart([('same.txt', b'A' * 20000)])[0]
    s = socket.create_connection(('127.0.0.1', ex.port), timeout=10)
    s.sendall(upload_head(len(first)) + first[:10000])  # one upload under way ...
    time.sleep(0.3)
    second = multipart([('same.txt', b'B' * 20000)])[0]
    status, _, answer = fetch(ex.url + '/upload', 'POST', second, {
        'Content-Type': 'multipart/form-data; boundary=exampleboundary42'})
    assert status == 409 and b'another upload' in answer, (status, answer)  # ... another: 409
    s.sendall(first[10000:])  # ... and the first one completes, whole
    answer = b''
    while b'same.txt' not in answer:
        chunk = s.recv(4096)
        assert chunk, answer
        answer += chunk
    s.close()
    assert answer.startswith(b'HTTP/1.1 200'), answer
    assert read_upload(ex, 'same.txt') == b'A' * 20000
    assert [n for n in uploads_dir(ex) if n.startswith('.')] == []


def check_cors_api(ex):
    status, _, body = fetch(ex.url + '/')
    assert status == 200 and json.loads(body)['notes'] == '/api/notes'
    origin = {'Origin': 'http://localhost:8000'}
    status, headers, body = fetch(ex.url + '/api/notes', headers=origin)
    assert status == 200 and json.loads(body) == [{'id': 1, 'text': 'Water the plants'}]
    assert headers['Access-Control-Allow-Origin'] == 'http://localhost:8000'
    status, headers, _ = fetch(ex.url + '/api/notes', headers={'Origin': 'http://evil.example'})
    assert status == 200 and 'Access-Control-Allow-Origin' not in headers
    status, headers, _ = fetch(ex.url + '/api/notes/1', 'OPTIONS', headers=dict(
        origin, **{'Access-Control-Request-Method': 'DELETE',
                   'Access-Control-Request-Headers': 'Content-Type'}))
    assert status == 200 and headers['Access-Control-Allow-Methods'] == 'DELETE'
    assert headers['Access-Control-Max-Age'] == '600'
    status, _, body = fetch(ex.url + '/api/notes', 'POST', {'text': 'Buy milk'}, origin)
    assert status == 201 and json.loads(body) == {'id': 2, 'text': 'Buy milk'}
    assert fetch(ex.url + '/api/notes/2', 'DELETE', headers=origin)[0] == 204
    assert fetch(ex.url + '/api/notes/2', 'DELETE', headers=origin)[0] == 404
    assert fetch(ex.url + '/api/notes', 'POST', {'txt': 1})[0] == 400


def check_templates(ex):
    status, headers, body = fetch(ex.url + '/')
    assert status == 200 and headers['Content-Type'].startswith('text/html')
    assert b'<title>Plants</title>' in body
    assert b'<li><a href="/plants/1">Fern</a>: 67 %</li>' in body
    status, headers, body = fetch(ex.url + '/plants/0')
    assert status == 200 and b'<h1>Basil</h1>' in body and b'Needs water.' in body
    assert 'Content-Length' not in headers  # generate(): streamed, not built in RAM
    assert fetch(ex.url + '/plants/7')[0] == 404
    # compiled on first use, next to the sources, as a board does
    assert os.path.exists(os.path.join(ex.cwd, 'templates', 'index_html.py'))


CHECKS = {name[6:]: f for name, f in globals().items() if name.startswith('check_')}
# Examples that come with the extensions (their own tests check them in depth): main page only.
EXTENSION_EXAMPLES = ('websocket_echo', 'sse_counter')


def check_main_page(ex):
    status, _, body = fetch(ex.url + '/')
    assert status == 200 and body


def test_every_example_has_a_check():
    assert sorted(CHECKS) == [n for n in runner.names() if n not in EXTENSION_EXAMPLES]


MICROPYTHON_ONLY = ('gpio',)  # needs `machine`


@pytest.mark.parametrize('where', ['unix', 'unix-esp32-heap', 'cpython'])
@pytest.mark.parametrize('name', runner.names())
def test_example_serves(name, where, tmp_path):
    """On the unix port (also in an ESP32-sized heap) and, except the hardware ones, CPython."""
    if where == 'cpython' and name in MICROPYTHON_ONLY:
        with pytest.raises(AssertionError):  # it says so, rather than half-working
            Example(name, cpython=True, directory=str(EXAMPLES + '/' + name))
        return
    # Each runs from a copy, as from a board's filesystem, so what it writes stays out of the tree.
    directory = str(tmp_path / name)
    shutil.copytree(os.path.join(EXAMPLES, name), directory)
    ex = Example(name, cpython=where == 'cpython',
                 heapsize='110wK' if where == 'unix-esp32-heap' else None, directory=directory)
    try:
        CHECKS.get(name, check_main_page)(ex)
        assert ex.proc.poll() is None, 'the example stopped serving'
    finally:
        out = ex.stop()
    assert 'Traceback' not in out, out


class BootedExample:
    """An example deployed to a simulated board: the firmware's boot path (device.runtime) joins
    the simulated Wi-Fi, imports the example's main.py and serves its `app`."""

    def __init__(self, board):
        self.port = board.port
        self.url = 'http://127.0.0.1:%d' % board.port
        self.cwd = board.fs


@pytest.mark.parametrize('name', runner.names())
def test_example_deployed_to_a_board_is_served_by_the_firmware(name, board):
    shutil.copytree(os.path.join(EXAMPLES, name), board.fs, dirs_exist_ok=True)
    board.world(networks=[{'ssid': 'home', 'password': 'secret', 'rssi': -50}])
    board.write('config.json', {'networks': [{'ssid': 'home', 'password': 'secret'}]})
    board.boot()
    board.wait_for('launcher: starting the app')
    time.sleep(0.2)
    CHECKS.get(name, check_main_page)(BootedExample(board))
    assert 'Traceback' not in board.output, board.output


def test_from_source_in_an_esp8266_sized_heap_the_import_fails_as_docs_memory_md_says():
    cmd, env, cwd = runner.command('hello', '127.0.0.1', free_port(), heapsize='40wK')
    r = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert 'MemoryError' in r.stdout + r.stderr and 'microdot' in r.stdout + r.stderr


def test_run_py_started_by_another_python_uses_the_venv(tmp_path):
    """`python3 examples/run.py ...` (docs) works from any Python: it re-executes itself with the
    project's .venv, which has the unix port."""
    port = free_port()
    proc = subprocess.Popen(['/usr/bin/env', '-i', 'PATH=/usr/bin:/bin', 'python3',
                             os.path.join(EXAMPLES, 'run.py'), 'hello', '--port', str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            cwd=str(tmp_path))

    def stop():
        proc.kill()
        return proc.communicate(timeout=10)[0].decode()

    try:
        wait_for_port(port, proc, stop)
        assert fetch('http://127.0.0.1:%d/hello/x' % port)[0] == 200
    finally:
        out = stop()
    assert 'MicroPython unix port' in out, out


def test_make_example_serves_the_named_example():
    port = free_port()
    proc = subprocess.Popen(['make', '--no-print-directory', '-C', ROOT, 'example', 'NAME=hello',
                             'PORT=%d' % port], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)

    def stop():
        os.killpg(proc.pid, 15)
        return proc.communicate(timeout=10)[0].decode()

    try:
        wait_for_port(port, proc, stop)
        status, _, body = fetch('http://127.0.0.1:%d/' % port)
        assert status == 200 and b'Hello, world!' in body
    finally:
        out = stop()
    assert 'Serving examples/hello on the MicroPython unix port' in out, out


def test_make_example_with_unknown_name_lists_the_examples():
    r = subprocess.run(['make', '--no-print-directory', '-C', ROOT, 'example', 'NAME=nope'],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert 'hello' in r.stderr and 'gpio' in r.stderr


def test_make_example_on_cpython_of_a_board_example_says_why_not():
    assert [n for n in runner.names() if runner.board_modules(n)] == list(MICROPYTHON_ONLY)
    r = subprocess.run(['make', '--no-print-directory', '-C', ROOT, 'example', 'NAME=gpio',
                        'CPYTHON=1', 'PORT=%d' % free_port()],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stdout + r.stderr
    assert 'gpio needs machine' in r.stderr and 'without CPYTHON=1' in r.stderr, r.stderr
    assert 'Traceback' not in r.stderr


def test_make_example_deploy_copies_the_example_to_a_board(tmp_path):
    """`make example-deploy` against the unix port behind a pty, as a board sits behind USB."""
    fs = tmp_path / 'board'
    fs.mkdir()
    tty = str(tmp_path / 'tty')
    micropython = os.path.join(os.path.dirname(sys.executable), 'micropython')
    board = subprocess.Popen(['socat', 'PTY,link=%s,raw,echo=0' % tty,
                              'EXEC:%s,pty,raw,echo=0,stderr,setsid,ctty' % micropython],
                             cwd=str(fs), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while not os.path.exists(tty):
            assert time.time() < deadline, 'socat did not create the pty'
            time.sleep(0.05)
        time.sleep(0.3)
        r = subprocess.run(['make', '--no-print-directory', '-C', ROOT, 'example-deploy',
                            'NAME=gpio', 'DEVICE=' + tty], capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        assert 'deploy: copied main.py' in r.stdout
        with open(os.path.join(EXAMPLES, 'gpio', 'main.py')) as a, open(fs / 'main.py') as b:
            assert a.read() == b.read()
    finally:
        if board.poll() is None:
            board.kill()
        board.wait()


def test_the_uploads_page_names_its_files_before_sending_them(open_page, tmp_path):
    """The uploads example's own form, in Chromium: picking files fills its `names` field, so a
    browser's upload passes the check that refuses uploads without names."""
    directory = str(tmp_path / 'uploads')
    shutil.copytree(os.path.join(EXAMPLES, 'uploads'), directory)
    for name in ('one.txt', 'two.txt'):
        (tmp_path / name).write_text('from the browser: ' + name)
    ex = Example('uploads', cpython=True, directory=directory)
    try:
        page = open_page(url=ex.url + '/')
        page.set_input_files('input[name=file]', [str(tmp_path / 'one.txt'),
                                                  str(tmp_path / 'two.txt')])
        page.click('button')
        page.wait_for_function('document.body.innerText.indexOf("saved") >= 0')
        assert json.loads(page.inner_text('body')) == {'saved': ['one.txt', 'two.txt']}
        assert read_upload(ex, 'two.txt') == b'from the browser: two.txt'
    finally:
        ex.stop()
