"""Async byte streams of a connection: `BufferedReader` (a socket stream read in bounded chunks,
so lines and pipelined requests never need more than one chunk beyond what was asked for),
`BodyReader` (a request body limited to its declared length), `BodyIter` (a response body of
any kind as chunks), and the errors of the wire: `LineTooLong`, `RequestError` (a request the
server does not take), `HeaderInjection` (a response header that would carry CR or LF) and
`is_muted` (a socket error that only means the client went away), and `AsyncBytesIO` (an async
stream over bytes in memory: a buffered body read through `Request.stream`, a test request).
Loaded by the server (and for a streamed body or an error): `import microdot` does not need
them."""


MUTED_SOCKET_ERRORS = (32, 54, 104, 128)  # EPIPE, ECONNRESET (BSD, Linux), closed socket


def is_muted(exc):
    """True for the socket errors that just mean the client went away."""
    if not isinstance(exc, OSError):
        return False
    code = exc.args[0] if exc.args else None
    return code in MUTED_SOCKET_ERRORS or (isinstance(code, int) and code < 0) or \
        code == 'Connection lost' or str(exc) == 'Connection lost'


class LineTooLong(ValueError):
    """A line did not end within the reader's `line_limit`."""


class HeaderInjection(ValueError):
    """A header value (or redirect URL, cookie) would contain CR or LF: sending it would let
    whoever chose the value add headers or a body. The request is answered with 400."""


class RequestError(ValueError):
    """Raised by `Request.create` for a request it does not take: a line or head too long (414,
    431), too many headers (431), a chunked body over the limit (413), an HTTP version (505) or
    transfer coding (501) it does not speak. `status_code` and `reason` are the server's answer.
    A ValueError, as what Microdot raises for these, so code that calls `Request.create` and
    catches ValueError keeps working."""

    def __init__(self, status_code, reason):
        super().__init__(reason)
        self.status_code = status_code
        self.reason = reason


async def _true():
    return True


