"""The `Response` object and the `redirect` / `send_file` helpers."""
import json
import os

from .multidict import NoCaseDict

# The one table of status texts: the body of the framework's own error responses (app, static,
# the built-in server's ready-made 503), read through `status_text`. The status line's reason
# phrase is Microdot's: `reason`, else OK for 200 and N/A for any other status. A flat tuple of
# constants, not a dict: on a board it stays in flash (a dict is built in RAM at import, 64 B).
_REASONS = (400, 'Bad request', 404, 'Not found', 405, 'Not found', 413, 'Payload too large',
            500, 'Internal server error', 503, 'Service unavailable')


# The page of the framework's 503s for a board short of heap or of connections (the built-in
# server's ready-made one, a MemoryError in a handler or hook): it loads itself again in 2 s, so
# a browser on a busy board (a second page on an ESP8266) waits for its turn instead of stopping
# at an error. Its look is the device's (frozen/device/style.css: the palette, light and dark,
# the bar with the title), in a short inline style, so it needs no second request. One constant:
# in flash on a board, written as it is, with no heap at send time. The setup portal
# (device.portal, which loads no framework) sends a copy of it.
BUSY_PAGE = (b'<!doctype html><meta http-equiv="refresh" content="2"><meta name="viewport" '
             b'content="width=device-width"><title>Busy</title><style>body{margin:0;font:16px/1.4'
             b' system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:'
             b'#f2f4f7}h1{margin:0;padding:.75rem 1rem;font-size:1.3rem;color:#fff;background:'
             b'#0a66c2}p{margin:1rem}@media(prefers-color-scheme:dark){body{color:#e6e9ee;'
             b'background:#14181e}h1{color:#0b1a2b;background:#5aa9ff}}</style><h1>Busy</h1>'
             b'<p>Service unavailable: busy, trying again in a moment.')


def status_text(status):
    """The framework's text for an error `status` (the body of its own error responses), 'N/A'
    for a status it has none for."""
    for i in range(0, len(_REASONS), 2):
        if _REASONS[i] == status:
            return _REASONS[i + 1]
    return 'N/A'


def _gone(exc):
    """False (the connection is closed) for a socket error that just means the client went
    away; anything else is raised again."""
    from .streams import is_muted
    if is_muted(exc):
        return False
    raise exc


def _head(res, version, keep_alive):
    """The status line and headers of `res`: bytes, or on a heap in pieces (no block for the
    whole head) a list of bytes, one per line, to write one after the other."""
    # the reason phrase: `reason`, else OK for 200 and N/A for any other status, as
    # Microdot sends (clients go by the code). One str per line, in a list of few items (a
    # list of every name, value and separator grew to a block of 300 bytes that a heap in
    # pieces often has not), joined and encoded once.
    status = res.status_code
    if status == 200 and not res.reason:  # the usual status line, as one constant
        lines = ['HTTP/1.1 200 OK\r\n' if version == '1.1' else 'HTTP/1.0 200 OK\r\n']
    else:
        lines = ['HTTP/%s %s %s\r\n' % ('1.1' if version == '1.1' else '1.0', status,
                                         res.reason or ('OK' if status == 200 else 'N/A'))]
    for name, value in res.headers.items():
        if isinstance(value, list):
            for item in value:
                lines.append('%s: %s\r\n' % (name, item))
        else:
            lines.append('%s: %s\r\n' % (name, value))
    if version == '1.1' and not keep_alive:
        lines.append('Connection: close\r\n')
    elif version != '1.1' and keep_alive:
        lines.append('Connection: keep-alive\r\n')
    lines.append('\r\n')
    n = len(lines)
    try:
        head = ''.join(lines)
        # Every line must end in CRLF and nothing else: a CR or LF inside a name or value
        # would let it inject headers (or a whole response).
        if head.count('\n') != n or head.count('\r') != n:
            _injected()
        return head.encode()
    except MemoryError:
        head = None
    for i in range(n):
        line = lines[i]
        if line.count('\n') != 1 or line.count('\r') != 1:
            _injected()
        lines[i] = line.encode()
    return lines


def _injected():
    from .streams import HeaderInjection
    raise HeaderInjection('header contains CR or LF')


