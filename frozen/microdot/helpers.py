"""Compatibility module: Microdot's ``microdot.helpers``. `wraps` lives in `microdot.platform`
(it is a MicroPython/CPython difference); the framework itself no longer imports this module."""
from .platform import wraps  # noqa: F401
