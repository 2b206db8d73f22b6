"""``GET /api/events``: the live stream (Server-Sent Events) each open page listens to.

Events: ``live`` (uptime, heap, signal, temperature) every `PERIOD_MS`; ``pins`` (all outputs)
on connect and whenever one changes (inputs are read every `POLL_MS`); ``log`` (new log lines) likewise. A change made from one
browser therefore shows in every other within `POLL_MS`. The stream ends when the login it was
opened with does (log out, a new password, an expired session: ``ui.auth.still_owner``).

The modules a stream uses (this one, ``ui.pinstate``, ``ui.sample``, ``microdot.sse``) stay loaded
while a stream runs (``ui.state['streams']`` counts them) and are dropped when the last one
ends (``ui.release``), so after a page has closed its heap comes back.
"""
import asyncio
import gc
import time

PERIOD_MS = 2000
POLL_MS = 250


async def stream(request, sse):
    from ui import auth, log, pinstate as pins, release, sample, state
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
                        if await sse.send(sample.values(), event='live'):
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
    # If the stream cannot start (no heap for these imports, or 503 at the stream cap) it
    # never runs `stream`, whose end would drop them: they are dropped here.
    try:
        from ui import auth, log, pinstate, sample  # noqa: F401
        from microdot.sse import sse_response
        return sse_response(request, stream)
    except BaseException:
        from ui import release
        release()
        raise