async def _write_head(stream, head):
    """Write `head`: bytes, or the list of pieces `_head` made on a heap in pieces."""
    if isinstance(head, bytes):
        await stream.awrite(head)
    else:
        for piece in head:
            await stream.awrite(piece)


async def _stream_body(res, stream, version, keep_alive):
    """`Response.write` for a file or an iterator body: chunked when its length is unknown."""
    chunked = False
    if 'content-length' not in res.headers and not res.is_head:
        if keep_alive and version == '1.1':
            chunked = True
            res.headers['Transfer-Encoding'] = 'chunked'
        else:
            keep_alive = False
    try:
        head = _head(res, version, keep_alive)
        chunks = res.body_iter()  # before the head: what it allocates can still fail with a 503
        await _write_head(stream, head)
        if res.is_head:
            await chunks.aclose()
            return keep_alive
        try:
            async for chunk in chunks:
                if isinstance(chunk, str):
                    chunk = chunk.encode()
                if chunked:
                    if chunk:  # its size line, the chunk as it is (no copy), its line end
                        await stream.awrite(b'%x\r\n' % len(chunk))
                        await stream.awrite(chunk)
                        await stream.awrite(b'\r\n')
                else:
                    await stream.awrite(chunk)
            if chunked:
                await stream.awrite(b'0\r\n\r\n')
        finally:
            await chunks.aclose()
        return keep_alive
    except OSError as exc:
        return _gone(exc)


