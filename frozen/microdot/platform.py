"""Where MicroPython and CPython differ, in one place: every other module of the framework is
the same code on both and imports what differs from here.

- `MICROPYTHON`: True on MicroPython.
- `ticks_ms`, `ticks_add`, `ticks_diff`: MicroPython's wrapping millisecond clock (on CPython a
  monotonic one with the same functions).
- `iscoroutine(obj)` and `print_exception(exc)`.
- `sleep_ms(ms)`: asyncio's sleep in milliseconds (MicroPython's own `asyncio.sleep_ms`, which
  allocates nothing; `asyncio.sleep(seconds)` makes a float there, a heap object on most
  ports, which a short heap may refuse).
- `invoke_handler(handler, *args, **kwargs)`: how a handler of any kind is called; plain
  functions run in asyncio's default executor (a worker thread) on CPython, inline on
  MicroPython.
- `invoke_route(handler, req, args)`: ``invoke_handler(handler, req, **args)``, for a route's
  handler (on MicroPython without the tuple and dict of a call through ``*args, **kwargs``).
- `readable(sock)` (MicroPython only): waits until a listening socket can accept. It uses one
  internal of MicroPython's asyncio, ``asyncio.core._io_queue``, so that the server can decide
  about a connection before a task or stream exists for it; the framework tests check it on
  the MicroPython they run on (see docs/install.md for the versions that are tested).
- `waits_for_peer(stream)`: whether the task reading a connection waits for its client (the
  client is slow), rather than having what the client sent still to read (the server is
  slow): the connection cap closes only the former. MicroPython: the read is in asyncio's IO
  queue (``asyncio.core._io_queue``'s map and poller: the same internal as `readable`, checked
  the same way) and the socket has nothing to read; CPython: the socket has nothing to read.
- `unsent(stream)`: whether an asyncio stream kept part of what `write()` gave it (so that
  `drain()` has something to wait for). MicroPython's Stream keeps it in ``out_buf``, the
  other internal used here: its `drain()` passes through the scheduler even when the socket
  took everything, which the server avoids for the one write of a small response. On
  CPython the size of the transport's write buffer.

The CPython side of these is `microdot.platform_cpython`; what only CPython's server needs (its
listener, a writer with MicroPython's stream methods) is in `microdot.server_cpython`. A board
never imports either, so their code costs a board that loads the framework as ``.mpy`` no heap.
"""
from sys import implementation

MICROPYTHON = implementation.name == 'micropython'
del implementation  # every global is heap on a board

if MICROPYTHON:
    from asyncio import sleep_ms  # noqa: F401
    from sys import print_exception  # noqa: F401
    from time import ticks_ms, ticks_add, ticks_diff  # noqa: F401

    def iscoroutine(obj, _type=type((lambda: (yield))())):
        """True if `obj` is a coroutine (to be awaited)."""
        return isinstance(obj, _type)

    def invoke_handler(handler, *args, **kwargs):
        """Call a handler of any kind; await what this returns for its result. A coroutine
        function's coroutine is handed back as it is (no coroutine around it: one object and
        one resumption less per request); plain functions run inline, at once (keep them
        short: they hold up every connection)."""
        result = handler(*args, **kwargs)
        return result if iscoroutine(result) else _result(result)

    async def _result(result):
        return result

    def readable(sock):
        """A coroutine the scheduler resumes when `sock` can be read (or accepted)."""
        import asyncio
        yield asyncio.core._io_queue.queue_read(sock)

    def waits_for_peer(stream):
        """True if a task is reading `stream` (MicroPython's asyncio Stream) and nothing has
        arrived for it: its read waits in asyncio's IO queue and the socket is not readable.
        False while what the peer sent waits to be read, and when no read waits. Allocates
        nothing (the poller's ``ipoll`` reuses its tuple)."""
        import asyncio
        io = asyncio.core._io_queue
        sock = stream.s
        entry = io.map.get(id(sock))  # (the IO queue's own key)
        if entry and entry[0]:
            for ready, _ in io.poller.ipoll(0):
                if ready is sock:
                    return False
            return True
        return False

    def unsent(stream):
        """What `stream` (MicroPython's asyncio Stream) kept of its writes: b'' if the socket
        took everything (another kind of writer: True)."""
        return getattr(stream, 'out_buf', True)
else:  # CPython: a module of its own, whose code a board never loads
    from .platform_cpython import (iscoroutine, invoke_handler, print_exception,  # noqa: F401
                                   readable, sleep_ms, ticks_add, ticks_diff, ticks_ms,
                                   unsent, waits_for_peer)


def invoke_route(handler, req, args):
    """``invoke_handler(handler, req, **args)``; on MicroPython without the tuple and dict that
    a call through ``*args, **kwargs`` costs (a route's handler: once per request). (One
    function for both: each function is a little heap at import, even frozen.)"""
    if MICROPYTHON:
        result = handler(req, **args)
        return result if iscoroutine(result) else _result(result)
    return invoke_handler(handler, req, **args)
