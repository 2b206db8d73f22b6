"""microdot.sse through the test client (dual-runtime)."""
import asyncio

from microdot import Microdot
from microdot.sse import SSE, sse_response, with_sse
from microdot.test_client import TestClient


def make_app():
    app = Microdot()

    @app.route('/events')
    @with_sse
    async def events(request, sse):
        await sse.send('hello')
        await sse.send({'n': 1}, event='json')
        await sse.send([1, 2], event_id=7)
        await sse.send(b'raw bytes', event='b', event_id='x1', retry=2.5)
        await sse.send(42)
        await sse.send('keep-alive', comment=True)

    @app.route('/count/<int:n>')
    @with_sse
    async def count(request, sse, n):
        for i in range(n):
            await sse.send(i)
            await asyncio.sleep(0)

    @app.route('/fails')
    @with_sse
    async def fails(request, sse):
        await sse.send('one')
        raise ValueError('boom')

    return app


async def test_events_and_fields():
    res = await TestClient(make_app()).get('/events')
    assert res.status_code == 200
    assert res.headers['Content-Type'] == 'text/event-stream'
    ev = res.events
    assert len(ev) == 5
    assert ev[0]['data'] == b'hello' and ev[0]['event'] is None
    assert ev[1]['data_json'] == {'n': 1} and ev[1]['event'] == 'json'
    assert ev[2]['data_json'] == [1, 2] and ev[2]['event_id'] == '7'
    assert ev[3]['data'] == b'raw bytes' and ev[3]['event'] == 'b'
    assert ev[3]['event_id'] == 'x1' and ev[3]['retry'] == 2.5  # seconds, as sent
    assert ev[4]['data'] == b'42'


async def test_wire_format():
    res = await TestClient(make_app()).get('/events')
    assert res.body.startswith(b'data: hello\n\nevent: json\ndata: {')
    assert b'retry: 2500\nevent: b\nid: x1\ndata: raw bytes\n\n' in res.body
    assert res.body.endswith(b': keep-alive\n\n')


async def test_url_args_and_stream_end():
    res = await TestClient(make_app()).get('/count/5')
    assert [e['data'] for e in res.events] == [b'0', b'1', b'2', b'3', b'4']


async def test_handler_exception_ends_stream_with_error():
    app = make_app()
    raised = False
    try:
        res = await TestClient(app).get('/fails')
    except ValueError:
        raised = True
    assert raised


async def test_closing_the_stream_cancels_the_handler():
    state = []

    async def forever(request, sse):
        try:
            while True:
                await sse.send('tick')
                await asyncio.sleep(0.01)
        except asyncio.CancelledError:
            state.append('cancelled')
            raise

    body, status, headers = sse_response(None, forever)
    assert status == 200
    first = await body.__anext__()
    assert first == b'data: tick\n\n'
    await body.aclose()
    assert state == ['cancelled']


async def test_keep_alive_comment_when_idle():
    SSE.keep_alive = 0.05

    async def slow(request, sse):
        await asyncio.sleep(0.2)
        await sse.send('late')

    try:
        body, _, _ = sse_response(None, slow)
        first = await body.__anext__()
        assert first == b': keep-alive\n\n'
        await body.aclose()
    finally:
        SSE.keep_alive = None


async def test_closing_a_started_stream_stops_its_producer():
    ran = []

    async def producer(request, sse):
        while True:
            ran.append(1)
            await sse.send('tick')
            await asyncio.sleep(0.01)

    stream, _, _ = sse_response(None, producer)
    first = await stream.__anext__()
    assert first == b'data: tick\n\n'
    await stream.aclose()
    n = len(ran)
    await asyncio.sleep(0.05)
    assert len(ran) == n


class _Gone:
    """A connection whose client has gone: every write fails (connection reset)."""

    async def awrite(self, data):
        raise OSError(104)


def _ticking_app(ran):
    app = Microdot()

    @app.route('/tick')
    @with_sse
    async def tick(request, sse):
        while True:
            ran.append(1)
            await sse.send('tick')
            await asyncio.sleep(0.01)

    return app


async def _request(app, path):
    from microdot import Request
    from microdot import AsyncBytesIO
    return await Request.create(app, AsyncBytesIO(b'GET ' + path + b' HTTP/1.1\r\n\r\n'),
                                None, None)


async def test_no_producer_left_when_the_client_is_gone_before_the_head():
    ran = []
    app = _ticking_app(ran)
    res = await app.dispatch_request(await _request(app, b'/tick'))
    assert res.status_code == 200
    try:
        await res.write(_Gone(), '1.1', True)
    except OSError:
        pass
    await asyncio.sleep(0.05)
    assert ran == []  # the handler never ran: no task holds the stream or its memory


async def test_no_producer_left_when_the_response_is_replaced_by_a_memory_error():
    ran = []
    app = _ticking_app(ran)

    @app.after_request
    async def short_of_heap(request, response):
        raise MemoryError  # the heap runs out after the handler returned its stream

    res = await app.dispatch_request(await _request(app, b'/tick'))
    assert res.status_code == 503
    await asyncio.sleep(0.05)
    assert ran == []


async def test_on_micropython_the_producer_is_made_before_the_head():
    # Once the head is out, starting the stream must need only its small task: on a heap in
    # pieces the handler's coroutine (and the one that runs it), made then, met MemoryErrors
    # that cut the response off after its head. On MicroPython they are made with the
    # response; CPython (which would warn about a coroutine never awaited) makes them at start.
    import sys
    ran = []

    async def producer(request, sse):
        ran.append(1)
        await sse.send('x')

    stream, _, _ = sse_response(None, producer)
    made = not isinstance(stream.producer, tuple)
    assert made == (sys.implementation.name == 'micropython')
    assert ran == []  # made, not started
    assert await stream.__anext__() == b'data: x\n\n'
    await stream.aclose()
    stream, _, _ = sse_response(None, producer)
    await stream.aclose()  # never started: nothing ran, nothing is left
    await asyncio.sleep(0.01)
    assert ran == [1]
