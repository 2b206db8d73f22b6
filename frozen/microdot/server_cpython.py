"""What the built-in server needs on CPython only (never imported on MicroPython, so a board
does not pay for it): listening through `asyncio.start_server`. The other differences between
the two are in `microdot.platform`."""
import asyncio


async def start_server(app, serve_connection, host, port, ssl, backlog, start_serving):
    """Listen with asyncio and call `serve_connection(app, reader, writer)` per connection."""

    async def serve(reader, writer):
        await serve_connection(app, reader, writer)

    app.server = await asyncio.start_server(serve, host, port, ssl=ssl, backlog=backlog,
                                            start_serving=start_serving)
    if not start_serving:
        return app.server
    try:
        await app.server.serve_forever()
    except asyncio.CancelledError:
        pass
    return None
