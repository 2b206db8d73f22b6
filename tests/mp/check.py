"""Assertion helpers that run on CPython and MicroPython alike (no pytest inside tests that run on
both). Plain `assert` statements are the main tool; these cover the rest."""


class raises:
    """Context manager: `with raises(ValueError): ...` fails unless the block raises that type.
    The caught exception is kept in `.value`."""

    def __init__(self, exc_type, match=None):
        self.exc_type = exc_type
        self.match = match
        self.value = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            raise AssertionError('did not raise ' + self.exc_type.__name__)
        if not issubclass(exc_type, self.exc_type):
            return False
        if self.match is not None and self.match not in str(exc):
            raise AssertionError('%r does not mention %r' % (str(exc), self.match))
        self.value = exc
        return True


def is_micropython():
    import sys
    return sys.implementation.name == 'micropython'


def listen():
    """(socket, port): a non-blocking socket listening on a free port of 127.0.0.1
    (MicroPython's socket has no getsockname, so ports are tried)."""
    import socket
    import time
    base = 20000 + int(time.time() * 1000) % 20000
    for port in range(base, base + 200):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(socket.getaddrinfo('127.0.0.1', port)[0][-1])
        except OSError:
            s.close()
            continue
        s.listen(2)
        s.setblocking(False)
        return s, port
    raise AssertionError('no free port')


async def answer_of(app, data):
    """The whole answer (bytes) of `app`, served by the built-in server on 127.0.0.1, to a
    client that sends `data` on a fresh connection (read until the server closes, 5 s at most)."""
    import asyncio
    s, port = listen()
    s.close()
    task = asyncio.create_task(app.start_server('127.0.0.1', port))
    try:
        for _ in range(500):
            if app.server is not None:
                break
            await asyncio.sleep(0.01)
        reader, writer = await asyncio.open_connection('127.0.0.1', port)
        writer.write(data)
        await writer.drain()
        answer = b''
        while True:
            try:
                part = await asyncio.wait_for(reader.read(1024), 5)
            except OSError:  # a reset after the answer
                break
            if not part:
                break
            answer += part
        writer.close()
        await writer.wait_closed()
        return answer
    finally:
        app.shutdown()
        await asyncio.wait_for(task, 5)


def read_to_close(sock, timeout=5):
    """What a client socket receives until the server closes it (or resets it after its
    answer), waiting at most `timeout` seconds for each part; the socket is closed after."""
    sock.settimeout(timeout)
    answer = b''
    while True:
        try:
            part = sock.recv(1024)
        except OSError:  # a reset after the answer
            break
        if not part:
            break
        answer += part
    sock.close()
    return answer


def fill_heap():
    """Fill MicroPython's heap to its last 16 bytes and return what holds it, a chain of
    links: give it to `release` to free it again. For tests of code that must work with no
    heap at all."""
    hog = None
    for size in (4096, 1024, 256, 64, 16):
        try:
            while True:
                hog = [hog, bytearray(size)]
        except MemoryError:
            pass
    return hog


async def heap_locked_for(ms):
    """Keep MicroPython's heap locked for `ms` milliseconds while the other tasks run (on
    CPython, just wait): for tests of tasks that must go on when no allocation succeeds. The
    heap is unlocked again however the wait ends."""
    import asyncio
    import sys
    if sys.implementation.name != 'micropython':
        await asyncio.sleep(ms / 1000)
        return
    import micropython
    sleeper = asyncio.sleep_ms(ms)  # made first: nothing can be made once the heap is locked
    micropython.heap_lock()
    try:
        await sleeper
    finally:
        micropython.heap_unlock()


def heap_in_pieces(size):
    """Leave MicroPython's free heap in blocks of about `size` bytes and return what holds the
    rest, a chain of links: give it to `release` to free it.

    Every other piece of a filled heap is freed, each with its bytearray and tuple objects
    (`size` + 64 bytes on a 64-bit build). Where freed pieces met in a larger block (a hole the
    heap had before, the end of the filling) that block is filled again, so that no free block
    reaches `size` + 176 bytes, whatever the heap's layout was."""
    import gc
    keep = None
    try:
        while True:  # a link: the one before, a piece kept, then a piece to free
            keep = [keep, bytearray(size), (None, bytearray(size))]
    except MemoryError:
        pass
    link = keep
    while link is not None:  # no piece to free holds another: a stale word keeps one at most
        link[2] = None
        link = link[0]
    link = None
    gc.collect()
    try:  # any block larger than a freed piece (by 64 bytes and more) is filled
        while True:
            keep = [keep, bytearray(size + 128), None]
    except MemoryError:
        pass
    gc.collect()
    return keep


def release(chain):
    """Free the heap that `fill_heap` or `heap_in_pieces` took, link by link, and collect.

    Dropping only the chain's head is not enough: MicroPython's collector is conservative, and
    a stale word left on the C stack by an earlier call (in json.load's frame, say) that points
    at one link keeps every link behind it, the whole heap. Unlinked, such a word keeps one
    piece at most. Allocates nothing, so it works on a heap that has nothing left."""
    import gc
    while chain is not None:
        link = chain
        chain = link[0]
        link[0] = None
    link = None
    gc.collect()
