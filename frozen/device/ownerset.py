"""Setting the owner password (``device.owner`` is its check): the rules a new password
follows, its record, and the REPL reset. Loaded only to set one (the first setup, a change, a
reset), through ``device.owner``'s names: ``owner.make(...)``, ``owner.valid(...)`` ... load
this module on first use, so a login, which only checks, never does."""
from device import owner

# One check costs ITERATIONS HMACs (four SHA-256 blocks each). Measured: 1000 take 0.50 s on an
# emulated Pico W (RP2040, 125 MHz, rp2040js), 1.6 ms on the unix port of an x86-64 PC; an
# ESP32 (240 MHz, SHA-256 in hardware) is estimated at ~0.2 s. docs/security.md has the reasoning.
# A record keeps its own count: a change applies to passwords set afterwards.
ITERATIONS = 1000
MIN_LENGTH = 8


def valid(password):
    """None if `password` may be the owner password, else the reason (str)."""
    if not isinstance(password, str) or not MIN_LENGTH <= len(password) <= owner.MAX_LENGTH:
        return 'the password needs %d to %d characters' % (MIN_LENGTH, owner.MAX_LENGTH)
    return None


def make(password, iterations=ITERATIONS):
    """The settings record of `password` (a fresh salt each time). ValueError if not `valid`."""
    import binascii
    import os
    reason = valid(password)
    if reason:
        raise ValueError(reason)
    salt = os.urandom(16)
    digest = owner.pbkdf2_sha256(password.encode(), salt, iterations)
    return 'pbkdf2-sha256$%d$%s$%s' % (iterations, binascii.hexlify(salt).decode(),
                                       binascii.hexlify(digest).decode())


def is_set(cfg):
    """True if the settings `cfg` hold an owner password."""
    return bool(cfg.get(owner.KEY))


def set_password(cfg, password):
    """Put the record of `password` (None: no password) in the settings `cfg`; for
    ``config.change(cfg, owner.set_password, password)``. ValueError if not `valid`."""
    if password is None:
        cfg.pop(owner.KEY, None)
    else:
        cfg[owner.KEY] = make(password)


def reset(password=None, path=None):
    """Physical-access reset (the REPL over USB): set a new owner password, or with none remove
    it (the next visit to the device then asks for one). Saves the settings (`path`: another
    settings file than the device's)."""
    from device import config
    if path is None:
        config.change(config.current(), set_password, password)
    else:
        cfg = config.load(path)
        set_password(cfg, password)
        config.save(cfg, path)
    print('owner password', 'removed' if password is None else 'set')
