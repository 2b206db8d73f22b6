"""`TestClient`: drive an app in-process, without sockets, for tests.

Requests are rendered to bytes and parsed by the real `Request.create`, then dispatched by the
app; the response is collected into a `TestResponse`. Cookies set by the app are kept across
requests as a browser keeps them (see `TestClient`).
"""
import json

from .request import Request
from .response import Response


class TestResponse:
    """A collected response: `status_code`, `reason`, `headers`, `body` (bytes; None for HEAD
    and WebSocket), `text`, `json` (for application/json) and `events` (for text/event-stream:
    dicts with data, data_json, event, event_id and retry, in seconds)."""

    __test__ = False

    def __init__(self):
        self.status_code = None
        self.reason = None
        self.headers = None
        self.body = None
        self.text = None
        self.json = None
        self.events = None

    @classmethod
    async def create(cls, res):
        self = cls()
        self.status_code = res.status_code
        self.reason = res.reason or ('OK' if res.status_code == 200 else 'N/A')  # as sent
        res.complete()
        self.headers = res.headers
        if res.is_head:
            if not isinstance(res.body, bytes):
                await res.body_iter().aclose()
            return self
        chunks = []
        body = res.body_iter()
        try:
            async for chunk in body:
                chunks.append(chunk.encode() if isinstance(chunk, str) else bytes(chunk))  # (a reused buffer)
        finally:
            await body.aclose()
        self.body = b''.join(chunks)
        try:
            self.text = self.body.decode()
        except ValueError:
            pass
        mimetype = res.headers.get('Content-Type', '').split(';')[0].strip()
        if mimetype == 'application/json' and self.text is not None:
            self.json = json.loads(self.text)
        elif mimetype == 'text/event-stream':
            self.events = _parse_events(self.body)
        return self


def _parse_events(body):
    events = []
    for block in body.split(b'\n\n'):
        if not block.strip():
            continue
        event = {'data': b'', 'data_json': None, 'event': None, 'event_id': None, 'retry': None}
        data = []
        for line in block.split(b'\n'):
            if line.startswith(b':'):
                continue
            name, _, value = line.partition(b':')
            value = value[1:] if value.startswith(b' ') else value
            if name == b'data':
                data.append(value)
            elif name == b'event':
                event['event'] = value.decode()
            elif name == b'id':
                event['event_id'] = value.decode()
            elif name == b'retry':
                event['retry'] = int(value) / 1000  # seconds, as Microdot reports it
        if not data and event['event'] is None and event['retry'] is None:
            continue
        event['data'] = b'\n'.join(data)
        try:
            event['data_json'] = json.loads(event['data'].decode())
        except ValueError:
            pass
        events.append(event)
    return events


def _in_the_past(expires):
    """True if a cookie date (``Thu, 01 Jan 1970 00:00:01 GMT``) has passed (unparseable: no)."""
    import time
    try:
        day, month, year, clock = expires.split(',', 1)[-1].split()[:4]
        month = 'janfebmaraprmayjunjulaugsepoctnovdec'.index(month[:3].lower()) // 3 + 1
        when = [int(year), month, int(day)] + [int(x) for x in clock.split(':')]
    except ValueError:
        return False
    return when < list(time.gmtime()[:6])


