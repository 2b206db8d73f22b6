"""Assertion helpers that run on CPython and MicroPython alike (no pytest inside tests that run on
both). Plain `assert` statements are the main tool; these cover the rest."""


class raises:
    """Context manager: `with raises(ValueError): ...` fails unless the block raises that type.
    The caught exception is kept in `.value`."""

    def __init__(self, exc_type, match=None):
        self.exc_type = exc_type
        self.match = match
        self.value = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            raise AssertionError('did not raise ' + self.exc_type.__name__)
        if not issubclass(exc_type, self.exc_type):
            return False
        if self.match is not None and self.match not in str(exc):
            raise AssertionError('%r does not mention %r' % (str(exc), self.match))
        self.value = exc
        return True


def is_micropython():
    import sys
    return sys.implementation.name == 'micropython'
