"""Device settings: one copy in RAM that every part of the device shares, kept in a small JSON
file on the device filesystem.

API (used by the runtime, the reconnect loop, the portal and apps)::

    from device import config
    cfg = config.current()               # the settings in RAM, loaded once: the same dict for all
    cfg['hostname'] = 'kitchen'
    config.add_network(cfg, 'home', 'secret')
    config.save()                        # atomic; the previous file is kept as config.json.bak
    config.change(cfg, config.forget_network, 'home')   # edit + save; undone if the save fails

There is one owner: this module. The runtime, ``device.wifi``'s reconnect loop, the setup portal
and the web UI all work on ``current()``, so a change takes effect everywhere at once (a
forgotten network is not rejoined, a new one is tried on the next reconnect) and ``save()``
writes it. ``load(path)`` reads a file into a new dict (tests, tools).

Reading fails loudly when the failure may be transient: a MemoryError or an OSError other than
"no such file" is raised to the caller, never turned into defaults (which a caller could then
save over the real settings). Only a missing or corrupt file gives the defaults.

Saving: the new settings go to ``config.json.tmp``; the old file becomes ``config.json.bak``
(the last good file, kept beside the new one); then the temp file is renamed into place. A power
cut at any step leaves the old or the new settings: ``load`` takes the first valid one of
``config.json``, ``config.json.tmp`` (complete: it is renamed only after it is written) and
``config.json.bak``.

Keys (defaults in ``DEFAULTS``):

- ``networks``: list of ``{"ssid": str, "password": str}``, tried in order
- ``hostname``: DHCP/mDNS name (``hostname.local`` where the port has mDNS)
- ``ap_ssid``, ``ap_password``: setup access point; an empty ssid means ``<hostname>-XXXX``
  (last MAC bytes), an empty password an open network (a password needs 8+ characters),
  ``"auto"`` a random one for this device (``device.apkey``)
- ``owner``: the owner password's salted hash (``device.owner``); ``hosts``: more names the web
  UI answers to; ``session_s``: how long a web UI login lasts (docs/security.md)
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
ENOENT = 2

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

_cfg = None  # the settings in RAM (current())
_path = PATH  # the file they come from and are saved to
_kept = {}  # overridden keys -> the value to save instead (this run only, see override())
_ABSENT = object()


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


def _missing(exc):
    return exc.errno == ENOENT


def _read(path):
    """The JSON object in `path`, or None if the file is missing or not a settings object.
    Raises MemoryError and OSErrors other than ENOENT (possibly transient: never "missing")."""
    try:
        f = open(path)
    except OSError as exc:
        if _missing(exc):
            return None
        raise
    try:
        data = json.load(f)
    except ValueError:  # not JSON; bytes that are not UTF-8 (UnicodeError is a ValueError)
        return None
    finally:
        f.close()
    return data if isinstance(data, dict) else None


def load(path=PATH):
    """Read the settings file into a new dict: its values merged over the defaults.

    A missing or corrupt file gives the defaults; after a save that was cut short the complete
    ``path + '.tmp'`` or the kept ``path + '.bak'`` is used. Raises MemoryError or OSError when
    the file cannot be read for a reason that may pass (never defaults then)."""
    for name in (path, path + '.tmp', path + '.bak'):
        data = _read(name)
        if data is not None:
            return validate(data)
    return validate({})


def current(path=None):
    """The device's settings in RAM: read once (from `path`, default ``PATH``), then the same
    dict for every caller. Raises like ``load()`` while it cannot be read (the next call tries
    again)."""
    global _cfg, _path
    if path is not None and path != _path:
        _cfg, _path = None, path
        _kept.clear()
    if _cfg is None:
        _cfg = load(_path)
    return _cfg


def override(**values):
    """Change settings in RAM for this run only: ``save()`` keeps writing the file's values for
    these keys (host runs and tests move the ports off 80/53 this way)."""
    cfg = current()
    for key in values:
        if key not in _kept:
            _kept[key] = cfg.get(key, _ABSENT)
        cfg[key] = values[key]


def saved(key):
    """The value ``save()`` writes for `key`: the file's own for a key ``override()`` changed."""
    value = _kept.get(key, _ABSENT)
    return current()[key] if value is _ABSENT else value


def set_saved(key, value):
    """Change the value ``save()`` writes for `key` (for ``change``): a key ``override()``
    changed keeps its value in RAM for this run, any other is changed in ``current()``."""
    if key in _kept:
        _kept[key] = value
    else:
        current()[key] = value


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


def _to_save(cfg):
    if cfg is not _cfg or not _kept:
        return cfg
    out = dict(cfg)
    for key in _kept:
        if _kept[key] is _ABSENT:
            out.pop(key, None)
        else:
            out[key] = _kept[key]
    return out


def _unless_missing(op, *args):
    """Run a filesystem operation; a missing file is fine, any other error is raised."""
    try:
        op(*args)
    except OSError as exc:
        if not _missing(exc):
            raise


def _finish(path):
    """Complete a save that was cut short between its two renames (only the new settings, in
    the temp file, and the kept ``.bak`` are left), so that the next save cannot lose them."""
    try:
        os.stat(path)
        return
    except OSError as exc:
        if not _missing(exc):
            raise
    if _read(path + '.tmp') is not None:
        os.rename(path + '.tmp', path)


def save(cfg=None, path=None):
    """Write the settings (default: ``current()``, to its file) atomically, keeping the previous
    file as ``path + '.bak'``. Raises on failure; the old settings are then still in place."""
    if cfg is None:
        cfg = current()
    if path is None:
        path = _path
    text = json.dumps(_to_save(cfg))  # first: a MemoryError here touches no file
    _finish(path)
    tmp, bak = path + '.tmp', path + '.bak'
    with open(tmp, 'w') as f:
        f.write(text)
    _unless_missing(os.remove, bak)  # FAT cannot rename over a file: make room first
    _unless_missing(os.rename, path, bak)
    os.rename(tmp, path)


def change(cfg, edit, *args, path=None):
    """Apply ``edit(cfg, *args)`` (e.g. ``add_network``) and save `cfg` (to `path`, default its
    file); returns what `edit` returned (an edit returning False changed nothing: no save). If
    the edit or the save fails (a MemoryError, a full filesystem, a ValueError), the edit is
    undone in RAM as well (values put back, keys it added removed) and the error raised, so the
    settings in RAM never differ from the file."""
    old, kept = dict(cfg), dict(_kept)
    try:
        result = edit(cfg, *args)
        if result is not False:
            save(cfg, path)
    except BaseException:
        for key in [k for k in cfg if k not in old]:
            del cfg[key]
        for key in old:  # edits replace values (a new networks list): put the old ones back
            cfg[key] = old[key]
        for key in kept:  # and what set_saved() changed for an overridden key
            _kept[key] = kept[key]
        raise
    return result


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


def get(key):
    """One setting, from ``current()``."""
    return current()[key]
