"""The owner password: who may change anything on the device (docs/security.md).

Only a salted, slow hash is kept, in the settings as ``"owner"``::

    pbkdf2-sha256$<iterations>$<salt, hex>$<hash, hex>

PBKDF2-HMAC-SHA256 (RFC 8018) with a 16-byte salt from ``os.urandom``; the HMAC is
``hmacsha256``'s (boards have no ``hmac`` module). The password itself is
never stored, printed or sent anywhere.

`check` also throttles guessing: after a failed attempt from a client address, that address
must wait 1 s, then 2, 4 ... up to `MAX_WAIT_S` before its next attempt is even looked at
(`retry_after`), in a table of at most `MAX_CLIENTS` addresses. A server may keep its own table
(then this module may be dropped from RAM between checks, as the web UI does); else this
module's is used.

This module is the check, which every login loads; setting a password (`valid`, `make`,
`set_password`, `reset`, `is_set`, `ITERATIONS`, `MIN_LENGTH`) is ``device.ownerset``, loaded on
first use of those names here (``device.owner.make(...)`` works as ever). So this module keeps
few names: its table of names is one block, which a login must find on a heap in pieces.

Forgot the password? With the board on USB, at the REPL::

    import device.owner
    device.owner.reset()              # no password: the next visit asks for a new one
    device.owner.reset('new secret')  # or set a new one straight away

or press the safe-mode button at boot, then set a new one on the recovery page.
"""
MAX_LENGTH = 64  # of a password (device.ownerset.valid); `matches` refuses 4x that at once
MAX_WAIT_S = 60
MAX_CLIENTS = 8
KEY = 'owner'  # its key in the settings


def __getattr__(name):
    # setting a password (valid, make, set_password, reset, is_set, ITERATIONS, MIN_LENGTH):
    # device.ownerset, loaded on first use
    from device import ownerset
    try:
        return getattr(ownerset, name)
    except AttributeError:
        raise AttributeError(name)


def pbkdf2_sha256(password, salt, iterations, length=32):
    """PBKDF2-HMAC-SHA256 of `password` (bytes) and `salt` (bytes), `length` bytes (the HMAC is
    ``hmacsha256``'s, which ``microdot.jwt`` uses too)."""
    from hmacsha256 import mac, pads
    keys = pads(password)
    out = b''
    block = 0
    while len(out) < length:
        block += 1
        u = mac(keys, salt + block.to_bytes(4, 'big'))
        acc = int.from_bytes(u, 'big')
        for _ in range(iterations - 1):
            u = mac(keys, u)
            acc ^= int.from_bytes(u, 'big')
        out += acc.to_bytes(32, 'big')
    return out[:length]


def matches(record, password):
    """True if `password` (str) is the one `record` was made from."""
    import binascii
    try:
        kind, iterations, salt, digest = record.split('$')
        iterations = int(iterations)
        salt, digest = binascii.unhexlify(salt), binascii.unhexlify(digest)
    except (ValueError, AttributeError):
        return False
    if kind != 'pbkdf2-sha256' or not 0 < iterations <= 1000000 or len(digest) != 32 or \
            not isinstance(password, str) or len(password) > 4 * MAX_LENGTH:
        return False
    mine = pbkdf2_sha256(password.encode(), salt, iterations)
    diff = 0
    for i in range(32):  # every byte, whatever differs first
        diff |= mine[i] ^ digest[i]
    return diff == 0


_failures = {}  # the default throttle table


def retry_after(client, failures=_failures):
    """Seconds the address `client` must still wait before its next attempt (0: go ahead).
    `failures`: the throttle's table, ``{address: [failed attempts, time.time() to wait for]}``."""
    import time
    entry = failures.get(client)
    if entry is None:
        return 0
    left = entry[1] - time.time()  # clamped: the clock may be set back
    return int(min(left, MAX_WAIT_S) + 0.999) if left > 0 else 0


def peer(addr):
    """A client address as text (the throttle's key): the host of an ``(host, port)`` pair, or
    of the raw ``sockaddr_in`` the unix port gives."""
    if isinstance(addr, (tuple, list)):
        return addr[0]
    if isinstance(addr, (bytes, bytearray)) and len(addr) >= 8:
        return '%d.%d.%d.%d' % (addr[4], addr[5], addr[6], addr[7])
    return str(addr)


def check(cfg, password, client=None, failures=_failures):
    """Check `password` against the owner password of `cfg`, throttled per `client` address in
    the table `failures` (a dict the caller keeps, see `retry_after`): True, False (wrong, or no
    password is set), or the seconds to wait (an int > 0) while that address is held back,
    without looking at the password."""
    import time
    wait = retry_after(client, failures)
    if wait:
        return wait
    record = cfg.get(KEY)
    if record and matches(record, password):
        failures.pop(client, None)
        return True
    entry = failures.get(client)
    if entry is None:
        if len(failures) >= MAX_CLIENTS:  # forget the address that is held back least
            del failures[min(failures, key=lambda c: failures[c][1])]
        entry = failures[client] = [0, 0]
    entry[0] += 1
    entry[1] = time.time() + min(1 << min(entry[0] - 1, 8), MAX_WAIT_S)
    return False
