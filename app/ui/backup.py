"""Backup, restore and factory reset of the settings (owner only, like every route of the UI).

- ``GET /api/backup``: the settings as a JSON file to download. Secrets are left out: the saved
  networks without their passwords, no access point password. ``?secrets=1`` puts those in
  (keep such a file private). The owner password's hash is never in a backup.
- ``POST /api/backup`` with such a file (at most `MAX_BYTES`): each setting is checked as the
  settings page checks it (``ui.settings``; a bad one gets ``400 {"error", "field"}`` and
  nothing changes), then merged into the current settings: the Wi-Fi networks of the backup
  that have a password are added after the saved ones, which stay (a restore never leaves the
  device without the network it is on); an owner password in the file is ignored. The restored
  settings take effect at once, except those ``ui.settings.LATER`` names: the answer's
  ``"restart"`` lists the ones that changed.
- ``POST /api/reset`` with ``{"confirm": "reset"}``: factory reset. The settings go back to the
  defaults (no networks, no owner password; ``"keep_wifi": true`` keeps the networks) and the
  board restarts: without a network it opens its setup access point. The app's files stay.
"""
import json

MAX_BYTES = 8 * 1024
SECRET = ('ap_password',)
NEVER = ('owner',)
RUN_ONLY = ('host', 'debug')  # overrides of this run (device.runtime.main), never settings
_SIMPLE = {'connect_timeout': (1, 120), 'retries': (1, 10), 'reconnect_s': (1, 3600),
           'watchdog_ms': (0, 3600000), 'session_s': (60, 30 * 86400), 'dns_port': (1, 65535)}


def backup(cfg, secrets):
    """The settings `cfg` as a backup dict (see the module's docstring)."""
    from device import config
    out = {}
    for key in cfg:
        if key in NEVER or key in RUN_ONLY or (key in SECRET and not secrets):
            continue
        out[key] = config.saved(key)
    out['networks'] = [n if secrets else {'ssid': n['ssid']} for n in cfg['networks']]
    return out


def _networks(value, cfg):
    """The networks of a backup that are new here and have a password (or are open)."""
    from ui.settings import Bad
    if not isinstance(value, list):
        raise Bad('networks', 'networks is a list of {"ssid", "password"}')
    have = [n['ssid'] for n in cfg['networks']]
    new = []
    for n in value:
        if not isinstance(n, dict) or not isinstance(n.get('ssid'), str) or \
                not 1 <= len(n['ssid']) <= 32 or \
                not isinstance(n.get('password', ''), str) or len(n.get('password', '')) > 64:
            raise Bad('networks', 'each network needs an ssid (1-32 characters) and a password')
        if 'password' in n and n['ssid'] not in have:
            have.append(n['ssid'])
            new.append({'ssid': n['ssid'], 'password': n['password']})
    return new


def _pin(name, value):
    d = dict(value) if isinstance(value, dict) else {'pin': value}
    d['name'] = name
    return d


def changes(data, cfg):
    """The checked changes a backup `data` makes to `cfg`: (changes dict, new networks, names
    of the entries it ignored). Raises ``ui.settings.Bad``."""
    from ui import settings
    from ui.settings import Bad
    if not isinstance(data, dict):
        raise Bad('', 'this is not a settings backup (a JSON object)')
    page, out, ignored = {}, {}, []
    for key in data:
        value = data[key]
        if key in ('hostname', 'port', 'ap_password'):
            page[key] = value
        elif key == 'pins':
            if not isinstance(value, dict):
                raise Bad(key, 'pins is an object: {"name": {"pin": 2, ...}}')
            page[key] = [_pin(name, value[name]) for name in value
                         if name not in settings.RESERVED and value[name] is not None]
        elif key in _SIMPLE:
            low, high = _SIMPLE[key]
            if type(value) is not int or not low <= value <= high:
                raise Bad(key, '%s is a number from %d to %d' % (key, low, high))
            out[key] = value
        elif key in ('ap_ssid',) and isinstance(value, str) and len(value) <= 32:
            out[key] = value
        elif key == 'hosts' and isinstance(value, list) and \
                all(isinstance(h, str) and 0 < len(h) <= 64 for h in value):
            out[key] = value
        elif key != 'networks':
            ignored.append(key)
    out.update(settings.check(page, cfg))
    return out, _networks(data.get('networks', []), cfg), ignored


async def _body(request):
    n = request.content_length or 0
    if n > MAX_BYTES:
        return None
    data = request.body
    if not data and n:
        data = await request.stream.readexactly(n)
    return data


def _merge(cfg, new, networks):
    from device import config
    for key in new:
        config.set_saved(key, new[key])
    if networks:
        cfg['networks'] = cfg['networks'] + networks


async def restore(request):
    from device import config
    from ui import error
    from ui.settings import Bad
    raw = await _body(request)
    if raw is None:
        return error(413, 'a settings backup is at most %d bytes' % MAX_BYTES)
    try:
        data = json.loads(raw)
    except ValueError:
        return error(400, 'this is not a settings backup: not JSON')
    cfg = config.current()
    try:
        new, networks, ignored = changes(data, cfg)
    except Bad as exc:
        return {'error': exc.args[1], 'field': exc.args[0]}, 400
    from ui import settings
    settings.ready(new)
    res = settings.answer({'restored': sorted(new), 'networks_added': [
        n['ssid'] for n in networks], 'ignored': sorted(ignored), 'restart': settings.later(new)})
    config.change(cfg, _merge, new, networks)  # (the answer is ready: a 503 from here on)
    settings.saved(cfg, new, 'settings restored from a backup')
    return res


def _reset(cfg, keep_wifi):
    from device import config
    networks = cfg['networks']
    for key in list(cfg):
        if key not in config.DEFAULTS and key not in RUN_ONLY:
            del cfg[key]
    for key in config.DEFAULTS:
        config.set_saved(key, config.defaults()[key])
    if keep_wifi:
        cfg['networks'] = networks


def _factory(cfg, keep_wifi):
    """``POST /api/reset``: the answer, the restart's task and the list of the sessions that end
    made first (a MemoryError there is a 503, no reset), then the reset; once saved, the restart
    is let go and nothing is made: the owner password is gone and every session has ended at
    once (``auth.new_owner``), never only from the restart on, and short of heap the log's line
    is left out."""
    from device import config
    from microdot import Response
    from ui import auth, files, log
    res = Response({'reset': True, 'restarting': True}, 202).complete()
    go = [False]
    files.reset_later(go)
    ended = list(auth.sessions)
    config.change(cfg, _reset, keep_wifi)
    go[0] = True
    auth.new_owner(cfg, ended)
    auth.follow(cfg)  # the session lifetime and the names as reset (no session is left)
    log.add('factory reset')
    return res


async def api(request, path, name):
    from device import config
    from ui import error, params
    cfg = config.current()
    if path == 'reset':
        data = params(request) or {}
        if data.get('confirm') != 'reset':
            return error(400, 'a factory reset needs {"confirm": "reset"}')
        return _factory(cfg, data.get('keep_wifi') is True)
    if request.method == 'POST':
        return await restore(request)
    secrets = request.args.get('secrets') in ('1', 'true', 'yes')
    name = 'settings-%s%s.json' % (cfg['hostname'], '-with-secrets' if secrets else '')
    return backup(cfg, secrets), 200, {
        'Content-Disposition': 'attachment; filename="%s"' % name, 'Cache-Control': 'no-store'}
