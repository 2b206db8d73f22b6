"""The setup access point's own WPA2 password: with ``"ap_password": "auto"`` in the settings,
the first start in access-point mode makes one for this device (random, 12 letters and digits,
saved in the settings), and every start prints it on the console (docs/security.md)."""


def make(cfg):
    """Replace ``"auto"`` in ``cfg['ap_password']`` by a new random password and save it."""
    import os
    from device import config
    chars = 'abcdefghjkmnpqrstuvwxyz23456789'  # no 0/o, 1/l/i: it is read off a console
    cfg['ap_password'] = ''.join(chars[b % len(chars)] for b in os.urandom(12))
    config.save(cfg)
