"""The hardware watchdog, fed only while a server task runs.

``await guard(task, timeout_ms)`` feeds ``machine.WDT`` every timeout/4 for as long as `task`
(the app server, or the portal) is running and returns its result. If the event loop stalls
(a handler blocking forever) no feed happens and the board resets. Off when timeout_ms is 0.

A started watchdog cannot be stopped, not even by a soft reset: once it runs, interrupting the
server with Ctrl-C (as mpremote does) means a reset within the timeout. Hence it is off by
default (``watchdog_ms``) and never started in safe mode; see docs/firmware.md.
"""
import asyncio

_wdt = None
_period_ms = 1000
MAX_MS = 8388  # rp2's limit; esp8266 accepts only 5000 (adjusted below)


def start(timeout_ms):
    """Start (once) and return the watchdog, or None when timeout_ms is 0."""
    global _wdt, _period_ms
    if not timeout_ms:
        return None
    if _wdt is None:
        import sys
        from machine import WDT
        if sys.platform == 'esp8266':
            timeout_ms = 5000  # the only value the port accepts
        timeout_ms = min(timeout_ms, MAX_MS)
        _wdt = WDT(timeout=timeout_ms)
        _period_ms = timeout_ms // 4
        print('watchdog: started,', timeout_ms, 'ms')
    return _wdt


async def guard(task, timeout_ms=0):
    """Await `task`, feeding the watchdog (if `timeout_ms`) while it runs."""
    wdt = start(timeout_ms)
    if wdt is None:
        return await task
    return await feeding(wdt, task, _period_ms)


async def feeding(wdt, task, period_ms):
    """Await `task`, calling ``wdt.feed()`` every `period_ms` while it runs, and return its
    result. A round allocates nothing on MicroPython (`sleep_ms`, no float), so a full heap
    cannot end the feeding and reset a board whose server is only short of memory."""
    # asyncio's own sleep_ms, not microdot.platform's: the setup portal runs without the framework
    nap = getattr(asyncio, 'sleep_ms', None)
    while not task.done():
        wdt.feed()
        if nap:
            await nap(period_ms)
        else:  # CPython
            await asyncio.sleep(period_ms / 1000)
    return await task
