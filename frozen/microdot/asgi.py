"""Run a Microdot app under an ASGI server such as uvicorn (CPython only).

``from microdot.asgi import Microdot`` instead of ``from microdot import Microdot``; the app object
is then an ASGI 3 application (HTTP, WebSocket and lifespan). WebSocket routes must use
`with_websocket` from this module. ``request.asgi_scope`` is the ASGI scope.
"""
import asyncio
import os
import signal

from microdot import Microdot as BaseMicrodot
from microdot.multidict import NoCaseDict
from microdot.request import Request
from microdot.response import Response
from microdot.websocket import WebSocket as BaseWebSocket, WebSocketError, websocket_wrapper
from microdot.websocket import websocket_upgrade as upgrade


class _BodyStream:
    """``request.stream`` for bodies too large to buffer: reads ASGI ``http.request`` messages."""

    def __init__(self, receive, initial, more):
        self.receive = receive
        self.buffer = initial
        self.more = more

    async def _fill(self):
        if not self.more:
            return False
        message = await self.receive()
        if not message or message['type'] != 'http.request':  # the end, a disconnect
            self.more = False
            return False
        self.buffer += message.get('body', b'')
        self.more = message.get('more_body', False)
        return True

    async def read(self, n=-1):
        while (n < 0 or len(self.buffer) < n) and await self._fill():
            pass
        if n < 0:
            n = len(self.buffer)
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    async def readexactly(self, n):
        return await self.read(n)

    async def readline(self):
        return await self.readuntil(b'\n')

    async def readuntil(self, separator=b'\n'):
        while separator not in self.buffer and await self._fill():
            pass
        i = self.buffer.find(separator)
        n = len(self.buffer) if i < 0 else i + len(separator)
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data


class Microdot(BaseMicrodot):
    """An ASGI Microdot app. `lifespan_startup` / `lifespan_shutdown` are optional
    ``async f(scope)`` hooks run at the server's lifespan events."""

    def __init__(self, lifespan_startup=None, lifespan_shutdown=None):
        super().__init__()
        self.lifespan_startup = lifespan_startup
        self.lifespan_shutdown = lifespan_shutdown
        self.embedded_server = False

    async def __call__(self, scope, receive, send):
        return await self.asgi_app(scope, receive, send)

    async def asgi_app(self, scope, receive, send):
        """The ASGI 3 entry point."""
        kind = scope['type']
        if kind == 'lifespan':
            return await self._lifespan(scope, receive, send)
        if kind not in ('http', 'websocket'):
            return
        headers = NoCaseDict()
        for name, value in scope.get('headers', []):
            name = '-'.join(p.capitalize() for p in name.decode('latin-1').split('-'))
            value = value.decode('latin-1')
            headers[name] = headers[name] + ', ' + value if name in headers and \
                name != 'Cookie' else value
        url = scope.get('raw_path', scope['path'].encode()).decode('latin-1')
        if scope.get('query_string'):
            url += '?' + scope['query_string'].decode('latin-1')
        body = b''
        stream = None
        method = scope.get('method', 'GET')
        limits = self.route_limits and self.limits_for(Request, method, url)
        max_content, max_body = limits or (Request.max_content_length, Request.max_body_length)
        declared = headers.get('Content-Length', '')
        if kind == 'http' and declared.isdigit() and int(declared) > max_content:
            pass  # refused with 413 by dispatch_request; the body is never read
        elif kind == 'http':
            more = True
            while more and len(body) <= max_body:
                message = await receive()
                if not message:  # not ASGI, but what some test harnesses give: no more body
                    more = False
                    break
                if message['type'] != 'http.request':  # http.disconnect: nobody to answer
                    return
                body += message.get('body', b'')
                more = message.get('more_body', False)
            if more or len(body) > max_body:  # as the built-in server: a stream, not `body`
                stream = _BodyStream(receive, body, more)
                body = b''
            if 'Content-Length' not in headers and body:
                headers['Content-Length'] = str(len(body))
        client = scope.get('client')
        req = Request(self, tuple(client) if client else None, method, url,
                      'HTTP/' + scope.get('http_version', '1.1'),  # as Microdot's adapter
                      headers, body=body, stream=stream, sock=(receive, send),
                      scheme=scope.get('scheme'))
        req.asgi_scope = scope
        res = await self.dispatch_request(req)
        if res is Response.already_handled:
            return
        if kind == 'websocket':  # a plain route answered a WebSocket request: refuse it
            await send({'type': 'websocket.close', 'code': 1008})
            return
        await self._send_response(res, receive, send)

    async def _send_response(self, res, receive, send):
        res.complete()
        headers = []
        for name, value in res.headers.items():
            for item in (value if isinstance(value, list) else (value,)):
                headers.append((name.lower().encode(), str(item).encode()))
        await send({'type': 'http.response.start', 'status': res.status_code,
                    'headers': headers})
        if res.is_head:
            await send({'type': 'http.response.body', 'body': b''})
            if not isinstance(res.body, bytes):
                await res.body_iter().aclose()
            return
        if isinstance(res.body, bytes):
            await send({'type': 'http.response.body', 'body': res.body})
            return
        chunks = res.body_iter()
        gone = asyncio.Event()

        async def watch():
            while True:
                message = await receive()
                if not message or message['type'] == 'http.disconnect':
                    gone.set()
                    return

        watcher = asyncio.ensure_future(watch())
        try:
            while not gone.is_set():
                try:
                    chunk = await chunks.__anext__()
                except StopAsyncIteration:
                    break
                if isinstance(chunk, str):
                    chunk = chunk.encode()
                try:
                    await send({'type': 'http.response.body', 'body': chunk,
                                'more_body': True})
                except OSError:
                    break
            if not gone.is_set():
                await send({'type': 'http.response.body', 'body': b''})
        finally:
            watcher.cancel()
            await chunks.aclose()

    async def _lifespan(self, scope, receive, send):
        while True:
            message = await receive()
            if not message:
                return
            stage = message['type'].split('.')[-1]  # startup / shutdown
            hook = self.lifespan_startup if stage == 'startup' else self.lifespan_shutdown
            try:
                if hook is not None:
                    await hook(scope)
            except Exception as exc:
                await send({'type': 'lifespan.%s.failed' % stage, 'message': repr(exc)})
                if stage == 'shutdown':
                    return
                continue
            await send({'type': 'lifespan.%s.complete' % stage})
            if stage == 'shutdown':
                return

    def run(self, host='0.0.0.0', port=5000, debug=False, ssl=None):
        """Serve with the built-in server instead of an ASGI server."""
        self.embedded_server = True
        super().run(host=host, port=port, debug=debug, ssl=ssl)

    def shutdown(self):
        """Stop: the built-in server closes; under an ASGI server this process gets SIGTERM
        (the ASGI server then shuts down gracefully)."""
        if self.embedded_server:
            super().shutdown()
        else:
            os.kill(os.getpid(), signal.SIGTERM)


