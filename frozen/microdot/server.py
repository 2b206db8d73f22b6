"""The built-in asyncio HTTP/1.1 server (MicroPython and CPython).

Beyond Microdot's one-request-per-connection server it offers:

- persistent connections (HTTP/1.1 keep-alive, HTTP/1.0 ``Connection: keep-alive``) closed after
  `keep_alive_timeout` idle seconds, pipelined requests answered in order, ``Connection: close``
  honoured from either side;
- a cap on concurrent connections (`max_connections`, a per-board default that fits lwIP's
  sockets). **Policy at the cap:** a connection waiting for a request head is closed to make
  room: one idle after a response for at least a fifth of `evict_after` seconds (clients
  retry a request on a reused connection that closes), or one that has waited `evict_after`
  seconds without completing its first request (a slow or silent client), the
  longest-waiting first. If there is none and every connection is in a request (or has just
  come, or waits after a response), the new one waits up to a fifth of `evict_after` for one
  to end or become idle: requests on a board take a few tens of ms, so a slot is usually free
  by then (the UI at 64wK with 6 clients for 3 slots: 503 for about half of them at once
  before). The wait is one window for all: while the cap stays full, later connections are
  not made to wait again. Otherwise (a slow client holds a slot, or the window is over) the
  new connection is answered with a ready-made 503 (``Retry-After: 1``) at once and closed.
  Nothing is queued in RAM: a waiting connection would hold one of the few sockets and its
  buffers, which is what runs a board out of memory. The only queue is the kernel's, bounded
  by `listen_backlog`;
- streams (WebSocket, Server-Sent Events) have their own cap below the connection cap,
  `max_streams` (default: one less than `max_connections`, at least 1): a stream past it is
  answered 503 before its handshake, so a slot is always left for ordinary requests however
  many pages hold streams open. We chose a cap over evicting the longest-idle stream when a
  request finds every slot taken: an evicted EventSource or WebSocket client reconnects at
  once and takes the slot back, so eviction makes streams and pages fight for slots, and it
  would cut a live view a user is watching because someone else loaded a page. With a cap
  the lock-out cannot happen, and streams that are idle or whose peer is gone end by
  themselves (`WebSocket.ping_interval` / `idle_timeout`, `SSE.idle_timeout`). Heap is another
  matter: an event stream holds heap as long as it runs, and on a small board the requests beside
  it may find none. When `STARVED` requests in a row over `STARVED_MS`, none served between
  them, were answered 503 for want of heap (a MemoryError, before or in the handler) while an
  event stream is open, the event stream that has run longest is ended (`Server.starving`): its page
  opens it again or asks for the values, and the next request finds the heap. WebSockets are
  left alone (their client talks);
- deadlines: `request_timeout` for a request's line, headers and buffered body (slowloris),
  the same per read for a streamed body, `write_timeout` per write, so a client that stops
  reading cannot hold a connection forever. One watchdog task enforces them all (no task or
  timer per request);
- memory safety: lines and headers are bounded (414 / 431), bodies above
  `Request.max_content_length` are refused (413); a MemoryError answers 503 if nothing of the
  response has been written yet (else the connection is just closed: the client sees a cut-off
  response, never a second one spliced into it), closes that connection, collects garbage,
  and the server keeps serving.

The knobs are class attributes of `Microdot` (set them on the class or on the app).
"""
import asyncio
import gc
import sys

from .request import Request
from .response import BUSY_PAGE, Response, status_text
from .platform import MICROPYTHON, print_exception, readable, sleep_ms, ticks_add, ticks_diff, \
    ticks_ms, unsent, waits_for_peer
from .streams import BufferedReader, HeaderInjection, RequestError, is_muted

CancelledError = asyncio.CancelledError


def _board_default(backlog):
    # Concurrent connections (or, with `backlog`, the listen backlog) by board: lwIP there has
    # few sockets to spare (ESP8266 about 5 in all, Pico W about 8, ESP32 about 10; one is the
    # listening socket). Code rather than a dict, so that on a board it stays in flash.
    p = sys.platform
    if p == 'esp8266':
        return 2 if backlog else 3
    if p == 'rp2':
        return 4 if backlog else 5
    if p == 'esp32':
        return 8
    return None


