"""WebSocket (RFC 6455) server support: ``@with_websocket`` routes get a `WebSocket`.

Handshake, masked client frames, text and binary messages, fragmented messages, automatic pong,
the close handshake with status codes and exact reads. Beyond Microdot: `WebSocket.closed`,
`close_code` and `wait_closed()` tell when the peer has gone (sending to a gone peer raises
`WebSocketError`, never a bare EBADF), and `WebSocketGroup` fans a message out to live
connections, dropping dead ones.

Protocol errors: when the client breaks the protocol (unmasked frame, reserved bits, unknown
opcode, bad fragmentation, oversized control frame, bad close payload, invalid UTF-8 text, a
message over the limit) `receive()` sends a CLOSE frame with the matching code
(`WebSocket.PROTOCOL_ERROR` 1002, `INVALID_DATA` 1007, `MESSAGE_TOO_BIG` 1009), marks the socket
closed, sets `close_code` to that code and raises `WebSocketError`. ``@with_websocket`` routes
end there; the server then closes the TCP connection.
"""
import binascii
import hashlib

from .request import abort
from .helpers import wraps
from .request import Request
from .response import Response

_GUID = b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
_B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'


class WebSocketError(Exception):
    """The connection closed, or the peer broke the protocol (see `WebSocket.close_code`)."""


