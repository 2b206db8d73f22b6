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

What only the boot, the setup access point and a scan need (``set_hostname``,
``connect_saved``, ``ap_name``, the access point's start, ``scan``) is ``device.wifiboot``,
loaded on first use through this module and dropped after boot and after a web UI request: on
a board running the boot package as ``.mpy`` the code that stays is the reconnect loop's.

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
    global _joining
    ip = await connect_async(ssid, password, timeout)
    _joining = None  # a finished task keeps its coroutine, and so `done` and its module
    if done is not None:
        done(ssid, ip)


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


def start_ap(cfg):
    """Bring up the setup access point (``device.wifiboot.start_ap``). Returns (ssid, ip). A
    password shorter than 8 characters (WPA2's minimum) means an open network. An access point
    without an address means the radio did not start: device.radio.revive() says so, retries
    and in the end resets the board."""
    global _mode
    from device import wifiboot
    name_ip = wifiboot.start_ap(cfg)
    _mode = 'ap'
    return name_ip


def __getattr__(name):
    # set_hostname, connect_saved, ap_name, scan: device.wifiboot, loaded on first use
    from device import wifiboot
    try:
        return getattr(wifiboot, name)
    except AttributeError:
        raise AttributeError(name)
