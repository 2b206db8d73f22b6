"""The radio's awkward moments, kept out of ``device.wifi`` so that a board whose radio behaves
never loads this: the MAC of a chip that has not started yet, and a radio that does not start.
"""
import time

RADIO_WAIT_S = 120  # a radio that gives the access point no address this long: reset the board


def late_mac(sta, ap):
    """The MAC read once the radio runs (the Pico W's CYW43 chip loads it when an interface is
    first activated: start the station), else ``machine.unique_id()``, else zeros."""
    try:
        sta().active(True)
        mac = ap().config('mac')
        if any(mac):
            return mac
    except (ValueError, OSError, TypeError):
        pass
    try:
        import machine
        uid = machine.unique_id()
        if any(uid):
            return uid
    except (ImportError, AttributeError, OSError):
        pass
    return b'\0\0'


def revive(up, wlan, cfg):
    """The access point came up without an address: the radio did not start. Say so, switch
    `wlan` off and try `up()` (the bring-up; returns the address or None) again after 1, 2, 4...
    seconds (30 at most); once ``cfg['radio_wait_s']`` seconds (default RADIO_WAIT_S) have
    passed, reset the board. Returns the address."""
    waited = 0
    while True:
        if waited >= cfg.get('radio_wait_s', RADIO_WAIT_S):
            print('wifi: the radio did not start within %ds: resetting the board' % waited)
            import machine
            machine.reset()
        pause = min(waited + 1, 30)  # 1, 2, 4, 8... (doubling until 30)
        print('wifi: the radio did not start (no address); retrying in %ds' % pause)
        time.sleep(pause)
        waited += pause
        try:
            wlan.active(False)
        except OSError:
            pass
        ip = up()
        if ip:
            return ip
