"""The pins named in the configuration (``config.json`` ``"pins"``, edited on the settings
page): outputs switched on/off or dimmed by PWM, and inputs shown live: ``/api/pins``.

A pin entry is a number (``"relay": 5``), a name the port knows (``"led": "LED"`` on a Pico W),
or ``{"pin": 2, "mode": "pwm", "invert": true, "on": false}``: ``mode`` ``switch`` (the default),
``pwm`` (dimmable) or ``input``; ``invert`` for an output that is active low (the ESP8266's LED)
or a button that pulls low; ``on`` the output's state at power-on (set by ``ui.poweron`` when
the UI starts).

The pins as data, set up and read, are ``ui.pinstate`` (which the live stream uses alone); this
module switches them. Every change bumps ``pinstate.version()``, which the live stream watches
to update every open page.
"""
import machine

import ui
from ui import pinstate
from ui.pinstate import outputs, state, states

PWM_FREQ = 1000


def drive(p, level):
    """Drive pin `p` at `level` percent. ValueError if PWM is needed and missing."""
    if 0 < level < 100:
        if p[2] != 'pwm':
            raise ValueError('%s is not a PWM pin: send on or off' % p[0])
        pwm = getattr(machine, 'PWM', None)
        if pwm is None:
            raise ValueError('this board has no PWM')
        if p[5] is None:
            p[5] = pwm(p[4], freq=PWM_FREQ)
        duty = level * 65535 // 100
        p[5].duty_u16(65535 - duty if p[3] else duty)
    else:
        if p[5] is not None:
            p[5].deinit()
            p[5] = None
            p[4] = machine.Pin(p[1], machine.Pin.OUT)
        p[4].value((level > 0) != p[3])
    p[6] = level
    if level:
        p[7] = level


def _level(p, data):
    if 'level' in data:
        return int(data['level'])
    on = data.get('on')
    if on is None:
        return None
    if isinstance(on, str):
        on = on.lower() in ('1', 'true', 'on', 'yes')
    return p[7] if on else 0


async def api(request, path, name):
    """``GET /api/pins``; ``GET`` / ``POST /api/pins/<name>`` with ``{"on": true|false}`` or
    ``{"level": 0-100}``."""
    from ui import error, log, params
    if name is None:
        return states()
    p = outputs().get(name)
    if p is None:
        return error(404, 'no pin named %r' % name)
    if request.method == 'POST':
        if p[2] == 'input':
            return error(400, '%s is an input: it cannot be set' % name)
        data = params(request)
        try:
            level = _level(p, data) if data is not None else None
        except (ValueError, TypeError, OverflowError):  # "x", [], 1e999 (inf)
            level = None
        if level is None or not 0 <= level <= 100:
            return error(400, 'send {"on": true|false} or {"level": 0-100}')
        try:
            drive(p, level)
        except ValueError as exc:
            return error(400, str(exc))
        pinstate.bump()
        log.add('pin', name, 'level', level)
    return state(p)