class WebSocket:
    """One server-side WebSocket connection.

    Class attributes: opcodes (`CONT`, `TEXT`, `BINARY`, `CLOSE`, `PING`, `PONG`), close codes
    (`NORMAL_CLOSURE` ... `INTERNAL_ERROR`), `max_message_length` (-1: `Request.max_body_length`,
    0: unlimited), `max_fragments` (frames one message may come in; more fail the connection
    with `MESSAGE_TOO_BIG`, so a stream of empty fragments cannot grow a list forever; 0:
    unlimited), `close_timeout` (seconds to wait for the peer's CLOSE after ours),
    `ping_interval` (seconds: while `receive()` waits and the peer has sent nothing for that
    long, the server sends a PING; if the next interval passes without a frame the peer is
    gone: the connection is dropped and `receive()` raises `WebSocketError` with `close_code`
    1006; None: no pings) and `idle_timeout` (seconds without a message either way after which
    `receive()` closes the connection with 1001 GOING_AWAY; None: no limit). Pings and the idle
    limit apply under the built-in server. The PING is written by the task in `receive()`; as
    with any two tasks writing to one socket, a send from another task must not overlap it
    while the socket's buffer is full (MicroPython's stream does not serialise writers).

    Each WebSocket counts against the app's `max_streams` (see `microdot.server`): past it the
    upgrade is answered 503.
    """

    CONT = 0
    TEXT = 1
    BINARY = 2
    CLOSE = 8
    PING = 9
    PONG = 10

    NORMAL_CLOSURE = 1000
    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002
    UNSUPPORTED_DATA = 1003
    NO_STATUS = 1005
    ABNORMAL_CLOSURE = 1006
    INVALID_DATA = 1007
    POLICY_VIOLATION = 1008
    MESSAGE_TOO_BIG = 1009
    INTERNAL_ERROR = 1011

    max_message_length = -1
    max_fragments = 64
    close_timeout = 2
    ping_interval = 30
    idle_timeout = None

    def __init__(self, request):
        self.request = request
        self.closed = False
        self.close_code = None  # the peer's code, or ours when we failed the connection
        self.close_reason = ''
        self._close_sent = False
        self._close_received = False
        self._event = None
        self._pinged = None  # ticks_ms when our unanswered PING went out
        self._heard = None  # ticks_ms of the last frame from the peer
        self._active = None  # ticks_ms of the last message either way (idle limit)

    # --- opening ----------------------------------------------------------------------------

    async def handshake(self):
        """Answer the upgrade request with ``101 Switching Protocols`` (400 if it is not one)."""
        headers = self.request.headers
        key = headers.get('Sec-WebSocket-Key')
        if 'upgrade' not in headers.get('Connection', '').lower() or \
                headers.get('Upgrade', '').lower() != 'websocket' or not key:
            abort(400, 'Not a WebSocket request')
        # 16 bytes in base64: 22 characters of the alphabet, the last holding 2 bits, then '=='
        if len(key) != 24 or key[22:] != '==' or key[21] not in 'AQgw' or \
                key[:22].strip(_B64):
            abort(400, 'Bad Sec-WebSocket-Key')
        version = headers.get('Sec-WebSocket-Version')
        if version is not None and version.strip() != '13':
            abort(426, 'Unsupported WebSocket version')
        claim = getattr(self.request.sock[1], 'claim_stream', None)
        if claim is not None and not claim():
            abort(503, 'Too many streams')
        accept = binascii.b2a_base64(hashlib.sha1(key.encode() + _GUID).digest())[:-1]
        await self.request.sock[1].awrite(
            b'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n'
            b'Connection: Upgrade\r\nSec-WebSocket-Accept: ' + accept + b'\r\n\r\n')

    # --- receiving --------------------------------------------------------------------------

    def _limit(self):
        n = self.max_message_length
        return Request.max_body_length if n < 0 else n

    async def receive(self):
        """Wait for the next message: `str` for text, `bytes` for binary.

        Pings are answered, pongs ignored, fragments joined. Raises `WebSocketError` when the
        connection closes (CLOSE frame or EOF) or the peer breaks the protocol.
        """
        if self.closed:
            raise WebSocketError('Websocket connection closed')
        opcode = None
        parts = []
        size = 0
        limit = self._limit()
        while True:
            try:
                if self.ping_interval or self.idle_timeout:
                    await self._wait_input()
                fin, op, payload = await self._read_frame(limit)
            except (EOFError, OSError) as exc:
                from .streams import is_muted
                if isinstance(exc, OSError) and not is_muted(exc):
                    raise
                self._gone(self.ABNORMAL_CLOSURE)
                raise WebSocketError('Websocket connection closed')
            if op >= 8:
                await self._control(op, payload)
                continue
            if op == self.CONT:
                if opcode is None:
                    await self._fail(self.PROTOCOL_ERROR, 'Unexpected continuation frame')
            elif opcode is not None:
                await self._fail(self.PROTOCOL_ERROR, 'Expected a continuation frame')
            else:
                opcode = op
            size += len(payload)
            if limit and size > limit:
                await self._fail(self.MESSAGE_TOO_BIG, 'Message too large')
            if self.max_fragments and len(parts) >= self.max_fragments:
                await self._fail(self.MESSAGE_TOO_BIG, 'Too many fragments')
            parts.append(payload)
            if fin:
                break
        data = parts[0] if len(parts) == 1 else b''.join(parts)
        parts = None
        if self.idle_timeout:
            self._active = _ticks()
        if opcode == self.TEXT:
            try:
                return data.decode()
            except UnicodeError:
                await self._fail(self.INVALID_DATA, 'Invalid UTF-8 text')
        return data

    async def _wait_input(self):
        """Wait for the next frame's first byte, pinging a silent peer and enforcing the idle
        limit (only on a reader that can wait safely under a timeout: the built-in server's)."""
        reader = self.request.sock[0]
        if getattr(reader, 'buffer', None) or not hasattr(reader, 'wait'):
            return
        import asyncio
        while True:
            now = _ticks()
            if self._heard is None:
                self._heard = now
            if self._active is None:
                self._active = now
            wait = 3600
            if self.idle_timeout:
                wait = self.idle_timeout - _ticks_diff(now, self._active) / 1000
                if wait <= 0:
                    await self.close(self.GOING_AWAY, 'idle')
                    self.close_reason = 'idle'
                    self._gone(self.GOING_AWAY)
                    raise WebSocketError('Websocket connection idle')
            interval = self.ping_interval
            if interval:
                if self._pinged is None:
                    quiet = _ticks_diff(now, self._heard) / 1000
                    if quiet >= interval:
                        await self._send_frame(self.PING, b'')
                        self._pinged = now
                        quiet = 0
                    wait = min(wait, interval - quiet)
                else:
                    since = _ticks_diff(now, self._pinged) / 1000
                    if since >= interval:  # no frame at all, not even a PONG: peer gone
                        self._gone(self.ABNORMAL_CLOSURE)
                        raise WebSocketError('Websocket peer gone')
                    wait = min(wait, interval - since)
            try:
                await asyncio.wait_for(reader.wait(), wait)
                return
            except asyncio.TimeoutError:
                pass

    async def _read_frame(self, limit):
        reader = self.request.sock[0]
        head = await reader.readexactly(2)
        if len(head) < 2:
            raise EOFError()
        self._pinged = None  # anything from the peer shows it is there
        self._heard = _ticks()
        b0, b1 = head[0], head[1]
        fin = b0 & 0x80
        op = b0 & 0x0f
        if b0 & 0x70:
            await self._fail(self.PROTOCOL_ERROR, 'Reserved bits set')
        if op not in (0, 1, 2, 8, 9, 10):
            await self._fail(self.PROTOCOL_ERROR, 'Unknown opcode')
        if not b1 & 0x80:
            await self._fail(self.PROTOCOL_ERROR, 'Client frames must be masked')
        length = b1 & 0x7f
        if op >= 8 and (length > 125 or not fin):
            await self._fail(self.PROTOCOL_ERROR, 'Bad control frame')
        if length == 126:
            length = int.from_bytes(await self._exact(reader, 2), 'big')
        elif length == 127:
            length = int.from_bytes(await self._exact(reader, 8), 'big')
            if length >> 63:
                await self._fail(self.PROTOCOL_ERROR, 'Bad frame length')
        if op < 8 and limit and length > limit:
            await self._fail(self.MESSAGE_TOO_BIG, 'Message too large')
        mask = await self._exact(reader, 4)
        try:
            payload = await self._exact(reader, length) if length else b''
        except MemoryError:  # larger than this device's free heap
            import gc
            gc.collect()
            await self._fail(self.MESSAGE_TOO_BIG, 'Message too large for memory')
        if length:
            payload = _unmask(payload, mask)
        return fin, op, payload

    @staticmethod
    async def _exact(reader, n):
        """Exactly `n` bytes (EOFError if the connection ends first). Large reads go into one
        preallocated buffer instead of growing a bytes object chunk by chunk."""
        buffered = getattr(reader, 'buffer', None)
        if n <= 1024 or buffered is None or not hasattr(reader, 'stream'):
            data = await reader.readexactly(n)
            if len(data) != n:  # a reader that returns short at EOF
                raise EOFError()
            return data
        out = bytearray(n)
        got = min(len(buffered), n)
        out[:got] = buffered[:got]
        reader.buffer = buffered[got:]
        while got < n:
            chunk = await reader.stream.read(min(2048, n - got))
            if not chunk:
                raise EOFError()
            out[got:got + len(chunk)] = chunk
            got += len(chunk)
        return out

    async def _control(self, op, payload):
        if op == self.PING:
            await self._send_frame(self.PONG, payload)
        elif op == self.CLOSE:
            self._close_received = True
            code = self.NO_STATUS
            reason = ''
            if len(payload) == 1:
                await self._fail(self.PROTOCOL_ERROR, 'Bad close frame')
            if len(payload) >= 2:
                code = int.from_bytes(payload[:2], 'big')
                if not _valid_code(code):
                    await self._fail(self.PROTOCOL_ERROR, 'Bad close code')
                try:
                    reason = payload[2:].decode()
                except UnicodeError:
                    await self._fail(self.INVALID_DATA, 'Bad close reason')
            if not self._close_sent:
                try:
                    await self._send_frame(self.CLOSE, payload[:2])
                except WebSocketError:
                    pass
            self.close_reason = reason
            self._gone(code)
            raise WebSocketError('Websocket connection closed')

    async def _fail(self, code, message):
        """Fail the connection: send CLOSE with `code`, mark closed, raise WebSocketError."""
        if not self._close_sent and not self.closed:
            try:
                await self._send_frame(self.CLOSE, code.to_bytes(2, 'big'))
            except WebSocketError:
                pass
        self.close_reason = message
        self._gone(code)
        raise WebSocketError(message)

    # --- sending ----------------------------------------------------------------------------

    async def send(self, data, opcode=None):
        """Send one message: TEXT for str, BINARY for bytes (or the given `opcode`).

        Raises `WebSocketError` if the connection is closed or the peer has gone.
        """
        if self.closed or self._close_sent:
            raise WebSocketError('Websocket connection closed')
        if self.idle_timeout:
            self._active = _ticks()
        if isinstance(data, str):
            data = data.encode()
            op = self.TEXT
        else:
            op = self.BINARY
        await self._send_frame(opcode or op, data)

    async def _send_frame(self, op, data):
        n = len(data)
        if n < 126:
            head = bytes((0x80 | op, n))
        elif n < 65536:
            head = bytes((0x80 | op, 126)) + n.to_bytes(2, 'big')
        else:
            head = bytes((0x80 | op, 127)) + n.to_bytes(8, 'big')
        if op == self.CLOSE:
            self._close_sent = True
        writer = self.request.sock[1]
        try:
            if n <= 1024:
                await writer.awrite(head + bytes(data))
            else:
                await writer.awrite(head)
                await writer.awrite(data)
        except Exception as exc:
            if isinstance(exc, OSError) or 'closed' in str(exc).lower() or \
                    'lost' in str(exc).lower():
                self._gone(self.ABNORMAL_CLOSURE)
                raise WebSocketError('Websocket connection closed')
            raise

    # --- closing ----------------------------------------------------------------------------

    async def close(self, code=1000, reason=''):
        """Start the close handshake: send CLOSE with `code` and `reason` (once).

        ``code=None`` sends a CLOSE without a status code."""
        if self._close_sent or self.closed:
            return
        payload = b'' if code is None else code.to_bytes(2, 'big') + reason.encode()[:123]
        try:
            await self._send_frame(self.CLOSE, payload)
        except WebSocketError:
            pass

    async def _finish(self):
        """End of the route: close, then wait briefly for the peer's CLOSE (after a protocol
        error, discard its input for a moment instead), so that closing the socket does not
        reset the connection before the peer has read our CLOSE."""
        await self.close()
        if self._close_received or self.close_code == self.ABNORMAL_CLOSURE:
            self._gone(self.close_code or self.NORMAL_CLOSURE)
            return
        failed = self.closed
        try:
            import asyncio
            await asyncio.wait_for(self._discard() if failed else self._await_close(),
                                   self.close_timeout)
        except Exception:
            pass
        self._gone(self.close_code or self.NORMAL_CLOSURE)

    async def _discard(self):
        reader = self.request.sock[0]
        left = 65536
        while left > 0:
            data = await reader.read(512)
            if not data:
                return
            left -= len(data)

    async def _await_close(self):
        while True:
            _, op, payload = await self._read_frame(0)
            if op == self.CLOSE:
                self._close_received = True
                if len(payload) >= 2:
                    self.close_code = int.from_bytes(payload[:2], 'big')
                return

    def _gone(self, code):
        if self.close_code is None:
            self.close_code = code
        self.closed = True
        if self._event is not None:
            self._event.set()

    async def wait_closed(self):
        """Wait until the connection is closed (by either side, or because the peer vanished).

        Only a task that is not receiving needs this; the receiving task learns it from
        `receive()` raising `WebSocketError`."""
        if self.closed:
            return
        if self._event is None:
            import asyncio
            self._event = asyncio.Event()
        await self._event.wait()


