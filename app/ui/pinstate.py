"""The pins named in the configuration as plain data, the part the live stream needs: set up
(`outputs`), read (`poll`, `states`) and their change counter (`version`). Switching them and
the ``/api/pins`` API are ``ui.pins``, which uses this module: a live stream keeps only this
small one loaded, not the API's code.

The pins' state is plain data in ``ui.state`` (`KEY`), not objects of a class of this module, so
the module is dropped after each request and while no live stream runs: on a small board its
code would otherwise stay in RAM for good once a page had been opened. Each pin is a list
``[name, pin id, mode, invert, machine.Pin, PWM or None, level 0-100, level "on" returns to]``.
``safe_mode`` and ``bootsel`` are inputs of the boot package and are left alone.
"""
import machine

import ui

INPUTS = ('safe_mode', 'bootsel')
KEY = 'pins'  # ui.state[KEY]: {name: pin list}
VERSION = 'pins_v'  # ui.state[VERSION]: see version()


def version():
    """A number that changes whenever a pin does (set, read as changed, set up again)."""
    return ui.state.get(VERSION, 0)


def bump():
    """Note that a pin changed (every open page's live stream then sends the pins)."""
    ui.state[VERSION] = version() + 1


def _make(name, spec):
    d = spec if isinstance(spec, dict) else {'pin': spec}
    invert = bool(d.get('invert'))
    mode = d.get('mode') if d.get('mode') in ('pwm', 'input') else 'switch'
    pid = d.get('pin')
    io = machine.Pin(pid, machine.Pin.IN if mode == 'input' else machine.Pin.OUT)
    level = 100 if io.value() != invert else 0
    return [name, pid, mode, invert, io, None, level, 100]


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


def poll():
    """Read the inputs (100 when active: high, or low if inverted); bump the version if one
    changed (the live stream calls this)."""
    for p in outputs().values():
        if p[2] == 'input':
            level = 100 if p[4].value() != p[3] else 0
            if level != p[6]:
                p[6] = level
                bump()


def states():
    """The state of every pin (``GET /api/pins``, the stream's ``pins`` event)."""
    out = outputs()
    return [state(out[name]) for name in sorted(out)]
