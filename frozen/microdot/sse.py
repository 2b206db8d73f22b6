"""Server-Sent Events: ``@with_sse`` routes get an `SSE` object and stream events to the client.

The handler runs as its own task, started once the response head is written (a response never
sent starts none); each ``await sse.send(...)`` queues one event that the response writes
out. When the client disconnects the handler task is cancelled; when the handler returns the
stream ends. Each stream counts against the app's `max_streams` (see `microdot.server`):
past it the request is answered 503.

Memory: an event that cannot be built for lack of heap is dropped (`send` returns False) and
the producer goes on; if the producer itself dies of a MemoryError the stream ends and the
connection closes. Either way no task is left behind holding the connection.
"""
import asyncio
import json

from .helpers import wraps


class SSE:
    """The event stream of one client. Use `send`. Class attributes: `keep_alive` (seconds,
    None = off) makes the stream emit a comment line whenever it was idle that long, which also
    detects a client that has gone; `idle_timeout` (seconds, None = off) ends a stream that has
    sent no event for that long (a browser's EventSource reconnects by itself), so a stream
    nobody feeds cannot hold a connection slot for ever."""

    keep_alive = None
    idle_timeout = None
    error = None  # the exception the producer died of, until the response raises it

    def __init__(self):
        self.events = []
        self.event = asyncio.Event()

    async def send(self, data, event=None, event_id=None, retry=None, comment=False):
        """Queue one event. `data` may be a dict or list (sent as JSON), str, bytes or anything
        `str()` accepts; `retry` is in seconds; `comment=True` sends ``: data`` only. Returns
        True, or False if the event was dropped because the heap had no room for it."""
        try:
            self._queue(data, event, event_id, retry, comment)
            return True
        except MemoryError:
            import gc
            gc.collect()
            return False

    def _queue(self, data, event, event_id, retry, comment):
        if isinstance(data, (dict, list)):
            data = json.dumps(data).encode()
        elif isinstance(data, str):
            data = data.encode()
        elif not isinstance(data, (bytes, bytearray)):
            data = str(data).encode()
        # the event's lines joined once: one block of its size (adding piece after piece
        # would make a copy of the event at each step, blocks a small heap may not have)
        if comment:
            parts = [b': ', data, b'\n\n']
        else:
            parts = []
            if retry is not None:
                parts += (b'retry: ', str(int(retry * 1000)).encode(), b'\n')
            if event:
                parts += (b'event: ', event.encode(), b'\n')
            if event_id is not None:
                parts += (b'id: ', str(event_id).encode(), b'\n')
            parts += (b'data: ', data, b'\n\n')
        out = b''.join(parts)
        parts = data = None
        self.events.append(out)
        self.event.set()


from .platform import MICROPYTHON, ticks_ms as _ticks, ticks_diff as _ticks_diff  # noqa: E402


class _EventStream:
    """The async iterator the response writes: queued events until the handler ends.

    The handler's task starts when the first event is asked for, that is once the response
    head is out: a response that is never sent (the client gone first, a MemoryError, an
    after-request hook replacing it) leaves no task behind, and `aclose` ends a running one.
    On MicroPython the handler's coroutine (and the one that runs it) is made at once, before
    the head: what the stream needs once it has begun is then only the small task, so a heap
    in pieces cannot cut it off right after its head (a 503 before it instead)."""

    def __init__(self, sse, producer):
        self.sse = sse
        self.producer = producer  # (handler, request, args, kwargs), then its coroutine, until
        self.task = None  # the task starts
        self.last = _ticks()  # when the last event went out
        if MICROPYTHON:  # (CPython would warn about a coroutine never awaited)
            self.producer = self._made()

    def _made(self):
        """The coroutine that runs the handler (made before the head on MicroPython, by the
        first `__anext__` on CPython)."""
        f, request, args, kwargs = self.producer
        return self._run(f(request, self.sse, *args, **kwargs))

    async def _run(self, coro):
        sse = self.sse
        try:
            await coro
        except Exception as exc:  # kept for the response to raise: a task's own unretrieved
            sse.error = exc  # exception would be printed by MicroPython's scheduler
        finally:
            sse.event.set()

    def __aiter__(self):
        return self

    async def __anext__(self):
        sse = self.sse
        producer = self.producer
        if producer is not None:
            if isinstance(producer, tuple):
                producer = self._made()
            self.task = asyncio.create_task(producer)
            self.producer = producer = None
            self.last = _ticks()
        while True:
            if sse.events:
                self.last = _ticks()
                return sse.events.pop(0)
            if self.task is None:
                raise StopAsyncIteration
            if self.task.done():
                task, self.task = self.task, None
                try:
                    await task  # done: returns at once
                except asyncio.CancelledError:
                    pass
                error, sse.error = sse.error, None
                if error is not None:
                    raise error  # the handler's exception ends the response
                continue
            sse.event.clear()
            wait = sse.keep_alive
            if sse.idle_timeout:
                left = sse.idle_timeout - _ticks_diff(_ticks(), self.last) / 1000
                if left <= 0:
                    await self.aclose()  # idle for too long: end the stream
                    raise StopAsyncIteration
                wait = min(wait, left) if wait else left
            if wait:
                try:
                    await asyncio.wait_for(sse.event.wait(), wait)
                except asyncio.TimeoutError:
                    if sse.keep_alive and (not sse.idle_timeout or wait == sse.keep_alive):
                        return b': keep-alive\n\n'
            else:
                await sse.event.wait()

    async def aclose(self):
        self.producer = None  # never started: nothing to stop
        task, self.task = self.task, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except BaseException:
                pass


def sse_response(request, event_function, *args, **kwargs):
    """The streaming response ``(iterator, 200, headers)`` that runs ``event_function(request,
    sse, *args, **kwargs)`` as a task once the response is being sent; 503 if the app's
    `max_streams` are all in use."""
    sock = getattr(request, 'sock', None)
    claim = getattr(sock[1], 'claim_stream', None) if sock else None
    if claim is not None and not claim(True):
        from .request import abort
        abort(503, 'Too many streams')
    return _EventStream(SSE(), (event_function, request, args, kwargs)), 200, {'Content-Type': 'text/event-stream',
                                          'Cache-Control': 'no-cache'}


def with_sse(f):
    """Decorator: the route streams events; the handler is ``async f(request, sse, **args)``."""
    @wraps(f)
    async def sse_handler(request, *args, **kwargs):
        return sse_response(request, f, *args, **kwargs)
    return sse_handler
