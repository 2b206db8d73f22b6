"""The settings file of ``device.config``: reading it (defaults for a missing or corrupt file, the
temp or the kept copy after a cut save), checking its values, and the edits of the saved
networks. Its functions are offered as ``device.config``'s (``config.load``,
``config.add_network``...), which loads this module on first use. Writing the file is
``device.configwrite`` (``config.save``), a module of its own: a save of the settings page's
form needs none of this one's code.

Needed at boot (the first ``config.current()``) and for a change of the networks; the runtime
drops it after boot and the web UI after a request, so that on a board running the boot package
as ``.mpy`` its code costs no heap while nothing changes (``device.launcher.unload``).
"""
import json

# Few names at the module level (at most 15; 17 with __name__ and __file__): its names are a
# table that grows, when full, into one new block of the next size, and from 18 names that
# is a table of 23 (368 bytes on a 64-bit build, 184 on a board). A save on a heap in pieces
# (after refused uploads, 56wK) failed importing this module there; 17 fit in the table of
# 17. Hence the error number 2 (ENOENT: missing) and the helpers written where they are used.

DEFAULTS = {
    'networks': [],
    'hostname': 'microdot',
    'ap_ssid': '',
    'ap_password': '',
    'port': 80,
    'dns_port': 53,
    'connect_timeout': 15,
    'retries': 2,
    'reconnect_s': 5,
    'watchdog_ms': 0,
    'pins': {'safe_mode': None},
}


def defaults():
    """A fresh copy of the default settings."""
    cfg = {}
    for key in DEFAULTS:
        value = DEFAULTS[key]
        cfg[key] = dict(value) if isinstance(value, dict) else \
            list(value) if isinstance(value, list) else value
    return cfg


def _read(path):
    """The JSON object in `path`, or None if the file is missing or not a settings object.
    Raises MemoryError and OSErrors other than ENOENT (possibly transient: never "missing")."""
    try:
        f = open(path)
    except OSError as exc:
        if exc.errno == 2:  # ENOENT
            return None
        raise
    try:
        data = json.load(f)
    except ValueError:  # not JSON; bytes that are not UTF-8 (UnicodeError is a ValueError)
        return None
    finally:
        f.close()
    return data if isinstance(data, dict) else None


def load(path=None):
    """Read the settings file `path` (default ``device.config.PATH``) into a new dict: its values
    merged over the defaults.

    A missing or corrupt file gives the defaults; after a save that was cut short the complete
    ``path + '.tmp'`` or the kept ``path + '.bak'`` is used. Raises MemoryError or OSError when
    the file cannot be read for a reason that may pass (never defaults then)."""
    if path is None:
        from device.config import PATH as path
    for name in (path, path + '.tmp', path + '.bak'):
        data = _read(name)
        if data is not None:
            return validate(data)
    return validate({})


def validate(data):
    """Merge `data` over the defaults, keeping only well-typed values."""
    cfg = defaults()
    for key, default in DEFAULTS.items():
        if key not in data:
            continue
        value = data[key]
        if key == 'networks':  # those with an ssid (and a password, if any) of text
            cfg[key] = [n for n in value if isinstance(n, dict) and isinstance(
                n.get('ssid'), str) and n['ssid'] and isinstance(n.get('password', ''), str)
            ] if isinstance(value, list) else []
        elif key == 'pins':
            if isinstance(value, dict):
                cfg[key].update(value)
        elif default is None or type(value) is type(default):
            cfg[key] = value
    for key in data:  # keep keys an app added, untouched
        if key not in cfg:
            cfg[key] = data[key]
    return cfg


def networks(cfg):
    """The saved networks as a list of (ssid, password)."""
    return [(n['ssid'], n.get('password', '')) for n in cfg['networks']]


def add_network(cfg, ssid, password=''):
    """Put `ssid` first in the saved networks (replacing an older entry). Raises ValueError on
    an empty ssid or non-string values."""
    if not isinstance(ssid, str) or not ssid or len(ssid) > 32:
        raise ValueError('ssid must be 1-32 characters')
    if not isinstance(password, str) or len(password) > 64:
        raise ValueError('password must be a string of at most 64 characters')
    forget_network(cfg, ssid)
    cfg['networks'].insert(0, {'ssid': ssid, 'password': password})


def forget_network(cfg, ssid):
    """Remove `ssid` from the saved networks (a new list); return True if it was there."""
    before = len(cfg['networks'])
    cfg['networks'] = [n for n in cfg['networks'] if n['ssid'] != ssid]
    return len(cfg['networks']) != before
