"""URL encoding as used in query strings and urlencoded forms."""

_HEX = b'0123456789abcdefABCDEF'


def urlencode(s):
    """Escape the characters that would change the meaning of a query string value
    (``%``, ``+``, space, ``?``, ``#``, ``&``, ``=``)."""
    return s.replace('%', '%25').replace('+', '%2B').replace(' ', '+').replace(
        '?', '%3F').replace('#', '%23').replace('&', '%26').replace('=', '%3D')


def urldecode(s, strict=False):
    """Decode ``+`` and ``%XX`` escapes in a str or bytes and return a str.

    A ``%`` not followed by two hex digits is kept as it is (as Microdot and Werkzeug do), or
    raises `ValueError` if `strict`. Bytes that are not UTF-8 raise `ValueError` (UnicodeError).
    """
    if isinstance(s, str):
        s = s.encode()
    s = s.replace(b'+', b' ')
    if b'%' not in s:
        return s.decode()
    parts = s.split(b'%')
    out = bytearray(parts[0])
    for part in parts[1:]:
        if len(part) < 2 or part[0] not in _HEX or part[1] not in _HEX:
            if strict:
                raise ValueError('invalid percent-escape')
            out.append(37)  # '%', kept literally
            out.extend(part)
        else:
            out.append(int(part[:2], 16))
            out.extend(part[2:])
    return bytes(out).decode()


def parse_query(text, into):
    """Add the ``key=value&...`` pairs of `text` (str or bytes) to the MultiDict `into`.

    A key without ``=`` gets an empty value (of the same type as `text`, as Microdot does).
    """
    if isinstance(text, str):
        sep, eq = '&', '='
    else:
        sep, eq = b'&', b'='
    for piece in text.split(sep):
        if not piece:
            continue
        if eq in piece:
            key, value = piece.split(eq, 1)
            into[urldecode(key)] = urldecode(value)
        else:
            into[urldecode(piece)] = piece[:0]
    return into


def safe_path(url):
    """`url` if it is a path on this site to redirect to, else None.

    Browsers read ``\\`` as ``/`` and drop tabs and newlines from a URL, so ``/\\evil.example``
    and ``/<TAB>/evil.example`` would lead to ``//evil.example``, another site. Refused: anything
    not starting with exactly one ``/``, any backslash, control character or space, and all of
    these again after one more percent-decoding (``/%5C...``, ``/%2F...``, ``/%09/...``)."""
    if not isinstance(url, str) or url[:1] != '/':
        return None
    try:
        decoded = urldecode(url.replace('+', '%2B'), True)  # strict: refuse a bad escape
    except ValueError:
        return None
    for text in (url, decoded):
        if text[1:2] in ('/', '\\') or '\\' in text:
            return None
        for ch in text:
            if ch <= ' ' or ch == '\x7f':
                return None
    return url