# The ready-made 503 (the cap, or a MemoryError before anything was sent): this head, then
# response.BUSY_PAGE, a page that loads itself again in 2 s: a browser opening a page on a busy
# board (a second browser on an ESP8266) retries instead of stopping at an error; scripts go by
# the status and Retry-After. Two constants written one after the other, with no heap.
_BUSY = (b'HTTP/1.0 503 N/A\r\nContent-Type: text/html; charset=UTF-8\r\n'
         b'Content-Length: 523\r\nRetry-After: 1\r\nConnection: close\r\n\r\n')


# Requests in a row answered 503 for want of heap, beside an event stream, over at least
# STARVED_MS, before the stream that has run longest is ended (Server.starving): a page beside a
# live one on an ESP8266 meets a 503 now and then, and the live page keeps its stream
STARVED = 3
STARVED_MS = 2000


def default_max_connections():
    """The connection cap used when `Microdot.max_connections` is None: the board's entry, else
    one connection per 6 KB of heap (at most 64) on MicroPython, 64 on CPython."""
    limit = _board_default(False)
    if limit or not MICROPYTHON:
        return limit or 64
    heap = gc.mem_free() + gc.mem_alloc()
    if sys.maxsize > 1 << 32:  # a 64-bit port: objects take twice the bytes
        heap //= 2
    return max(2, min(64, heap // 6144))


class _Done:
    """An awaitable that is already done (awaiting it gives None at once, allocating
    nothing): what `Connection.awrite` returns when there is nothing to wait for."""

    def __await__(self):
        return _EMPTY

    __iter__ = __await__  # (MicroPython awaits through __iter__)


_EMPTY = iter(())
DONE = _Done()


class Connection:
    """One client connection: the task serving it, its deadline and what it is waiting for.

    Also the writer the server and handlers write through (`awrite`, `aclose`), so every write
    runs under `write_timeout`.
    """

    # Flags kept on the class until set, so that a connection stores only what it needs.
    expired = False
    kept = False  # True once a response has been sent and it waits for another
    sent = False  # True once bytes of the current response were written
    streaming = False  # True once it carries a WebSocket or an event stream
    silent = False  # a stream whose client sends nothing more (watched for hang-ups)
    reader = None  # CPython: the asyncio StreamReader (its at_eof() shows a hang-up)

    def __init__(self, server, stream, task):
        self.server = server
        self.stream = stream  # the asyncio stream writer (MicroPython: its Stream)
        self.task = task
        self.deadline = None  # ticks_ms after which the watchdog cancels the task
        self.waiting = None  # ticks_ms since the connection waits for a request head

    def arm(self, seconds):
        """Start a deadline `seconds` from now (None or 0: no deadline); returns the old one."""
        old = self.deadline
        self.deadline = ticks_add(ticks_ms(), int(seconds * 1000)) if seconds else None
        return old

    def awrite(self, data):
        """Write `data`; await what this returns, which waits (under `write_timeout`) until the
        socket has taken it. The first write of a response does not pass through the
        scheduler when the socket takes it all at once (a small response is one write, and
        the connection's next step is a read, which waits anyway): it is `DONE` then, and no
        coroutine is made. A later write lets the other connections run (a long body does not
        hold the board), on MicroPython without allocating anything when the socket took it
        all (`asyncio.sleep_ms(0)`: a coroutine made then could meet a MemoryError on a full
        heap and cut off a response whose head is out); what the socket did not take is
        waited for."""
        stream = self.stream
        later = self.sent
        self.sent = True  # from here on a 503 would be spliced into the response
        stream.write(data)  # what the socket takes at once; the stream keeps the rest
        if unsent(stream) or (later and not MICROPYTHON):
            return self._drain()
        if later:
            return asyncio.sleep_ms(0)
        return DONE

    async def _drain(self):
        old = self.deadline
        ms = self.server.write_ms
        if ms:
            self.deadline = ticks_add(ticks_ms(), ms)
        await self.stream.drain()
        self.deadline = old

    async def aclose(self):
        """Close the connection: asyncio's `close()` and `wait_closed()` (on MicroPython the
        latter closes the socket)."""
        stream = self.stream
        try:
            stream.close()
            await stream.wait_closed()
        except Exception:
            pass

    def claim_stream(self, silent=False):
        """Count this connection as a stream (WebSocket, event stream) if the app's
        `max_streams` allows one more; False if not (the caller answers 503). `silent`: the
        client sends nothing more (an event stream), so on MicroPython the watchdog watches
        the socket (CPython: its reader) and ends the connection as soon as the client hangs
        up, instead of at the next event (which may be long): a dead stream's task and buffers
        go at once."""
        server = self.server
        if not self.streaming:
            if server.streams >= server.stream_limit:
                return False
            server.streams += 1
            self.streaming = True
            if silent:
                self.silent = True
                if MICROPYTHON:
                    server.hangups(self.stream.s, True)
        return True

    def end_stream(self):
        if self.streaming:
            self.streaming = False
            server = self.server
            server.streams -= 1
            if self.silent:
                self.silent = False
                if server.poller is not None:
                    server.hangups(self.stream.s, False)


class Server:
    """The connections of one app and the watchdog that enforces their deadlines."""

    def __init__(self, app):
        self.app = app
        self.conns = []
        self.closing = []  # refused connections being answered 503
        self.watchdog = None
        self.limit = app.max_connections or default_max_connections()
        self.write_ms = int((app.write_timeout or 0) * 1000)
        self.stream_limit = app.max_streams or max(1, self.limit - 1)
        self.streams = 0  # connections that carry a stream now
        # On a heap of at most 256 KB (a board's), collect after each response: cheap there,
        # and it keeps free memory in large blocks for the next request.
        heap = gc.mem_free() + gc.mem_alloc() if MICROPYTHON else 1 << 30
        self.tidy = heap <= (512 << 10 if sys.maxsize > 1 << 32 else 256 << 10)
        self.poller = None  # select.poll of silent streams' sockets (MicroPython)
        self.full = None  # ticks_ms since the cap is full (the window of `may_wait`)
        self.window = int(app.evict_after * 200)  # its length: evict_after / 5, in ms (made
        # once: a float per use is a heap object on most ports, at the accept path's heap edge)
        self.refused = 0  # connections answered 503 at the cap
        self.evicted = 0  # idle connections closed to make room
        self.expired = 0  # connections closed by a deadline
        self.oom = 0  # MemoryErrors survived
        self.starved = 0  # requests in a row answered 503 for want of heap beside event streams
        self.starved_at = 0  # ticks_ms of the first of them

    def short_of_memory(self):
        """True if less than `memory_reserve` bytes of heap are free even after a collection.
        Only looked at while more than half the cap is in use (it scans the heap)."""
        reserve = self.app.memory_reserve
        if not reserve or not MICROPYTHON or \
                2 * (len(self.conns) + len(self.closing)) < self.limit:
            return False
        if gc.mem_free() < reserve:
            gc.collect()
        return gc.mem_free() < reserve

    def starving(self):
        """Count a request answered 503 for want of heap (a MemoryError) while event streams are
        open; at `STARVED` in a row over `STARVED_MS` or more, with no request served between
        them (`fed`), end the event stream that has run longest, so that its heap goes to the
        requests. Returns True if one was ended."""
        if not self.streams:
            self.starved = 0
            return False
        now = ticks_ms()
        if not self.starved:
            self.starved_at = now  # the first of this run
        self.starved += 1
        if self.starved < STARVED or ticks_diff(now, self.starved_at) < STARVED_MS:
            return False
        for c in self.conns:  # in the order they came: the first is the oldest
            if c.silent:
                self.starved = 0
                self.expire(c)
                return True
        return False

    def fed(self):
        """A request was served: the count of `starving` starts again."""
        self.starved = 0

    def admit(self):
        """Make room for one more connection; False if the cap is reached by busy ones."""
        if len(self.conns) < self.limit or self.shed():
            self.full = None
            return True
        return False

    def may_wait(self):
        """True if a new connection that found the cap full may wait a moment more for room
        (`admit` again): every connection is in a request, has just come or waits after a
        response (and so ends or may be closed soon), and less than a fifth of `evict_after`
        has passed since the cap was found full. No connection is admitted meanwhile, so the
        window is the same for all: later connections are refused at once once it is over."""
        now = ticks_ms()
        young = self.window
        if self.full is None:
            self.full = now
        elif ticks_diff(now, self.full) >= young:
            return False
        for c in self.conns:
            if c.waiting is not None and not c.kept and ticks_diff(now, c.waiting) >= young:
                return False  # a slow or silent client holds a slot: waiting is in vain
        return True

    async def room(self):
        """Wait (bounded by `may_wait`, and by its window for this connection too: on CPython
        others wait at once, and an admission starts a new window) until `admit` makes room;
        False if it did not. (MicroPython: `may_wait` alone, one window for all.) Nothing here
        makes a float (`evict_after * 200` per call, a heap object on the 64-bit unix port): with
        that and the window per connection as well, the .mpy UI at 64wK failed
        test_hostile_suite 5 runs of 5, the accept path meeting MemoryErrors at the heap's edge."""
        end = None if MICROPYTHON else ticks_add(ticks_ms(), self.window)
        while self.may_wait() and (end is None or ticks_diff(end, ticks_ms()) > 0):
            await sleep_ms(5)
            if self.admit():
                return True
        return False

    def shed(self):
        """Close the connection that has waited longest for a request head, if one may go (the
        policy at the cap, above); False if none may. Only one that waits for its client goes:
        one whose client has sent what the server has not read yet (a board busy elsewhere,
        a long chunked body read slowly) is the server being slow, and closing it would leave
        a request that came whole without an answer."""
        now = ticks_ms()
        victim = None
        least = self.window * 5  # evict_after, in ms
        oldest = -1
        for c in self.conns:
            if c.waiting is not None:
                age = ticks_diff(now, c.waiting)
                if age >= (least // 5 if c.kept else least) and age > oldest and \
                        waits_for_peer(c.stream):
                    victim, oldest = c, age
        if victim is None:
            return False
        self.evicted += 1
        self.expire(victim)
        return True

    def expire(self, conn):
        if conn in self.conns:
            self.conns.remove(conn)
        conn.expired = True
        if conn.task is not None:
            conn.task.cancel()

    def hangups(self, sock, watch):
        """Start (or stop) watching `sock` of a silent stream for the client hanging up."""
        if watch:
            if self.poller is None:
                import select
                self.poller = select.poll()
            self.poller.register(sock, 1)  # POLLIN: data or end of stream
        else:
            try:
                self.poller.unregister(sock)
            except (OSError, KeyError, ValueError):
                pass

    def _hung_up(self):
        """End the silent streams whose client hung up; returns how many."""
        n = 0
        if self.poller is None:  # CPython: the reader has seen the end of the stream
            for c in list(self.conns):
                r = c.reader
                if c.silent and r is not None and (r.at_eof() or r.exception() is not None):
                    self.expire(c)  # the client closed (or reset) its end
                    n += 1
            return n
        for event in self.poller.ipoll(0):
            sock = event[0]
            self.poller.unregister(sock)
            for c in list(self.conns):
                if c.silent and c.stream.s is sock:
                    self.expire(c)
                    n += 1
        return n

    async def watch(self):
        """Cancel connections past their deadline (and silent streams whose client hung up);
        ends when there are none left."""
        try:
            while self.conns or self.closing:
                await sleep_ms(100)  # (no float: the heap may be full)
                try:
                    self._round()
                except MemoryError:  # the next round tries again
                    self.oom += 1
                    gc.collect()
        finally:
            self.watchdog = None

    def _round(self):
        # A round of `watch`, in a call of its own: what it looked at is not kept while the
        # watchdog sleeps (a connection that has ended holds its task, whose finished coroutine
        # still holds the request and its body), not even in the coroutine's stale stack slots.
        if self.streams:
            self._hung_up()
        now = ticks_ms()
        for c in self.conns + self.closing:
            if c.deadline is not None and ticks_diff(now, c.deadline) >= 0:
                if c in self.conns:
                    self.expired += 1
                self.expire(c)

    def add(self, conn, closing=False):
        (self.closing if closing else self.conns).append(conn)
        if self.watchdog is None:
            self.watchdog = asyncio.create_task(self.watch())


def _server_of(app):
    server = getattr(app, '_server', None)
    if server is None:
        server = app._server = Server(app)
    return server


async def serve_connection(app, reader, writer):
    """Serve requests from one client connection until it closes, errs or idles out."""
    server = _server_of(app)
    conn = Connection(server, writer, asyncio.current_task())
    if not MICROPYTHON:
        conn.reader = reader
    if server.admit() or await server.room():
        server.add(conn)
        await _run(app, conn, reader)
    else:
        server.refused += 1
        server.add(conn, True)
        await _busy(conn, reader)


async def _run(app, conn, reader):
    server = conn.server
    try:
        await _serve(app, conn, reader)
    except CancelledError:
        if not conn.expired:
            raise
    except MemoryError:
        server.oom += 1
        gc.collect()
        if not conn.streaming:
            server.starving()
        if not conn.sent:  # else a response has begun: a 503 now would be spliced into it
            try:
                await _busy(conn, reader)  # the ready-made 503
            except MemoryError:  # no heap even for its coroutine: sent at once, without
                sock = getattr(conn.stream, 's', None)  # (MicroPython's Stream: its socket)
                if sock is not None:  # (the UI as .mpy at 62wK: one request in 10-20 got
                    _answer_busy(sock)  # no answer at all, the connection just closed)
    except Exception as exc:
        if not is_muted(exc):
            print_exception(exc)
    finally:
        if conn in server.conns:
            server.conns.remove(conn)
        conn.end_stream()
        conn.deadline = None
        try:
            await conn.aclose()
        except MemoryError:
            _drop(conn)


async def _serve(app, conn, reader):
    stream = BufferedReader(reader, line_limit=Request.max_readline)
    stream.timer = conn
    timeout = int((app.request_timeout or 0) * 1000)  # a request, once it has begun
    idle = int((app.keep_alive_timeout or 0) * 1000)  # a kept connection, until one begins
    addr = conn.stream.get_extra_info('peername')
    while True:
        conn.waiting = now = ticks_ms()
        if conn.kept:  # the idle wait: its own deadline, then the request's from its first byte
            conn.deadline = ticks_add(now, idle) if idle else None
            try:
                if not await stream.wait():
                    return
            except OSError:  # reset by the client while idle
                return
            now = ticks_ms()
        conn.deadline = ticks_add(now, timeout) if timeout else None
        if conn.sent:
            conn.sent = False
        try:
            req = await Request.create(app, stream, conn, addr)
        except RequestError as exc:  # a ValueError with the status to answer (414, 431...)
            return await _write_error(app, conn, exc.status_code, exc.reason, stream)
        except (EOFError, OSError):
            return
        except MemoryError:
            raise
        except Exception:  # malformed request (ValueError, UnicodeError...): 400, then close
            return await _write_error(app, conn, 400, None, stream)
        conn.waiting = conn.deadline = None
        if req is None:
            return
        keep = app.keep_alive
        if keep:
            connection = req.headers.get('connection')
            connection = connection.lower() if connection else ''
            keep = 'close' not in connection if req.http_version == '1.1' else \
                'keep-alive' in connection
        if conn.sent:
            conn.sent = False  # a '100 Continue' is not the response
        res = await app.dispatch_request(req)
        if res is Response.already_handled or conn.sent:
            return  # written by the handler itself (or begun, then failed: nothing to add)
        if res.body is BUSY_PAGE:  # the answer to a MemoryError (app, ui.busy): no heap
            conn.server.starving()
        elif res.status_code < 500:
            conn.server.fed()
        body = req._stream  # what the handler left of a streamed body is read and dropped
        if res.status_code in (413, 503) or (hasattr(body, 'drain') and
                                             not await body.drain(app.drain_limit)):
            keep = False  # 503: under pressure, give the socket and its buffers back
        try:
            keep = await res.write(conn, req.http_version, keep)
        except HeaderInjection:  # raised before anything was written
            return await _write_error(app, conn, 400, None, stream)
        conn.end_stream()  # an event stream that ended leaves an ordinary connection
        if app.debug:
            print(req.method, req.path, res.status_code)
        if req.body:  # answered: the body goes now, not when the last reference to the request
            req.body = b''  # does (a finished task's coroutine can hold it into the next request)
        req = res = body = None
        if conn.server.tidy:
            gc.collect()  # a small heap: collect while little is alive, against fragmentation
        if not keep:
            return
        conn.kept = True


async def _write_error(app, conn, status, reason, stream):
    """Answer a request that could not be parsed, then discard a little unread input so that
    closing does not reset the connection before the client has read the answer."""
    conn.waiting = None
    try:
        res = None
        if status == 400:
            try:
                res = await app.dispatch_request(None)
            except MemoryError:  # no heap for the app's own 400: the plain one, quietly
                gc.collect()
            except Exception as exc:  # a hook or handler of the app failed: the 400 still goes
                print_exception(exc)
        if res is None:
            res = Response(reason or status_text(status), status)
        await res.write(conn, '1.1', False)
        conn.arm(0.5)
        limit = 8192
        while limit > 0:
            data = await stream.stream.read(512)
            if not data:
                return
            limit -= len(data)
    except Exception:
        pass


async def _busy(conn, reader):
    """Answer the ready-made 503, then read what the client sends (until it closes, for at most
    0.2 s) before closing, so the close does not reset the connection before the client has
    read the answer."""
    try:
        conn.arm(1)
        conn.stream.write(_BUSY)  # the socket takes it at once (a new connection): then
        await conn.awrite(BUSY_PAGE)  # this is the response's first write, awaiting nothing
        conn.arm(0.2)
        while await reader.read(128):  # the request, in small pieces (a 2 kB buffer is often
            pass  # more than a full heap has: the close would then reset the connection)
    except BaseException:
        pass
    try:
        if conn in conn.server.closing:
            conn.server.closing.remove(conn)
        await conn.aclose()
    except MemoryError:
        _drop(conn)


def _drop(conn):
    """Close the socket without awaiting anything: when there is no heap left even for the
    coroutine of a graceful close (a plain call allocates nothing)."""
    try:
        conn.stream.s.close()  # MicroPython's Stream
    except Exception:
        pass


def _answer_busy(sock):
    """Answer 503 on `sock` without a task or a coroutine: send the ready-made answer first (it
    allocates nothing, so a full heap still gets it out), then take what the client has sent
    already, in small reads, so that closing does not reset the connection before the client
    has read the answer."""
    try:
        sock.setblocking(False)
        sock.send(_BUSY)
        sock.send(BUSY_PAGE)
        for _ in range(32):  # at most 2 KB: a longer request gets the reset
            if not sock.recv(64):
                break
    except Exception:  # nothing more to read yet (EAGAIN), or no heap even for 64 bytes
        pass


def _refuse_now(sock):
    """Answer 503 on a just-accepted socket without a task (`_answer_busy`), and close it."""
    _answer_busy(sock)
    sock.close()


class Listener:
    """MicroPython's listening socket and the task accepting on it (what `app.server` is).

    Unlike `asyncio.start_server` it decides at accept time, before a task or stream exists
    for the connection: at the cap (after evicting an idle connection if one can go, and the
    short wait for one that ends soon: `Server.may_wait`) or with
    less than `Microdot.memory_reserve` bytes of heap free, the socket is answered 503 by a
    small task that closes it gracefully. While 8 such refusals are in progress, new
    connections wait in the kernel's backlog (`listen_backlog`) for a moment: each ends within
    about 0.2 s, and a burst is then served rather than refused. While even a refusal's task
    cannot be afforded (heap below the reserve after a collection, or as many refusals in
    progress as the cap) the 503 is sent on the socket at once, without a task, and it is
    closed: short of heap the server never stops accepting (a client left in the backlog
    would wait, unanswered, for as long as the busy connections last).
    Short of heap, connections waiting for a request head are closed first, as at the cap (the
    new one waits at most `evict_after` seconds for one that may go), and it is served if that
    gave the heap back. A MemoryError while accepting is
    survived. Before a new connection is served, event streams whose client hung up are ended,
    so that their heap is free for it.
    """

    def __init__(self, app, sock, ssl):
        self.sock = sock
        self.task = asyncio.create_task(self.accept_loop(app, sock, ssl))

    async def accept_loop(self, app, sock, ssl):
        server = _server_of(app)
        conn = None
        try:
            while True:
                try:
                    while len(server.closing) >= 8:  # new connections wait in the backlog
                        await asyncio.sleep_ms(10)  # while 8 refusals end (each within 0.2 s)
                    await readable(sock)
                except MemoryError:  # even waiting can allocate: never let the loop die
                    server.oom += 1
                    gc.collect()
                    continue
                try:
                    c, addr = sock.accept()
                except OSError:
                    continue
                except MemoryError:
                    gc.collect()
                    continue
                if server.streams:  # streams whose client left end first: their heap is
                    try:  # free for this connection (the watchdog sees them only every 0.1 s)
                        left = server.streams - server._hung_up()
                        for _ in range(8):  # their tasks end within a round or two
                            if server.streams <= left:
                                break
                            await asyncio.sleep_ms(0)
                    except MemoryError:
                        pass
                try:
                    # short of heap, connections waiting for a request head go first (as at
                    # the cap; else their heap came back only at their deadline, seconds in
                    # which no one was served): this one waits until one may go (at most
                    # `evict_after`), or the heap is back, then is served or refused
                    short = server.short_of_memory()  # (each call may collect: once a
                    for _ in range(server.window // 2 + 10):  # round, its answer kept)
                        if not short:
                            break
                        server.shed()
                        await asyncio.sleep_ms(10)
                        short = server.short_of_memory()
                    busy = short or not (server.admit() or await server.room())
                    if busy and (len(server.closing) >= server.limit or short):
                        _refuse_now(c)  # no room even for a tiny task
                        server.refused += 1
                        continue
                    if ssl and not busy:
                        c = ssl.wrap_socket(c, server_side=True, do_handshake_on_connect=False)
                    c.setblocking(False)
                    stream = asyncio.StreamWriter(c, {'peername': addr})
                    conn = Connection(server, stream, None)
                    conn.task = asyncio.create_task(_busy(conn, stream) if busy else
                                                    _run(app, conn, stream))
                    server.refused += busy
                    server.add(conn, busy)  # only once its task exists: it will remove it
                except MemoryError:  # no heap for the connection or its task: 503 without
                    if conn is not None and conn.task is not None:  # (created, not started:
                        conn.task.cancel()  # it ends at once, without touching the socket)
                        server.expire(conn)
                        if conn in server.closing:
                            server.closing.remove(conn)
                    _refuse_now(c)
                    server.refused += 1
                    gc.collect()
                except OSError as exc:  # a failed TLS wrap
                    print_exception(exc)
                    c.close()
                c = conn = stream = None
        except CancelledError:
            pass
        finally:
            sock.close()

    def close(self):
        self.task.cancel()

    async def wait_closed(self):
        await self.task


def _listen(host, port, backlog):
    import socket
    s = socket.socket()
    s.setblocking(False)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(socket.getaddrinfo(host, port)[0][-1])
    s.listen(backlog)
    return s


async def start_server(app, host, port, debug, ssl, start_serving):
    """Listen on `host:port` and serve `app`; returns after `app.shutdown()`.

    With ``start_serving=False`` (CPython only) the asyncio Server is returned instead.
    """
    # the imports' garbage goes before the server's lasting objects are made: they fill its
    # holes, and the heap's top stays one free block (hard_app at 64wK: a 16 KiB chunked body,
    # which needs one, fit by about 3 KB; now by about 14 KB). Before the line below: a client
    # waiting for it connects at once
    gc.collect()
    app.debug = debug
    app.ssl = ssl
    _server_of(app)
    backlog = app.listen_backlog or _board_default(True) or 64
    if debug:
        print('Starting async server on {}:{}...'.format(host, port))
    if not MICROPYTHON:
        from .server_cpython import start_server as start
        return await start(app, serve_connection, host, port, ssl, backlog, start_serving)
    if not start_serving:
        raise ValueError('start_serving must be True')
    app.server = Listener(app, _listen(host, port, backlog), ssl)
    await app.server.wait_closed()
    return None
