"""Wi-Fi: station connect with a deadline, scan, forget, status, the setup access point and the
background reconnect. A thin layer over ``network.WLAN``; apps may use it too::

    from device import wifi
    wifi.status()          # {'mode': 'station', 'connected': True, 'ssid': 'home', 'ip': ...}
    wifi.scan()            # [{'ssid': 'home', 'rssi': -48, 'secure': True}, ...] strongest first
    wifi.connect('home', 'secret', timeout=15)   # ip str, or None on failure (never raises)
    wifi.forget(cfg, 'home')                     # drop from the saved networks and save

The reconnect loop reads the settings it is given (``device.config.current()`` on a board) at
every attempt, so a network forgotten or added meanwhile is skipped or tried at once. While a
``join()`` (the web UI's) runs, the loop leaves the radio alone; a join that a newer one
replaced gives up quietly. ``failure`` says why the last join failed
(``"wrong password"``, ``"network not found"``...).

Status codes differ per port, so they are compared by name (``network.STAT_GOT_IP``...), never
by number. A wrong password or a missing network ends an attempt early.
"""
import time

import network

_sta = None
_ap = None
_ssid = None  # the network the station joined
_mode = 'off'
_attempt = 0  # joins begun: a join replaced by a newer one stops (connect_async)
failure = None  # why the last join failed (str)


def _log(*args):
    print('wifi:', *args)


def sta():
    """The station interface (created once)."""
    global _sta
    if _sta is None:
        _sta = network.WLAN(network.STA_IF)
    return _sta


def ap():
    """The access-point interface (created once)."""
    global _ap
    if _ap is None:
        _ap = network.WLAN(network.AP_IF)
    return _ap


def set_hostname(name):
    """Set the DHCP (and, on ESP32/Pico W, mDNS ``name.local``) hostname; must come before
    connect(). Returns False if the port cannot set it."""
    try:
        network.hostname(name)
        return True
    except (AttributeError, ValueError, OSError):
        try:
            sta().config(hostname=name)  # ports older than network.hostname()
            return True
        except (ValueError, OSError):
            return False


def ip_of(wlan):
    """The IPv4 address of an interface as a str."""
    try:
        return wlan.ipconfig('addr4')[0]
    except (AttributeError, ValueError, OSError, TypeError):
        return wlan.ifconfig()[0]


def _stat(name):
    return getattr(network, name, None)


def _outcome(wlan):
    """True once connected, False on a definite failure, None while still trying."""
    if wlan.isconnected():
        return True
    s = wlan.status()
    if s in (_stat('STAT_WRONG_PASSWORD'), _stat('STAT_NO_AP_FOUND'), _stat('STAT_CONNECT_FAIL')):
        return False
    return None


def _begin(ssid, password):
    global _ssid, _attempt
    _attempt += 1
    wlan = sta()
    wlan.active(True)
    try:
        wlan.disconnect()
    except OSError:
        pass
    _ssid = None
    try:
        wlan.connect(ssid, password)
    except OSError as exc:
        _log('connect to', ssid, 'failed:', exc)
        return None
    return wlan


def _joined(wlan, ssid):
    global _ssid, _mode
    _ssid = ssid
    _mode = 'station'
    ip = ip_of(wlan)
    _log('connected to', repr(ssid), 'as', ip)
    return ip


def _give_up(wlan, ssid, why):
    global failure
    failure = why
    _log('could not join', repr(ssid) + ':', why)
    try:
        wlan.disconnect()
    except OSError:
        pass
    return None


def _why(status):
    if status == _stat('STAT_WRONG_PASSWORD'):
        return 'wrong password'
    if status == _stat('STAT_NO_AP_FOUND'):
        return 'network not found'
    return 'connection failed (status %s)' % status


def _step(wlan, ssid, start, timeout):
    """One look at a join in progress: False while it is still going, else connect()'s result
    (the IP, or None once it failed or `timeout` seconds have passed)."""
    done = _outcome(wlan)
    if done is not None:
        return _joined(wlan, ssid) if done else _give_up(wlan, ssid, _why(wlan.status()))
    if time.ticks_diff(time.ticks_ms(), start) >= timeout * 1000:
        return _give_up(wlan, ssid, 'timed out after %ss' % timeout)
    return False


def connect(ssid, password='', timeout=15):
    """Join `ssid`, waiting at most `timeout` seconds. Returns the IP, or None."""
    wlan = _begin(ssid, password)
    if wlan is None:
        return None
    start = time.ticks_ms()
    while True:
        result = _step(wlan, ssid, start, timeout)
        if result is not False:
            return result
        time.sleep_ms(100)


async def connect_async(ssid, password='', timeout=15):
    """connect() that lets other tasks (the server) run while it waits."""
    import asyncio
    wlan = _begin(ssid, password)
    if wlan is None:
        return None
    mine = _attempt
    start = time.ticks_ms()
    while True:
        if _attempt != mine:  # a newer join took the radio
            return None
        result = _step(wlan, ssid, start, timeout)
        if result is not False:
            return result
        await asyncio.sleep_ms(100)


_joining = None  # the task of join(), while it runs


def join(ssid, password='', timeout=15, done=None):
    """Join `ssid` in the background (an asyncio task); ``done(ssid, ip or None)`` is called
    with the outcome. A background join still under way is cancelled first: a burst of requests
    ends in one attempt, at the newest network, instead of each one dropping the others."""
    global _joining
    import asyncio
    if _joining is not None and not _joining.done():
        _joining.cancel()
    _joining = asyncio.create_task(_join(ssid, password, timeout, done))


