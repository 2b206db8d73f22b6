"""WebSocket and event-stream routes behind the hardened server, for the hostile-frame and
stream-limit tests. ``configure`` takes ``name=value``: Microdot knobs (integers), and
``ws.<attr>`` / ``sse.<attr>`` for WebSocket / SSE class attributes (numbers)."""
import asyncio

from microdot import Microdot
from microdot.sse import SSE, with_sse
from microdot.websocket import WebSocket, with_websocket

app = Microdot()


@app.route('/')
async def index(request):
    return 'hello'


@app.route('/echo')
@with_websocket
async def echo(request, ws):
    while True:
        data = await ws.receive()
        await ws.send(data)


@app.route('/events')
@with_sse
async def events(request, sse):
    await sse.send('hello')
    while True:  # silent until the client goes or the idle limit ends the stream
        await asyncio.sleep(1)


class Hog:
    """An event payload whose text needs more heap than there is."""

    def __str__(self):
        keep = []
        while True:
            keep.append(bytearray(4096))


@app.route('/big-event')
@with_sse
async def big_event(request, sse):
    # an event the heap cannot hold is dropped; the producer goes on
    ok = await sse.send(Hog())
    await sse.send('after: ' + ('sent' if ok else 'dropped'))


@app.route('/dying-producer')
@with_sse
async def dying_producer(request, sse):
    await sse.send('first')
    str(Hog())  # the producer itself dies of a MemoryError: the stream ends


@app.route('/dying-ws')
@with_websocket
async def dying_ws(request, ws):
    await ws.send(await ws.receive())
    str(Hog())  # the handler dies of a MemoryError: the connection ends, its stream slot too


@app.route('/no-heap')
async def no_heap(request):
    raise MemoryError  # what a handler meets on a heap with no room: the server answers 503


@app.route('/json', methods=['POST'])
async def json_body(request):
    return {'type': type(request.json).__name__}


@app.route('/mem')
async def mem(request):
    import gc
    gc.collect()
    return {'free': gc.mem_free() if hasattr(gc, 'mem_free') else 0}


@app.route('/free')
async def free(request):
    import gc
    gc.collect()
    return str(gc.mem_free())


@app.route('/stats')
async def stats(request):
    s = getattr(app, '_server', None)
    return {'conns': len(s.conns), 'streams': s.streams, 'limit': s.limit,
            'stream_limit': s.stream_limit}


def configure(args):
    for arg in args:
        key, value = arg.split('=')
        if key.startswith('ws.'):
            setattr(WebSocket, key[3:], float(value))
        elif key.startswith('sse.'):
            setattr(SSE, key[4:], float(value))
        else:
            setattr(Microdot, key, int(value))
