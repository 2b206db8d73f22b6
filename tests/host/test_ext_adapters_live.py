"""microdot.asgi under uvicorn (HTTP, streaming, WebSocket, lifespan) and microdot.wsgi under
waitress (a production WSGI server) and wsgiref, with real HTTP/WebSocket clients on 127.0.0.1."""
import http.client
import json
import os
import socket
import subprocess
import sys
import time

import jwt as pyjwt
import pytest

from support.servers import free_port
import websocket

APPS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'apps')
FROZEN = os.path.join(os.path.dirname(os.path.dirname(APPS)), 'frozen')


class Server:
    def __init__(self, args):
        self.port = free_port()
        env = dict(os.environ)
        env['PYTHONPATH'] = os.pathsep.join([APPS, FROZEN])
        self.proc = subprocess.Popen([sys.executable, '-u'] + [a.replace('PORT', str(self.port))
                                                              for a in args],
                                     cwd=APPS, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + 15
        while time.time() < deadline:
            assert self.proc.poll() is None, self.proc.stdout.read()
            try:
                socket.create_connection(('127.0.0.1', self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError('server did not start')

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=15)
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        data = res.read()
        conn.close()
        return res, data

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.stdout.read()


UVICORN = ['-m', 'uvicorn', 'ext_asgi_app:app', '--host', '127.0.0.1', '--port', 'PORT',
           '--lifespan', 'on', '--ws', 'websockets']
WAITRESS = ['-m', 'waitress', '--host=127.0.0.1', '--port=PORT', 'ext_asgi_app:wsgi_app']
WSGIREF = ['-c', 'from wsgiref.simple_server import make_server; import ext_asgi_app; '
           'make_server("127.0.0.1", PORT, ext_asgi_app.wsgi_app).serve_forever()']


@pytest.fixture(params=['uvicorn', 'waitress', 'wsgiref'])
def server(request):
    s = Server({'uvicorn': UVICORN, 'waitress': WAITRESS, 'wsgiref': WSGIREF}[request.param])
    s.kind = request.param
    yield s
    s.stop()


def test_routes_and_sync_handlers(server):
    res, data = server.request('GET', '/')
    expected = 'microdot.asgi' if server.kind == 'uvicorn' else 'microdot.wsgi'
    assert res.status == 200 and data.decode() == 'hello from ' + expected
    res, data = server.request('GET', '/info/7?q=x%20y', headers={'User-Agent': 'ua/1',
                                                                  'Cookie': 'c=1; d=2'})
    assert json.loads(data) == {'n': 7, 'args': 'x y', 'scheme': 'http', 'ua': 'ua/1',
                                'method': 'GET', 'cookie': '1'}
    res, data = server.request('GET', '/nope')
    assert res.status == 404 and data == b'Not found'
    res, data = server.request('GET', '/missing-ok')
    assert res.status == 418 and data == b'teapot'
    res, data = server.request('HEAD', '/')
    assert res.status == 200 and data == b''


def test_bodies_small_and_streamed(server):
    res, data = server.request('POST', '/echo', body=b'abc' * 100,
                               headers={'Content-Type': 'text/x-test'})
    assert data == b'abc' * 100 and res.getheader('Content-Type') == 'text/x-test'
    big = os.urandom(200 * 1024)  # above max_body_length: read from request.stream
    res, data = server.request('POST', '/count', body=big)
    assert json.loads(data) == {'received': len(big), 'body': 0}
    conn = http.client.HTTPConnection('127.0.0.1', server.port, timeout=15)
    conn.putrequest('POST', '/count')
    conn.putheader('Content-Length', str(2 * 1024 * 1024))
    conn.endheaders()
    if server.kind == 'waitress':  # waitress reads whole bodies before calling the app
        conn.send(b'x' * (2 * 1024 * 1024))
    # (uvicorn, wsgiref: the body is never sent; the answer comes from the declared length)
    res = conn.getresponse()
    assert res.status == 413 and res.read() == b'Payload too large'
    conn.close()


def test_streamed_responses(server):
    res, data = server.request('GET', '/stream')
    assert data == b'part0;part1;part2;part3;part4;'
    res, data = server.request('GET', '/sse')
    assert res.getheader('Content-Type') == 'text/event-stream'
    assert data == b'data: {"i": 0}\n\ndata: {"i": 1}\n\ndata: {"i": 2}\n\n'


def test_session_and_cors(server):
    res, data = server.request('GET', '/session/one', headers={'Origin': 'https://x.example'})
    assert res.getheader('Access-Control-Allow-Origin') == 'https://x.example'
    cookie = res.getheader('Set-Cookie').split(';')[0]
    token = cookie.split('=', 1)[1]
    secret = 'adapter-secret-0123456789abcdef0123'
    assert pyjwt.decode(token, secret, algorithms=['HS256']) == {'v': 'one'}
    res, data = server.request('GET', '/session/two', headers={'Cookie': cookie})
    assert json.loads(data) == {'old': 'one'}


def test_asgi_websocket_and_lifespan():
    server = Server(UVICORN)
    try:
        ws = websocket.create_connection('ws://127.0.0.1:%d/ws' % server.port, timeout=10)
        ws.send('over asgi')
        assert ws.recv() == 'over asgi'
        ws.send_binary(b'\x00\x01' * 5000)
        assert ws.recv() == b'\x00\x01' * 5000
        ws.send('bye')
        frame = ws.recv_frame()
        assert frame.opcode == websocket.ABNF.OPCODE_CLOSE
        assert int.from_bytes(frame.data[:2], 'big') == 4002
        ws.shutdown()
        res, data = server.request('GET', '/shutdown')  # SIGTERM: uvicorn stops gracefully
        assert data == b'stopping'
        server.proc.wait(10)
    finally:
        out = server.stop()
    assert 'lifespan startup lifespan' in out
    assert 'lifespan shutdown' in out


def test_query_string_and_body_together_as_microdot_gives_them(server):
    form = {'Content-Type': 'application/x-www-form-urlencoded'}
    expected_post = {'version': 'HTTP/1.1', 'args': ['1', '%zz'], 'body': 'f=a&f=b%',
                     'length': 8, 'form': ['a', 'b%']}
    expected_get = {'version': 'HTTP/1.1', 'args': ['2'], 'body': '', 'length': 0,
                    'form': None}
    # in both orders, and after a streamed body the handler left unread
    for method, path, body, headers, expected in (
            ('POST', '/inspect?q=1&q=%zz', b'f=a&f=b%', form, expected_post),
            ('GET', '/inspect?q=2', None, {}, expected_get),
            ('POST', '/echo?q=3', b'x' * 20000, {'Content-Type': 'text/plain'}, None),
            ('POST', '/inspect?q=1&q=%zz', b'f=a&f=b%', form, expected_post),
            ('GET', '/inspect?q=2', None, {}, expected_get)):
        res, data = server.request(method, path, body=body, headers=headers)
        assert res.status == 200, (path, data)
        if expected is not None:
            assert json.loads(data) == expected


def test_streamed_body_is_closed_when_the_client_goes_away(server):
    sock = socket.create_connection(('127.0.0.1', server.port), timeout=10)
    sock.sendall(b'GET /forever HTTP/1.1\r\nHost: x\r\n\r\n')
    data = b''
    while data.count(b'tick;') < 3:
        data += sock.recv(4096)
    sock.close()
    deadline = time.time() + 10
    events = []
    while 'forever closed' not in events and time.time() < deadline:
        time.sleep(0.1)
        events = json.loads(server.request('GET', '/events')[1])['events']
    assert events == ['forever closed']


def test_asgi_lifespan_failure_is_reported_as_microdot_does():
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([APPS, FROZEN])
    proc = subprocess.run([sys.executable, '-m', 'uvicorn', 'ext_asgi_failing:app', '--host',
                           '127.0.0.1', '--port', str(free_port()), '--lifespan', 'on'],
                          cwd=APPS, env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert "KeyError('scope')" in proc.stdout + proc.stderr
