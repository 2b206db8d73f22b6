"""The dashboard's values that move, read now: `values()` (uptime, heap, signal, temperature,
Wi-Fi), what the live stream sends every few seconds and ``GET /api/status`` includes. A
module of its own so that a live stream keeps only this loaded, not all of ``ui.status``."""
import gc
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


def values():
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
