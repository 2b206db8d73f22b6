"""microdot: a Flask-like asyncio web framework for MicroPython and CPython, compatible with
the Microdot 2.x API. The core is split by concept (app, request, response, routing, server);
optional features live in their own modules so an app only pays for what it imports."""
from .app import Microdot
from .request import Request, abort
from .response import Response, redirect, send_file

__version__ = '2.7.0'


def __getattr__(name):
    # Names looked up on first use: `AsyncBytesIO` (from microdot.streams: a class is heap on a
    # board, and `import microdot` does not load streams), `URLPattern` and `iscoroutine` (their
    # modules are loaded; kept out of this package's dict so that it stays within 17 entries, the
    # size of its table: 48 B at import). MicroPython asks this function first for
    # `from microdot import <submodule>` too.
    if name == 'AsyncBytesIO':
        from .streams import AsyncBytesIO
        return AsyncBytesIO
    if name == 'URLPattern':
        from .routing import URLPattern
        return URLPattern
    if name == 'iscoroutine':
        from .platform import iscoroutine
        return iscoroutine
    try:
        return __import__('microdot.' + name, None, None, (name,))
    except ImportError:
        raise AttributeError(name)

