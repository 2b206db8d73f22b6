# device.watchdog: the hardware watchdog is fed while the server task runs, even on a full heap.
import asyncio

from check import heap_locked_for
from device import watchdog
from microdot import platform


class Counter:
    """Stands in for machine.WDT here (tests/device has no `machine`): counts the feeds."""

    def __init__(self):
        self.feeds = 0

    def feed(self):
        self.feeds += 1


async def _holds_the_heap(ms):
    # the server short of memory: on MicroPython no allocation succeeds for `ms`
    await heap_locked_for(ms)
    return 'done'


async def test_the_watchdog_is_fed_while_the_heap_is_full():
    # asyncio.sleep(period / 1000) made a float every round (a heap object on the unix port, the
    # ESP32 and the Pico W): with the heap full the feeding task died and the board would reset
    wdt = Counter()
    task = asyncio.create_task(_holds_the_heap(100))
    feeding = watchdog.feeding(wdt, task, 10)  # made first: the task takes the heap once it runs
    try:
        assert await feeding == 'done'
    finally:
        while not task.done():  # (the heap given back, whatever happened)
            await platform.sleep_ms(10)
    assert wdt.feeds >= 4


async def test_the_feeding_ends_with_the_task_and_passes_on_its_error():
    async def fails():
        await platform.sleep_ms(20)
        raise OSError(5)

    wdt = Counter()
    try:
        await watchdog.feeding(wdt, asyncio.create_task(fails()), 5)
    except OSError as exc:
        assert exc.args == (5,)
    else:
        assert False, 'the task error was lost'
    assert wdt.feeds >= 1
