"""WebSocket chat: every message a browser sends is broadcast to every open page.

Open http://127.0.0.1:8080/ in two browser windows and type in one of them.
"""
from microdot import Microdot
from microdot.websocket import with_websocket

app = Microdot()
clients = []  # the WebSocket of every open chat page

PAGE = '''<!doctype html><meta name="viewport" content="width=device-width">
<title>Chat</title><h1>Chat</h1>
<form id="form"><input id="text" autocomplete="off" autofocus> <button>Send</button></form>
<ul id="log"></ul>
<script>
const name = 'guest' + Math.floor(Math.random() * 1000);
const ws = new WebSocket('ws://' + location.host + '/chat');
ws.onmessage = (e) => {
  const li = document.createElement('li'); li.textContent = e.data; log.prepend(li);
};
form.onsubmit = (e) => {
  e.preventDefault(); ws.send(name + ': ' + text.value); text.value = '';
};
</script>'''


@app.route('/')
async def index(request):
    return PAGE, {'Content-Type': 'text/html; charset=UTF-8'}


@app.route('/chat')
@with_websocket
async def chat(request, ws):
    clients.append(ws)
    try:
        while True:
            message = await ws.receive()  # ends the loop (WebSocketError) when the page closes
            for client in clients[:]:
                try:
                    await client.send(message)
                except Exception:  # that browser is gone
                    clients.remove(client)
    finally:
        if ws in clients:
            clients.remove(ws)


if __name__ == '__main__':
    app.run(port=5000, debug=True)
