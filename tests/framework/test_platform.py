# microdot.platform, the one module where MicroPython and CPython differ. On MicroPython this
# checks the one asyncio internal the server relies on (asyncio.core._io_queue, behind
# platform.readable) against the MicroPython the tests run on, with real sockets.
import asyncio
import socket
import sys

from check import listen
from microdot import platform


def test_the_flag_says_which_implementation_runs():
    assert platform.MICROPYTHON == (sys.implementation.name == 'micropython')


def test_ticks_move_forward_in_milliseconds():
    start = platform.ticks_ms()
    later = platform.ticks_add(start, 250)
    assert platform.ticks_diff(later, start) == 250
    assert platform.ticks_diff(start, later) == -250
    assert platform.ticks_diff(platform.ticks_ms(), start) >= 0


async def test_handlers_of_every_kind_are_invoked():
    def plain(a, b=0):
        return a + b

    async def coro(a, b=0):
        return a * b

    def returns_a_coroutine(a):
        return coro(a, 3)

    assert await platform.invoke_handler(plain, 2, b=3) == 5
    assert await platform.invoke_handler(coro, 2, b=3) == 6
    assert await platform.invoke_handler(returns_a_coroutine, 4) == 12
    c = coro(1)
    assert platform.iscoroutine(c) and not platform.iscoroutine(plain)
    assert await c == 0


async def test_readable_wakes_when_a_listening_socket_can_accept():
    if not platform.MICROPYTHON:
        # The CPython server listens through asyncio.start_server: no internals needed there.
        assert platform.readable is None
        return
    listener, port = listen()
    woke = []

    async def wait():
        await platform.readable(listener)
        woke.append(1)

    task = asyncio.create_task(wait())
    await asyncio.sleep(0.05)
    assert not woke  # nothing to accept yet: still waiting
    client = socket.socket()
    client.connect(socket.getaddrinfo('127.0.0.1', port)[0][-1])
    await asyncio.wait_for(task, 5)
    assert woke
    conn, _ = listener.accept()
    conn.close()
    client.close()
    listener.close()


def _made_while_the_heap_is_locked(ms):
    # platform.sleep_ms(ms) made with the heap locked (MicroPython): None if that needed heap
    import micropython
    micropython.heap_lock()
    try:
        sleeper = platform.sleep_ms(ms)
    except MemoryError:
        sleeper = None
    micropython.heap_unlock()
    return sleeper


async def test_sleep_ms_waits_that_many_milliseconds_and_needs_no_heap_on_micropython():
    # The server's waits (its watchdog's rounds, the wait for a slot at the cap) run when the
    # heap may be full: on MicroPython `asyncio.sleep(seconds)` makes a float there (a heap object
    # on the unix port, the ESP32 and the Pico W), which a full heap refuses.
    start = platform.ticks_ms()
    if platform.MICROPYTHON:
        sleeper = _made_while_the_heap_is_locked(30)
        assert sleeper is not None
        await sleeper
    else:
        await platform.sleep_ms(30)
    assert platform.ticks_diff(platform.ticks_ms(), start) >= 30