class Response:
    """An HTTP response.

    `body` may be bytes, a str (sent as UTF-8), a dict or list (sent as JSON), None (204 No
    Content when the status is 200), a file-like object, or a sync or async iterator of chunks
    (streamed). A header whose value is a list is sent once per item.
    """

    types_map = {'css': 'text/css', 'gif': 'image/gif', 'html': 'text/html', 'jpg': 'image/jpeg',
                 'js': 'application/javascript', 'json': 'application/json',
                 'png': 'image/png', 'txt': 'text/plain', 'svg': 'image/svg+xml'}
    send_file_buffer_size = 1024
    default_content_type = 'text/plain'
    default_send_file_max_age = None
    already_handled = None  # set below: a response meaning "already written, send nothing"
    reason = None
    is_head = False

    def __init__(self, body=b'', status_code=200, headers=None, reason=None):
        if body is None:
            body = b''
            if status_code == 200:
                status_code = 204
        self.status_code = status_code
        self.headers = NoCaseDict(headers)
        if reason is not None:
            self.reason = reason
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            if 'content-type' not in self.headers:
                self.headers['Content-Type'] = 'application/json; charset=UTF-8'
        elif isinstance(body, str):
            body = body.encode()
        elif isinstance(body, bytearray):  # a request's body sent back (Request.body)
            body = bytes(body)
        self.body = body

    def set_cookie(self, cookie, value, path=None, domain=None, expires=None, max_age=None,
                   secure=False, http_only=False, partitioned=False, same_site=None):
        """Add a ``Set-Cookie`` header. `expires` is a string (used as is) or a datetime.

        Raises `ValueError` if the value contains ``;``, and `HeaderInjection` (a ValueError)
        if any part contains CR or LF.
        """
        value = str(value)
        if ';' in value:
            raise ValueError('cookie value cannot contain ";"')
        text = cookie + '=' + value
        if path:
            text += '; Path=' + path
        if domain:
            text += '; Domain=' + domain
        if expires:
            if not isinstance(expires, str):
                expires = expires.strftime('%a, %d %b %Y %H:%M:%S GMT')
            text += '; Expires=' + expires
        if max_age is not None:
            text += '; Max-Age=' + str(max_age)
        if secure:
            text += '; Secure'
        if http_only:
            text += '; HttpOnly'
        if partitioned:
            text += '; Partitioned'
        if same_site:
            text += '; SameSite=' + same_site
        if '\r' in text or '\n' in text:
            from .streams import HeaderInjection
            raise HeaderInjection('cookie cannot contain CR or LF')
        if 'Set-Cookie' in self.headers:
            self.headers['Set-Cookie'].append(text)
        else:
            self.headers['Set-Cookie'] = [text]

    def delete_cookie(self, cookie, **kwargs):
        """Tell the client to drop `cookie` (other `set_cookie` options such as path apply)."""
        kwargs.pop('expires', None)
        kwargs.pop('max_age', None)
        self.set_cookie(cookie, '', expires='Thu, 01 Jan 1970 00:00:01 GMT', max_age=0, **kwargs)

    def complete(self):
        """Add Content-Length (bytes bodies) and Content-Type (the default) if they are missing.

        ``; charset=UTF-8`` is added to `default_content_type` unless it names a charset; a
        Content-Type the app set is never changed. Returns the response, so that one ready to
        send is ``Response(data, status).complete()``."""
        headers = self.headers
        if isinstance(self.body, bytes) and 'content-length' not in headers:
            headers['Content-Length'] = str(len(self.body))
        if 'content-type' not in headers:
            ctype = self.default_content_type
            headers['Content-Type'] = ctype if '=' in ctype and 'charset=' in ctype.lower() \
                else ctype + '; charset=UTF-8'
        return self

    def body_iter(self):
        """An async iterator over the body's chunks."""
        from .streams import BodyIter  # only streamed bodies need it
        return BodyIter(self.body, self.send_file_buffer_size)

    async def write(self, stream, version='1.0', keep_alive=False):
        """Write the response to `stream` (an object with ``async awrite(bytes)``).

        With `keep_alive`, a body of unknown length is sent chunked (HTTP/1.1) so the connection
        can carry another request; for HTTP/1.0 it ends the connection instead. Returns True if
        the connection can be kept open, False if it must (or did) close.
        """
        self.complete()
        body = self.body
        if not isinstance(body, bytes):  # a file or an iterator: streamed
            return await _stream_body(self, stream, version, keep_alive)
        try:  # the usual case, in a small coroutine: head and body in one write
            head = _head(self, version, keep_alive)
            data = None
            if body and len(body) <= 512 and not self.is_head and isinstance(head, bytes):
                try:
                    data = head + body
                except MemoryError:  # a heap in pieces: no block for both, two writes then
                    pass
            if data is not None:
                await stream.awrite(data)
                return keep_alive
            await _write_head(stream, head)
            if body and not self.is_head:
                await stream.awrite(body)
            return keep_alive
        except OSError as exc:
            return _gone(exc)

    @classmethod
    def redirect(cls, location, status_code=302):
        """A redirect to `location` (`HeaderInjection`, a ValueError, if it contains CR or
        LF)."""
        if '\r' in location or '\n' in location:
            from .streams import HeaderInjection
            raise HeaderInjection('invalid redirect URL')
        return cls(status_code=status_code, headers={'Location': location})

    @classmethod
    def send_file(cls, filename, status_code=200, content_type=None, stream=None, max_age=None,
                  compressed=False, file_extension=''):
        """A response that streams a file.

        The content type comes from the extension (`types_map`; the one before ``.gz`` for a
        compressed file) unless given. `max_age` (or `default_send_file_max_age`) sets
        Cache-Control. `compressed` True sends ``Content-Encoding: gzip`` (a string names another
        encoding); the file must already be compressed. `file_extension` is appended to the name
        when opening. A `stream` is sent instead of opening the file.
        """
        if content_type is None:
            name = filename
            if compressed and name.endswith('.gz'):
                name = name[:-3]
            ext = name.rsplit('.', 1)[1] if '.' in name.rsplit('/', 1)[-1] else ''
            content_type = cls.types_map.get(ext, 'application/octet-stream')
        headers = {'Content-Type': content_type}
        if max_age is None:
            max_age = cls.default_send_file_max_age
        if max_age is not None:
            headers['Cache-Control'] = 'max-age=' + str(max_age)
        if compressed:
            headers['Content-Encoding'] = compressed if isinstance(compressed, str) else 'gzip'
        if stream is None:
            path = filename + file_extension
            stream = open(path, 'rb')
            headers['Content-Length'] = str(os.stat(path)[6])
        return cls(body=stream, status_code=status_code, headers=headers)


Response.already_handled = Response()
redirect = Response.redirect
send_file = Response.send_file
