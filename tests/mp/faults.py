"""A power cut at a chosen step of a module's filesystem work, for the dual-runtime tests.

``cut = PowerCut(limit)``; ``cut.install(module)`` makes `module` use it as its ``os`` and its
``open``; every change (a file opened for writing, each write - the cut comes half-way through
it -, remove, rename, mkdir, rmdir) is really made, and the `limit`-th raises ``Crash`` after it.
``cut.remove(module)`` puts the real ones back. Reads pass through uncounted.
"""
import os


class Crash(Exception):
    pass


class PowerCut:
    def __init__(self, limit):
        self.limit = limit
        self.changes = 0

    def install(self, module):
        module.os = self
        module.open = self.open

    def remove_from(self, module):
        module.os = os
        del module.open

    def change(self):
        self.changes += 1
        if self.changes == self.limit:
            raise Crash()

    def stat(self, path):
        return os.stat(path)

    def listdir(self, path='.'):
        return os.listdir(path)

    def remove(self, path):
        os.remove(path)
        self.change()

    def rename(self, src, dst):
        os.rename(src, dst)
        self.change()

    def mkdir(self, path):
        os.mkdir(path)
        self.change()

    def rmdir(self, path):
        os.rmdir(path)
        self.change()

    def open(self, path, mode='r'):
        f = open(path, mode)
        if 'w' not in mode and 'a' not in mode:
            return f
        try:
            self.change()
        except Crash:
            f.close()
            raise
        return TornFile(self, f)


class TornFile:
    """A file whose write in progress at the cut is left half-done."""

    def __init__(self, cut, f):
        self.cut = cut
        self.f = f

    def write(self, data):
        if self.cut.changes + 1 == self.cut.limit:
            self.f.write(data[:len(data) // 2])
        else:
            self.f.write(data)
        self.cut.change()

    def close(self):
        self.f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.f.close()


def remove_saved(path):
    """Remove a file saved atomically and what a cut save can leave beside it (.tmp, .bak)."""
    for name in (path, path + '.tmp', path + '.bak'):
        try:
            os.remove(name)
        except OSError:
            pass
