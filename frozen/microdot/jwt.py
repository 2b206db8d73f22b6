"""JSON Web Tokens signed with HS256 (HMAC-SHA256), for sessions and remember-me cookies.

Our own code for MicroPython and CPython alike: HMAC comes from the `hmac` module when there is
one and is otherwise the top-level module ``hmacsha256`` (installed with the framework). Tokens
interoperate with PyJWT. `decode` checks the signature, that the header names HS256, and the
`exp` / `nbf` claims when present; any failure raises `InvalidTokenError` (a ValueError).
"""
import binascii
import hashlib
import json
import time


class InvalidTokenError(ValueError):
    """The token is malformed, not HS256, badly signed, expired or not yet valid."""


def hmac_sha256(key, msg):
    """HMAC-SHA256 of `msg` under `key` (RFC 2104), as 32 bytes: the ``hmac`` module's where
    there is one (CPython), else ``hmacsha256``'s."""
    try:
        import hmac
        return hmac.new(key, msg, hashlib.sha256).digest()
    except ImportError:
        from hmacsha256 import mac, pads
        return mac(pads(key), msg)


def b64url_encode(data):
    """URL-safe base64 without padding."""
    text = binascii.b2a_base64(data)[:-1].rstrip(b'=')
    return text.replace(b'+', b'-').replace(b'/', b'_')


def b64url_decode(text):
    if isinstance(text, str):
        text = text.encode()
    text = text.replace(b'-', b'+').replace(b'_', b'/')
    try:
        return binascii.a2b_base64(text + b'=' * (-len(text) % 4))
    except Exception:
        raise InvalidTokenError('bad base64')


def now():
    """Seconds since 1970 (MicroPython ports whose epoch is 2000 are corrected)."""
    t = time.time()
    if time.gmtime(0)[0] == 2000:
        t += 946684800
    return int(t)


def _key(secret_key):
    if not secret_key:
        raise ValueError('no secret key')
    return secret_key.encode() if isinstance(secret_key, str) else secret_key


def encode(payload, secret_key):
    """Sign the dict `payload` and return the token as str."""
    head = b64url_encode(b'{"alg":"HS256","typ":"JWT"}')
    body = b64url_encode(json.dumps(payload, separators=(',', ':')).encode())
    signing_input = head + b'.' + body
    return (signing_input + b'.' + b64url_encode(hmac_sha256(_key(secret_key), signing_input))) \
        .decode()


def _equal(a, b):
    if len(a) != len(b):
        return False
    diff = 0
    for x, y in zip(a, b):
        diff |= x ^ y
    return diff == 0


def decode(token, secret_key, leeway=0):
    """Verify `token` and return its payload dict; `InvalidTokenError` if anything is wrong."""
    key = _key(secret_key)
    if isinstance(token, str):
        try:
            token = token.encode()
        except Exception:
            raise InvalidTokenError('bad token')
    parts = token.split(b'.')
    if len(parts) != 3:
        raise InvalidTokenError('not a JWT')
    from .request import loads  # depth-limited: a deeply nested header is just a bad token
    try:
        header = loads(b64url_decode(parts[0]))
        payload = loads(b64url_decode(parts[1]))
    except (ValueError, TypeError):
        raise InvalidTokenError('bad token')
    if not isinstance(header, dict) or header.get('alg') != 'HS256' or \
            not isinstance(payload, dict):
        raise InvalidTokenError('unsupported token')
    if not _equal(b64url_decode(parts[2]), hmac_sha256(key, parts[0] + b'.' + parts[1])):
        raise InvalidTokenError('bad signature')
    t = now()
    exp = payload.get('exp')
    if exp is not None:
        if not isinstance(exp, (int, float)) or t >= exp + leeway:
            raise InvalidTokenError('expired')
    nbf = payload.get('nbf')
    if nbf is not None:
        if not isinstance(nbf, (int, float)) or t < nbf - leeway:
            raise InvalidTokenError('not yet valid')
    return payload
