"""Load and run the user's app: ``main.py`` (or ``main.mpy``) on the device filesystem, the
file `make deploy` copies from ``app/``.

The contract: ``main.py`` defines ``app``, a Microdot instance; the runtime serves it on the
configured port, next to the Wi-Fi reconnect task and the watchdog. ``app.run()`` belongs under
``if __name__ == '__main__':`` (the runtime imports the module as ``main``, so it does not run;
a main.py that runs its own server at import still works, without those extras).

The firmware's frozen ``main.py`` has the same name; on esp32, esp8266 and rp2 the frozen one
is what the board runs at boot (``pyexec_file_if_exists`` looks in the frozen modules first), so
this module imports the filesystem copy explicitly, with the filesystem ('') first on
``sys.path`` (and leaves it there, as on a board, for the app's own imports).

After an upload (``device.install``) the previous version of the app is kept. If the new app
fails to import, ``load()`` restores the previous one and imports that instead; `restored` then
holds what happened (the error of the new app), for the console, the recovery page and the app
itself (the web UI puts it in its log).
"""
import os
import sys

NAME = 'main'
# The folders device.install writes (named here, where every boot looks at them, so that a boot
# with nothing to do never loads device.install):
PREVIOUS = '.prev'  # the kept previous version of the app
UPLOADS = '.upload'  # uploads in progress
restored = None  # why the previous version of the app was restored at this boot, or None


def exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def describe(exc):
    """The traceback of `exc` as text (what the recovery page shows); on a heap too short for
    the traceback (the app died of a MemoryError), its type alone."""
    if hasattr(sys, 'print_exception'):
        import gc
        import io
        gc.collect()  # the dead app's connections and buffers
        try:
            buf = io.StringIO()
            sys.print_exception(exc, buf)
            return buf.getvalue()
        except MemoryError:
            return type(exc).__name__
    import traceback
    return ''.join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def load(name=NAME):
    """Import the user's app module. Returns (module, None) or (None, error text); only
    KeyboardInterrupt and SystemExit get through (so Ctrl-C still reaches the REPL). An app
    installed by an upload that fails to import is replaced by the kept previous version (see
    `restored`)."""
    from device import appload  # dropped after boot (the runtime): only a boot imports an app
    return appload.load(name)


def unload(name):
    """Drop module `name`, so that the GC can reclaim it (a board without frozen code holds
    its bytecode in the heap); the next import loads it again. The package's attribute is
    looked up in its dict, not with `hasattr`: a package with a module `__getattr__` (such as
    ``microdot``) would import the module again to answer.

    A module whose import raised is out of ``sys.modules``, but MicroPython leaves it in its
    slot of the table until a later import happens to reuse that slot: the partly-run module,
    its names and code stay reachable (KBs of a small board's heap). So a name that is not
    loaded is put back first; ``pop`` then clears the slot the failed import left (the name
    lands in the first free slot on its way, which is that one unless a module dropped since
    freed one before it: drop a failed module first)."""
    mods = sys.modules
    if name not in mods:
        mods[name] = None
    mods.pop(name, None)
    pkg, _, attr = name.rpartition('.')
    if pkg in sys.modules and attr in sys.modules[pkg].__dict__:
        delattr(sys.modules[pkg], attr)


async def run(module, port, host='0.0.0.0', debug=False):
    """Serve the module's app until it stops (or raises)."""
    print('launcher: starting the app on port', port)
    await module.app.start_server(host=host, port=port, debug=debug)


def stop(module):
    """Best effort: close the app's listening socket so the recovery page can take the port."""
    try:
        module.app.shutdown()
    except Exception:
        pass
