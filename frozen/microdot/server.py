"""The built-in asyncio HTTP/1.1 server (MicroPython and CPython).

Beyond Microdot's one-request-per-connection server it offers persistent connections (with an
idle timeout), pipelining, a cap on concurrent connections (503 above it), a deadline for
receiving each request's head (slowloris), bounded line buffers, and survival of MemoryError.
The knobs are class attributes of `Microdot`.
"""
import asyncio
import gc
import sys

from .app import MICROPYTHON, print_exception
from .exceptions import HTTPException
from .request import Request
from .response import Response, is_muted
from .streams import BufferedReader

# Concurrent connections by platform: lwIP on these boards has few sockets to spare.
_DEFAULT_MAX_CONNECTIONS = {'esp8266': 3, 'rp2': 4, 'esp32': 8}
_DEFAULT_BACKLOG = {'esp8266': 2, 'rp2': 4, 'esp32': 8}
_BUSY = (b'HTTP/1.0 503 N/A\r\nContent-Type: text/plain; charset=UTF-8\r\n'
         b'Content-Length: 19\r\nRetry-After: 1\r\nConnection: close\r\n\r\n'
         b'Service unavailable')


def board_default(table, fallback):
    return table.get(sys.platform, fallback)


class _Writer:
    """Gives a CPython StreamWriter the `awrite`/`aclose` of MicroPython's stream."""

    def __init__(self, writer):
        self.writer = writer

    async def awrite(self, data):
        self.writer.write(data)
        await self.writer.drain()

    async def aclose(self):
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except Exception:
            pass

    def get_extra_info(self, name):
        return self.writer.get_extra_info(name)


async def _wait(coro, timeout):
    if not timeout:
        return await coro
    return await asyncio.wait_for(coro, timeout)


def _wants_keep_alive(app, req):
    if not app.keep_alive:
        return False
    connection = req.headers.get('Connection', '').lower()
    if req.http_version == '1.1':
        return 'close' not in connection
    return 'keep-alive' in connection


async def serve_connection(app, reader, writer):
    """Serve requests from one client connection until it closes, errs or idles out."""
    if not MICROPYTHON:
        writer = _Writer(writer)
    limit = app.max_connections or board_default(_DEFAULT_MAX_CONNECTIONS, 64)
    active = getattr(app, "_connections", 0)
    if active >= limit:
        try:
            await writer.awrite(_BUSY)
            await _wait(_discard(reader, 2048), 0.2)
        except Exception:
            pass
        await _close(writer)
        return
    app._connections = active + 1
    stream = BufferedReader(reader, line_limit=Request.max_readline)
    addr = writer.get_extra_info('peername')
    timeout = app.request_timeout
    try:
        while True:
            req = None
            try:
                req = await _wait(Request.create(app, stream, writer, addr), timeout)
            except HTTPException as exc:
                await _write_error(app, writer, exc.status_code, exc.reason, stream)
                break
            except (asyncio.TimeoutError, EOFError):
                break
            except OSError as exc:
                if not is_muted(exc):
                    print_exception(exc)
                break
            except MemoryError:
                gc.collect()
                await _write_error(app, writer, 503, None)
                break
            except Exception:  # malformed request: 400, then close
                await _write_error(app, writer, 400, None, stream)
                break
            if req is None:
                break
            keep = _wants_keep_alive(app, req)
            res = await app.dispatch_request(req)
            if res is Response.already_handled:
                break
            if res.status_code == 413 or not await _finish_body(app, req):
                keep = False
            keep = await res.write(writer, req.http_version, keep)
            if app.debug:
                print(req.method, req.path, res.status_code)
            if not keep:
                break
            timeout = app.keep_alive_timeout
            req = res = None
    except MemoryError:
        gc.collect()
        await _write_error(app, writer, 503, None)
    except Exception as exc:
        if not is_muted(exc):
            print_exception(exc)
    finally:
        app._connections -= 1
        await _close(writer)


async def _finish_body(app, req):
    """Consume what the handler left of a streamed body; False if the connection cannot be
    reused (too much left, or the client stopped sending)."""
    stream = req._stream
    if stream is None or not hasattr(stream, 'drain'):
        return True
    try:
        return await _wait(stream.drain(app.drain_limit), app.request_timeout)
    except Exception:
        return False


async def _write_error(app, writer, status, reason, stream=None):
    """Answer a request that could not be parsed, then discard a little unread input so that
    closing does not reset the connection before the client has read the answer."""
    try:
        if status == 400:
            res = await app.dispatch_request(None)
        else:
            res = Response(reason or 'Error', status)
        await res.write(writer, '1.1', False)
        if stream is not None:
            await _wait(_discard(stream.stream, 8192), 0.5)
    except Exception:
        pass


async def _discard(reader, limit):
    while limit > 0:
        data = await reader.read(512)
        if not data:
            return
        limit -= len(data)


async def _close(writer):
    try:
        await writer.aclose()
    except Exception:
        pass


async def start_server(app, host, port, debug, ssl, start_serving):
    """Listen on `host:port` and serve `app`; returns after `app.shutdown()`.

    With ``start_serving=False`` (CPython only) the asyncio Server is returned instead.
    """
    app.debug = debug
    app.ssl = ssl
    app._connections = 0
    backlog = app.listen_backlog or board_default(_DEFAULT_BACKLOG, 64)

    async def serve(reader, writer):
        await serve_connection(app, reader, writer)

    if debug:
        print('Starting async server on {}:{}...'.format(host, port))
    if MICROPYTHON:
        if not start_serving:
            raise ValueError('start_serving must be True')
        if ssl:
            app.server = await asyncio.start_server(serve, host, port, backlog=backlog, ssl=ssl)
        else:
            app.server = await asyncio.start_server(serve, host, port, backlog=backlog)
        await app.server.wait_closed()
        return None
    app.server = await asyncio.start_server(serve, host, port, ssl=ssl, backlog=backlog,
                                            start_serving=start_serving)
    if not start_serving:
        return app.server
    try:
        await app.server.serve_forever()
    except asyncio.CancelledError:
        pass
    return None