from .platform import ticks_ms as _ticks, ticks_diff as _ticks_diff  # noqa: E402


def _valid_code(code):
    return (1000 <= code <= 1003) or (1007 <= code <= 1011) or (3000 <= code <= 4999)


def _unmask(payload, mask):
    """XOR `payload` with the 4-byte `mask` (in place if it is a bytearray), 64 bytes at a time;
    returns bytes."""
    n = len(payload)
    out = payload if isinstance(payload, bytearray) else bytearray(payload)
    key = int.from_bytes(mask * 16, 'big')
    for off in range(0, n - 63, 64):
        out[off:off + 64] = (int.from_bytes(out[off:off + 64], 'big') ^ key).to_bytes(64, 'big')
    rest = n & 63
    if rest:
        off = n - rest
        tail = int.from_bytes(out[off:], 'big') ^ (key >> ((64 - rest) * 8))
        out[off:] = tail.to_bytes(rest, 'big')
    return bytes(out)


class WebSocketGroup:
    """A set of live WebSockets to broadcast to (e.g. every open chat page).

    ``group.add(ws)`` (done for you inside ``async with group.member(ws)``), ``len(group)``,
    ``await group.broadcast(message)``: sends to each member and drops the ones that are closed
    or whose send failed; returns how many received it.
    """

    def __init__(self):
        self.members = []

    def add(self, ws):
        if ws not in self.members:
            self.members.append(ws)

    def discard(self, ws):
        if ws in self.members:
            self.members.remove(ws)

    def __len__(self):
        return len(self.members)

    def __iter__(self):
        return iter(list(self.members))

    async def broadcast(self, data, opcode=None, exclude=None):
        """Send `data` to every live member except `exclude`; return the number reached."""
        sent = 0
        for ws in list(self.members):
            if ws is exclude:
                continue
            if ws.closed:
                self.discard(ws)
                continue
            try:
                await ws.send(data, opcode)
                sent += 1
            except WebSocketError:
                self.discard(ws)
        return sent


