"""The static pages and assets for a client that does not take gzip (``curl`` without
``--compressed``, ``wget``, a script): the build stores them gzipped only
(``scripts/build_assets.py``), so such a client gets the file decompressed while it is sent,
with its length from the gzip trailer, an ETag of its own and ``Vary: Accept-Encoding``.
A browser always takes gzip and never loads this module; ``ui.static`` does, for a request whose
``Accept-Encoding`` lacks ``gzip`` or has a ``q=0``, and drops it again.

The build compresses with a window of ``2 ** WBITS`` bytes (1 KB, ``build_assets.WBITS``), what a
small board can decompress with; about 2.5 KB of heap while such an answer is sent (the window
and the decompressor, set up before the head: no heap is needed once it has begun, and a board
without it answers 503 as for any page). Without the ``deflate`` module (a firmware built
without it) the answer is 406, saying to ask for gzip.
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
    """The answer for the gzip file `path` to a client that refuses gzip, or None if
    `request` takes it after all. `etag` and `headers` are those of the gzip answer."""
    if not refuses_gzip(request.headers.get('Accept-Encoding', '')):
        return None
    from microdot import Response
    etag = etag[:-1] + '-p"'  # another representation: another tag
    headers['ETag'] = etag
    if request.headers.get('If-None-Match') == etag:
        return Response(b'', 304, headers)
    try:
        import deflate  # noqa: F401
    except ImportError:
        return Response('Not acceptable: this device stores its pages gzipped only; ask with '
                        'Accept-Encoding: gzip (curl --compressed)', 406, {'Vary': 'Accept-Encoding'})
    f = open(path, 'rb')
    try:
        f.seek(-4, 2)
        size = int.from_bytes(f.read(4), 'little')
        f.seek(0)
        body = _Body(f)
    except BaseException:
        f.close()
        raise
    headers['Content-Type'] = content_type
    headers['Content-Length'] = str(size)
    res = Response(body, 200, headers)
    res.send_file_buffer_size = 512  # as ui.static's: small reads
    return res
