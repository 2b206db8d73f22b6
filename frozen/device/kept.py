"""The runtime's own files in the app's folder, which uploads, deletes and restores leave alone:
the settings (``device.config``: ``config.json``, its ``.tmp`` and ``.bak``), the firmware
update's note (``device.rollback``: ``ota.json``, its ``.tmp``) and the simulated radio of host
runs (``scripts/sim/network.py``: ``sim.json``). The settings change only through
``device.config``, their one owner, which holds them in RAM too; a file written beside it would
take the Wi-Fi networks, the pins and the owner password with it.

A module of its own, imported by what writes or removes the app's files (``ui.update``,
``ui.files``, ``device.fix``, ``device.undo.restore``): never loaded at boot.
"""
FILES = ('config.json', 'ota.json', 'sim.json')


def covers(path):
    """True if `path` (relative to the app's folder) is one of `FILES`, also with a suffix such
    as ``.bak``, or inside a folder of such a name. Names compare as FAT compares them: case and
    trailing dots or spaces ignored."""
    top = path.split('/')[0].lower().strip('. ')
    for name in FILES:
        if top == name or top.startswith(name + '.'):
            return True
    return False