class WebSocket(BaseWebSocket):
    """A WebSocket over ASGI messages (same API as `microdot.websocket.WebSocket`)."""

    async def handshake(self):
        receive, send = self.request.sock
        if getattr(self.request, 'asgi_scope', {}).get('type') != 'websocket':
            from microdot import abort
            abort(400, 'Not a WebSocket request')
        message = await receive()
        if not message or message['type'] != 'websocket.connect':
            raise WebSocketError('Websocket connection closed')
        await send({'type': 'websocket.accept'})

    async def receive(self):
        if self.closed:
            raise WebSocketError('Websocket connection closed')
        while True:
            message = await self.request.sock[0]() or {'type': 'websocket.disconnect'}
            if message['type'] == 'websocket.receive':
                data = message.get('text')
                if data is None:
                    data = message.get('bytes') or b''
                limit = self._limit()
                if limit and len(data) > limit:
                    await self.close(self.MESSAGE_TOO_BIG)
                    self._gone(self.MESSAGE_TOO_BIG)
                    raise WebSocketError('Message too large')
                return data
            if message['type'] == 'websocket.disconnect':
                self._close_received = True
                self._gone(message.get('code', self.NO_STATUS))
                raise WebSocketError('Websocket connection closed')

    async def send(self, data, opcode=None):
        if self.closed or self._close_sent:
            raise WebSocketError('Websocket connection closed')
        text = opcode == self.TEXT or (opcode is None and isinstance(data, str))
        if text and not isinstance(data, str):
            data = bytes(data).decode()
        elif not text and isinstance(data, str):
            data = data.encode()
        try:
            await self.request.sock[1]({'type': 'websocket.send',
                                        'text' if text else 'bytes': data})
        except Exception:
            self._gone(self.ABNORMAL_CLOSURE)
            raise WebSocketError('Websocket connection closed')

    async def close(self, code=1000, reason=''):
        if self._close_sent or self.closed:
            return
        self._close_sent = True
        try:
            await self.request.sock[1]({'type': 'websocket.close', 'code': code or 1000,
                                        'reason': reason})
        except Exception:
            pass

    async def _finish(self):
        await self.close()
        self._gone(self.close_code or self.NORMAL_CLOSURE)


async def websocket_upgrade(request):
    """Accept the WebSocket inside an ordinary route and return the `WebSocket` (this module's,
    over ASGI messages)."""
    return await upgrade(request, WebSocket)


def with_websocket(f):
    """Decorator for ASGI WebSocket routes: ``async f(request, ws, **args)``."""
    return websocket_wrapper(f, websocket_upgrade)


__all__ = ['Microdot', 'WebSocket', 'WebSocketError', 'websocket_upgrade', 'with_websocket']
