"""The outputs named in the configuration (``config.json`` ``"pins"``): the on-board LED and any
GPIO you add, each switched on/off or dimmed by PWM.

A pin entry is a number (``"relay": 5``), a name the port knows (``"led": "LED"`` on a Pico W),
or ``{"pin": 2, "invert": true}`` for an output that is active low (the ESP8266's LED).
``safe_mode`` and ``bootsel`` are inputs of the boot package and are left alone.

Every change bumps `version`, which the live stream watches to update every open page.
"""
import machine

INPUTS = ('safe_mode', 'bootsel')
PWM_FREQ = 1000
version = 0
_outputs = None


class Output:
    """One output: `level` 0-100 (0 off, 100 fully on, anything between is PWM)."""

    def __init__(self, name, spec):
        self.name = name
        self.invert = False
        if isinstance(spec, dict):
            self.invert = bool(spec.get('invert'))
            spec = spec.get('pin')
        self.id = spec
        self.pin = machine.Pin(spec, machine.Pin.OUT)
        self.pwm = None
        self.level = 100 if self.pin.value() != self.invert else 0
        self.last = self.level or 100  # the level "on" returns to

    def set(self, level):
        """Drive the pin at `level` percent. ValueError if PWM is needed and missing."""
        if 0 < level < 100:
            pwm = getattr(machine, 'PWM', None)
            if pwm is None:
                raise ValueError('this board has no PWM')
            if self.pwm is None:
                self.pwm = pwm(self.pin, freq=PWM_FREQ)
            duty = level * 65535 // 100
            self.pwm.duty_u16(65535 - duty if self.invert else duty)
        else:
            if self.pwm is not None:
                self.pwm.deinit()
                self.pwm = None
                self.pin = machine.Pin(self.id, machine.Pin.OUT)
            self.pin.value((level > 0) != self.invert)
        self.level = level
        if level:
            self.last = level

    def state(self):
        return {'name': self.name, 'pin': self.id, 'on': self.level > 0, 'level': self.level,
                'pwm': hasattr(machine, 'PWM')}


def outputs():
    """{name: Output} for the configured pins (set up on first use)."""
    global _outputs
    if _outputs is None:
        from device import config
        _outputs = {}
        pins = config.get('pins')
        for name in sorted(pins):
            if name not in INPUTS and pins[name] is not None:
                try:
                    _outputs[name] = Output(name, pins[name])
                except (ValueError, TypeError, OSError) as exc:
                    print('ui: pin', name, 'unusable:', exc)
    return _outputs


def states():
    """The state of every output (``GET /api/pins``)."""
    out = outputs()
    return [out[name].state() for name in sorted(out)]


def _level(p, data):
    if 'level' in data:
        return int(data['level'])
    on = data.get('on')
    if on is None:
        return None
    if isinstance(on, str):
        on = on.lower() in ('1', 'true', 'on', 'yes')
    return p.last if on else 0


async def api(request, path, name):
    """``GET /api/pins``; ``GET`` / ``POST /api/pins/<name>`` with ``{"on": true|false}`` or
    ``{"level": 0-100}``."""
    global version
    from ui import error, log, params
    if name is None:
        return states()
    p = outputs().get(name)
    if p is None:
        return error(404, 'no pin named %r' % name)
    if request.method == 'POST':
        data = params(request)
        try:
            level = _level(p, data) if data is not None else None
        except (ValueError, TypeError, OverflowError):  # "x", [], 1e999 (inf)
            level = None
        if level is None or not 0 <= level <= 100:
            return error(400, 'send {"on": true|false} or {"level": 0-100}')
        try:
            p.set(level)
        except ValueError as exc:
            return error(400, str(exc))
        version += 1
        log.add('pin', name, 'level', level)
    return p.state()
