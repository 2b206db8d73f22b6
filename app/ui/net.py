"""``/api/wifi``: the Wi-Fi settings, through the boot package: ``device.config.current()`` holds
the saved networks (the same copy the runtime's reconnect loop uses, so a change counts at
once), ``device.wifi`` joins them.

- ``GET``: ``{"status": {...}, "saved": ["home", ...], "unverified": [...], "join": {...}}``;
  ``join`` is the last join asked for here: ``{"ssid", "state": "connecting" | "joined" |
  "failed", "ip", "reason"}`` (``{}`` before the first).
- ``POST {"ssid": ..., "password": ...}``: join that network in the background (``202``; the page
  then follows ``join``; ``device.wifi.join``: a newer request replaces a join still under way). A new one is saved at once but last and marked not verified
  (``"verified": false`` in the settings), so the networks that work keep their turn (one saved
  already stays as it was); once the join worked it moves first, verified, with this password. If it fails the device goes back to a saved network (``device.wifi``'s
  reconnect loop) and the entry stays marked until it is forgotten or joined. If the device was
  on another network, the page loses it during the join.
- ``DELETE ?ssid=...``: forget a saved network (and leave it if it is the current one); ``404``
  for a network not saved, except one forgotten since the start (the last `FORGOTTEN`):
  ``200`` again (a retry whose first answer was lost).
- ``GET /api/wifi/scan``: the visible networks, strongest first.

The answer to a change is made ready (``Response(...).complete()``) before the settings are
written: a MemoryError meeting it is the server's 503 with nothing changed, and once written
nothing is left to allocate but the response's head (a join that then finds no heap to start is reported ``failed``, the
network stays saved and the same ``POST`` again joins it). The join's result is ``ui.joined``'s.
"""
from device import config, wifi

import ui
from ui.joined import JOIN, done

FORGOT = 'wifi_forgot'  # ui.state[FORGOT]: the networks forgotten, oldest first (a DELETE retried)
FORGOTTEN = 8  # networks remembered there at most (the oldest goes first)


def state(nets=None, job=None):
    """The ``GET`` answer; `nets` and `job`: the saved networks and the join to show (default:
    the settings' and the last join)."""
    if nets is None:
        nets = config.current()['networks']
    return {'status': wifi.status(), 'saved': [n['ssid'] for n in nets],
            'unverified': [n['ssid'] for n in nets if n.get('verified') is False],
            'join': _public(ui.state.get(JOIN, {}) if job is None else job)}


def _public(job):
    return {k: job[k] for k in job if k != 'password'}


def _unverified(cfg, ssid, password, job, made):
    """``config.change``'s edit: save `ssid` last, marked not verified; a network saved already
    stays as it is until the join worked (False: nothing to save). ValueError on a bad ssid or
    password. Then, before the write, the answer (`made[0]`, showing `job`)."""
    trial = {'networks': []}
    config.add_network(trial, ssid, password)  # checks the values
    new = ssid not in [n['ssid'] for n in cfg['networks']]
    if new:
        trial['networks'][0]['verified'] = False
        cfg['networks'] = cfg['networks'] + trial['networks']
    d = state(cfg['networks'], job)
    d['connecting'] = ssid
    from microdot import Response
    made[0] = Response(d, 202).complete()
    return new


async def api(request, path, name):
    from ui import error, log, params
    if name is not None:
        return wifi.scan() if name == 'scan' else error(404, 'no such resource')
    if request.method == 'GET':
        return state()
    data = params(request) or {}
    ssid = data.get('ssid') if request.method == 'POST' else request.args.get('ssid')
    if not isinstance(ssid, str) or not ssid:
        return error(400, 'ssid is required')
    cfg = config.current()
    if request.method == 'DELETE':  # the answer made first: the networks without `ssid`
        nets = [n for n in cfg['networks'] if n['ssid'] != ssid]
        forgot = ui.state.get(FORGOT) or []
        if len(nets) == len(cfg['networks']):
            if ssid in forgot:  # forgotten already: a retry of a lost answer
                return state()
            return error(404, 'no saved network %r' % ssid)
        from microdot import Response
        res = Response(state(nets), 200).complete()
        nets = None
        if ssid in forgot:  # (saved again since)
            forgot.remove(ssid)
        elif len(forgot) >= FORGOTTEN:
            forgot.pop(0)
        forgot.append(ssid)  # before the change: made now
        ui.state[FORGOT] = forgot
        wifi.forget(cfg, ssid)
        log.add('wifi: forgot', ssid)
        return res
    password = data.get('password', '')
    job = {'ssid': ssid, 'state': 'connecting', 'ip': None, 'reason': None,
           'password': password}
    made = [None]
    ui.state.setdefault(JOIN, {})  # the dict's slot made before the change (no join yet: {})
    try:
        config.change(cfg, _unverified, ssid, password, job, made)
    except ValueError as exc:
        return error(400, str(exc))
    # saved: from here on nothing that could fail is left but the join's task
    ui.state[JOIN] = job
    log.add('wifi: joining', ssid)
    try:
        wifi.join(ssid, password, cfg['connect_timeout'], done)  # replaces a join under way
    except MemoryError:
        job['state'], job['reason'] = 'failed', 'short of memory: try again'
        job.pop('password')
    return made[0]
