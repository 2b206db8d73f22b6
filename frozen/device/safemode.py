"""Safe mode: boot without the user's app (Wi-Fi and the setup/recovery page still come up),
so a main.py that hangs or eats the heap can always be replaced.

Entered when the flag file ``safemode`` exists on the filesystem (``mpremote touch :safemode``),
or when the safe-mode button is pressed during the first second after start-up. The button is
``cfg['pins']['safe_mode']`` (a GPIO number, pressed = 0), else the board default: GPIO0 (the
BOOT/FLASH button) on ESP32 and ESP8266, the BOOTSEL button on a Pico. Press it *after* power-up:
held during reset, those buttons select the ROM bootloader instead.
"""
import os
import sys
import time

FLAG = 'safemode'
WINDOW_MS = 1000


def default_pin():
    """The board's usable button: 0 on esp32/esp8266, 'bootsel' on rp2, None elsewhere."""
    if sys.platform in ('esp32', 'esp8266'):
        return 0
    if sys.platform == 'rp2':
        return 'bootsel'
    return None


def _button(pin):
    """A function returning True while the button is pressed, or None if there is none."""
    if pin == 'bootsel':
        try:
            import rp2
            return lambda: bool(rp2.bootsel_button())
        except (ImportError, AttributeError):
            return None
    if pin is None:
        return None
    try:
        from machine import Pin
        p = Pin(pin, Pin.IN, Pin.PULL_UP)
        return lambda: p.value() == 0
    except (ImportError, ValueError, OSError, TypeError):
        return None


def flagged(path=FLAG):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def reason(cfg, window_ms=WINDOW_MS, path=FLAG):
    """Why the board boots in safe mode ('flag file', 'button'), or None."""
    if flagged(path):
        return 'flag file'
    pin = cfg['pins'].get('safe_mode')
    pressed = _button(default_pin() if pin is None else pin)
    if pressed is None:
        return None
    start = time.ticks_ms()
    while True:
        if pressed():
            return 'button'
        if time.ticks_diff(time.ticks_ms(), start) >= window_ms:
            return None
        time.sleep_ms(20)


def enter(path=FLAG):
    """Create the flag file: the next boot is in safe mode (until clear())."""
    with open(path, 'w') as f:
        f.write('delete this file to leave safe mode\n')


def clear(path=FLAG):
    try:
        os.remove(path)
    except OSError:
        pass
