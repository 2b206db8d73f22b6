# start_server / shutdown API differences between CPython and MicroPython.
import gc
import sys

from check import fill_heap, heap_in_pieces, heap_locked_for, raises, read_to_close, release
from microdot import Microdot

MICROPYTHON = sys.implementation.name == 'micropython'


async def test_start_serving_false_returns_the_server_on_cpython_only():
    app = Microdot()
    if MICROPYTHON:
        with raises(ValueError):
            await app.start_server('127.0.0.1', 0, start_serving=False)
    else:
        server = await app.start_server('127.0.0.1', 0, start_serving=False)
        assert server is app.server and not server.is_serving()
        server.close()
        await server.wait_closed()


async def test_shutdown_ends_start_server():
    import asyncio
    app = Microdot()

    async def stop_soon():
        while app.server is None:
            await asyncio.sleep(0.01)
        app.shutdown()

    task = asyncio.create_task(stop_soon())
    await asyncio.wait_for(app.start_server('127.0.0.1', 0), 5)
    await task


def test_the_ready_made_503_says_what_the_table_says():
    # The busy answer is one constant (flash on a board, no heap): its text must agree with the
    # one table of status texts (response.status_text) that every other 503 comes from; it is a
    # page that loads itself again (a browser retries; scripts go by status and Retry-After).
    from microdot.response import BUSY_PAGE, status_text
    from microdot.server import _BUSY
    head, _, rest = _BUSY.partition(b'\r\n\r\n')
    body = BUSY_PAGE
    assert rest == b'' and head.startswith(b'HTTP/1.0 503 ') and status_text(503).encode() in body
    assert b'<meta http-equiv="refresh" content="2">' in body and b'\r\nRetry-After: 1' in head
    assert b'\r\nContent-Length: %d\r\n' % len(body) in head + b'\r\n'


def test_the_busy_page_has_the_devices_look_inline_in_a_few_hundred_bytes():
    # The palette of frozen/device/style.css, light and dark, in a short inline style (no second
    # request on a busy board); the constant stays small (it is heap where bytecode is in RAM).
    from microdot.response import BUSY_PAGE
    style = BUSY_PAGE[BUSY_PAGE.index(b'<style>'):BUSY_PAGE.index(b'</style>')]
    for colour in (b'#1d2430', b'#f2f4f7', b'#0a66c2', b'#e6e9ee', b'#14181e', b'#5aa9ff'):
        assert colour in style
    assert b'prefers-color-scheme:dark' in style and b'name="viewport"' in BUSY_PAGE
    assert len(BUSY_PAGE) < 600


def test_status_text_has_the_framework_s_texts_and_n_a_for_the_rest():
    from microdot.response import status_text
    assert status_text(404) == 'Not found' and status_text(413) == 'Payload too large'
    assert status_text(500) == 'Internal server error' and status_text(418) == 'N/A'


def _watched(server, big):
    # A connection that holds `big` bytes, added last (the one a watchdog round looks at last).
    # Made here, not in the test's coroutine, whose frame would keep a reference to it.
    from microdot.server import Connection
    conn = Connection(server, None, None)
    conn.held = bytearray(big)
    server.add(conn)


async def test_the_watchdog_keeps_no_ended_connection_between_rounds():
    # A watchdog round must not keep the last connection it looked at while it sleeps: an
    # ended connection holds its task, whose finished coroutine holds the request and its body
    # (a 16 KiB body held so got the next chunked body 503 on a 64wK heap).
    import asyncio
    import gc
    from microdot.server import Connection, _server_of
    big = 20000
    server = _server_of(Microdot())
    server.add(Connection(server, None, None))  # keeps the watchdog running
    _watched(server, big)
    if MICROPYTHON:
        await asyncio.sleep(0.15)  # a round has looked at both
        gc.collect()
        before = gc.mem_free()
        server.conns.pop()  # the connection ends
        gc.collect()
        assert gc.mem_free() - before >= big, gc.mem_free() - before
    else:
        import weakref
        ref = weakref.ref(server.conns[-1])
        await asyncio.sleep(0.15)
        server.conns.pop()
        gc.collect()
        assert ref() is None
    server.conns.clear()
    await asyncio.sleep(0.15)  # the watchdog ends
    assert server.watchdog is None


