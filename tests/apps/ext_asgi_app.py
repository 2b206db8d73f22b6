"""One app for the ASGI and WSGI adapters (CPython): ``ext_asgi_app:app`` under uvicorn,
``ext_asgi_app:wsgi_app`` under a WSGI server."""
import asyncio

from microdot import Request
from microdot.asgi import Microdot as AsgiMicrodot, with_websocket
from microdot.cors import CORS
from microdot.session import Session, with_session
from microdot.sse import with_sse
from microdot.wsgi import Microdot as WsgiMicrodot

Request.max_content_length = 1024 * 1024
events = []  # what the app saw happen, for /events


async def startup(scope):
    print('lifespan startup', scope['type'], flush=True)


async def shutdown(scope):
    print('lifespan shutdown', flush=True)


def add_routes(app):
    Session(app, secret_key='adapter-secret-0123456789abcdef0123')
    CORS(app, allowed_origins='*')

    @app.route('/')
    async def index(request):
        return 'hello from ' + type(request.app).__module__

    @app.get('/info/<int:n>')
    def info(request, n):  # a sync handler
        return {'n': n, 'args': request.args.get('q'), 'scheme': request.scheme,
                'ua': request.headers.get('User-Agent'), 'method': request.method,
                'cookie': request.cookies.get('c')}

    @app.post('/echo')
    async def echo(request):
        return request.body, {'Content-Type': request.content_type or 'x/y'}

    @app.post('/count')
    async def count(request):
        total = 0
        while True:
            chunk = await request.stream.read(4096)
            if not chunk:
                break
            total += len(chunk)
        return {'received': total, 'body': len(request.body)}

    @app.get('/stream')
    async def stream(request):
        def gen():
            for i in range(5):
                yield 'part%d;' % i
        return gen()

    @app.get('/sse')
    @with_sse
    async def sse(request, sse):
        for i in range(3):
            await sse.send({'i': i})
            await asyncio.sleep(0.01)

    @app.get('/session/<value>')
    @with_session
    async def session(request, session, value):
        old = session.get('v')
        session['v'] = value
        session.save()
        return {'old': old}

    @app.route('/inspect', methods=['GET', 'POST'])
    async def inspect(request):
        form = request.form
        return {'version': request.http_version, 'args': request.args.getlist('q'),
                'body': request.body.decode(), 'length': request.content_length,
                'form': form.getlist('f') if form is not None else None}

    @app.get('/forever')
    async def forever(request):
        async def chunks():
            try:
                while True:
                    yield 'tick;'
                    await asyncio.sleep(0.02)
            finally:
                events.append('forever closed')
        return chunks()

    @app.get('/events')
    async def get_events(request):
        return {'events': events}

    @app.get('/missing-ok')
    async def teapot(request):
        return 'teapot', 418

    @app.get('/shutdown')
    async def stop(request):
        request.app.shutdown()
        return 'stopping'


app = AsgiMicrodot(lifespan_startup=startup, lifespan_shutdown=shutdown)
add_routes(app)


@app.route('/ws')
@with_websocket
async def ws_echo(request, ws):
    while True:
        data = await ws.receive()
        if data == 'bye':
            await ws.close(4002, 'bye')
            return
        await ws.send(data)


wsgi_app = WsgiMicrodot()
add_routes(wsgi_app)
