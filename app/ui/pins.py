"""The pins named in the configuration (``config.json`` ``"pins"``, edited on the settings
page): outputs switched on/off or dimmed by PWM, and inputs shown live.

A pin entry is a number (``"relay": 5``), a name the port knows (``"led": "LED"`` on a Pico W),
or ``{"pin": 2, "mode": "pwm", "invert": true, "on": false}``: ``mode`` ``switch`` (the default),
``pwm`` (dimmable) or ``input``; ``invert`` for an output that is active low (the ESP8266's LED)
or a button that pulls low; ``on`` the output's state at power-on (set by ``ui.poweron`` when
the UI starts).
``safe_mode`` and ``bootsel`` are inputs of the boot package and are left alone.

Every change bumps `version`, which the live stream watches to update every open page; it polls
the inputs (`poll`) for the same purpose.
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
        d = spec if isinstance(spec, dict) else {'pin': spec}
        self.invert = bool(d.get('invert'))
        self.mode = d.get('mode') if d.get('mode') in ('pwm', 'input') else 'switch'
        self.id = d.get('pin')
        self.pwm = None
        if self.mode == 'input':
            self.pin = machine.Pin(self.id, machine.Pin.IN)
            self.level = self.read()
        else:
            self.pin = machine.Pin(self.id, machine.Pin.OUT)
            self.level = 100 if self.pin.value() != self.invert else 0
        self.last = 100  # the level "on" returns to

    def read(self):
        """An input's level: 100 when active (high, or low if inverted), else 0."""
        return 100 if self.pin.value() != self.invert else 0

    def set(self, level):
        """Drive the pin at `level` percent. ValueError if PWM is needed and missing."""
        if 0 < level < 100:
            if self.mode != 'pwm':
                raise ValueError('%s is not a PWM pin: send on or off' % self.name)
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
                'mode': self.mode, 'pwm': self.mode == 'pwm' and hasattr(machine, 'PWM')}

    def off(self):
        """Leave the pin alone (before the settings change it): no PWM any more."""
        if self.pwm is not None:
            self.pwm.deinit()
            self.pwm = None


def outputs():
    """{name: Output} for the configured pins, inputs too (set up on first use)."""
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


def reload():
    """Set the pins up again from the settings (after the settings page changed them)."""
    global _outputs, version
    for p in (_outputs or {}).values():
        p.off()
    _outputs = None
    outputs()
    version += 1


def poll():
    """Read the inputs; bump `version` if one changed (the live stream calls this)."""
    global version
    for p in outputs().values():
        if p.mode == 'input':
            level = p.read()
            if level != p.level:
                p.level = level
                version += 1


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
        if p.mode == 'input':
            return error(400, '%s is an input: it cannot be set' % name)
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
