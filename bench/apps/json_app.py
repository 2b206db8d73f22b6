"""The benchmark app: two JSON routes. The same source runs on our framework and on Microdot
2.7.0 (the API is the same); which one is imported depends on the path the runner sets.
`/_alloc/start` and `/_alloc/stop` (MicroPython) measure the bytes allocated in between."""
import gc

from microdot import Microdot

app = Microdot()
_alloc = [0]


@app.get('/')
async def index(request):
    return {'hello': 'world'}


@app.get('/user/<int:uid>')
async def user(request, uid):
    return {'id': uid, 'name': 'user'}


@app.get('/_alloc/start')
async def alloc_start(request):
    if hasattr(gc, 'mem_alloc'):
        gc.collect()
        gc.disable()
        _alloc[0] = gc.mem_alloc()
    return 'ok'


@app.get('/_alloc/stop')
async def alloc_stop(request):
    used = gc.mem_alloc() - _alloc[0] if hasattr(gc, 'mem_alloc') else 0
    gc.enable()
    return str(used)


def serve(port):
    app.run(host='127.0.0.1', port=port)
