"""What the dashboard shows: `status()` (everything) and `live()` (the values that move).
The module keeps no state, so it is dropped after each request (``ui.api``) and while no
live stream runs."""
import gc
import os
import sys
import time


def temperature():
    """The chip's internal temperature in °C, or None where the board has no sensor."""
    try:
        if sys.platform == 'esp32':
            import esp32
            if hasattr(esp32, 'mcu_temperature'):  # ESP32-S2/S3/C3/C6
                return round(esp32.mcu_temperature(), 1)
            return round((esp32.raw_temperature() - 32) / 1.8, 1)  # classic ESP32: Fahrenheit
        if sys.platform == 'rp2':
            from machine import ADC
            return round(27 - (ADC(4).read_u16() * 3.3 / 65535 - 0.706) / 0.001721, 1)
    except (ImportError, AttributeError, OSError, ValueError):
        pass
    return None


def rssi(wifi_status):
    """Signal strength of the joined network in dBm, or None."""
    from device import wifi
    try:
        if wifi_status['connected']:
            return wifi.sta().status('rssi')
    except (OSError, ValueError):
        pass
    return None


def live():
    """{'uptime': s, 'heap_free': bytes, 'heap_used': bytes, 'rssi': dBm, 'temperature': °C,
    'wifi': {'mode', 'connected', 'ssid', 'ip'}}, read now: nothing is kept between calls
    (a sample kept for the next caller would be an object made mid-request that outlives it,
    which splits a small heap)."""
    from device import wifi
    from ui import STARTED
    net = wifi.status()
    gc.collect()
    return {'uptime': int(time.time() - STARTED), 'heap_free': gc.mem_free(),
            'heap_used': gc.mem_alloc(), 'rssi': rssi(net), 'temperature': temperature(),
            'wifi': net}


def filesystem():
    """(total, free) bytes of the filesystem the app lives on."""
    try:
        st = os.statvfs('/' if sys.platform != 'linux' else '.')
        return st[1] * st[2], st[1] * st[4]
    except (OSError, AttributeError):
        return None, None


def status():
    """Everything the dashboard shows, as one dict (``GET /api/status``)."""
    from device import config
    from ui import UPLOAD_MAX
    v = sys.implementation.version
    version = '%d.%d.%d' % v[:3] + ('-' + v[3] if len(v) > 3 and v[3] else '')
    total, free = filesystem()
    d = {'name': config.get('hostname'), 'platform': sys.platform, 'micropython': version,
         'board': getattr(sys.implementation, '_machine', sys.platform),
         'fs_total': total, 'fs_free': free, 'upload_max': UPLOAD_MAX}
    d.update(live())
    return d


async def api(request, path, name):
    return status()
