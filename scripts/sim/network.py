"""Simulated `network` module for the MicroPython unix port (host only, never frozen).

It lets the device runtime's whole boot path run in tests and under `make run`. The simulated
radio world is a JSON file, re-read on every call so a test can change it while the "board"
runs: ``$MICRODOT_SIM`` if set, else ``sim.json`` in the current directory (the device
filesystem). Missing file = the default world below. Keys::

    {"networks": [{"ssid": "home", "password": "pw", "rssi": -50, "channel": 6}],
     "up": true,          # false: every access point vanishes (Wi-Fi loss)
     "join_ms": 200,      # time from connect() to got-IP (or to the failure status)
     "sta_ip": "127.0.0.1", "ap_ip": "127.0.0.1",
     "pins": {"0": 1},    # read by the simulated machine.Pin
     "radio": true,       # false: the Wi-Fi chip failed to start (as when CYW43 is absent):
                          # active() is accepted, but no address, MAC zeros, connect() fails
     "mac_after_start": false,  # true: the MAC reads zeros until an interface was first
                          # activated (rp2: the CYW43 chip loads it when it starts)
     "unique_id": "02005e102030"}  # machine.unique_id(), hex (read by the simulated machine)

Behaviour follows the real WLAN API (network.WLAN.rst): status() goes IDLE -> CONNECTING ->
GOT_IP / WRONG_PASSWORD / NO_AP_FOUND. Unlike a real station the simulated one never
reconnects by itself after the access point goes away (status CONNECT_FAIL until the next
connect()), so tests prove that the runtime's own reconnect logic works. Every call that
changes state prints a ``[sim]`` line, which the host tests read.
"""
import json
import os
import time

STA_IF = 0
AP_IF = 1
STAT_IDLE = 0
STAT_CONNECTING = 1
STAT_WRONG_PASSWORD = 2
STAT_NO_AP_FOUND = 3
STAT_CONNECT_FAIL = 4
STAT_GOT_IP = 5
AUTH_OPEN = 0
AUTH_WPA2_PSK = 3

DEFAULT_WORLD = {
    'networks': [{'ssid': 'SimNet', 'password': 'simulated', 'rssi': -42, 'channel': 6}],
    'up': True,
    'join_ms': 200,
    'sta_ip': '127.0.0.1',
    'ap_ip': '127.0.0.1',
    'pins': {},
    'radio': True,
    'mac_after_start': False,
}

_hostname = 'mpy-sim'
_started = False  # the chip has been started once (some interface activated with a radio)


def log(*args):
    print('[sim]', *args)


def world():
    """The current simulated world (defaults merged with the JSON file)."""
    path = os.getenv('MICRODOT_SIM') or 'sim.json'
    w = dict(DEFAULT_WORLD)
    try:
        with open(path) as f:
            w.update(json.load(f))
    except (OSError, ValueError):
        pass
    return w


def hostname(name=None):
    global _hostname
    if name is None:
        return _hostname
    if not isinstance(name, str) or not 0 < len(name) <= 32:
        raise ValueError('hostname too long')
    _hostname = name
    log('hostname', name)


def country(code=None):
    return 'XX' if code is None else None


class _State:
    def __init__(self):
        self.active = False
        self.target = None  # (ssid, key) of the current attempt
        self.started = 0
        self.connected = None  # ssid we are associated with
        self.lost = False
        self.config = {'ssid': '', 'key': '', 'security': AUTH_OPEN, 'channel': 1,
                       'reconnects': -1, 'mac': b'\x02\x00\x5e\x10\x20\x30'}


_states = {STA_IF: _State(), AP_IF: _State()}


