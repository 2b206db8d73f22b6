# How handlers are invoked: sync handlers run in a thread on CPython, inline on MicroPython.
import sys

from microdot import Microdot, iscoroutine
from microdot.test_client import TestClient

MICROPYTHON = sys.implementation.name == 'micropython'


async def test_sync_handler_thread_placement():
    app = Microdot()

    @app.route('/where')
    def where(req):
        if MICROPYTHON:
            return 'inline'
        import threading
        return 'main' if threading.current_thread() is threading.main_thread() else 'worker'

    res = await TestClient(app).get('/where')
    assert res.text == ('inline' if MICROPYTHON else 'worker')


async def test_sync_handler_receives_url_arguments():
    app = Microdot()

    @app.route('/add/<int:a>/<int:b>')
    def add(req, a, b):
        return str(a + b)

    assert (await TestClient(app).get('/add/2/40')).text == '42'


async def test_async_callable_object_handler():
    app = Microdot()

    class Handler:
        async def __call__(self, req):
            return 'object'

    app.route('/o')(Handler())
    assert (await TestClient(app).get('/o')).text == 'object'


def test_iscoroutine():
    async def coro():
        return 1

    c = coro()
    assert iscoroutine(c)
    assert not iscoroutine(1)
    if hasattr(c, 'close'):
        c.close()
