"""What the built-in server needs on CPython only (never imported on MicroPython, so a board
does not pay for it): a writer with MicroPython's stream methods, and listening through
`asyncio.start_server`. The other differences between the two are in `microdot.platform`."""
import asyncio


class StreamAdapter:
    """Gives a CPython StreamWriter the `aclose` of MicroPython's stream (and its `write`,
    `drain` and `get_extra_info`)."""

    def __init__(self, writer):
        self.writer = writer

    def write(self, data):
        self.writer.write(data)

    def drain(self):
        return self.writer.drain()

    async def aclose(self):
        self.writer.close()
        await self.writer.wait_closed()

    def get_extra_info(self, name):
        return self.writer.get_extra_info(name)


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
