"""A power cut at a chosen step of a module's filesystem work, for the dual-runtime tests.

``cut = PowerCut(limit)``; ``cut.install(module)`` makes `module` use it as its ``os`` and its
``open``; every change (a file opened for writing, each write - the cut comes half-way through
it -, remove, rename, mkdir, rmdir) is really made, and the `limit`-th raises ``Crash`` after it.
``cut.remove_from(module)`` puts the real ones back. Reads pass through uncounted.
``cut.run(module, fn, *args)`` does all three around one call (`module` may be a tuple of
modules: their work counted together).

A power cut at every step, each try starting afresh, until one try completes uncut::

    for cut in every_step(40):
        ...                                      # the board as before
        done = cut.run((install, undo), undo.restore)  # False: cut short
        ...                                      # what a restart finds
"""
import os


class Crash(Exception):
    pass


class PowerCut:
    def __init__(self, limit):
        self.limit = limit
        self.changes = 0
        self.completed = False

    def install(self, module):
        for m in module if isinstance(module, tuple) else (module,):
            m.os = self
            m.open = self.open

    def remove_from(self, module):
        for m in module if isinstance(module, tuple) else (module,):
            m.os = os
            del m.open

    def run(self, module, fn, *args):
        """Call ``fn(*args)`` with `module`'s filesystem work cut after the `limit`-th change
        (counted from this call): True if it completed, False if the cut came. `completed` keeps
        the answer (for ``every_step``)."""
        self.changes = 0
        self.install(module)
        try:
            fn(*args)
            self.completed = True
        except Crash:
            self.completed = False
        finally:
            self.remove_from(module)
        return self.completed

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


def every_step(most):
    """``PowerCut(1)``, ``PowerCut(2)``, ...: one for each try of a test that cuts its work at
    every step in turn. Each try calls ``cut.run`` (once, or again in a nested try); the tries
    end after the first one whose work completed uncut, as there is no step left to cut. If the
    work is still cut short at `most`, that is a failure (AssertionError), not an end."""
    for limit in range(1, most + 1):
        cut = PowerCut(limit)
        yield cut
        if cut.completed:
            return
    raise AssertionError('still cut short after %d steps' % most)


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