async def test_the_watchdog_outlives_a_full_heap():
    # A watchdog round that finds no heap is tried again at the next one, and so is its sleep:
    # `asyncio.sleep(0.1)` made a float there (a heap object on the unix port, the ESP32 and the
    # Pico W), so the watchdog task ended on a full heap, and no deadline was enforced until a
    # new connection came.
    import asyncio
    from microdot.server import Connection, _server_of
    server = _server_of(Microdot())
    conn = Connection(server, None, None)
    server.add(conn)
    conn.arm(0.05)  # due while the heap is full
    await heap_locked_for(350)  # three rounds or more
    for _ in range(40):  # the next round expires it (a busy machine: give it 2 s)
        if conn not in server.conns:
            break
        await asyncio.sleep(0.05)
    assert conn not in server.conns and conn.expired and server.expired == 1
    await asyncio.sleep(0.15)  # the watchdog ends with no connection left
    assert server.watchdog is None


async def _connection_waiting_for_its_head(server):
    """(client socket, a Connection of `server` whose task is reading its request head, what
    to close afterwards), as the server holds one at the cap: accepted a second ago."""
    import asyncio
    import socket
    from microdot.server import Connection
    from microdot.platform import ticks_add, ticks_ms
    if MICROPYTHON:
        listener, client, sock = _accepted(None)
        sock.setblocking(False)
        stream = asyncio.StreamWriter(sock, {})
        task = asyncio.create_task(stream.read(100))
        closing = [listener, sock]
    else:
        accepted = []

        async def serve(reader, writer):
            accepted.append(writer)
            await reader.read(100)

        listener = await asyncio.start_server(serve, '127.0.0.1', 0)
        client = socket.create_connection(listener.sockets[0].getsockname()[:2])
        while not accepted:
            await asyncio.sleep(0.01)
        stream, task, closing = accepted[0], None, [listener]
    await asyncio.sleep(0.05)  # the read waits for the client
    conn = Connection(server, stream, task)
    conn.waiting = ticks_add(ticks_ms(), -1000)  # past evict_after (0.5 s)
    server.conns.append(conn)
    return client, conn, closing + [client]


async def test_at_the_cap_a_connection_goes_only_while_it_waits_for_its_client():
    # A connection that has waited evict_after for its request head is closed to make room for
    # a new one, as a slow or silent client. One whose client has sent its request, but which
    # the server has not read yet (the board busy elsewhere; a long chunked body read slowly
    # on a starved machine), was closed too, and a request that came whole got no answer
    # (test_memory_recovery's soak with a busy core: 2 to 7 chunked POSTs of 490 lost).
    import time
    from microdot.server import _server_of
    server = _server_of(Microdot())
    slow, conn, closing = await _connection_waiting_for_its_head(server)
    assert server.shed() and conn.expired and conn not in server.conns  # a silent client
    ahead, conn, more = await _connection_waiting_for_its_head(server)
    ahead.send(b'GET / HTTP/1.1\r\n')
    time.sleep(0.05)  # it has arrived; the server has not run since
    assert not server.shed() and not conn.expired and conn in server.conns
    for c in server.conns:
        if c.task is not None:
            c.task.cancel()
    for s in closing + more:
        s.close()


def _accepted(request=b'GET / HTTP/1.1\r\nHost: x\r\n\r\n'):
    """(listener, client, the server's socket of the connection) once the client has sent
    `request` (None: nothing): a connection as the accept loop finds it, for the code that
    answers it."""
    import socket
    import time
    from check import listen
    listener, port = listen()
    client = socket.socket()
    client.connect(socket.getaddrinfo('127.0.0.1', port)[0][-1])
    if request:
        client.send(request)
    time.sleep(0.05)
    return listener, client, listener.accept()[0]


