"""HMAC-SHA256 (RFC 2104) from ``hashlib.sha256``, for MicroPython, which has no ``hmac`` module:
the one implementation, used by ``microdot.jwt`` (token signatures; on CPython it takes the
standard ``hmac``) and ``device.owner`` (PBKDF2 of the owner password). It runs on CPython too.

A module of its own, outside both packages: ``device.owner`` checks passwords in the setup
portal, where importing anything of ``microdot`` would load the framework package (several KB of
heap), and the framework needs nothing of the device runtime. It is frozen at the top level of
the image and installed beside ``lib/microdot/`` by mip and the ``.mpy`` bundle.

Many MACs under one key (PBKDF2's iterations) compute the padded keys once::

    keys = pads(key)
    tag = mac(keys, msg)
"""
import hashlib


def pads(key):
    """The inner and outer padded keys of `key` (bytes; hashed first if longer than 64 bytes),
    as two 64-byte strings."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key += bytes(64 - len(key))
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5c for b in key)


def mac(keys, msg):
    """HMAC-SHA256 of `msg` (bytes) under the key whose padded keys `keys` (from `pads`) are
    given, as 32 bytes."""
    inner = hashlib.sha256(keys[0])
    inner.update(msg)
    outer = hashlib.sha256(keys[1])
    outer.update(inner.digest())
    return outer.digest()
