"""Server-Sent Events: ``@with_sse`` routes get an `SSE` object and stream events to the client.

The handler runs as its own task; each ``await sse.send(...)`` queues one event that the response
writes out. When the client disconnects the handler task is cancelled; when the handler returns
the stream ends.
"""
import asyncio
import json

from .helpers import wraps


class SSE:
    """The event stream of one client. Use `send`; the class attribute `keep_alive` (seconds,
    None = off) makes the stream emit a comment line whenever it was idle that long, which also
    detects a client that has gone."""

    keep_alive = None

    def __init__(self):
        self.events = []
        self.event = asyncio.Event()

    async def send(self, data, event=None, event_id=None, retry=None, comment=False):
        """Queue one event. `data` may be a dict or list (sent as JSON), str, bytes or anything
        `str()` accepts; `retry` is in seconds; `comment=True` sends ``: data`` only."""
        if isinstance(data, (dict, list)):
            data = json.dumps(data).encode()
        elif isinstance(data, str):
            data = data.encode()
        elif not isinstance(data, (bytes, bytearray)):
            data = str(data).encode()
        if comment:
            out = b': ' + data + b'\n\n'
        else:
            out = b''
            if retry is not None:
                out += b'retry: ' + str(int(retry * 1000)).encode() + b'\n'
            if event:
                out += b'event: ' + event.encode() + b'\n'
            if event_id is not None:
                out += b'id: ' + str(event_id).encode() + b'\n'
            out += b'data: ' + data + b'\n\n'
        self.events.append(out)
        self.event.set()


class _EventStream:
    """The async iterator the response writes: queued events until the handler ends."""

    def __init__(self, sse, task):
        self.sse = sse
        self.task = task

    def __aiter__(self):
        return self

    async def __anext__(self):
        sse = self.sse
        while True:
            if sse.events:
                return sse.events.pop(0)
            if self.task is None:
                raise StopAsyncIteration
            if self.task.done():
                task, self.task = self.task, None
                try:
                    await task  # done: returns at once, or raises the handler's exception
                except asyncio.CancelledError:
                    pass
                continue
            sse.event.clear()
            if sse.keep_alive:
                try:
                    await asyncio.wait_for(sse.event.wait(), sse.keep_alive)
                except asyncio.TimeoutError:
                    return b': keep-alive\n\n'
            else:
                await sse.event.wait()

    async def aclose(self):
        task, self.task = self.task, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except BaseException:
                pass


def sse_response(request, event_function, *args, **kwargs):
    """Start ``event_function(request, sse, *args, **kwargs)`` as a task and return the streaming
    response ``(iterator, 200, headers)``."""
    sse = SSE()

    async def run():
        try:
            await event_function(request, sse, *args, **kwargs)
        finally:
            sse.event.set()

    task = asyncio.create_task(run())
    return _EventStream(sse, task), 200, {'Content-Type': 'text/event-stream',
                                          'Cache-Control': 'no-cache'}


def with_sse(f):
    """Decorator: the route streams events; the handler is ``async f(request, sse, **args)``."""
    @wraps(f)
    async def sse_handler(request, *args, **kwargs):
        return sse_response(request, f, *args, **kwargs)
    return sse_handler
