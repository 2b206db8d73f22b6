"""``GET /api/events``: the live stream (Server-Sent Events) each open page listens to.

Events: ``live`` (uptime, heap, signal, temperature) every `PERIOD_MS`; ``pins`` (all outputs)
on connect and whenever one changes (inputs are read every `POLL_MS`); ``log`` (new log lines) likewise. A change made from one
browser therefore shows in every other within `POLL_MS`. The stream ends when the login it was
opened with does (log out, a new password, an expired session: ``ui.auth.still_owner``).

The modules a stream uses (this one, ``ui.pinstate``, ``microdot.sse``) stay loaded
while a stream runs (``ui.state['streams']`` counts them) and are dropped when the last one
ends (``ui.release``), so after a page has closed its heap comes back.
"""
import asyncio
import gc
import sys
import time

PERIOD_MS = 2000
POLL_MS = 250


def temperature():
    """The chip's internal temperature in °C, or None where the board has no sensor."""
    try:
        if sys.platform == 'esp32':
            import esp32
            if hasattr(esp32, 'mcu_temperature'):  # ESP32-S2/S3/C3/C6
                return round(esp32.mcu_temperature(), 1)
            return round((esp32.raw_temperature() - 32) / 1.8, 1)  # classic ESP32: Fahrenheit
        if sys.platform == 'rp2':
            from machine import ADC
            return round(27 - (ADC(4).read_u16() * 3.3 / 65535 - 0.706) / 0.001721, 1)
    except (ImportError, AttributeError, OSError, ValueError):
        pass
    return None


def rssi(wifi_status):
    """Signal strength of the joined network in dBm, or None."""
    from device import wifi
    try:
        if wifi_status['connected']:
            return wifi.sta().status('rssi')
    except (OSError, ValueError):
        pass
    return None


def values():
    """{'uptime': s, 'heap_free': bytes, 'heap_used': bytes, 'rssi': dBm, 'temperature': °C,
    'wifi': {'mode', 'connected', 'ssid', 'ip'}}, read now: nothing is kept between calls
    (a sample kept for the next caller would be an object made mid-request that outlives it,
    which splits a small heap)."""
    from device import wifi
    from ui import STARTED
    net = wifi.status()
    gc.collect()
    return {'uptime': int(time.time() - STARTED), 'heap_free': gc.mem_free(),
            'heap_used': gc.mem_alloc(), 'rssi': rssi(net), 'temperature': temperature(),
            'wifi': net}


async def stream(request, sse):
    from ui import auth, log, pinstate as pins, release, state
    state['streams'] = state.get('streams', 0) + 1
    try:
        pins_seen = log_seen = -1
        due = time.ticks_ms()
        while True:
            try:  # an event is marked seen only once it is queued
                if len(getattr(sse, 'events', ())) < 3:  # a stalled client gets no backlog
                    pins.poll()
                    if pins.version() != pins_seen:
                        seen = pins.version()
                        if await sse.send(pins.states(), event='pins'):
                            pins_seen = seen
                    if log.seq != log_seen:
                        seen = log.seq
                        if await sse.send(log.since(log_seen), event='log'):
                            log_seen = seen
                    if time.ticks_diff(time.ticks_ms(), due) >= 0:
                        if not auth.still_owner(request):
                            return
                        if await sse.send(values(), event='live'):
                            due = time.ticks_add(time.ticks_ms(), PERIOD_MS)
            except MemoryError:  # no heap this round (a page loading beside this one): the
                gc.collect()  # stream goes on, the next round sends what is due
            await asyncio.sleep_ms(POLL_MS)
    finally:
        state['streams'] -= 1
        release()  # the last stream gone: what streams use is dropped


async def api(request, path, name):
    # What the stream runs on is loaded here, before the response's head is sent: on a heap in
    # pieces an import that fails now gets a clean 503 (the page tries again), where one at the
    # stream's start would cut off a response already begun.
    from ui import auth, log, pinstate  # noqa: F401
    from microdot.sse import sse_response
    return sse_response(request, stream)
