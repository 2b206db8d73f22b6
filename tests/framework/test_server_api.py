# start_server / shutdown API differences between CPython and MicroPython.
import sys

from check import raises
from microdot import Microdot

MICROPYTHON = sys.implementation.name == 'micropython'


async def test_start_serving_false_returns_the_server_on_cpython_only():
    app = Microdot()
    if MICROPYTHON:
        with raises(ValueError):
            await app.start_server('127.0.0.1', 0, start_serving=False)
    else:
        server = await app.start_server('127.0.0.1', 0, start_serving=False)
        assert server is app.server and not server.is_serving()
        server.close()
        await server.wait_closed()


async def test_shutdown_ends_start_server():
    import asyncio
    app = Microdot()

    async def stop_soon():
        while app.server is None:
            await asyncio.sleep(0.01)
        app.shutdown()

    task = asyncio.create_task(stop_soon())
    await asyncio.wait_for(app.start_server('127.0.0.1', 0), 5)
    await task
