"""The pins named in the configuration (``config.json`` ``"pins"``, edited on the settings
page): outputs switched on/off or dimmed by PWM, and inputs shown live.

A pin entry is a number (``"relay": 5``), a name the port knows (``"led": "LED"`` on a Pico W),
or ``{"pin": 2, "mode": "pwm", "invert": true, "on": false}``: ``mode`` ``switch`` (the default),
``pwm`` (dimmable) or ``input``; ``invert`` for an output that is active low (the ESP8266's LED)
or a button that pulls low; ``on`` the output's state at power-on (set by ``ui.poweron`` when
the UI starts).
``safe_mode`` and ``bootsel`` are inputs of the boot package and are left alone.

Every change bumps `version()`, which the live stream watches to update every open page; it
polls the inputs (`poll`) for the same purpose.

The pins' state is plain data in ``ui.state`` (`KEY`), not objects of a class of this module, so
the module is dropped after each request and while no live stream runs: on a small board its
code would otherwise stay in RAM for good once a page had been opened. Each pin is a list
``[name, pin id, mode, invert, machine.Pin, PWM or None, level 0-100, level "on" returns to]``.
"""
import machine

import ui

INPUTS = ('safe_mode', 'bootsel')
PWM_FREQ = 1000
KEY = 'pins'  # ui.state[KEY]: {name: pin list}
VERSION = 'pins_v'  # ui.state[VERSION]: see version()


def version():
    """A number that changes whenever a pin does (set, read as changed, set up again)."""
    return ui.state.get(VERSION, 0)


def _bump():
    ui.state[VERSION] = version() + 1


def _make(name, spec):
    d = spec if isinstance(spec, dict) else {'pin': spec}
    invert = bool(d.get('invert'))
    mode = d.get('mode') if d.get('mode') in ('pwm', 'input') else 'switch'
    pid = d.get('pin')
    io = machine.Pin(pid, machine.Pin.IN if mode == 'input' else machine.Pin.OUT)
    level = 100 if io.value() != invert else 0
    return [name, pid, mode, invert, io, None, level, 100]


def read(p):
    """An input's level: 100 when active (high, or low if inverted), else 0."""
    return 100 if p[4].value() != p[3] else 0


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


def state(p):
    """What the API and the live stream say of pin `p`."""
    return {'name': p[0], 'pin': p[1], 'on': p[6] > 0, 'level': p[6], 'mode': p[2],
            'pwm': p[2] == 'pwm' and hasattr(machine, 'PWM')}


def outputs():
    """{name: pin list} for the configured pins, inputs too (set up on first use)."""
    out = ui.state.get(KEY)
    if out is None:
        from device import config
        out = ui.state[KEY] = {}
        pins = config.get('pins')
        for name in sorted(pins):
            if name not in INPUTS and pins[name] is not None:
                try:
                    out[name] = _make(name, pins[name])
                except (ValueError, TypeError, OSError) as exc:
                    print('ui: pin', name, 'unusable:', exc)
    return out


def reload():
    """Set the pins up again from the settings (after the settings page changed them)."""
    for p in ui.state.pop(KEY, {}).values():
        if p[5] is not None:  # leave the pin alone: no PWM any more
            p[5].deinit()
    outputs()
    _bump()


def poll():
    """Read the inputs; bump the version if one changed (the live stream calls this)."""
    for p in outputs().values():
        if p[2] == 'input':
            level = read(p)
            if level != p[6]:
                p[6] = level
                _bump()


def states():
    """The state of every output (``GET /api/pins``)."""
    out = outputs()
    return [state(out[name]) for name in sorted(out)]


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
        _bump()
        log.add('pin', name, 'level', level)
    return state(p)
