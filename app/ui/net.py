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
- ``DELETE ?ssid=...``: forget a saved network (and leave it if it is the current one).
- ``GET /api/wifi/scan``: the visible networks, strongest first.
"""
from device import config, wifi

import ui

JOIN = 'wifi_join'  # ui.state[JOIN]: the last join (this module is dropped between requests)


def state():
    cfg = config.current()
    nets = cfg['networks']
    return {'status': wifi.status(), 'saved': [n['ssid'] for n in nets],
            'unverified': [n['ssid'] for n in nets if n.get('verified') is False],
            'join': _public(ui.state.get(JOIN, {}))}


def _public(job):
    return {k: job[k] for k in job if k != 'password'}


def _unverified(cfg, ssid, password):
    """Save `ssid` last, marked not verified; a network saved already stays as it is until the
    join worked (False: nothing to save). ValueError on a bad ssid or password."""
    trial = {'networks': []}
    config.add_network(trial, ssid, password)  # checks the values
    if ssid in [n['ssid'] for n in cfg['networks']]:
        return False
    trial['networks'][0]['verified'] = False
    cfg['networks'] = cfg['networks'] + trial['networks']


def _done(ssid, ip):
    """``device.wifi.join``'s outcome: the job's result; a network that worked saved first."""
    from ui import log
    job = ui.state.get(JOIN)
    if job is None or job['ssid'] != ssid:
        return
    if ip:
        job['state'], job['ip'] = 'joined', ip
        try:
            config.change(config.current(), config.add_network, ssid, job.pop('password'))
        except (OSError, MemoryError) as exc:
            log.add('wifi: could not save', ssid, exc)
        log.add('wifi: joined', ssid, ip)
    else:
        job['state'], job['reason'] = 'failed', wifi.failure or 'no answer'
        job.pop('password', None)
        log.add('wifi: could not join', ssid, '-', job['reason'])


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
    if request.method == 'DELETE':
        if not wifi.forget(cfg, ssid):
            return error(404, 'no saved network %r' % ssid)
        log.add('wifi: forgot', ssid)
        return state()
    password = data.get('password', '')
    try:
        config.change(cfg, _unverified, ssid, password)
    except ValueError as exc:
        return error(400, str(exc))
    log.add('wifi: joining', ssid)
    ui.state[JOIN] = {'ssid': ssid, 'state': 'connecting', 'ip': None, 'reason': None,
                      'password': password}
    wifi.join(ssid, password, cfg['connect_timeout'], _done)  # replaces a join under way
    d = state()
    d['connecting'] = ssid
    return d, 202
