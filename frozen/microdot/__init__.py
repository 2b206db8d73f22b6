"""microdot: a Flask-like asyncio web framework for MicroPython and CPython, compatible with
the Microdot 2.x API. The core is split by concept (app, request, response, routing, server);
optional features live in their own modules so an app only pays for what it imports."""
from .app import Microdot
from .platform import iscoroutine
from .exceptions import abort
from .request import Request
from .response import Response, redirect, send_file
from .routing import URLPattern

__version__ = '2.7.0'


def __getattr__(name):
    # Loaded on first use (a class is heap on a board): `AsyncBytesIO`, from microdot.streams.
    # MicroPython asks this function first for `from microdot import <submodule>` too.
    if name == 'AsyncBytesIO':
        from .streams import AsyncBytesIO
        return AsyncBytesIO
    try:
        return __import__('microdot.' + name, None, None, (name,))
    except ImportError:
        raise AttributeError(name)

