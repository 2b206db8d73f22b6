"""Server-Sent Events counter: http://127.0.0.1:5000/ shows a number the server counts up once a
second; /events is the stream (``curl -N http://127.0.0.1:5000/events``).

Runs unchanged on a board and on the host:
    make example NAME=sse_counter PORT=5000      (MicroPython unix port)
    MICROPYPATH=frozen .venv/bin/micropython examples/sse_counter/main.py [port] [interval]
"""
import asyncio
import sys

from microdot import Microdot
from microdot.sse import with_sse

app = Microdot()
interval = 1.0

PAGE = '''<!doctype html>
<html><head><meta charset="utf-8"><title>SSE counter</title></head>
<body>
<h1>Count: <span id="n">-</span></h1>
<script>
const events = new EventSource('/events');
events.addEventListener('count', (e) => {
  document.getElementById('n').textContent = JSON.parse(e.data).count;
});
</script>
</body></html>
'''


@app.route('/')
async def index(request):
    return PAGE, {'Content-Type': 'text/html; charset=UTF-8'}


@app.route('/events')
@with_sse
async def events(request, sse):
    start = int(request.args.get('from', 0))
    count = start
    while True:  # ends when the client goes away (the task is cancelled)
        await sse.send({'count': count}, event='count', event_id=count)
        count += 1
        await asyncio.sleep(interval)


if __name__ == '__main__':
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    if len(sys.argv) > 2:
        interval = float(sys.argv[2])
    print('SSE counter on http://127.0.0.1:%d/' % port)
    app.run(host='127.0.0.1', port=port)
