"""The static pages and assets for a client that does not take gzip (``curl`` without
``--compressed``, ``wget``, a script): the build stores them gzipped only
(``scripts/build_assets.py``), so such a client gets the file decompressed while it is sent,
with its length from the gzip trailer, an ETag of its own and ``Vary: Accept-Encoding``.
A browser always takes gzip and never loads this module; ``ui.static`` does, for a request whose
``Accept-Encoding`` lacks ``gzip`` or has a ``q=0``, and drops it again.

The build compresses with a window of ``2 ** WBITS`` bytes (1 KB, ``build_assets.WBITS``), what a
small board can decompress with; about 2.5 KB of heap while such an answer is sent (the window
and the decompressor, set up before the head: no heap is needed once it has begun). A board
that has not that much at the moment, or a firmware without the ``deflate`` module, sends the
gzip file as before (`answer`): never a 503 or a 406 only for the encoding.
"""
WBITS = 10


def refuses_gzip(accept):
    """True if the ``Accept-Encoding`` value `accept` ('' when there is none) does not take
    gzip: it does not name it (nor ``*``), or gives it ``q=0``. No header at all counts as not
    taking it: what a user of curl or wget expects is the file as it is."""
    star = None
    for part in accept.lower().split(','):
        coding, _, params = part.partition(';')
        coding = coding.strip()
        if coding not in ('gzip', 'x-gzip', '*'):
            continue
        params = params.replace(' ', '')
        try:
            zero = params.startswith('q=') and float(params[2:]) == 0
        except ValueError:
            zero = False
        if coding != '*':
            return zero
        star = zero
    return star is None or star


class _Body:
    """The file `f` (gzip) decompressed, read into the sender's buffer; its decompressor set up
    at once (the first bytes read ahead), before the response's head."""

    def __init__(self, f):
        import deflate
        self.d = deflate.DeflateIO(f, deflate.GZIP, WBITS, True)
        self.first = self.d.read(16)

    def readinto(self, buf):
        first = self.first
        if first:
            self.first = None
            buf[:len(first)] = first
            return len(first)
        return self.d.readinto(buf)

    def read(self, n):
        buf = bytearray(n)
        return bytes(buf[:self.readinto(buf)])

    def close(self):
        self.d.close()


def answer(request, path, etag, headers, content_type):
    """The answer for the gzip file `path` (of `content_type`, UTF-8 text) to a client that
    refuses gzip, or None for the gzip answer (`etag` and `headers` are its own): when
    `request` takes gzip after all, and also when the board cannot decompress at the moment (no
    heap for the decompressor) or at all (a firmware without ``deflate``): the client then gets
    what every client got before, gzip, rather than a 503 or a 406. The module is dropped
    again (``ui.forget``) either way."""
    from ui import forget
    forget('ui.plain')  # this call keeps what it needs; the next such client imports it again
    if not refuses_gzip(request.headers.get('Accept-Encoding', '')):
        return None
    from microdot import Response
    etag = etag[:-1] + '-p"'  # another representation: another tag
    if request.headers.get('If-None-Match') == etag:
        headers['ETag'] = etag
        return Response(b'', 304, headers)
    f = open(path, 'rb')
    try:
        f.seek(-4, 2)
        size = int.from_bytes(f.read(4), 'little')
        f.seek(0)
        body = _Body(f)
    except (ImportError, MemoryError):
        f.close()
        return None
    except BaseException:
        f.close()
        raise
    headers['ETag'] = etag
    headers['Content-Type'] = content_type + '; charset=UTF-8'
    headers['Content-Length'] = str(size)
    res = Response(body, 200, headers)
    res.send_file_buffer_size = 512  # as ui.static's: small reads
    return res