def test_a_refusal_on_a_full_heap_still_sends_the_503():
    # At the cap or short of heap, the server answers a new connection with the ready-made 503
    # without a task (`_refuse_now`). It read the client's request first, into a 1 KB buffer, and
    # sent nothing when that read met a MemoryError: on the UI as .mpy at 70wK, 102 of a soak's
    # connections were closed without a word. A full heap must still get the answer out.
    from microdot.response import BUSY_PAGE
    from microdot.server import _BUSY, _refuse_now
    listener, client, conn = _accepted()
    hog = fill_heap() if MICROPYTHON else None  # not even 16 bytes left
    _refuse_now(conn)
    release(hog)
    answer = read_to_close(client)
    listener.close()
    assert answer == _BUSY + BUSY_PAGE


async def test_a_memoryerror_with_no_heap_for_the_503s_coroutine_still_sends_the_503():
    # A MemoryError before anything of a response was written is answered with the ready-made
    # 503 by a small coroutine (`_busy`). With no heap even for that coroutine the connection
    # was closed without a word: the UI as .mpy at 62wK under a soak of 240 requests left
    # 13-28 of them with no answer at all. The 503 now goes out on the socket at once.
    from microdot import server
    from microdot.response import BUSY_PAGE
    listener, client, sock = _accepted()

    class Stream:  # the writer: MicroPython's asyncio Stream, whose socket is `s`
        s = sock

        def get_extra_info(self, name):
            return None

        def close(self):
            sock.close()

        async def wait_closed(self):
            pass

    class NoHeap:  # the request cannot be read: no heap for it
        async def read(self, n):
            raise MemoryError

    def no_coroutine(*args):  # nor for the coroutine that answers 503
        raise MemoryError

    app = Microdot()
    srv = server.Server(app)
    conn = server.Connection(srv, Stream(), None)
    srv.conns.append(conn)
    made = server._busy
    server._busy = no_coroutine
    try:
        await server._run(app, conn, NoHeap())
    finally:
        server._busy = made
    answer = read_to_close(client)
    listener.close()
    assert answer == server._BUSY + BUSY_PAGE and srv.oom == 1 and not srv.conns


async def test_a_later_write_the_socket_takes_whole_needs_no_heap_on_micropython():
    # Once a response's head is out, its body's writes must not need heap the socket does not:
    # each made a coroutine (to drain), and on a full heap (a second page loading on an ESP8266)
    # that MemoryError cut the page off after its head (net::ERR_CONTENT_LENGTH_MISMATCH).
    from microdot.server import Connection

    class Taken:  # a socket stream that takes every write whole
        out_buf = b''
        written = 0

        def write(self, data):
            self.written += len(data)

        async def drain(self):
            pass

    class Server:
        write_ms = 0

    conn = Connection(Server(), Taken(), None)
    await conn.awrite(b'head')
    body = b'body'
    hog = fill_heap() if MICROPYTHON else None  # not even 16 bytes left
    try:
        await conn.awrite(body)
    finally:
        release(hog)
    assert conn.stream.written == 8


class _Into:
    """A writer that copies what it is given into one buffer made beforehand."""

    def __init__(self):
        self.buf = bytearray(2048)
        self.n = 0

    async def awrite(self, data):
        n = len(data)
        self.buf[self.n:self.n + n] = data
        self.n += n


async def test_a_long_head_is_written_whole_on_a_heap_in_pieces():
    # On a heap in pieces (free blocks of about 150 bytes, as an ESP8266 serving a live page
    # has) a response whose head needs one larger block is still written whole, line by line;
    # the head was one list of every name and value and one joined str, and each met a
    # MemoryError (the second page got 503 for every page and asset).
    from microdot import Response
    headers = {'X-Long-%d' % i: 'v' * 40 for i in range(8)}
    whole = _Into()
    await Response('body', 200, dict(headers)).write(whole, '1.1', True)
    res = Response('body', 200, headers)
    out = _Into()
    keep = heap_in_pieces(150) if MICROPYTHON else None
    try:
        await res.write(out, '1.1', True)
    finally:
        release(keep)
    assert out.buf[:out.n] == whole.buf[:whole.n] and whole.n > 400
