"""Keep a new firmware only once it has proved itself (ESP32, ESP-IDF app rollback).

After an over-the-air update (``device.ota``) the bootloader starts the new image once, in state
"pending verify". It stays only if the firmware calls
``Partition.mark_app_valid_cancel_rollback()`` before the next reset; otherwise the bootloader
starts the previous image again. The runtime makes that call (`confirm`) only when the new
firmware has joined Wi-Fi, loaded the app and answered a request of it with a status below 400
(`arm` hooks the app's responses). If that has not happened
`DEADLINE_S` seconds after boot (no Wi-Fi, the app failing, the setup portal instead), the board
resets (`deadline`) and so rolls back; a firmware that hangs is reset by the watchdog (the runtime
starts it on such a trial boot, `WATCHDOG_MS`, even where the settings leave it off), and a power
cycle does the same. Confirming is also done on ordinary boots: it is harmless when the
image is already valid.

The update leaves a note, ``ota.json`` on the filesystem (`expect`, just before the reboot):
``{"label": "ota_1", "from": "ota_0"}``. At boot `check` compares it with the running partition:
running the new slot means the update awaits confirmation; running another means the bootloader
rolled it back, and the note then says so (``"rolled_back": true``) for the web UI until the next
update. A confirmed update removes the note.
"""
FILE = 'ota.json'
DEADLINE_S = 300
WATCHDOG_MS = 8000  # the runtime starts the watchdog on a trial boot even if settings say off

_pending = False
_confirmed = False


def _running():
    from esp32 import Partition
    return Partition(Partition.RUNNING).info()[4]


def note():
    """The update note (dict) or None."""
    import json
    try:
        with open(FILE) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _write(data):
    import json
    import os
    with open(FILE + '.tmp', 'w') as f:
        json.dump(data, f)
    try:
        os.rename(FILE + '.tmp', FILE)
    except OSError:  # FAT does not rename over a file
        os.remove(FILE)
        os.rename(FILE + '.tmp', FILE)


def _remove():
    import os
    try:
        os.remove(FILE)
    except OSError:
        pass


def expect(label, version=None):
    """Record, before rebooting into it, that slot `label` was just updated."""
    _write({'label': label, 'from': _running(), 'version': version})


def check():
    """At boot: 'pending' (running an update not confirmed yet), 'rolled back' (the bootloader
    went back to the previous image) or None."""
    global _pending
    n = note()
    if not n or n.get('rolled_back'):
        return None
    running = _running()
    if running == n.get('label'):
        _pending = True
        print('rollback: running the update in', running, '- not confirmed yet')
        return 'pending'
    n['rolled_back'] = True
    _write(n)
    print('rollback: the update in', n.get('label'), 'was rolled back; running', running)
    return 'rolled back'


def pending():
    """True while this boot runs an update that is not confirmed."""
    return _pending and not _confirmed


def confirm():
    """Keep the running firmware: cancel the rollback (once per boot)."""
    global _confirmed
    if _confirmed:
        return
    _confirmed = True
    from esp32 import Partition
    try:
        Partition.mark_app_valid_cancel_rollback()
    except Exception as exc:  # OSError: no otadata (no OTA table) or a factory app
        print('rollback: nothing to confirm:', exc)
    if _pending:
        _remove()
        print('rollback: the update is confirmed')


def arm(app):
    """Confirm after the first successful (status below 400) response of `app`."""
    def confirm_on_success(request, response):
        if not _confirmed and response.status_code < 400:
            confirm()
    app.after_request(confirm_on_success)


async def deadline(seconds=DEADLINE_S):
    """Reset the board if the update is still unconfirmed after `seconds` (a rollback)."""
    import asyncio
    await asyncio.sleep(seconds)
    if pending():
        print('rollback: the update was not confirmed within', seconds, 's: resetting')
        import machine
        machine.reset()
