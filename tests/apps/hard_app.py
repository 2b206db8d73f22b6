"""The app the hardening tests (hostile input, fuzzing, soak, slowloris) run against: the routes
that turn client input into something (JSON, forms, headers, files, streamed bodies) plus one
that runs the heap out of memory. ``configure`` takes ``name=value`` arguments for the knobs."""
import gc

from microdot import Microdot, Request, Response

app = Microdot()


@app.route('/')
async def index(request):
    return 'hello'


@app.get('/json')
async def json_route(request):
    return {'hello': 'world', 'n': len(request.args)}


@app.post('/json')
async def json_body(request):
    data = request.json
    return {'type': type(data).__name__}


@app.post('/form')
async def form(request):
    return {'keys': sorted(request.form.keys()) if request.form else []}


@app.get('/args')
async def args(request):
    return {'a': request.args.get('a')}


@app.get('/header')
async def header(request):
    # the query value becomes a response header: CR/LF in it must not split the head
    return 'ok', {'X-Echo': request.args.get('v', '')}


@app.get('/redirect')
async def go(request):
    return Response.redirect(request.args.get('to', '/'))


@app.get('/cookie')
async def cookie(request):
    res = Response('ok')
    res.set_cookie('c', request.args.get('v', ''))
    return res


@app.post('/stream')
async def stream(request):
    total = 0
    while True:
        chunk = await request.stream.read(512)
        if not chunk:
            break
        total += len(chunk)
    return {'received': total}


@app.post('/size')
async def size(request):
    return {'received': len(request.body)}


kept = []


@app.post('/keep')
async def keep(request):
    # a reference to the request that outlives it (as a finished task's coroutine may hold one)
    kept[:] = [request]
    return {'received': len(request.body)}


@app.get('/kept')
async def kept_body(request):
    return {'body': len(kept[0].body)}


@app.get('/user/<int:uid>')
async def user(request, uid):
    return {'uid': uid}


@app.get('/hog')
async def hog(request):
    keep = []
    while True:  # until MemoryError: the server must answer 503 and keep serving
        keep.append(bytearray(4096))


@app.get('/hogstream')
async def hog_stream(request):
    # a response whose body runs out of memory after its head and first chunks were sent
    def body():
        for i in range(3):
            yield b'chunk %d\n' % i
        keep = []
        while True:
            keep.append(bytearray(4096))
        yield b'never'
    return body()


@app.get('/mem')
async def mem(request):
    gc.collect()
    return {'free': gc.mem_free() if hasattr(gc, 'mem_free') else 0,
            'alloc': gc.mem_alloc() if hasattr(gc, 'mem_alloc') else 0}


@app.get('/stats')
async def stats(request):
    s = getattr(app, '_server', None)
    return {'conns': len(s.conns) if s else 0, 'refused': s.refused if s else 0,
            'evicted': s.evicted if s else 0, 'expired': s.expired if s else 0,
            'oom': s.oom if s else 0, 'limit': s.limit if s else 0}


def _no_heap(request):
    raise MemoryError


def configure(args):
    for arg in args:
        key, value = arg.split('=')
        if key == 'oom400':  # the app's 400 handler finds no heap (test_server_basics)
            app.errorhandler(400)(_no_heap)
        elif key == 'static':
            from microdot.static import static
            static(app, '/static', value)
        elif key in ('max_content_length', 'max_body_length', 'max_readline', 'max_headers'):
            setattr(Request, key, int(value))
        elif key in ('max_connections', 'listen_backlog'):
            setattr(Microdot, key, int(value))
        else:
            setattr(Microdot, key, float(value))
