"""MicroPython's API on CPython (host only, never frozen): `make run`'s ``--cpython`` board.

The device runtime (frozen/device) and the UI (app/ui) are the code a board runs, written
against MicroPython. CPython lacks a few of the functions they call; `install()` adds them,
following MicroPython's documented behaviour, before anything of the board is imported:

- a ``micropython`` module: `const`, `alloc_emergency_exception_buf`, `mem_info`;
- ``time.ticks_ms``/``ticks_add``/``ticks_diff`` (the framework's own CPython ones, from
  ``microdot.platform_cpython``: one clock for both), ``time.sleep_ms``/``sleep_us``;
- ``asyncio.sleep_ms``;
- ``gc.mem_free``/``gc.mem_alloc``/``gc.threshold``: CPython's heap is the host's memory, so
  they report a fixed roomy heap (`HEAP` bytes, all of it free): the board's code then takes the
  paths it takes where the heap has room (as with `make run`'s unix port);
- ``os.ilistdir`` (``(name, type, inode, size)``, type 0x4000 a directory, 0x8000 a file);
- ``sys.print_exception(exc, file=sys.stdout)``;
- a ``deflate`` module with ``DeflateIO`` for reading (GZIP, ZLIB, RAW), over ``zlib``.

The simulated ``network``/``machine`` (this directory) need nothing else. Only
scripts/run_host.py's ``--cpython`` boot imports this module; nothing on a board does.
"""
import asyncio
import gc
import os
import sys
import time
import types
import zlib

HEAP = 1 << 20  # what gc.mem_free() reports: a heap with room


def const(value):
    """``micropython.const``: the value itself (MicroPython folds it at compile time)."""
    return value


def _micropython():
    m = types.ModuleType('micropython')
    m.const = const
    m.alloc_emergency_exception_buf = lambda size: None
    m.mem_info = lambda *args: print('heap: CPython (no MicroPython heap)')
    m.qstr_info = lambda *args: None
    return m


def ilistdir(path='.'):
    """``os.ilistdir``: an iterator of ``(name, type, inode, size)`` per entry of `path`."""
    with os.scandir(path) as it:
        entries = list(it)
    for e in entries:
        st = e.stat(follow_symlinks=False)
        yield (e.name, 0x4000 if e.is_dir() else 0x8000, st.st_ino, st.st_size)


def print_exception(exc, file=None):
    """``sys.print_exception``: the traceback of `exc` to `file` (default sys.stdout)."""
    import traceback
    traceback.print_exception(type(exc), exc, exc.__traceback__,
                              file=sys.stdout if file is None else file)


async def sleep_ms(ms):
    """``asyncio.sleep_ms``."""
    await asyncio.sleep(ms / 1000)


class DeflateIO:
    """``deflate.DeflateIO(stream, format, wbits, close)`` for reading (decompression only:
    what the board's code uses)."""

    def __init__(self, stream, format=0, wbits=0, close=False):
        bits = wbits or 15
        self.stream = stream
        self.close_stream = close
        # AUTO (0) and ZLIB (2): zlib detects; RAW (1): negative bits; GZIP (3): 16 + bits
        self.z = zlib.decompressobj({0: 32 + bits, 1: -bits, 2: bits, 3: 16 + bits}[format])
        self.pending = b''

    def read(self, n=-1):
        out = [self.pending]
        size = len(self.pending)
        while n < 0 or size < n:
            chunk = self.stream.read(512)
            if not chunk:
                out.append(self.z.flush())
                size += len(out[-1])
                break
            out.append(self.z.decompress(chunk))
            size += len(out[-1])
        data = b''.join(out)
        if n < 0:
            self.pending = b''
            return data
        self.pending = data[n:]
        return data[:n]

    def readinto(self, buf):
        data = self.read(len(buf))
        buf[:len(data)] = data
        return len(data)

    def close(self):
        if self.close_stream:
            self.stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _deflate():
    m = types.ModuleType('deflate')
    m.AUTO, m.RAW, m.ZLIB, m.GZIP = 0, 1, 2, 3
    m.DeflateIO = DeflateIO
    return m


def install():
    """Add what CPython lacks of MicroPython's API (see the module's docstring); idempotent."""
    from microdot.platform_cpython import ticks_add, ticks_diff, ticks_ms
    sys.modules.setdefault('micropython', _micropython())
    sys.modules.setdefault('deflate', _deflate())
    time.ticks_ms, time.ticks_add, time.ticks_diff = ticks_ms, ticks_add, ticks_diff
    time.sleep_ms = lambda ms: time.sleep(ms / 1000)
    time.sleep_us = lambda us: time.sleep(us / 1000000)
    asyncio.sleep_ms = sleep_ms
    gc.mem_free = lambda: HEAP
    gc.mem_alloc = lambda: 0
    if not hasattr(gc, 'threshold'):
        gc.threshold = lambda *args: -1
    os.ilistdir = ilistdir
    sys.print_exception = print_exception
