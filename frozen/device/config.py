"""Device settings in a small JSON file on the device filesystem.

API (used by the runtime and by apps)::

    from device import config
    cfg = config.load()                  # never raises: missing/corrupt file -> defaults
    cfg['hostname'] = 'kitchen'
    config.add_network(cfg, 'home', 'secret')
    config.save(cfg)                     # atomic: temp file + rename

Keys (defaults in ``DEFAULTS``):

- ``networks``: list of ``{"ssid": str, "password": str}``, tried in order
- ``hostname``: DHCP/mDNS name (``hostname.local`` where the port has mDNS)
- ``ap_ssid``, ``ap_password``: setup access point; an empty ssid means ``<hostname>-XXXX``
  (last MAC bytes), an empty password an open network (a password needs 8+ characters)
- ``port``: HTTP port of the app and the portal; ``dns_port``: captive DNS port
- ``connect_timeout``: seconds per network attempt; ``retries``: rounds over the saved networks
- ``reconnect_s``: how often the background task checks the station link
- ``watchdog_ms``: hardware watchdog timeout while the app server runs, 0 = off
- ``pins``: ``{"safe_mode": GPIO number, "bootsel" (Pico) or null (the board's default button)}``

A value of the wrong type is replaced by its default, so a hand-edited file cannot crash boot.
"""
import json
import os

PATH = 'config.json'

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
        cfg[key] = _copy(DEFAULTS[key])
    return cfg


def _copy(value):
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


def _read(path):
    with open(path) as f:
        data = json.load(f)
    if not isinstance(data, dict):
        raise ValueError('not an object')
    return data


def load(path=PATH):
    """Return the settings: the file merged over the defaults, never raising.

    A missing or corrupt file gives the defaults (a leftover ``path + '.tmp'`` from an
    interrupted save is used if it is valid)."""
    data = None
    for name in (path, path + '.tmp'):
        try:
            data = _read(name)
            break
        except Exception:  # missing, unreadable, not JSON, not an object
            pass
    return validate(data or {})


def validate(data):
    """Merge `data` over the defaults, keeping only well-typed values."""
    cfg = defaults()
    for key, default in DEFAULTS.items():
        if key not in data:
            continue
        value = data[key]
        if key == 'networks':
            cfg[key] = [n for n in value if _valid_network(n)] if isinstance(value, list) else []
        elif key == 'pins':
            if isinstance(value, dict):
                cfg[key].update(value)
        elif default is None or type(value) is type(default):
            cfg[key] = value
    for key in data:  # keep keys an app added, untouched
        if key not in cfg:
            cfg[key] = data[key]
    return cfg


def _valid_network(n):
    return (isinstance(n, dict) and isinstance(n.get('ssid'), str) and n['ssid']
            and isinstance(n.get('password', ''), str))


def save(cfg, path=PATH):
    """Write the settings atomically: a temp file, then a rename over the old file."""
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(cfg, f)
    try:
        os.rename(tmp, path)
    except OSError:  # FAT (and some VFS) refuse to rename over an existing file
        os.remove(path)
        os.rename(tmp, path)


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
    """Remove `ssid` from the saved networks; return True if it was there."""
    before = len(cfg['networks'])
    cfg['networks'] = [n for n in cfg['networks'] if n['ssid'] != ssid]
    return len(cfg['networks']) != before


def get(key, path=PATH):
    """One setting, read from the file (defaults if it is missing/corrupt)."""
    return load(path)[key]
