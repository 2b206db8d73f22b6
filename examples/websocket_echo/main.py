"""WebSocket echo: open http://127.0.0.1:5000/ and type; every message comes back.

Runs unchanged on a board and on the host:
    make example NAME=websocket_echo PORT=5000   (MicroPython unix port)
    MICROPYPATH=frozen .venv/bin/micropython examples/websocket_echo/main.py [port]
    PYTHONPATH=frozen python3 examples/websocket_echo/main.py [port]
"""
import sys

from microdot import Microdot
from microdot.websocket import with_websocket

app = Microdot()

PAGE = '''<!doctype html>
<html><head><meta charset="utf-8"><title>WebSocket echo</title></head>
<body>
<h1>WebSocket echo</h1>
<form id="f"><input id="msg" autofocus autocomplete="off"><button>Send</button></form>
<pre id="log"></pre>
<script>
const log = (t) => document.getElementById('log').textContent += t + '\\n';
const ws = new WebSocket('ws://' + location.host + '/echo');
ws.onopen = () => log('[connected]');
ws.onclose = (e) => log('[closed ' + e.code + ']');
ws.onmessage = (e) => log('< ' + e.data);
document.getElementById('f').onsubmit = (e) => {
  e.preventDefault();
  const m = document.getElementById('msg');
  log('> ' + m.value); ws.send(m.value); m.value = '';
};
</script>
</body></html>
'''


@app.route('/')
async def index(request):
    return PAGE, {'Content-Type': 'text/html; charset=UTF-8'}


@app.route('/echo')
@with_websocket
async def echo(request, ws):
    while True:
        message = await ws.receive()
        await ws.send(message)


if __name__ == '__main__':
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    print('WebSocket echo on http://127.0.0.1:%d/' % port)
    app.run(host='127.0.0.1', port=port)
