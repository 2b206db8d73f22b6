"""Small helpers shared by the extensions."""
try:
    from functools import wraps
except ImportError:  # MicroPython without functools
    def wraps(wrapped):
        """Stand-in for functools.wraps: returns the wrapper unchanged."""
        def decorator(wrapper):
            return wrapper
        return decorator
