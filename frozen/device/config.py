"""Device settings: one copy in RAM that every part of the device shares, kept in a small JSON
file on the device filesystem.

API (used by the runtime, the reconnect loop, the portal and apps)::

    from device import config
    cfg = config.current()               # the settings in RAM, loaded once: the same dict for all
    cfg['hostname'] = 'kitchen'
    config.add_network(cfg, 'home', 'secret')
    config.save()                        # atomic; the previous file is kept as config.json.bak
    config.change(cfg, config.forget_network, 'home')   # edit + save; undone if the save fails

There is one owner: this module. Reading and checking the file is ``device.configfile``,
loaded on first use (``config.load``, ``config.add_network``... are its functions, looked up
through this module); writing it, ``device.configwrite`` (``save``). The runtime, ``device.wifi``'s reconnect loop, the
setup portal and the web UI all work on ``current()``, so a change takes effect everywhere at
once (a forgotten network is not rejoined, a new one is tried on the next reconnect) and
``save()`` writes it. ``load(path)`` reads a file (default `PATH`) into a new dict (tests,
tools).

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

PATH = 'config.json'  # the settings file (configfile.load's default)

_cfg = None  # the settings in RAM (current())
_path = PATH  # the file they come from and are saved to
_kept = {}  # overridden keys -> the value to save instead (this run only, see override())
_ABSENT = object()


def __getattr__(name):
    # the file's side (DEFAULTS, load, validate, defaults, networks, add_network,
    # forget_network): device.configfile, loaded on first use
    from device import configfile
    try:
        return getattr(configfile, name)
    except AttributeError:
        raise AttributeError(name)


def current(path=None):
    """The device's settings in RAM: read once (from `path`, default ``PATH``), then the same
    dict for every caller. Raises like ``load()`` while it cannot be read (the next call tries
    again)."""
    global _cfg, _path
    if path is not None and path != _path:
        _cfg, _path = None, path
        _kept.clear()
    if _cfg is None:
        from device import configfile
        _cfg = configfile.load(_path)
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


def _swap(cfg):
    # the values `override()` put in RAM and those to save change places, in place: a copy of
    # the settings (a table of 17 entries, one 272-byte block on the 64-bit unix port) was a
    # save's largest block on a heap in pieces. Twice puts everything back.
    for key in _kept:
        value = _kept[key]
        _kept[key] = cfg.pop(key, _ABSENT)
        if value is not _ABSENT:
            cfg[key] = value


def save(cfg=None, path=None):
    """Write the settings (default: ``current()``, to its file) atomically, keeping the previous
    file as ``path + '.bak'``. Raises on failure; the old settings are then still in place."""
    from device import configwrite
    cfg = current() if cfg is None else cfg
    swap = cfg is _cfg and _kept  # written with the file's values for the overridden keys
    if swap:
        _swap(cfg)
    try:
        configwrite.write(cfg, _path if path is None else path)
    finally:
        if swap:
            _swap(cfg)


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


def get(key):
    """One setting, from ``current()``."""
    return current()[key]