class BufferedReader:
    """Reads from an asyncio stream `chunk_size` bytes at a time.

    `readline()` raises `LineTooLong` once `line_limit` bytes arrive without a newline (0: no
    limit). Bytes read past the end of a request stay buffered for the next one (pipelining).
    """

    timer = None  # set by the server: its Connection (`arm`, `deadline`), used by BodyReader
    pair = None  # (this reader, the writer): the `sock` of the requests read from it

    def __init__(self, stream, chunk_size=512, line_limit=0):
        self.stream = stream
        self.chunk_size = chunk_size
        self.line_limit = line_limit
        self.buffer = b''

    def _read(self, n):
        """Up to `n` bytes from the underlying stream (b'' at its end), to await (the stream's
        own read, not a coroutine around it)."""
        return self.stream.read(n)

    async def _fill(self, n=0):
        try:
            data = await self._read(n or self.chunk_size)
        except MemoryError:  # a fragmented heap may still have room for a small read
            data = await self._read(64)
        if data:
            self.buffer = self.buffer + data if self.buffer else data
        return bool(data)

    def _take(self, n):
        buf = self.buffer
        if n >= len(buf):  # all of it: no copy, and no new empty bytes for the rest
            self.buffer = b''
            return buf
        self.buffer = buf[n:]
        return buf[:n]

    def wait(self):
        """Await this to wait until at least one byte is buffered: False if the stream ended
        first. Safe to cancel (nothing read is lost), so it can run under a timeout. (Not a
        coroutine itself: with nothing buffered it hands back the read's.) It reads at most
        `head_size` bytes: what it reads begins a request head (see `readhead`)."""
        return self._fill(self.head_size) if not self.buffer else _true()

    async def readline(self):
        start = 0
        while True:
            i = self.buffer.find(b'\n', start)
            if i >= 0:
                return self._take(i + 1)
            if self.line_limit and len(self.buffer) > self.line_limit:
                raise LineTooLong()
            start = len(self.buffer)
            if not await self._fill():
                return self._take(len(self.buffer))

    head_size = 128  # bytes per read while a head is read (see readhead)

    async def readhead(self, limit, max_lines=0):
        """A request head as the list of its lines (bytes, each with its line end, CRLF or bare
        LF), without the empty line that ends it; empty lines before it are skipped; [] if the
        stream ends before anything else arrives. Read `head_size` bytes at a time and taken
        line by line, so that no block larger than a line and one read is ever needed: on a
        board whose heap is in pieces of a few hundred bytes a browser's head (700-800 bytes)
        still arrives, where one block for all of it would not be there. Raises `RequestError`
        431 (414 while still in the request line) if more than `limit` bytes or a line longer
        than `line_limit` arrive without the end, 431 "Too many headers" if more than
        `max_lines` lines (0: any; the one check of ``Request.max_headers``), EOFError if the
        stream ends inside."""
        lines = []
        size = 0  # bytes of the head so far
        start = 0  # where the next line end may be (what was searched already)
        line_limit = self.line_limit
        while True:
            buf = self.buffer
            i = buf.find(b'\n', start)
            if i < 0:
                start = len(buf)
                if size + start > limit or (line_limit and start > line_limit + 1):
                    break
                if not await self._fill(self.head_size):
                    if self.buffer or lines:
                        raise EOFError('connection closed inside the head')
                    return lines
                continue
            start = 0
            line = self._take(i + 1)
            if i == 0 or (i == 1 and line[0] == 13):  # an empty line
                if lines:
                    return lines
                continue  # before the request: skipped
            size += i + 1
            if size > limit or (line_limit and i > line_limit + 1):
                break
            if max_lines and len(lines) >= max_lines:
                raise RequestError(431, 'Too many headers')
            lines.append(line)
        if lines:
            raise RequestError(431, 'Header too large')
        raise RequestError(414, 'URI too long')

    async def read(self, n=-1):
        if n < 0:
            while await self._fill():
                pass
            return self._take(len(self.buffer))
        if not self.buffer:  # at most `n` from the stream: no rest to buffer and copy
            try:
                return await self._read(n)
            except MemoryError:  # (as in _fill)
                return await self._read(min(n, 64))
        return self._take(n)

    async def readexactly(self, n):
        """Exactly `n` bytes (EOFError if the stream ends first). More than a chunk is read
        piece by piece and joined once: one allocation of `n` bytes, where growing the buffer
        by concatenation would allocate ever larger blocks and fragment a small heap."""
        if n > self.chunk_size and len(self.buffer) < n:
            return bytes(await self._readinto(n))
        while len(self.buffer) < n:
            if not await self._fill():
                raise EOFError('connection closed')
        return self._take(n)

    async def readbuffer(self, n):
        """Exactly `n` bytes (EOFError if the stream ends first) for a request body: bytes if
        they fit one chunk, else the bytearray they were read into, returned as it is (one
        block of `n` bytes, allocated first; a copy into bytes would need a second one, which
        a small heap seldom has)."""
        if n <= self.chunk_size or len(self.buffer) >= n:
            return await self.readexactly(n)
        return await self._readinto(n)

    async def _readinto(self, n):
        # n bytes into one bytearray allocated first, while the heap has the most room
        out = bytearray(n)
        got = len(self.buffer)
        out[:got] = self.buffer
        self.buffer = b''
        while got < n:
            data = await self._read(min(self.chunk_size, n - got))
            if not data:
                raise EOFError('connection closed')
            out[got:got + len(data)] = data
            got += len(data)
        return out

    async def readuntil(self, separator=b'\n'):
        start = 0
        while True:
            i = self.buffer.find(separator, start)
            if i >= 0:
                return self._take(i + len(separator))
            start = max(0, len(self.buffer) - len(separator) + 1)
            if not await self._fill():
                raise EOFError('connection closed')


