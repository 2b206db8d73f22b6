"""microdot: a Flask-like asyncio web framework for MicroPython and CPython, compatible with
the Microdot 2.x API. The core is split by concept (app, request, response, routing, server);
optional features live in their own modules so an app only pays for what it imports."""
from .app import Microdot
from .platform import iscoroutine
from .exceptions import abort
from .request import AsyncBytesIO, Request
from .response import Response, redirect, send_file
from .routing import URLPattern

__version__ = '2.7.0'

