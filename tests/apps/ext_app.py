"""The extensions over real sockets: WebSocket echo/chat, SSE, sessions, uploads, CORS, auth.
Runs on CPython and on the MicroPython unix port (tests/host/test_ext_*.py)."""
import asyncio
import os

from microdot import Microdot, Request
from microdot.cors import CORS
from microdot.multipart import FileUpload, with_form_data
from microdot.session import Session, with_session
from microdot.sse import with_sse
from microdot.websocket import WebSocket, WebSocketGroup, with_websocket

app = Microdot()
Session(app, secret_key='ext-app-secret-0123456789abcdef-0123')
CORS(app, allowed_origins=['https://ui.example'], allow_credentials=True)
chat = WebSocketGroup()
stats = {'sse_cancelled': 0, 'ws_closed': []}


@app.route('/ws/echo')
@with_websocket
async def echo(request, ws):
    while True:
        data = await ws.receive()
        if isinstance(data, str) and data == 'close-me':
            await ws.close(4001, 'as you wish')
            return
        await ws.send(data)


@app.route('/ws/chat')
@with_websocket
async def chat_room(request, ws):
    chat.add(ws)
    try:
        while True:
            text = await ws.receive()
            n = await chat.broadcast(text)
            await ws.send('delivered %d' % n)
    finally:
        chat.discard(ws)
        stats['ws_closed'].append(ws.close_code)


@app.get('/ws/stats')
async def ws_stats(request):
    return {'members': len(chat), 'closed': stats['ws_closed']}


@app.route('/sse/count/<int:n>')
@with_sse
async def count(request, sse, n):
    for i in range(n):
        await sse.send({'i': i}, event='tick', event_id=i)
        await asyncio.sleep(0.01)


@app.route('/sse/forever')
@with_sse
async def forever(request, sse):
    try:
        i = 0
        while True:
            await sse.send(i)
            i += 1
            await asyncio.sleep(0.02)
    except asyncio.CancelledError:
        stats['sse_cancelled'] += 1
        raise


@app.get('/sse/stats')
async def sse_stats(request):
    return {'cancelled': stats['sse_cancelled']}


@app.get('/session/set/<value>')
@with_session
async def session_set(request, session, value):
    session['value'] = value
    session.save()
    return 'saved'


@app.get('/session/get')
@with_session
async def session_get(request, session):
    return {'value': session.get('value')}


@app.post('/upload')
@with_form_data
async def upload(request):
    f = request.files['file']
    name = '/tmp/uploaded_' + ''.join('%02x' % b for b in os.urandom(6))
    await f.save(name)
    size = os.stat(name)[6]
    import hashlib
    h = hashlib.sha256()
    with open(name, 'rb') as fh:
        while True:
            chunk = fh.read(512)
            if not chunk:
                break
            h.update(chunk)
    os.remove(name)
    import binascii
    import gc
    gc.collect()
    return {'name': f.filename, 'size': size, 'sha256': binascii.hexlify(h.digest()).decode(),
            'title': request.form.get('title')}


@app.get('/cors')
async def cors_route(request):
    return 'cors'


def configure(args):
    Request.max_content_length = 2 * 1024 * 1024
    FileUpload.temp_dir = '/tmp/'
    for arg in args:
        key, value = arg.split('=')
        if key == 'max_message_length':
            WebSocket.max_message_length = int(value)
