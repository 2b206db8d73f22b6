"""What the firmware freezes as ``microdot.test_client``: a loader for the real module.

The test client is not frozen (frozen/not_frozen.txt: its flash would be every board's); it is
installed with mip or the ``.mpy`` bundle into ``/lib/microdot/``. But a module of the frozen
``microdot`` package is looked for only in the package's own (frozen) folder, so the installed
file would never be found. Importing this stand-in finds ``microdot/test_client.mpy`` (or
``.py``) in another folder of ``sys.path``, imports it as ``microdot.test_client`` with the
package's ``__path__`` pointed there for that one import, and takes over its names. It costs no
heap until it is imported. The real module's own imports at load time (``microdot.request``,
``microdot.response``) are those ``import microdot`` has already loaded.
"""
import sys

import microdot


def _load():
    import os
    own = microdot.__path__
    for folder in sys.path:
        folder = folder + '/microdot' if folder else 'microdot'
        if folder == own:
            continue
        for ext in ('.mpy', '.py'):
            try:
                os.stat(folder + '/test_client' + ext)
            except OSError:
                continue
            me = sys.modules.pop(__name__)
            microdot.__path__ = folder
            try:
                __import__(__name__)
                real = sys.modules[__name__]
            finally:
                microdot.__path__ = own
                sys.modules[__name__] = me
            return real
    raise ImportError('microdot.test_client is not frozen: install it (mip, or the .mpy '
                      'bundle into /lib/microdot/)')


globals().update(_load().__dict__)
del _load