def _busy():
    return _joining is not None and not _joining.done()


async def _join(ssid, password, timeout, done):
    ip = await connect_async(ssid, password, timeout)
    if done is not None:
        done(ssid, ip)


def connect_saved(cfg):
    """Try the saved networks in order, ``cfg['retries']`` rounds. Returns (ssid, ip) or None.
    The total wait is bounded: rounds x networks x ``cfg['connect_timeout']`` seconds."""
    nets = [(n['ssid'], n.get('password', '')) for n in cfg['networks']]
    if not nets:
        _log('no saved networks')
        return None
    for _ in range(max(1, cfg['retries'])):
        for ssid, password in nets:
            ip = connect(ssid, password, cfg['connect_timeout'])
            if ip:
                return ssid, ip
    return None


async def keep_connected(cfg, period=None):
    """Background task for station mode: every `period` seconds (default: the setting
    ``reconnect_s``, looked at every second, so a change counts at once) check the link and,
    when it dropped, rejoin the saved networks (without blocking the server)."""
    import asyncio
    while True:
        waited = 0
        while waited < (period or cfg.get('reconnect_s') or 5):
            await asyncio.sleep(1)
            waited += 1
        if _busy() or sta().isconnected():
            continue
        _log('connection lost, reconnecting')
        for n in cfg['networks']:
            if _busy():  # a join() has the radio
                break
            if n not in cfg['networks']:  # forgotten meanwhile
                continue
            if await connect_async(n['ssid'], n.get('password', ''), cfg['connect_timeout']):
                break


def ap_name(cfg):
    """The setup access point's SSID: ``cfg['ap_ssid']`` or ``<hostname>-XXXX``, the MAC's tail
    (read after the radio started; ``machine.unique_id()`` if it stays zero: device.radio)."""
    if cfg.get('ap_ssid'):
        return cfg['ap_ssid']
    try:
        mac = ap().config('mac')
    except (ValueError, OSError):
        mac = b''
    if not any(mac):
        from device.radio import late_mac
        mac = late_mac(sta, ap)
    return '%s-%02X%02X' % (cfg['hostname'], mac[-2], mac[-1])


def _ap_up(wlan, kw):
    """Configure and activate the access point; its address, or None if it has none."""
    import sys
    if sys.platform == 'rp2':  # cyw43 applies the AP settings when it is activated
        wlan.config(**kw)
        wlan.active(True)
    else:  # the ESP ports configure an active interface
        wlan.active(True)
        wlan.config(**kw)
    ip = ip_of(wlan)
    return ip if ip != '0.0.0.0' else None


def start_ap(cfg):
    """Bring up the setup access point. Returns (ssid, ip). A password shorter than 8
    characters (WPA2's minimum) means an open network. An access point without an address
    means the radio did not start: device.radio.revive() says so, retries and in the end
    resets the board."""
    global _mode
    name = ap_name(cfg)
    password = cfg.get('ap_password') or ''
    wlan = ap()
    if len(password) >= 8:
        kw = {'ssid': name, 'key': password}
        wpa2 = getattr(wlan, 'SEC_WPA2', None) or getattr(network, 'AUTH_WPA2_PSK', None)
        if wpa2 is not None:  # else the port's default for a keyed network (WPA2 on cyw43)
            kw['security'] = wpa2
    else:
        kw = {'ssid': name, 'security': 0}  # open: 0 on every port (AUTH_OPEN, CYW43_AUTH_OPEN)
    ip = _ap_up(wlan, kw)
    if not ip:
        from device.radio import revive
        ip = revive(lambda: _ap_up(wlan, kw), wlan, cfg)
    _mode = 'ap'
    _log('access point', repr(name), 'at', ip,
         '(open)' if len(password) < 8 else '(WPA2, password %s)' % password)
    return name, ip


def scan():
    """Visible networks as dicts (ssid, rssi, secure), strongest first, one per SSID."""
    wlan = sta()
    wlan.active(True)
    try:
        found = wlan.scan()
    except OSError:
        return []
    best = {}
    for ssid, _bssid, _chan, rssi, security, _hidden in found:
        try:
            name = ssid.decode()
        except UnicodeError:
            continue
        if name and (name not in best or rssi > best[name]['rssi']):
            best[name] = {'ssid': name, 'rssi': rssi, 'secure': security != 0}
    return sorted(best.values(), key=lambda n: -n['rssi'])


def forget(cfg, ssid):
    """Remove `ssid` from the saved networks (and save; if the save fails nothing changes and
    the error is raised); disconnect if it is the current one."""
    from device import config
    if not config.change(cfg, config.forget_network, ssid):
        return False
    if _ssid == ssid:
        try:
            sta().disconnect()
        except OSError:
            pass
    return True


def status():
    """{'mode': 'station'|'ap'|'off', 'connected': bool, 'ssid': str|None, 'ip': str|None}"""
    connected = _sta is not None and _sta.isconnected()
    if _mode == 'ap':
        return {'mode': 'ap', 'connected': False, 'ssid': ap_name_cached(), 'ip': ip_of(ap())}
    return {'mode': _mode, 'connected': connected, 'ssid': _ssid if connected else None,
            'ip': ip_of(_sta) if connected else None}


def ap_name_cached():
    try:
        return ap().config('ssid')
    except (ValueError, OSError):
        return None
