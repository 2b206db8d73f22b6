"""Helpers for extensions (Microdot's ``microdot.helpers``): `wraps`, functools' where there is
one (CPython, or micropython-lib's functools installed), else a stand-in that keeps the wrapper as
it is. Loaded by the extensions that decorate handlers (auth, login, multipart, session, sse,
websocket), not by ``import microdot``: one global less in microdot.platform (its dict stays
within 12 slots)."""
try:
    from functools import wraps
except ImportError:  # MicroPython without functools
    def wraps(wrapped):
        """Stand-in for functools.wraps: returns the wrapper unchanged."""
        def decorator(wrapper):
            return wrapper
        return decorator
