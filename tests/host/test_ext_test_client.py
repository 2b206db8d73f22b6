"""TestClient.websocket with an async generator as the client (CPython only: MicroPython has no
async generators; the dual-runtime tests use sync generators)."""
import asyncio

from microdot import Microdot
from microdot.test_client import TestClient
from microdot.websocket import with_websocket


def test_async_generator_client():
    app = Microdot()

    @app.route('/ws')
    @with_websocket
    async def handler(request, ws):
        while True:
            data = await ws.receive()
            await ws.send(data * 2 if isinstance(data, str) else data[::-1])

    got = []

    async def client():
        got.append((yield 'ab'))
        await asyncio.sleep(0)
        got.append((yield b'\x01\x02'))

    res = asyncio.run(TestClient(app).websocket('/ws', client))
    assert got == ['abab', b'\x02\x01']
    assert res.status_code is None


def test_server_closing_first_ends_the_client():
    app = Microdot()

    @app.route('/ws')
    @with_websocket
    async def handler(request, ws):
        await ws.receive()
        await ws.close(4000)

    events = []

    def client():
        try:
            events.append((yield 'one'))
        except GeneratorExit:
            events.append('closed by the server')
            raise

    asyncio.run(TestClient(app).websocket('/ws', client))
    assert events == ['closed by the server']
