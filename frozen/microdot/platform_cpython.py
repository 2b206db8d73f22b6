"""What `microdot.platform` offers, on CPython (see there): never loaded on a board, so
its code costs a board running the framework as ``.mpy`` no heap."""
import asyncio
from time import monotonic


def ticks_ms():
    return int(monotonic() * 1000)


def ticks_add(t, delta):
    return t + delta


def ticks_diff(a, b):
    return a - b


def sleep_ms(ms):
    """asyncio's sleep, in milliseconds (MicroPython's `asyncio.sleep_ms`)."""
    return asyncio.sleep(ms / 1000)


iscoroutine = asyncio.iscoroutine
readable = None  # the CPython server listens through asyncio.start_server


def unsent(stream):
    """How many bytes `stream` (an asyncio StreamWriter) holds of its writes (0 if the
    socket took everything); another kind of writer: True."""
    transport = getattr(stream, 'transport', None)
    return True if transport is None else transport.get_write_buffer_size()


def waits_for_peer(stream):
    """True if the socket under `stream` (an asyncio StreamWriter) has nothing to read (what
    asyncio's reader has taken in already is not seen here); another kind of writer: True."""
    sock = getattr(stream, 'get_extra_info', None)
    sock = sock('socket') if sock is not None else None
    if sock is None:
        return True
    import select
    return not select.select([sock], [], [], 0)[0]


def print_exception(exc):
    import traceback
    traceback.print_exception(exc)


def invoke_handler(handler, *args, **kwargs):
    """Call a handler of any kind; await what this returns for its result. A coroutine
    function's coroutine is handed back as it is; plain functions run in a worker thread
    (so they may block)."""
    code = getattr(handler, '__code__', None)
    if code is not None and code.co_flags & 0x80 or asyncio.iscoroutinefunction(handler):
        return handler(*args, **kwargs)  # (0x80: CO_COROUTINE, as inspect looks it up)
    return _in_thread(handler, args, kwargs)


async def _in_thread(handler, args, kwargs):
    loop = asyncio.get_running_loop()
    result = await loop.run_in_executor(None, lambda: handler(*args, **kwargs))
    if asyncio.iscoroutine(result):
        result = await result
    return result
