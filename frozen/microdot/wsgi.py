"""Run a Microdot app under a WSGI server such as waitress or wsgiref (CPython only).

``from microdot.wsgi import Microdot``; the app object is then a WSGI callable. Each server thread
drives the app's coroutines on an event loop of its own. ``request.environ`` is the WSGI
environ. WebSocket is not available over WSGI.
"""
import asyncio
import os
import signal
import threading

from microdot import Microdot as BaseMicrodot
from microdot.multidict import NoCaseDict
from microdot.request import Request
from microdot.response import Response


class _InputStream:
    """``request.stream`` over ``wsgi.input`` for bodies too large to buffer."""

    def __init__(self, f, length):
        self.f = f
        self.remaining = length

    async def read(self, n=-1):
        if n < 0 or n > self.remaining:
            n = self.remaining
        data = self.f.read(n) if n else b''
        self.remaining -= len(data)
        return data

    async def readexactly(self, n):
        return await self.read(n)

    async def readline(self):
        data = self.f.readline(self.remaining) if self.remaining else b''
        self.remaining -= len(data)
        return data

    async def readuntil(self, separator=b'\n'):
        out = b''
        while not out.endswith(separator):
            c = await self.read(1)
            if not c:
                break
            out += c
        return out


class Microdot(BaseMicrodot):
    """A WSGI Microdot app."""

    def __init__(self):
        super().__init__()
        self.embedded_server = False
        self._local = threading.local()

    def _loop(self):
        loop = getattr(self._local, 'loop', None)
        if loop is None:
            loop = self._local.loop = asyncio.new_event_loop()
        return loop

    def __call__(self, environ, start_response):
        return self.wsgi_app(environ, start_response)

    def wsgi_app(self, environ, start_response):
        """The WSGI entry point."""
        headers = NoCaseDict()
        for key, value in environ.items():
            if key.startswith('HTTP_'):
                name = '-'.join(p.capitalize() for p in key[5:].split('_'))
                headers[name] = value
        if environ.get('CONTENT_TYPE'):
            headers['Content-Type'] = environ['CONTENT_TYPE']
        length = int(environ.get('CONTENT_LENGTH') or 0)
        if length:
            headers['Content-Length'] = str(length)
        url = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '/')
        if environ.get('QUERY_STRING'):
            url += '?' + environ['QUERY_STRING']
        method = environ['REQUEST_METHOD']
        limits = self.route_limits and self.limits_for(Request, method, url)
        max_content, max_body = limits or (Request.max_content_length, Request.max_body_length)
        body = b''
        stream = None
        if length and length <= max_content:
            if length <= max_body:
                body = environ['wsgi.input'].read(length)
            else:
                stream = _InputStream(environ['wsgi.input'], length)
        addr = (environ.get('REMOTE_ADDR'), int(environ.get('REMOTE_PORT') or 0))
        version = environ.get('SERVER_PROTOCOL', 'HTTP/1.0')
        req = Request(self, addr, method, url, version, headers, body=body, stream=stream,
                      sock=None, scheme=environ.get('wsgi.url_scheme'))
        req.environ = environ
        loop = self._loop()
        res = loop.run_until_complete(self.dispatch_request(req))
        if res is Response.already_handled:
            start_response('500 Internal Server Error', [])
            return [b'']
        res.complete()
        out_headers = []
        for name, value in res.headers.items():
            for item in (value if isinstance(value, list) else (value,)):
                out_headers.append((name, str(item)))
        reason = res.reason or ('OK' if res.status_code == 200 else 'N/A')  # as Microdot's
        start_response('%d %s' % (res.status_code, reason), out_headers)
        if res.is_head:
            if not isinstance(res.body, bytes):
                loop.run_until_complete(res.body_iter().aclose())
            return [b'']
        if isinstance(res.body, bytes):
            return [res.body]
        return _BodyIterable(loop, res.body_iter())

    def run(self, host='0.0.0.0', port=5000, debug=False, ssl=None):
        """Serve with the built-in server instead of a WSGI server."""
        self.embedded_server = True
        super().run(host=host, port=port, debug=debug, ssl=ssl)

    def shutdown(self):
        """Stop: the built-in server closes; under a WSGI server this process gets SIGTERM."""
        if self.embedded_server:
            super().shutdown()
        else:
            os.kill(os.getpid(), signal.SIGTERM)


class _BodyIterable:
    """A streamed body as the WSGI iterable (the server calls `close()` when done)."""

    def __init__(self, loop, chunks):
        self.loop = loop
        self.chunks = chunks

    def __iter__(self):
        return self

    def __next__(self):
        try:
            chunk = self.loop.run_until_complete(self.chunks.__anext__())
        except StopAsyncIteration:
            raise StopIteration
        return chunk.encode() if isinstance(chunk, str) else chunk

    def close(self):
        self.loop.run_until_complete(self.chunks.aclose())