class TestClient:
    """An in-process client for `app`.

    `cookies` is the cookie jar, as in Microdot: name -> value for a cookie of path ``/``,
    name -> ``(value, path)`` for one limited to `path`. It holds what a browser would keep: a
    cookie is replaced by one of the same name, and removed by a ``Max-Age`` of 0 or less (or,
    without Max-Age, an ``Expires`` in the past) only when the path is the same.
    """

    __test__ = False

    def __init__(self, app, cookies=None, scheme=None, host=None):
        self.app = app
        self.cookies = cookies or {}
        self.scheme = scheme
        self.host = host or 'example.com:1234'

    def _cookie_header(self, path):
        pairs = []
        for name, value in self.cookies.items():
            if isinstance(value, tuple):
                value, scope = value
                if not (path == scope or path.startswith(scope) and
                        (scope[-1] == '/' or path[len(scope)] == '/')):
                    continue
            pairs.append(name + '=' + value)
        return '; '.join(pairs)

    def _update_cookies(self, res):
        cookies = res.headers.get('Set-Cookie', [])
        if isinstance(cookies, str):
            cookies = [cookies]
        for cookie in cookies:
            parts = cookie.split(';')
            name, _, value = parts[0].strip().partition('=')
            attrs = {}
            for attr in parts[1:]:
                key, _, val = attr.strip().partition('=')
                attrs[key.lower()] = val
            path = attrs.get('path') or '/'
            max_age = attrs.get('max-age')
            if max_age is not None:  # it wins over Expires
                expired = not max_age.isdigit() or int(max_age) == 0
            else:
                expired = 'expires' in attrs and _in_the_past(attrs['expires'])
            if not expired:
                self.cookies[name] = value if path == '/' else (value, path)
            elif name in self.cookies:
                stored = self.cookies[name]
                if (stored[1] if isinstance(stored, tuple) else '/') == path:
                    del self.cookies[name]

    def _render(self, method, path, headers, body):
        headers = dict(headers or {})
        lower = [k.lower() for k in headers]
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            if 'content-type' not in lower:
                headers['Content-Type'] = 'application/json'
        if isinstance(body, str):
            body = body.encode()
        body = body or b''
        if body and 'content-length' not in lower:
            headers['Content-Length'] = str(len(body))
        if 'host' not in lower:
            headers['Host'] = self.host
        cookie = self._cookie_header(path.split('?', 1)[0])
        if cookie:
            headers['Cookie'] = cookie + '; ' + headers['Cookie'] if 'Cookie' in headers \
                else cookie
        lines = [method + ' ' + path + ' HTTP/1.0']
        for name, value in headers.items():
            lines.append(name + ': ' + str(value))
        return ('\n'.join(lines) + '\n\n').encode() + body

    async def request(self, method, path, headers=None, body=None, sock=None):
        """Send a request and return its `TestResponse`."""
        raw = self._render(method, path, headers, body)
        from .streams import AsyncBytesIO  # (not at import: an installed test client may only
        # import at module level what `import microdot` loaded: test_test_client_stub.py)
        reader = AsyncBytesIO(raw)
        writer = sock[1] if sock else AsyncBytesIO(b'')
        req = await Request.create(self.app, sock[0] if sock else reader, writer,
                                   ('127.0.0.1', 1234), scheme=self.scheme)
        res = await self.app.dispatch_request(req)
        if res is Response.already_handled:
            return TestResponse()
        self._update_cookies(res)
        return await TestResponse.create(res)

    async def get(self, path, headers=None):
        return await self.request('GET', path, headers=headers)

    async def post(self, path, headers=None, body=None):
        return await self.request('POST', path, headers=headers, body=body)

    async def put(self, path, headers=None, body=None):
        return await self.request('PUT', path, headers=headers, body=body)

    async def patch(self, path, headers=None, body=None):
        return await self.request('PATCH', path, headers=headers, body=body)

    async def delete(self, path, headers=None):
        return await self.request('DELETE', path, headers=headers)

    async def query(self, path, headers=None, body=None):
        return await self.request('QUERY', path, headers=headers, body=body)

    async def websocket(self, path, client, headers=None):
        """Open a WebSocket to `path` and talk to it with `client`, a generator function (sync,
        or async on CPython): each value it yields is sent as a message (str: text, bytes:
        binary) and the server's next message comes back as the value of the ``yield``. When the
        generator ends the socket is closed. If the server closes first the generator gets
        `GeneratorExit`. Returns an empty `TestResponse` (or the error response if the server
        refused the upgrade)."""
        import asyncio
        headers = dict(headers or {})
        for name, value in (('Upgrade', 'websocket'), ('Connection', 'Upgrade'),
                            ('Sec-WebSocket-Version', '13'),
                            ('Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==')):
            headers.setdefault(name, value)
        to_server = _Pipe()
        from_server = _Pipe()
        to_server.feed(self._render('GET', path, headers, None))

        async def run():
            try:
                return await self.request('GET', path, headers=headers,
                                          sock=(to_server, from_server))
            finally:
                from_server.close()

        task = asyncio.create_task(run())
        head = await from_server.read_head()
        if head is None:  # the app answered without upgrading
            res = await task
            return res
        gen = client()
        is_async = hasattr(gen, '__anext__')
        reply = None
        first = True
        try:
            while True:
                try:
                    if is_async:
                        msg = await (gen.__anext__() if first else gen.asend(reply))
                    else:
                        msg = next(gen) if first else gen.send(reply)
                except (StopIteration, StopAsyncIteration):
                    break
                first = False
                to_server.feed(_client_frame(msg))
                reply = await _read_server_message(from_server, to_server)
                if reply is None:  # the server closed
                    break
        finally:
            if is_async:
                await gen.aclose()
            else:
                gen.close()
            to_server.feed(_client_frame(b'\x03\xe8', 8))
            to_server.close()
        await task
        return TestResponse()


