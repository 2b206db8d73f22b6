"""The checks of the fields the settings page sends (``ui.settings.check``, which loads this
module for a check and drops it again): each field's rule, and the message a wrong value gets."""
from ui.settings import MODES, RESERVED, Bad

MAX_PINS = 16  # pins the settings page may list


def _hostname(v):
    if not isinstance(v, str) or not 1 <= len(v) <= 32:
        return 'the name needs 1 to 32 characters'
    for ch in v:
        if not ('a' <= ch <= 'z' or '0' <= ch <= '9' or ch == '-'):
            return 'use only a-z, 0-9 and "-" (it becomes NAME.local)'
    if v[0] == '-' or v[-1] == '-':
        return 'the name cannot start or end with "-"'


def _ap_password(v):
    if v == 'auto' or v == '':
        return None
    if not isinstance(v, str) or not 8 <= len(v) <= 63:
        return 'an access point password needs 8 to 63 characters (empty: an open network)'


def _port(v):
    if type(v) is not int or not 1 <= v <= 65535:
        return 'the port is a number from 1 to 65535'


def _pin_name(v):
    # a name the port knows a pin by: LED, GP15, D4, P0_13
    if not isinstance(v, str) or not 1 <= len(v) <= 12 or not 'A' <= v[0].upper() <= 'Z':
        return False
    for ch in v:
        if not (ch.isalpha() or ch.isdigit() or ch == '_'):
            return False
    return True


def _pin(p, seen):
    """The settings entry of the page's pin dict `p`, or the reason it is wrong (str)."""
    if not isinstance(p, dict):
        return 'each pin is an object'
    name = p.get('name')
    if not isinstance(name, str) or not 1 <= len(name) <= 24 or name in RESERVED or \
            '/' in name or name in seen:
        return 'each pin needs its own name (1 to 24 characters, no "/")'
    gpio = p.get('pin')
    if isinstance(gpio, str) and gpio.isdigit():
        gpio = int(gpio)
    if not (type(gpio) is int and 0 <= gpio <= 99 or _pin_name(gpio)):
        return '%s: the GPIO is a number from 0 to 99 or a pin name such as LED' % name
    mode = p.get('mode', 'switch')
    if mode not in MODES:
        return '%s: the mode is switch, pwm or input' % name
    for key in ('invert', 'on'):
        if key in p and not isinstance(p[key], bool):
            return '%s: %s is true or false' % (name, key)
    seen.append(name)
    return {'pin': gpio, 'mode': mode, 'invert': bool(p.get('invert')),
            'on': bool(p.get('on')) and mode != 'input'}


_CHECKS = {'hostname': _hostname, 'ap_password': _ap_password, 'port': _port}


def check(data, cfg):
    """``ui.settings.check``: the changes `data` asks for, checked against the settings `cfg`.
    Raises ``ui.settings.Bad(field, message)``."""
    if not isinstance(data, dict):
        raise Bad('', 'send a JSON object')
    out = {}
    for key in data:
        value = data[key]
        if key in _CHECKS:
            why = _CHECKS[key](value)
            if why:
                raise Bad(key, why)
            out[key] = value
        elif key == 'pins':
            if not isinstance(value, list) or len(value) > MAX_PINS:
                raise Bad(key, 'pins is a list of at most %d pins' % MAX_PINS)
            pins, seen = {}, []
            for p in value:
                entry = _pin(p, seen)
                if isinstance(entry, str):
                    raise Bad(key, entry)
                pins[p['name']] = entry
            for name in RESERVED:  # the boot package's inputs stay
                if name in cfg['pins']:
                    pins[name] = cfg['pins'][name]
            out[key] = pins
        elif key != 'ap_password_set':
            raise Bad(key, 'unknown setting %r' % key)
    return out