class WLAN:
    IF_STA = STA_IF
    IF_AP = AP_IF
    SEC_OPEN = AUTH_OPEN
    SEC_WPA2 = AUTH_WPA2_PSK
    PM_NONE = 0

    def __init__(self, interface=STA_IF):
        if interface not in _states:
            raise ValueError('invalid interface')
        self.interface = interface
        self._s = _states[interface]

    def active(self, value=None):
        if value is None:
            return self._s.active
        global _started
        value = bool(value)
        if value and world().get('radio', True):
            _started = True
        elif value and not self._s.active:
            log('radio failed to start')
        if value != self._s.active:
            log('wlan', 'ap' if self.interface == AP_IF else 'sta', 'active', value)
        self._s.active = value
        if not value:
            self._s.target = self._s.connected = None
        return None

    def _need_active(self):
        if not self._s.active:
            raise OSError('Wifi Not Started')

    def connect(self, ssid=None, key=None, *, bssid=None):
        self._need_active()
        if self.interface != STA_IF:
            raise OSError('AP has no connect()')
        if ssid is None:
            ssid, key = self._s.config['ssid'], self._s.config['key']
        if not world().get('radio', True):
            raise OSError(1)  # EPERM: the chip is not up
        log('wlan connect', repr(ssid))
        self._s.target = (ssid, key or '')
        self._s.started = time.ticks_ms()
        self._s.connected = None
        self._s.lost = False

    def disconnect(self):
        if self._s.target or self._s.connected:
            log('wlan disconnect')
        self._s.target = self._s.connected = None
        self._s.lost = False

    def _find(self, w, ssid):
        if not w.get('up', True):
            return None
        for n in w['networks']:
            if n.get('ssid') == ssid:
                return n
        return None

    def status(self, param=None):
        w = world()
        if param == 'rssi':
            n = self._s.connected and self._find(w, self._s.connected)
            return n.get('rssi', -60) if n else 0
        if param == 'stations':
            return []
        if param is not None:
            raise ValueError('unknown status param')
        s = self._s
        if self.interface == AP_IF:
            return STAT_GOT_IP if s.active else STAT_IDLE
        if not s.active or s.target is None:
            return STAT_IDLE
        if s.lost:
            return STAT_CONNECT_FAIL
        if s.connected:
            if self._find(w, s.connected) is None:
                s.lost = True
                s.connected = None
                log('wlan lost', repr(s.target[0]))
                return STAT_CONNECT_FAIL
            return STAT_GOT_IP
        if time.ticks_diff(time.ticks_ms(), s.started) < w.get('join_ms', 200):
            return STAT_CONNECTING
        n = self._find(w, s.target[0])
        if n is None:
            return STAT_NO_AP_FOUND
        if n.get('password', '') != s.target[1]:
            return STAT_WRONG_PASSWORD
        s.connected = s.target[0]
        log('wlan got ip', repr(s.connected), w['sta_ip'])
        return STAT_GOT_IP

    def isconnected(self):
        if self.interface == AP_IF:
            return False  # no simulated clients
        return self.status() == STAT_GOT_IP

    def scan(self):
        self._need_active()
        w = world()
        if not w.get('up', True):
            return []
        out = []
        for n in w['networks']:
            security = AUTH_WPA2_PSK if n.get('password') else AUTH_OPEN
            out.append((n['ssid'].encode(), b'\x02\x00\x00\x00\x00\x01', n.get('channel', 1),
                        n.get('rssi', -60), security, False))
        return out

    def config(self, *args, **kw):
        if args:
            key = args[0]
            if key == 'essid':
                key = 'ssid'
            if key in ('password', 'key'):
                raise ValueError('password is write-only')
            if key == 'hostname':
                return _hostname
            if key not in self._s.config:
                raise ValueError('unknown config param')
            if key == 'mac':
                w = world()
                if not w.get('radio', True) or (w.get('mac_after_start') and not _started):
                    return bytes(6)
            return self._s.config[key]
        for key, value in kw.items():
            if key == 'essid':
                key = 'ssid'
            if key == 'password':
                key = 'key'
            if key == 'hostname':
                hostname(value)
                continue
            if key == 'authmode':
                key = 'security'
            self._s.config[key] = value
        if self.interface == AP_IF and ('ssid' in kw or 'essid' in kw):
            log('ap config', repr(self._s.config['ssid']))

    def _ip(self):
        w = world()
        if not w.get('radio', True):
            return '0.0.0.0'
        if self.interface == AP_IF:
            return w['ap_ip'] if self._s.active else '0.0.0.0'
        return w['sta_ip'] if self.isconnected() else '0.0.0.0'

    def ifconfig(self, conf=None):
        ip = self._ip()
        return (ip, '255.255.255.0', ip, ip)

    def ipconfig(self, key=None, **kw):
        if key == 'addr4':
            return (self._ip(), '255.255.255.0')
        if key is None:
            return None
        raise ValueError('unknown ipconfig param')