class BodyReader(BufferedReader):
    """The body of a request that was too large to buffer, read from the connection's reader.

    Reads stop after the declared `length`, so a handler can never consume the next request of a
    kept-alive connection; the line and exact-read methods are those of `BufferedReader`.
    """

    def __init__(self, reader, length):
        super().__init__(reader)
        self.remaining = length  # bytes not yet taken from the connection

    async def _read(self, n):
        if self.remaining <= 0:
            return b''
        n = min(n, self.remaining)
        timer = getattr(self.stream, 'timer', None)
        if timer is not None and timer.deadline is None:  # each read under a deadline
            timer.arm(timer.server.app.request_timeout)
            try:
                data = await self.stream.read(n)
            finally:
                timer.deadline = None
        else:
            data = await self.stream.read(n)
        if data:
            self.remaining -= len(data)
        return data

    async def drain(self, limit):
        """Discard the unread rest of the body if it is at most `limit` bytes; True if done."""
        if self.remaining > limit:
            return False
        self.buffer = b''
        while self.remaining > 0:
            if not await self._fill():
                return False
            self.buffer = b''
        return True


class AsyncBytesIO:
    """An async stream over bytes in memory (a buffered request body, a test request).

    The bytes (or bytearray) are read where they are, never copied whole (a body may be most of
    a small heap), and a read allocates only what it returns, however much is asked for.
    `awrite` appends.
    """

    def __init__(self, data):
        self.data = data
        self.pos = 0

    async def read(self, n=-1):
        return self._take(len(self.data) if n is None or n < 0 else self.pos + n)

    readexactly = read  # (the same: a function object less)

    async def readuntil(self, separator=b'\n'):
        end = self.data.find(separator, self.pos)
        return self._take(len(self.data) if end < 0 else end + len(separator))

    readline = readuntil

    def _take(self, end):
        data = self.data
        pos = self.pos
        self.pos = end = min(end, len(data))
        return data[pos:end] if isinstance(data, bytes) else bytes(memoryview(data)[pos:end])

    async def awrite(self, data):
        self.data += data

    async def aclose(self):
        pass


def _has(obj, name):
    return hasattr(obj, name)


class BodyIter:
    """Async iterator over a response body: bytes (one chunk), a file-like object (read in
    `Response.send_file_buffer_size` pieces, sync or async `read`), an async iterator, or a sync
    iterator/generator. The source is released (its `aclose()` or `close()` called) when it is
    exhausted, or by `aclose()` when the response is abandoned."""

    buf = None  # MicroPython: the one buffer a file is read into, piece after piece

    def __init__(self, body, chunk_size):
        self.chunk_size = chunk_size
        if not isinstance(body, bytes) and not _has(body, 'read') and not _has(body, '__anext__'):
            if _has(body, '__aiter__'):
                body = body.__aiter__()
            else:
                body = iter(body)
        elif _has(body, 'readinto'):
            from .platform import MICROPYTHON
            if MICROPYTHON:  # (CPython's transports may keep a view of what they were given)
                # Allocated here, before the response's head is sent: a file send needs no
                # more heap once it has begun, so a full heap cannot cut it off halfway (a
                # 503 before the head instead). On a heap in pieces with no block of
                # `chunk_size`, a quarter of it (at least 64 bytes): more writes, but sent.
                try:
                    self.buf = bytearray(chunk_size)
                except MemoryError:
                    self.buf = bytearray(max(64, chunk_size // 4))
        self.body = body

    def __aiter__(self):
        return self

    async def __anext__(self):
        body = self.body
        if body is None:
            raise StopAsyncIteration
        if isinstance(body, bytes):
            self.body = None
            if body:
                return body
            raise StopAsyncIteration
        if self.buf is not None:
            n = body.readinto(self.buf)
            if n:  # the writer copies what the socket does not take at once
                return memoryview(self.buf)[:n] if n < len(self.buf) else self.buf
            await self.aclose()
            raise StopAsyncIteration
        if _has(body, 'read'):
            chunk = body.read(self.chunk_size)
            if _has(chunk, 'send'):  # an async read()
                chunk = await chunk
            if chunk:
                return chunk
            await self.aclose()
            raise StopAsyncIteration
        try:
            if _has(body, '__anext__'):
                return await body.__anext__()
            return next(body)
        except (StopIteration, StopAsyncIteration):
            await self.aclose()  # exhausted: release it now (runs a generator's `finally`)
            raise StopAsyncIteration

    async def aclose(self):
        body, self.body = self.body, None
        self.buf = None
        if _has(body, 'aclose'):
            await body.aclose()
        elif _has(body, 'close'):
            body.close()
