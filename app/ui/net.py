"""``/api/wifi``: the Wi-Fi settings, through the boot package: ``device.config.current()``
holds the saved networks (the same copy the runtime's reconnect loop uses, so a change counts at
once), ``device.wifi`` joins them.

- ``GET``: ``{"status": {...}, "saved": ["home", ...]}``
- ``POST {"ssid": ..., "password": ...}``: save the network first in the list and join it in
  the background (``202``; ``device.wifi.join``: a newer request replaces a join still under
  way); if the device was on another network the page loses it then.
- ``DELETE ?ssid=...``: forget a saved network (and leave it if it is the current one).
- ``GET /api/wifi/scan``: the visible networks, strongest first.
"""
from device import config, wifi


def state():
    cfg = config.current()
    return {'status': wifi.status(), 'saved': [n['ssid'] for n in cfg['networks']]}


def _joined(ssid, ip):
    from ui import log
    log.add('wifi: joined' if ip else 'wifi: could not join', ssid, ip or '')


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
        config.change(cfg, config.add_network, ssid, password)
    except ValueError as exc:
        return error(400, str(exc))
    log.add('wifi: saved', ssid, '- connecting')
    wifi.join(ssid, password, cfg['connect_timeout'], _joined)  # replaces a join under way
    d = state()
    d['connecting'] = ssid
    return d, 202
