"""What ``device.wifi`` does at boot, for the setup access point and for a scan: the hostname,
joining the saved networks in turn (``connect_saved``), the access point and its name, the list
of visible networks. They are offered as ``device.wifi``'s functions (``wifi.scan()``...), which
loads this module on first use; the runtime drops it after boot and the web UI after a request,
so that while the board serves, the code of ``device.wifi`` in RAM is the reconnect loop's and
the status's (``device.launcher.unload``).
"""
import network

from device.wifi import ap, connect, ip_of, sta


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


def connect_saved(cfg):
    """Try the saved networks in order, ``cfg['retries']`` rounds. Returns (ssid, ip) or None.
    The total wait is bounded: rounds x networks x ``cfg['connect_timeout']`` seconds."""
    nets = [(n['ssid'], n.get('password', '')) for n in cfg['networks']]
    if not nets:
        print('wifi: no saved networks')
        return None
    for _ in range(max(1, cfg['retries'])):
        for ssid, password in nets:
            ip = connect(ssid, password, cfg['connect_timeout'])
            if ip:
                return ssid, ip
    return None


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
    """Bring up the setup access point (``device.wifi.start_ap`` then counts the mode as
    ``'ap'``). Returns (ssid, ip). A password shorter than 8
    characters (WPA2's minimum) means an open network. An access point without an address
    means the radio did not start: device.radio.revive() says so, retries and in the end
    resets the board."""
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
    print('wifi: access point', repr(name), 'at', ip,
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
