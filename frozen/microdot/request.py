"""The `Request` object: one parsed HTTP request."""
import json

from .exceptions import HTTPException
from .multidict import MultiDict, NoCaseDict
from .streams import AsyncBytesIO, BodyReader, LineTooLong
from .urlcodec import parse_query


class Request:
    """An HTTP request as seen by handlers.

    Class attributes are the limits every request obeys (set them on `Request` to tune an app):
    `max_content_length` (a larger declared body is refused with 413), `max_body_length` (larger
    bodies are not buffered: read them from `stream`), `max_readline` (longest request line or
    header line: 414 / 431 beyond it) and `max_headers` (431 beyond it).
    """

    max_content_length = 16 * 1024
    max_body_length = 16 * 1024
    max_readline = 2 * 1024
    max_headers = 40

    class G:
        """Per-request scratch space (``request.g``)."""

    def __init__(self, app, client_addr, method, url, http_version, headers, body=None,
                 stream=None, sock=None, url_prefix='', subapp=None, scheme=None, route=None):
        self.app = app
        self.client_addr = client_addr
        self.method = method
        self.url = url
        self.http_version = http_version
        self.headers = headers
        self.scheme = scheme or 'http'
        self.sock = sock
        self.url_prefix = url_prefix
        self.subapp = subapp
        self.route = route
        self.url_args = None
        self.g = Request.G()
        self.after_request_handlers = []
        self.body_used = False
        if '?' in url:
            self.path, self.query_string = url.split('?', 1)
            self.args = parse_query(self.query_string, MultiDict())
        else:
            self.path, self.query_string, self.args = url, None, {}
        self.content_length = int(headers.get('Content-Length', 0))
        self.content_type = headers.get('Content-Type')
        self._body = body
        self._stream = stream
        self._cookies = None
        self._json = None
        self._form = None
        self._files = None

    @classmethod
    async def create(cls, app, client_reader, client_writer, client_addr, scheme=None):
        """Read a request line, headers and (if small enough) the body from `client_reader`.

        Returns None if the connection closed before a request line. Raises `HTTPException` for
        oversized lines or header sets and `ValueError` for anything malformed.
        """
        line = await cls._readline(client_reader, 414)
        blank = 0
        while line == '':  # empty lines before a request line are ignored (RFC 9112 2.2)
            blank += 1
            if blank > 4:
                raise ValueError('no request line')
            line = await cls._readline(client_reader, 414)
        if line is None:
            return None
        method, url, version = line.split(' ')  # anything but three words: ValueError
        if version[:5] != 'HTTP/' or len(version) != 8 or version[6] != '.':
            raise ValueError('bad HTTP version')
        version = version[5:]
        if version[0] != '1' or version[2] not in '01':
            raise HTTPException(505, 'HTTP version not supported')
        if url[0] != '/':
            if '://' in url:  # absolute form: keep the path
                url = '/' + url.split('://', 1)[1].partition('/')[2]
            elif url != '*':
                raise ValueError('bad request target')
        headers = NoCaseDict()
        count = 0
        while True:
            line = await cls._readline(client_reader, 431)
            if not line:
                if line is None:
                    raise EOFError('connection closed inside the head')
                break
            count += 1
            if count > cls.max_headers:
                raise HTTPException(431, 'Too many headers')
            name, value = line.split(':', 1)
            if not name or name != name.strip() or ' ' in name:
                raise ValueError('bad header name')
            value = value.strip()
            if name in headers and name.lower() == 'content-length' and headers[name] != value:
                raise ValueError('conflicting Content-Length')
            headers[name] = value
        length = headers.get('Content-Length')
        if length is not None and not length.isdigit():
            raise ValueError('bad Content-Length')
        coding = headers.get('Transfer-Encoding')
        chunked = False
        if coding is not None:
            if coding.lower() != 'chunked':  # gzip, deflate, ...: cannot be framed here
                raise HTTPException(501, 'Transfer-Encoding not supported')
            chunked = True
        if chunked and length is not None:
            raise ValueError('Content-Length with Transfer-Encoding')
        body = b''
        stream = None
        if chunked:
            body = await cls._read_chunked(client_reader)
            headers['Content-Length'] = str(len(body))
            del headers['Transfer-Encoding']
        elif length:
            length = int(length)
            if length <= cls.max_content_length:
                if headers.get('Expect', '').lower() == '100-continue' and client_writer:
                    await client_writer.awrite(b'HTTP/1.1 100 Continue\r\n\r\n')
                if length <= cls.max_body_length:
                    body = await client_reader.readexactly(length)
                    if len(body) != length:
                        raise ValueError('incomplete body')
                else:
                    stream = BodyReader(client_reader, length)
        return cls(app, client_addr, method, url, version, headers, body=body, stream=stream,
                   sock=(client_reader, client_writer), scheme=scheme)

    @classmethod
    async def _readline(cls, reader, status):
        """The next line as str without its line end; None at the end of the stream."""
        try:
            line = await reader.readline()
        except LineTooLong:
            line = None
        if line is None or len(line) > cls.max_readline:
            raise HTTPException(status, 'URI too long' if status == 414 else 'Header too large')
        if not line:
            return None
        if b'\x00' in line:
            raise ValueError('NUL in request head')
        return line.rstrip(b'\r\n').decode()  # not UTF-8: UnicodeError, a ValueError

    @classmethod
    async def _read_chunked(cls, reader):
        body = b''
        while True:
            line = await cls._readline(reader, 431)
            if line is None:
                raise EOFError('connection closed inside the body')
            size = line.split(';', 1)[0].strip()
            if not size or size[0] in '+-':
                raise ValueError('bad chunk size')
            size = int(size, 16)
            if len(body) + size > cls.max_body_length:
                raise HTTPException(413, 'Payload too large')
            if size == 0:
                break
            body += await reader.readexactly(size)
            if await reader.readexactly(2) != b'\r\n':
                raise ValueError('bad chunk')
        while await cls._readline(reader, 431):  # trailers, ignored
            pass
        return body

    @property
    def body(self):
        """The request body as bytes (``b''`` when it was too large and left in `stream`)."""
        return self._body if self._body is not None else b''

    @property
    def stream(self):
        """An async reader for the body (`read`, `readline`, `readexactly`, `readuntil`)."""
        if self._stream is None:
            self._stream = AsyncBytesIO(self.body)
        return self._stream

    @property
    def cookies(self):
        """Cookies sent by the client, as a dict (values as sent, not decoded)."""
        if self._cookies is None:
            self._cookies = {}
            for piece in self.headers.get('Cookie', '').split(';'):
                piece = piece.strip()
                if not piece and ';' not in self.headers.get('Cookie', ''):
                    continue
                if '=' in piece:
                    name, value = piece.split('=', 1)
                else:
                    name, value = piece, ''
                self._cookies[name] = value
        return self._cookies

    def _mimetype(self):
        return (self.content_type or '').split(';', 1)[0].strip().lower()

    @property
    def json(self):
        """The body parsed as JSON if the Content-Type is application/json, else None.

        Invalid JSON aborts the request with 400.
        """
        if self._json is None and self._mimetype() == 'application/json':
            try:
                self._json = json.loads(self.body.decode())
            except ValueError:
                raise HTTPException(400, 'Invalid JSON')
        return self._json

    @property
    def form(self):
        """The body of an application/x-www-form-urlencoded request as a MultiDict, else None."""
        if self._form is None and self._mimetype() == 'application/x-www-form-urlencoded':
            try:
                self._form = parse_query(self.body, MultiDict())
            except ValueError:
                raise HTTPException(400, 'Invalid form data')
        return self._form

    @property
    def files(self):
        """Uploaded files (set by `microdot.multipart.with_form_data`), else None."""
        return self._files

    def after_request(self, f):
        """Register `f(request, response)` to run after this request only."""
        self.after_request_handlers.append(f)
        return f
