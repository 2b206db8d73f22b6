"""microdot.asgi driven as an ASGI server drives it, message by message, for the cases a real
server rarely produces: a `receive()` that returns None (as some test harnesses' do) and an
``http.disconnect`` at each point of a request. None of them may raise."""
import asyncio

from microdot.asgi import Microdot, with_websocket
from microdot.websocket import WebSocketError


def make_app(log):
    app = Microdot(lifespan_startup=None)

    @app.route('/', methods=['GET', 'POST'])
    async def index(request):
        log.append(('index', request.http_version, request.body))
        return 'ok'

    @app.get('/stream')
    async def stream(request):
        async def chunks():
            try:
                while True:
                    yield b'x'
                    await asyncio.sleep(0.01)
            finally:
                log.append('closed')
        return chunks()

    @app.route('/ws')
    @with_websocket
    async def ws(request, ws):
        try:
            await ws.receive()
        except WebSocketError:
            log.append('ws gone')

    return app


def http_scope(method='GET', path='/', headers=()):
    return {'type': 'http', 'asgi': {'version': '3.0'}, 'http_version': '1.1',
            'method': method, 'scheme': 'http', 'path': path, 'raw_path': path.encode(),
            'query_string': b'', 'headers': list(headers), 'client': ('127.0.0.1', 5),
            'server': ('127.0.0.1', 80)}


def run(app, scope, messages):
    """Call the app with `messages` as what receive() returns (then None forever); returns
    what it sent."""
    sent = []

    async def receive():
        await asyncio.sleep(0.03)
        return messages.pop(0) if messages else None

    async def send(message):
        sent.append(message)

    asyncio.run(asyncio.wait_for(app(scope, receive, send), 5))
    return sent


def test_none_from_receive_ends_the_body_and_the_request_is_answered():
    log = []
    sent = run(make_app(log), http_scope(), [None])
    assert sent[0]['status'] == 200 and sent[-1]['body'] == b'ok'
    assert log == [('index', 'HTTP/1.1', b'')]
    log.clear()
    headers = [(b'content-length', b'6')]
    sent = run(make_app(log), http_scope('POST', headers=headers),
               [{'type': 'http.request', 'body': b'abc', 'more_body': True}, None])
    assert sent[0]['status'] == 200 and log == [('index', 'HTTP/1.1', b'abc')]


def test_disconnect_before_the_body_is_complete_runs_nothing():
    log = []
    headers = [(b'content-length', b'6')]
    sent = run(make_app(log), http_scope('POST', headers=headers),
               [{'type': 'http.request', 'body': b'abc', 'more_body': True},
                {'type': 'http.disconnect'}])
    assert sent == [] and log == []


def test_streamed_response_ends_and_closes_on_disconnect_or_none():
    for last in ({'type': 'http.disconnect'}, None):
        log = []
        sent = run(make_app(log), http_scope(path='/stream'),
                   [{'type': 'http.request', 'body': b'', 'more_body': False}, last])
        assert sent[0]['status'] == 200 and sent[1]['body'] == b'x'
        assert log == ['closed'], last


def test_lifespan_and_websocket_end_quietly_on_none():
    log = []
    app = make_app(log)
    assert run(app, {'type': 'lifespan', 'asgi': {'version': '3.0'}}, [None]) == []
    sent = run(app, {'type': 'lifespan', 'asgi': {'version': '3.0'}},
               [{'type': 'lifespan.startup'}, None])
    assert sent == [{'type': 'lifespan.startup.complete'}]
    scope = dict(http_scope(path='/ws'), type='websocket')
    assert run(app, scope, [{'type': 'websocket.connect'}, None])[0] == \
        {'type': 'websocket.accept'}
    assert log == ['ws gone']
    log.clear()
    run(app, scope, [None])  # no connect message at all


def test_route_limits_apply_under_the_adapters():
    import io
    from microdot.wsgi import Microdot as WsgiMicrodot

    def add_routes(app):
        async def sizes(request):
            streamed = await request.stream.read() if not request.body else b''
            return {'body': len(request.body), 'streamed': len(streamed)}
        app.route('/up', methods=['POST'], max_content_length=40000, max_body_length=4)(sizes)
        app.route('/mine', methods=['POST'])(sizes)

    asgi = Microdot()
    add_routes(asgi)
    wsgi = WsgiMicrodot()
    add_routes(wsgi)
    for path, size, status, expected in (('/up', 20000, 200, b'{"body": 0, "streamed": 20000}'),
                                         ('/up', 3, 200, b'{"body": 3, "streamed": 0}'),
                                         ('/mine', 20000, 413, b'Payload too large'),
                                         ('/mine', 30, 200, b'{"body": 30, "streamed": 0}')):
        headers = [(b'content-length', str(size).encode())]
        sent = run(asgi, http_scope('POST', path, headers),
                   [{'type': 'http.request', 'body': b'x' * size, 'more_body': False}])
        assert (sent[0]['status'], sent[1]['body']) == (status, expected), path
        out = []
        body = wsgi({'REQUEST_METHOD': 'POST', 'PATH_INFO': path, 'CONTENT_LENGTH': str(size),
                     'wsgi.input': io.BytesIO(b'x' * size), 'SERVER_PROTOCOL': 'HTTP/1.1'},
                    lambda s, h: out.append(s))
        assert (int(out[0].split()[0]), b''.join(body)) == (status, expected), path
