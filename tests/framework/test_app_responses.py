# Handler return values and Response construction.
from microdot import Microdot, Response, redirect
from microdot.test_client import TestClient
from check import raises


def app_returning(value):
    app = Microdot()

    @app.route('/')
    async def index(req):
        return value

    return app


async def get(value):
    return await TestClient(app_returning(value)).get('/')


async def test_string_body_is_text_plain_utf8():
    res = await get('caf\u00e9')
    assert res.status_code == 200 and res.reason == 'OK'
    assert res.body == 'caf\u00e9'.encode()
    assert res.headers['Content-Type'] == 'text/plain; charset=UTF-8'
    assert res.headers['Content-Length'] == str(len('caf\u00e9'.encode()))


async def test_dict_and_list_bodies_are_json():
    res = await get({'a': 1})
    assert res.json == {'a': 1}
    assert res.headers['Content-Type'] == 'application/json; charset=UTF-8'
    assert (await get([1, 2])).json == [1, 2]


async def test_none_gives_204():
    res = await get(None)
    assert res.status_code == 204 and res.body == b''


async def test_tuple_forms():
    res = await get(('made', 201))
    assert (res.status_code, res.text) == (201, 'made')
    res = await get(('hdr', {'X-Test': '1'}))
    assert (res.status_code, res.headers['X-Test']) == (200, '1')
    res = await get(('both', 202, {'X-Test': '2'}))
    assert (res.status_code, res.text, res.headers['X-Test']) == (202, 'both', '2')


async def test_int_only_and_int_tuple_returns():
    res = await get(418)
    assert res.status_code == 418 and res.body == b''
    res = await get((401, {'WWW-Authenticate': 'Basic'}))
    assert res.status_code == 401 and res.headers['WWW-Authenticate'] == 'Basic'


async def test_one_tuple_is_an_error():
    assert (await get(('x',))).status_code == 500


async def test_response_object_is_used_as_is():
    res = await get(Response(b'raw', 203, {'X-A': 'b'}, reason='Custom'))
    assert (res.status_code, res.reason, res.body, res.headers['X-A']) == \
        (203, 'Custom', b'raw', 'b')


async def test_sync_and_async_generators_stream():
    def sync_gen():
        yield 'a'
        yield b'b'

    class AsyncChunks:
        def __init__(self):
            self.items = [b'x', 'y']

        def __aiter__(self):
            return self

        async def __anext__(self):
            if not self.items:
                raise StopAsyncIteration
            return self.items.pop(0)

    assert (await get(sync_gen())).body == b'ab'
    assert (await get(AsyncChunks())).body == b'xy'


class ClosingChunks:
    """Three chunks; subclasses make it a sync or async iterator that records each close."""

    def __init__(self, log):
        self.log = log
        self.left = 3

    def next(self):
        if not self.left:
            raise StopIteration
        self.left -= 1
        return b'c'


class SyncChunks(ClosingChunks):
    def __iter__(self):
        return self

    def __next__(self):
        return self.next()

    def close(self):
        self.log.append('close')


class AsyncChunks(ClosingChunks):
    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            return self.next()
        except StopIteration:
            raise StopAsyncIteration

    async def aclose(self):
        self.log.append('aclose')


class Sink:
    """A client connection that takes `n` writes, then is gone (ECONNRESET)."""

    def __init__(self, n=1000):
        self.n = n
        self.data = b''

    async def awrite(self, data):
        if not self.n:
            raise OSError(104, 'reset')
        self.n -= 1
        self.data += data


async def test_a_streamed_body_is_closed_once_when_complete():
    for kind, word in ((SyncChunks, 'close'), (AsyncChunks, 'aclose')):
        log = []
        res = await get(kind(log))
        assert res.body == b'ccc' and log == [word], (kind, log)
        log = []
        sink = Sink()
        assert await Response(kind(log)).write(sink, '1.1', True)
        assert sink.data.endswith(b'0\r\n\r\n') and log == [word], (kind, log)


async def test_a_generator_body_finishes_when_the_client_goes_away():
    log = []

    def forever():
        try:
            while True:
                yield b'x' * 100
        finally:
            log.append('finally')

    sink = Sink(3)
    assert await Response(forever()).write(sink, '1.1', True) is False
    assert log == ['finally']


async def test_file_like_body_is_read_in_chunks():
    import io
    Response.send_file_buffer_size = 3
    try:
        res = await get(io.BytesIO(b'0123456789'))
    finally:
        Response.send_file_buffer_size = 1024
    assert res.body == b'0123456789'


def test_repeated_headers_from_lists():
    res = Response('x', headers={'X-Multi': ['a', 'b']})
    from microdot.response import _head
    head = _head(res, '1.1', True).decode()
    assert 'X-Multi: a\r\n' in head and 'X-Multi: b\r\n' in head


def test_header_injection_is_refused():
    from microdot.response import _head
    res = Response('x', headers={'X-Bad': 'a\r\nSet-Cookie: evil=1'})
    with raises(ValueError):
        _head(res, '1.1', True)


async def test_header_injection_from_the_client_is_400_not_the_apps_value_error_handler():
    # A redirect to a URL the client chose, with CR/LF in it: the client's fault (400), not an
    # error of the app for its ValueError handler (HeaderInjection is a ValueError).
    app = Microdot()
    seen = []

    @app.route('/go')
    async def go(req):
        return redirect(req.args.get('next'))

    @app.errorhandler(ValueError)
    async def value_error(req, exc):
        seen.append(exc)
        return 'handled', 500

    client = TestClient(app)
    res = await client.get('/go?next=/x%0d%0aSet-Cookie:%20evil=1')
    assert res.status_code == 400 and 'Set-Cookie' not in res.headers and seen == []
    res = await client.get('/go?next=/fine')
    assert res.status_code == 302 and res.headers['Location'] == '/fine'


def test_redirect():
    res = redirect('/next')
    assert res.status_code == 302 and res.headers['Location'] == '/next'
    assert Response.redirect('/p', 301).status_code == 301
    with raises(ValueError):
        redirect('/x\r\nSet-Cookie: a=b')


def test_default_content_type_is_configurable():
    Response.default_content_type = 'text/html'
    try:
        res = Response('<p>')
        res.complete()
        assert res.headers['Content-Type'] == 'text/html; charset=UTF-8'
    finally:
        Response.default_content_type = 'text/plain'


def test_complete_returns_the_response_ready_to_send():
    res = Response({'a': 1}, 202)
    assert res.complete() is res
    assert res.body == b'{"a": 1}' and res.headers['Content-Length'] == '8'


async def test_a_content_type_with_a_charset_gets_no_second_one():
    res = await get(Response('caf\u00e9'.encode('latin-1'),
                             headers={'content-type': 'text/html; charset=ISO-8859-1'}))
    assert res.headers['Content-Type'] == 'text/html; charset=ISO-8859-1'
    Response.default_content_type = 'text/csv; Charset=ISO-8859-1'
    try:
        res = await get('a,b')
        assert res.headers['Content-Type'] == 'text/csv; Charset=ISO-8859-1'
    finally:
        Response.default_content_type = 'text/plain'
