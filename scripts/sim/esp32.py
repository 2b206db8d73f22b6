"""Simulated `esp32` module for the MicroPython unix port (host only, never frozen).

The board is an ESP32 only when ``$MICRODOT_FLASH`` names its flash folder (scripts/sim/
esp32flash.py); then this is ``esp32_partition`` (``Partition`` with the real API, and the
simulated bootloader run at import: one boot per process). Otherwise the import fails with
ImportError at once, as on a Pico W or an ESP8266, which have no `esp32` module; this stub is
kept tiny so that the failed import costs a simulated small board next to nothing (loading a
module interns its names for good).
"""
import os

if not os.getenv('MICRODOT_FLASH'):
    raise ImportError("no module named 'esp32'")

from esp32_partition import *  # noqa: E402,F401,F403
