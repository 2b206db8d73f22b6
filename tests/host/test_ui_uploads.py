"""Uploads through the device web UI never lose the installed files (issue 13, items 2, 3 and the
upload rules): served as `make run` serves it (scripts/run_host.py, the firmware's boot path on
the unix port), in a temporary board filesystem."""
import json
import os
import socket
import time

import pytest

from test_app import HostApp

BOUNDARY = 'keepboundary7MA4YWxkTrZu0gW'
GOOD_APP = b'''from microdot import Microdot
import ui
app = Microdot()
ui.install(app)


@app.get('/api/version')
async def version(request):
    return 'the good app'
'''


def multipart(files):
    parts = []
    for name, content in files:
        parts.append(b'--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
                     b'Content-Type: application/octet-stream\r\n\r\n%s\r\n'
                     % (BOUNDARY.encode(), name.encode(), content))
    return b''.join(parts) + b'--%s--\r\n' % BOUNDARY.encode()


def head(length):
    return (b'POST /api/files HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; '
            b'boundary=%s\r\nContent-Length: %d\r\n\r\n' % (BOUNDARY.encode(), length))


def read_file(app, name):
    with open(os.path.join(app.fs, name), 'rb') as f:
        return f.read()


def leftovers(app):
    """Temporary files still on the board (there must be none after an upload ended)."""
    up = os.path.join(app.fs, '.upload')
    return sorted(os.listdir(up)) if os.path.isdir(up) else []


@pytest.fixture(scope='module')
def app(tmp_path_factory):
    server = HostApp(tmp_path_factory.mktemp('board')).start()
    yield server
    server.stop()


def test_a_name_twice_in_one_upload_is_400_and_the_installed_file_stays(app):
    assert app.upload([('twice.txt', b'installed')])[0] == 201
    status, body = app.upload([('twice.txt', b'first'), ('twice.txt', b'second')])
    assert status == 400 and 'twice' in body['error']
    assert read_file(app, 'twice.txt') == b'installed'
    status, body = app.upload([('main.py', GOOD_APP), ('main.py', b'x = 1\n')])
    assert status == 400
    assert os.path.exists(os.path.join(app.fs, 'main.py'))  # the app is never deleted
    assert leftovers(app) == []


def test_a_second_upload_meanwhile_gets_409_and_the_first_one_completes(app):
    assert app.upload([('same.txt', b'old')])[0] == 201
    body = multipart([('same.txt', b'A' * 3000)])
    slow = socket.create_connection(('127.0.0.1', app.port), timeout=10)
    try:
        slow.sendall(head(len(body)) + body[:1000])  # the first upload is under way
        time.sleep(0.5)
        status, answer = app.upload([('same.txt', b'B' * 100)])
        assert status == 409 and 'in progress' in answer['error']
        assert read_file(app, 'same.txt') == b'old'
        slow.sendall(body[1000:])
        answer = slow.recv(4096)
        assert answer.startswith(b'HTTP/1.1 201'), answer
    finally:
        slow.close()
    assert read_file(app, 'same.txt') == b'A' * 3000  # one upload's content, not a mix
    assert app.upload([('same.txt', b'C')])[0] == 201  # the slot is free again
    assert leftovers(app) == []


def test_an_aborted_upload_leaves_the_installed_file_whole(app):
    assert app.upload([('whole.txt', b'complete and installed')])[0] == 201
    body = multipart([('whole.txt', b'partial' * 500)])
    s = socket.create_connection(('127.0.0.1', app.port), timeout=10)
    s.sendall(head(len(body)) + body[:2000])
    time.sleep(0.3)
    s.close()  # the connection drops midway
    deadline = time.monotonic() + 10
    while leftovers(app) or app.upload([('probe.txt', b'p')])[0] != 201:
        assert time.monotonic() < deadline, (leftovers(app), app.output[-2000:])
        time.sleep(0.2)
    assert read_file(app, 'whole.txt') == b'complete and installed'


def test_a_py_file_that_does_not_compile_is_refused_with_the_error(app):
    before = read_file(app, 'main.py')
    status, body = app.upload([('main.py', b'from microdot import Microdot\napp = Microdot(\n')])
    assert status == 400
    assert body['error'].startswith('main.py, line ') and 'SyntaxError' in body['error']
    assert read_file(app, 'main.py') == before
    status, body = app.upload([('helper.py', b'def f(:\n')], folder='lib')
    assert status == 400 and 'lib/helper.py, line 1' in body['error']
    assert not os.path.exists(os.path.join(app.fs, 'lib', 'helper.py'))
    assert leftovers(app) == []


def test_an_upload_keeps_the_previous_version(app):
    assert app.upload([('kept.py', b'VERSION = 1\n')])[0] == 201
    assert app.upload([('kept.py', b'VERSION = 2\n')])[0] == 201
    assert read_file(app, 'kept.py') == b'VERSION = 2\n'
    assert read_file(app, '.prev/kept.py') == b'VERSION = 1\n'
    # The app has not been restarted since: version 2 is untested, so a third upload keeps 1.
    assert 'untested' in os.listdir(os.path.join(app.fs, '.prev'))
    assert app.upload([('kept.py', b'VERSION = 3\n')])[0] == 201
    assert read_file(app, '.prev/kept.py') == b'VERSION = 1\n'
    assert '.prev' not in [e['name'] for e in app.json('/api/files')[1]]


def test_a_new_app_that_fails_to_import_is_replaced_by_the_previous_one(tmp_path):
    app = HostApp(tmp_path).start()
    try:
        assert app.upload([('main.py', GOOD_APP)])[0] == 201
        restart(app)  # the good app starts: it becomes the version to keep
        assert app.request('/api/version')[2] == b'the good app'
        broken = b'from microdot import Microdot\nimport no_such_module_anywhere\napp = Microdot()\n'
        status, body = app.upload([('main.py', broken)])
        assert status == 201  # it compiles: the import fails only on the board
        restart(app)
        assert read_file(app, 'main.py') == GOOD_APP
        assert app.request('/api/version')[2] == b'the good app'
        assert 'launcher: The uploaded app failed to start' in app.output
        assert 'no_such_module_anywhere' in app.output
    finally:
        app.stop()


def restart(app):
    mark = len(app.lines)
    assert app.request('/api/restart', b'', 'POST')[0] == 202
    app.wait_for('run: the board reset', after=mark)
    app.wait_for('Starting async server', after=mark + 1)


def test_the_ui_log_says_the_previous_app_was_restored(tmp_path):
    app = HostApp(tmp_path).start()
    try:
        broken = b'import no_such_module_anywhere\n'
        assert app.upload([('main.py', broken)])[0] == 201  # replaces the UI's own main.py
        restart(app)
        texts = [line['text'] for line in app.json('/api/log')[1]]
        assert any('previous version was restored' in t and 'ImportError' in t
                   for t in texts), texts
        assert json.loads(app.request('/api/status')[2])['name']  # the UI is back
    finally:
        app.stop()
