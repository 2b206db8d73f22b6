"""What the dashboard shows: `status()` (everything) and `live()` (the values that move)."""
import gc
import os
import sys
import time

_temp = None  # the board's temperature reader, found on first use (False: the board has none)
_sample = None  # (ticks_ms, live dict): several open pages share one sample per second


def _esp32_temp():
    import esp32
    if hasattr(esp32, 'mcu_temperature'):  # ESP32-S2/S3/C3/C6
        return esp32.mcu_temperature()
    return (esp32.raw_temperature() - 32) / 1.8  # classic ESP32: Fahrenheit


def _rp2_temp():
    from machine import ADC
    volts = ADC(4).read_u16() * 3.3 / 65535
    return 27 - (volts - 0.706) / 0.001721


def temperature():
    """The chip's internal temperature in °C, or None where the board has no sensor."""
    global _temp
    if _temp is None:
        _temp = _esp32_temp if sys.platform == 'esp32' else \
            _rp2_temp if sys.platform == 'rp2' else False
    if not _temp:
        return None
    try:
        return round(_temp(), 1)
    except Exception:
        _temp = False
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
    'wifi': {'mode', 'connected', 'ssid', 'ip'}}"""
    global _sample
    now = time.ticks_ms()
    if _sample is None or time.ticks_diff(now, _sample[0]) >= 1000:
        from device import wifi
        from ui import STARTED
        net = wifi.status()
        gc.collect()
        _sample = (now, {'uptime': int(time.time() - STARTED), 'heap_free': gc.mem_free(),
                         'heap_used': gc.mem_alloc(), 'rssi': rssi(net),
                         'temperature': temperature(), 'wifi': net})
    return _sample[1]


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
