"""A small app exercising the core over real sockets."""
from microdot import Microdot, Request, Response

app = Microdot()


@app.route('/')
async def index(request):
    return 'hello'


@app.get('/json')
async def json_route(request):
    return {'a': [1, 2, 3], 'args': request.args.get('q')}


@app.post('/echo')
async def echo(request):
    return request.body, {'Content-Type': request.content_type or 'application/octet-stream'}


@app.post('/stream-len')
async def stream_len(request):
    total = 0
    while True:
        chunk = await request.stream.read(1000)
        if not chunk:
            break
        total += len(chunk)
    return {'received': total}


@app.get('/gen')
async def gen(request):
    def chunks():
        for i in range(5):
            yield 'chunk%d;' % i
    return chunks()


@app.get('/sync')
def sync_route(request):
    return 'sync ok'


@app.get('/error')
async def error(request):
    raise RuntimeError('boom')


@app.get('/user/<int:uid>')
async def user(request, uid):
    return {'uid': uid}


@app.get('/shutdown')
async def shutdown(request):
    request.app.shutdown()
    return 'bye'


def configure(args):
    for arg in args:
        key, value = arg.split('=')
        if key == 'max_connections':
            Microdot.max_connections = int(value)
        elif key == 'max_content_length':
            Request.max_content_length = int(value)
        elif key == 'keep_alive_timeout':
            Microdot.keep_alive_timeout = float(value)
        elif key == 'request_timeout':
            Microdot.request_timeout = float(value)
