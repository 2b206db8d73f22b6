"""Compatibility module: the names Microdot 2.x exposes in ``microdot.microdot``.

Importing it loads nothing beyond the core; new code can import from ``microdot`` directly.
"""
from .app import Microdot, mro  # noqa: F401
from .platform import invoke_handler, iscoroutine, print_exception  # noqa: F401
from .multidict import MultiDict, NoCaseDict  # noqa: F401
from .request import HTTPException, Request, abort  # noqa: F401
from .response import Response, redirect, send_file  # noqa: F401
from .streams import MUTED_SOCKET_ERRORS, AsyncBytesIO  # noqa: F401
from .routing import URLPattern  # noqa: F401
from .urlcodec import urldecode, urlencode  # noqa: F401
