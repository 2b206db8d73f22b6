"""The outputs' power-on states (``"on"`` in a pin's settings, see ``ui.pins``), set as the UI
starts: each output that is to be on, or is active low (``"invert"``: its "off" is a high
level), is driven there. A module of its own with few names, dropped after use: on a small
board every name a module brings in stays in RAM."""
import machine

from device import config


def run():
    pins = config.get('pins')
    for name in pins:
        d = pins[name]
        if not isinstance(d, dict) or d.get('mode') == 'input' or name == 'safe_mode' or \
                not (d.get('on') or d.get('invert')):
            continue
        try:
            machine.Pin(d['pin'], machine.Pin.OUT).value(bool(d.get('on')) != bool(d.get('invert')))
        except (KeyError, ValueError, TypeError, OSError) as exc:
            print('ui: pin', name, 'unusable:', exc)
