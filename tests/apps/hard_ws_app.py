"""A WebSocket echo route behind the hardened server, for the hostile-frame tests."""
from microdot import Microdot
from microdot.websocket import with_websocket

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


def configure(args):
    for arg in args:
        key, value = arg.split('=')
        setattr(Microdot, key, int(value))
