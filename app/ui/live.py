"""``GET /api/events``: the live stream (Server-Sent Events) each open page listens to.

Events: ``live`` (uptime, heap, signal, temperature) every `PERIOD_MS`; ``pins`` (all outputs)
on connect and whenever one changes (inputs are read every `POLL_MS`); ``log`` (new log lines) likewise. A change made from one
browser therefore shows in every other within `POLL_MS`. The stream ends when the login it was
opened with does (log out, a new password, an expired session: ``ui.auth.still_owner``).

The stream is written by the request's own task, straight to its connection, as a response that
ends with the connection (no chunked framing): no producer task, no event queue, and not
``microdot.sse``, whose task, queue and iterators cost each open page about 2 KB more, and its
module 2 KB more, than a small board has beside a second page (docs/web-ui.md). Each event is
made whole before a byte of it is written; a MemoryError while making one skips it for this
round, and one while writing it (only possible when the socket did not take it all) ends the
stream, which the page opens again.

A stream counts against the app's `max_streams` (``Connection.claim_stream``): past it the answer
is 503 and the page asks for the values instead (``static/app.js``). The modules a stream uses
(this one, ``ui.pinstate``, ``ui.sample``) stay loaded while a stream runs (``ui.state['streams']``
counts them) and are dropped when the last one ends (``ui.release``), so after a page has closed
its heap comes back. While ``ui.state['hold']`` is set (an upload on a small board:
``ui.files``) the streams end at their next round and a new one gets 503, so their heap is the
upload's; the page asks for the values meanwhile and opens its stream again after.
"""
import asyncio
import gc
import time

PERIOD_MS = 2000
POLL_MS = 250
# The response's head, one constant: nothing to allocate for it. No length and no chunks: the
# body is the events until the connection closes.
HEAD = (b'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n'
        b'Connection: close\r\n\r\n')


def event(name, value):
    """The bytes of event `name` (``pins``, ``log``, ``live``) carrying `value` as JSON."""
    import json
    return ('event: %s\ndata: %s\n\n' % (name, json.dumps(value))).encode()


async def stream(request, write):
    """Send the events through ``await write(bytes)`` until the login ends (or the task is
    cancelled: the client hung up)."""
    from ui import auth, log, pinstate as pins, sample, state
    pins_seen = log_seen = -1
    due = time.ticks_ms()
    while True:
        if state.get('hold'):  # a request needs this heap (ui.files: an upload)
            return
        data = None
        try:  # an event is marked seen only once it is made; written whole below
            pins.poll()
            if pins.version() != pins_seen:
                seen = pins.version()
                data = event('pins', pins.states())
                pins_seen = seen
            elif log.seq != log_seen:
                seen = log.seq
                data = event('log', log.since(log_seen))
                log_seen = seen
            elif time.ticks_diff(time.ticks_ms(), due) >= 0:
                if not auth.still_owner(request):
                    return
                data = event('live', sample.values())
                due = time.ticks_add(time.ticks_ms(), PERIOD_MS)
        except MemoryError:  # no heap this round (a page loading beside this one): the
            gc.collect()  # stream goes on, the next round sends what is due
        if data is not None:
            await write(data)  # (a MemoryError here ends the stream: see the module)
            data = None
            continue  # more may be due at once (on connect: pins, log and live)
        await asyncio.sleep_ms(POLL_MS)


async def api(request, path, name):
    # What the stream runs on is loaded before its head is sent: on a heap in pieces an import
    # that fails now gets a clean 503 (the page tries again). If the stream cannot start (no
    # heap for these imports, or 503 at the stream cap) what streams use is dropped here.
    from ui import release, state
    if state.get('hold'):  # a request needs the heap streams take (ui.files: an upload)
        release()
        return {'error': 'busy with an upload: this page asks every few seconds'}, 503
    try:
        from ui import auth, log, pinstate, sample  # noqa: F401
        from microdot import Response
        conn = request.sock[1]
        claim = getattr(conn, 'claim_stream', None)
        if claim is not None and not claim(True):
            release()
            return {'error': 'too many live pages: this one asks every few seconds'}, 503
    except BaseException:
        release()
        raise
    state['streams'] = state.get('streams', 0) + 1
    try:
        await conn.awrite(HEAD)
        if request.method != 'HEAD':
            await stream(request, conn.awrite)
    except OSError:  # the client went away
        pass
    finally:
        state['streams'] -= 1
        release()  # the last stream gone: what streams use is dropped
    return Response.already_handled
