"""``device.launcher.load``'s work: import the user's app module, and restore the kept
previous version when an uploaded one fails to import (``launcher.restored`` then says so).
Needed once per boot: the runtime drops this module once the app is loaded.
"""
import sys

from device import launcher


def load(name):
    """What ``launcher.load(name)`` returns (see there)."""
    module, error = _load(name)
    if not launcher.exists(launcher.PREVIOUS):  # nothing ever uploaded: nothing to mark, restore
        return module, error
    from device import undo
    if error is None:
        undo.started()
        return module, None
    if not (undo.untested() and undo.previous()):
        return None, error
    names = undo.restore()
    restored = ('The uploaded app failed to start, so the previous version was restored (%s).\n'
                % ', '.join(names)) + error
    launcher.restored = restored
    print('launcher:', restored)
    module, again = _load(name)
    return (module, None) if again is None else (None, restored + '\n' + again)


def _load(name):
    if not (launcher.exists(name + '.py') or launcher.exists(name + '.mpy')):
        return None, ('There is no %s.py on the device filesystem yet: upload the app with '
                      '`make deploy PORT=...`.' % name)
    # The filesystem first, for this import and the app's later (lazy) ones. A board already
    # has '' first; the unix port running a script has the script's directory there instead.
    if '' in sys.path:
        sys.path.remove('')
    sys.path.insert(0, '')
    sys.modules.pop(name, None)
    before = set(sys.modules)
    try:
        module = __import__(name)
    except Exception as exc:
        for mod in list(sys.modules):  # the app's modules imported before the error
            if mod not in before:
                sys.modules.pop(mod, None)
        return None, launcher.describe(exc)
    app = getattr(module, 'app', None)
    if app is None or not hasattr(app, 'start_server'):
        return None, ('%s.py defines no `app` (a Microdot instance) for the runtime to serve.'
                      % name)
    return module, None