async def websocket_upgrade(request, cls=None):
    """Perform the handshake inside an ordinary route and return the `WebSocket` (an instance of
    `cls` if given: ``microdot.asgi`` passes its own).

    The route must return normally afterwards; nothing more is written to the connection."""
    ws = (cls or WebSocket)(request)
    await ws.handshake()

    @request.after_request
    async def after_request(request, response):
        return Response.already_handled

    return ws


def websocket_wrapper(f, upgrade_function):
    """Build a route that upgrades with `upgrade_function` and runs ``f(request, ws, **args)``."""
    @wraps(f)
    async def wrapper(request, *args, **kwargs):
        ws = await upgrade_function(request)
        try:
            await f(request, ws, *args, **kwargs)
        except WebSocketError:
            pass
        except OSError as exc:
            from .streams import is_muted
            if not is_muted(exc):
                from .platform import print_exception
                print_exception(exc)
        except Exception as exc:
            from .platform import print_exception
            print_exception(exc)
            if not ws.closed:
                await ws.close(WebSocket.INTERNAL_ERROR)
        try:
            await ws._finish()
        except Exception:
            pass
        return Response.already_handled
    return wrapper


def with_websocket(f):
    """Decorator: the route becomes a WebSocket endpoint ``async f(request, ws, **args)``.

    Returning from `f` closes the connection (code 1000)."""
    return websocket_wrapper(f, websocket_upgrade)