class _Pipe:
    """One direction of an in-memory connection: `feed`/`awrite` add bytes, the async read
    methods wait for them."""

    def __init__(self):
        import asyncio
        self.buffer = b''
        self.eof = False
        self.event = asyncio.Event()

    def feed(self, data):
        self.buffer += data
        self.event.set()

    async def awrite(self, data):
        if self.eof:
            raise OSError(32, 'closed')
        self.feed(bytes(data))

    def close(self):
        self.eof = True
        self.event.set()

    async def aclose(self):
        self.close()

    async def _wait(self):
        if self.eof:
            return False
        self.event.clear()
        await self.event.wait()
        return True

    async def readexactly(self, n):
        while len(self.buffer) < n:
            if not await self._wait():
                raise EOFError('connection closed')
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    async def read(self, n=-1):
        while not self.buffer:
            if not await self._wait():
                return b''
        if n < 0:
            n = len(self.buffer)
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    async def readuntil(self, separator=b'\n'):
        while separator not in self.buffer:
            if not await self._wait():
                raise EOFError('connection closed')
        i = self.buffer.find(separator) + len(separator)
        data, self.buffer = self.buffer[:i], self.buffer[i:]
        return data

    async def readline(self):
        try:
            return await self.readuntil(b'\n')
        except EOFError:
            data, self.buffer = self.buffer, b''
            return data

    async def read_head(self):
        """The 101 response head, or None if the request ended without one."""
        while b'\r\n\r\n' not in self.buffer:
            if not await self._wait():
                return None
        return await self.readuntil(b'\r\n\r\n')

    def get_extra_info(self, name):
        return None


def _client_frame(data, opcode=None):
    if opcode is None:
        opcode = 1 if isinstance(data, str) else 2
    if isinstance(data, str):
        data = data.encode()
    n = len(data)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0xfe)) + n.to_bytes(2, 'big')
    else:
        head = bytes((0x80 | opcode, 0xff)) + n.to_bytes(8, 'big')
    mask = b'\x11\x22\x33\x44'
    return head + mask + bytes(b ^ mask[i & 3] for i, b in enumerate(data))


async def _read_server_message(stream, to_server):
    """The server's next data message (str or bytes; None once it closes), answering pings."""
    parts = []
    opcode = None
    while True:
        try:
            b0, b1 = await stream.readexactly(2)
        except EOFError:
            return None
        n = b1 & 0x7f
        if n == 126:
            n = int.from_bytes(await stream.readexactly(2), 'big')
        elif n == 127:
            n = int.from_bytes(await stream.readexactly(8), 'big')
        payload = await stream.readexactly(n)
        op = b0 & 0x0f
        if op == 8:
            return None
        if op == 9:
            to_server.feed(_client_frame(payload, 10))
            continue
        if op == 10:
            continue
        if op:
            opcode = op
        parts.append(payload)
        if b0 & 0x80:
            data = b''.join(parts)
            return data.decode() if opcode == 1 else data
