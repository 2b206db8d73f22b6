"""Simulated `machine` module for the MicroPython unix port (host only, never frozen).

What the device runtime uses: `reset()` (the process exits with code 77 after a ``[sim]``
line, so a test sees the "reboot"), `Pin` (input values come from the ``pins`` map of the
simulated world, see network.py; unknown pins read 1, a released pull-up button), `WDT`
(counts feeds and reports starvation), `unique_id()`, `reset_cause()`, `idle()`.
"""
import sys
import time

PWRON_RESET = 1
HARD_RESET = 2
WDT_RESET = 3
DEEPSLEEP_RESET = 4
SOFT_RESET = 5
RESET_EXIT_CODE = 77


def _log(*args):
    print('[sim]', *args)


def reset():
    _log('machine.reset()')
    import os  # (here: no global of the module's for it, which would be heap at rest)
    end = getattr(os, '_exit', None)  # CPython (run_host.py --cpython)
    if end is not None:
        # at once, as a board resets: a SystemExit in an asyncio task would first cancel every
        # task, and the runtime would go on to serve its recovery page instead of ending
        sys.stdout.flush()
        end(RESET_EXIT_CODE)
    sys.exit(RESET_EXIT_CODE)


def soft_reset():
    reset()


def reset_cause():
    return PWRON_RESET


def unique_id():
    import network
    return bytes.fromhex(network.world().get('unique_id', '02005e102030'))


def idle():
    time.sleep_ms(1)


def freq(*args):
    return 160000000


_driven = {}  # GPIO -> the level an output was last driven to


class Pin:
    IN = 0
    OUT = 1
    OPEN_DRAIN = 2
    PULL_UP = 1
    PULL_DOWN = 2

    def __init__(self, id, mode=-1, pull=-1, value=None):
        self.id = id
        self.mode = mode
        if value is not None:
            _driven[id] = 1 if value else 0

    def value(self, v=None):
        # An output keeps the level it was driven to, for every Pin object of that GPIO (the
        # port's output latch), until driven again; the world's "pins" give the rest.
        if v is not None:
            _driven[self.id] = 1 if v else 0
            return None
        if self.mode == Pin.OUT and self.id in _driven:
            return _driven[self.id]
        import network
        return int(network.world().get('pins', {}).get(str(self.id), 1))

    def __call__(self, v=None):
        return self.value(v)

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)


class PWM:
    """Pulse-width modulation on a simulated pin: remembers frequency and duty (`duties` maps pin
    id to the current 16-bit duty, None after `deinit`) and logs each change."""

    duties = {}

    def __init__(self, pin, freq=1000, duty_u16=None):
        self.pin = pin
        self._freq = freq
        PWM.duties[pin.id] = 0
        if duty_u16 is not None:
            self.duty_u16(duty_u16)

    def freq(self, value=None):
        if value is None:
            return self._freq
        self._freq = value

    def duty_u16(self, value=None):
        if value is None:
            return PWM.duties.get(self.pin.id)
        if not 0 <= value <= 65535:
            raise ValueError('duty must be 0-65535')
        PWM.duties[self.pin.id] = value
        _log('PWM pin %s duty_u16 %d' % (self.pin.id, value))

    def deinit(self):
        PWM.duties[self.pin.id] = None
        _log('PWM pin %s off' % self.pin.id)


class WDT:
    """A watchdog that cannot bite on the host: it counts feeds and, like the real one, cannot
    be stopped. A feed arriving later than the timeout prints a ``[sim] WDT starved`` line
    (the real board would have reset)."""

    feeds = 0
    starved = 0

    def __init__(self, id=0, timeout=5000):
        if timeout <= 0:
            raise ValueError('timeout must be > 0')
        self.timeout = timeout
        self.last = time.ticks_ms()
        _log('WDT started timeout=%d' % timeout)

    def feed(self):
        now = time.ticks_ms()
        if time.ticks_diff(now, self.last) > self.timeout:
            WDT.starved += 1
            _log('WDT starved for %d ms' % time.ticks_diff(now, self.last))
        self.last = now
        if not WDT.feeds:
            _log('WDT first feed')
        WDT.feeds += 1
