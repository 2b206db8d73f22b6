"""Device runtime frozen into the firmware: configuration, Wi-Fi bring-up, captive portal,
watchdog, safe mode and the launcher of the user's app (see docs/firmware.md).

One concept per module, imported only when needed (every import costs heap on an ESP8266):

- ``device.config``   the JSON settings file (networks, hostname, access point, port, pins);
  ``device.configfile`` its reading, ``device.configwrite`` its writing, loaded when used
- ``device.wifi``     station connect/scan/forget/status, access point; ``device.wifiboot``
  its boot, access point and scan part, loaded when used
- ``device.dns``      the captive DNS server (answers every name with the device's address)
- ``device.portal``   the tiny HTTP server of the setup and recovery pages
- ``device.owner``    the owner password's check (PBKDF2, throttled); ``device.ownerset``
  setting one (its record, the REPL reset), loaded when used
- ``device.apkey``    the setup access point's own WPA2 password (``"ap_password": "auto"``)
- ``device.watchdog`` the hardware watchdog fed while the server runs
- ``device.safemode`` safe mode: a button held at boot or a flag file
- ``device.launcher`` imports the user's ``main.py`` (``device.appload``) and runs its app
- ``device.install``  uploads installed atomically, the previous version kept; ``device.undo``
  putting it back
- ``device.kept``     the runtime's own files (the settings above all), which uploads leave alone
- ``device.recovery`` the recovery page's upload form and restore button; ``device.fix``
  their actions
- ``device.ota``      ESP32 firmware update over the air: an image streamed into the next slot
- ``device.rollback`` keeps an updated firmware only once its app has served (else rolls back)
- ``device.runtime``  the boot sequence tying them together (run by the frozen ``main.py``);
  ``device.boot`` its steps up to serving; ``device.fallback`` the setup or recovery page it
  serves instead of the app

What only the boot needs (``device.boot``, ``device.appload``, ``device.configfile``,
``device.configwrite``, ``device.wifiboot``, ``device.safemode``) is dropped before the app serves: on a board that runs
this package as ``.mpy`` its heap is the app's.
"""
