"""The `Request` object: one parsed HTTP request; `HTTPException` and `abort`, how a handler (or
`Request.json`, `Request.form`) ends a request with an error status."""
import json

from .multidict import MultiDict, NoCaseDict

_DIGITS = '0123456789'
_SPACE = b' \t\n\r\x0b\x0c'  # what bytes.strip() strips


class HTTPException(Exception):
    """Raised (usually through `abort`) to end a request with an error status.

    `reason` becomes the response body; it defaults to ``"<code> error"``.
    """

    def __init__(self, status_code, reason=None):
        self.status_code = status_code
        self.reason = reason or str(status_code) + ' error'

    def __repr__(self):  # pragma: no cover - diagnostic only
        return 'HTTPException: ' + str(self.status_code)


def abort(status_code, reason=None):
    """Stop handling the current request and answer with `status_code` (and `reason` as body)."""
    raise HTTPException(status_code, reason)


def _refused(status, reason):
    """The `RequestError` to raise (streams, where it lives, is loaded only when one is)."""
    from .streams import RequestError
    return RequestError(status, reason)


def too_deep(data, limit):
    """True if the JSON text `data` (bytes) nests arrays and objects more than `limit` deep.
    Brackets inside strings do not count. Scans only when there are that many brackets."""
    if data.count(b'[') + data.count(b'{') <= limit:
        return False
    depth = 0
    quoted = escaped = False
    for c in data:
        if quoted:
            if escaped:
                escaped = False
            elif c == 92:  # backslash
                escaped = True
            elif c == 34:
                quoted = False
        elif c == 34:
            quoted = True
        elif c == 91 or c == 123:
            depth += 1
            if depth > limit:
                return True
        elif c == 93 or c == 125:
            depth -= 1
    return False


def loads(data, max_depth=32):
    """`json.loads` of the UTF-8 bytes `data` from a client: ValueError for anything that is not
    JSON, including nesting deeper than `max_depth` (CPython's parser would raise RecursionError,
    MicroPython's would run out of heap)."""
    if too_deep(data, max_depth):
        raise ValueError('JSON nested too deeply')
    try:
        return json.loads(data.decode())
    except RuntimeError:  # CPython's RecursionError
        raise ValueError('JSON nested too deeply')


def _listed(name, names):
    """True if `name` (bytes) is one of the space-separated words of `names`."""
    n = len(name)
    i = names.find(name)
    while i >= 0:
        if (i == 0 or names[i - 1] == 32) and (i + n == len(names) or names[i + n] == 32):
            return True
        i = names.find(name, i + 1)
    return False


def _mimetype(req):
    """The request's media type, lower-cased, without parameters ('' if none)."""
    return (req.content_type or '').split(';', 1)[0].strip().lower()


class Request:
    """An HTTP request as seen by handlers.

    Class attributes are the limits every request obeys (set them on `Request` to tune an app):
    `max_content_length` (a larger declared body is refused with 413), `max_body_length` (larger
    bodies are not buffered: read them from `stream`), `max_readline` (longest request line or
    header line: 414 / 431 beyond it), `max_headers` (431 beyond it), `max_head_length`
    (request line and headers together: 431 / 414 beyond it), `max_json_depth` (`json`
    answers 400 for deeper nesting) and `skip_headers`: request headers not kept in
    `headers`, as bytes of lower-case names separated by spaces (``b'user-agent accept'``;
    default none). A board's app names those it never reads: a browser sends 700-800 bytes of
    headers with each request, and on a small heap each one kept is two strings and two dict
    entries until the request ends. Content-Length and Transfer-Encoding are always read.

    A buffered body is read into one allocation of its declared length (a chunked one into a
    buffer of `max_body_length`, taken as soon as the head is read, or, on a heap without such
    a block, one that starts small and grows), never by concatenating piece after piece, which
    on a small heap leaves it too fragmented for the body.

    `body` is the request body (``b''`` when it was too large and left in `stream`): bytes, or,
    when it was larger than one read of the connection (512 bytes), the bytearray it was read
    into, as it is: on a small heap there is seldom room for a copy. Both compare, slice,
    search and decode alike and `json.loads` takes both; use ``bytes(request.body)`` where
    bytes are required (a dict key, an ``isinstance(..., bytes)`` check). Once the response
    has been written the server sets `body` back to ``b''``: a request that something still
    refers to (a background task, a finished task's coroutine) holds no body.
    """

    max_content_length = 16 * 1024
    max_body_length = 16 * 1024
    max_readline = 2 * 1024
    max_headers = 40
    max_head_length = 8 * 1024
    max_json_depth = 32
    skip_headers = b''

    class G:
        """Per-request scratch space (``request.g``)."""

    # Defaults kept on the class, so a request only stores what differs (less heap each).
    scheme = 'http'
    sock = None
    url_prefix = ''
    subapp = None
    route = None
    url_args = None
    query_string = None
    content_length = 0
    content_type = None
    body_used = False
    after_request_handlers = ()
    vary_names = ()
    _args = None
    body = b''
    _stream = None
    files = None  # uploaded files: set by microdot.multipart.with_form_data
    # (g, cookies, json and form keep what they made in _g, _cookies, _json and _form, read
    # with getattr: no class default for them, four entries less in this class's dict)

    def __init__(self, app, client_addr, method, url, http_version, headers, body=None,
                 stream=None, sock=None, url_prefix='', subapp=None, scheme=None, route=None):
        self.app = app
        self.client_addr = client_addr
        self.method = method
        self.url = url
        self.http_version = http_version
        self.headers = headers
        if scheme:
            self.scheme = scheme
        if sock is not None:
            self.sock = sock
        if url_prefix:
            self.url_prefix = url_prefix
        if subapp is not None:
            self.subapp = subapp
        if route is not None:
            self.route = route
        if '?' in url:
            self.path, self.query_string = url.split('?', 1)
            from .urlcodec import parse_query  # loaded by the first query string
            self._args = parse_query(self.query_string, MultiDict())
        else:
            self.path = url
        length = headers.get('content-length')
        if length is not None:
            self.content_length = int(length)
        ctype = headers.get('content-type')
        if ctype is not None:
            self.content_type = ctype
        if body:  # else the class's b''
            self.body = body
        if stream is not None:
            self._stream = stream

    @property
    def args(self):
        """The query string's arguments, a MultiDict (empty, made on first use, without
        one)."""
        if self._args is None:
            self._args = MultiDict()
        return self._args

    @args.setter
    def args(self, value):
        self._args = value

    @property
    def g(self):
        """Per-request scratch space: set any attribute on it (created on first use)."""
        g = getattr(self, '_g', None)
        if g is None:
            self._g = g = Request.G()
        return g

    @classmethod
    async def create(cls, app, client_reader, client_writer, client_addr, scheme=None):
        """Read a request line, headers and (if small enough) the body from `client_reader`.

        Returns None if the connection closed before a request line. Raises `ValueError` for
        anything malformed, and its subclass `RequestError` (with the status to answer) for
        oversized lines or header sets and unsupported versions or codings.
        """
        if not hasattr(client_reader, 'readhead'):
            # Any other async reader (Microdot's only needs readline/read) is read through a
            # BufferedReader, so that there is one head reader. Bytes it reads past this
            # request stay in it: it is the request's `sock[0]` and reads the body.
            from .streams import BufferedReader
            client_reader = BufferedReader(client_reader)
        head = await client_reader.readhead(cls.max_head_length, cls.max_headers + 1)
        if not head:
            return None
        # (method, url, version, headers, length, chunked): kept as one tuple, and the calls
        # below take few arguments, so that this coroutine, made for every request, is small
        head = cls._parse_head(head)
        body = stream = None
        if head[4] or head[5]:
            body, stream = await cls._read_body(app, client_reader, client_writer, head)
        sock = client_reader.pair  # the (reader, writer) tuple: one per connection, not one
        if sock is None or sock[1] is not client_writer:  # per request
            client_reader.pair = sock = (client_reader, client_writer)
        return cls._made(app, client_addr, head, body, stream, sock, scheme)

    @classmethod
    def _made(cls, app, client_addr, head, body, stream, sock, scheme):
        return cls(app, client_addr, head[0], head[1], head[2], head[3], body, stream, sock, '',
                   None, scheme)  # (by position: smaller)

    @classmethod
    async def _read_body(cls, app, client_reader, client_writer, head):
        """``(body, stream)`` of a request that has one (a coroutine of its own, so that a
        request without a body does not carry this one's locals)."""
        method, url, _, headers, length, chunked = head
        if chunked:
            # the body's block is taken before its reader's module loads: loading it amid the
            # head's garbage put its code in the heap's one large free block (a 16 KiB body in
            # 1-byte chunks at 64wK then fit by under 600 bytes; now by about 3 KB)
            try:
                buf = bytearray(cls.max_body_length)
            except MemoryError:
                buf = None
            from .chunked import read_chunked
            body = await read_chunked(client_reader, cls.max_readline, cls.max_body_length, buf)
            buf = None
            headers['Content-Length'] = str(len(body))
            del headers['Transfer-Encoding']
            return body, None
        length = int(length)
        # a route's own limits (Microdot.route), else the class's
        limits = getattr(app, 'route_limits', None) and app.limits_for(cls, method, url)
        max_content, max_body = limits or (cls.max_content_length, cls.max_body_length)
        if length <= max_content:
            if client_writer and headers.get('expect', '').lower() == '100-continue':
                await client_writer.awrite(b'HTTP/1.1 100 Continue\r\n\r\n')
            if length <= max_body:
                body = await client_reader.readbuffer(length)
                if len(body) != length:
                    raise ValueError('incomplete body')
                return body, None
            from .streams import BodyReader
            return None, BodyReader(client_reader, length)
        return None, None

    @classmethod
    def _parse_head(cls, lines):
        """The request line and headers of `lines` (the head's lines as bytes, each with its
        line end, as `BufferedReader.readhead` returns them):
        ``(method, url, version, headers, content_length, chunked)``, the length as str or
        None. Raises as `create` does (the number of headers is `readhead`'s to check: the
        head is not read beyond `max_headers`). A plain function, so that its many locals
        live on the stack while it runs, not in the coroutine of every request."""
        # Parsed as bytes: only what a handler sees (method, URL, each header's name and value)
        # becomes a str, each decoded once (not UTF-8: UnicodeError, a ValueError). On
        # MicroPython every new str is looked up among the interned strings, which costs far
        # more than the bytes operations around it.
        line = lines[0]
        end = len(line) - 1  # the LF
        stop = end - 1 if end and line[end - 1] == 13 else end  # the request line is line[:stop]
        if stop > cls.max_readline:
            raise _refused(414, 'URI too long')
        if b'\x00' in line:
            raise ValueError('NUL in request head')
        # three words, split by single spaces (found in place: no list, no copies)
        one = line.find(b' ', 0, stop)
        two = line.find(b' ', one + 1, stop)
        if one <= 0 or two <= one + 1 or line.find(b' ', two + 1, stop) >= 0:
            raise ValueError('bad request line')
        if stop - two != 9 or not line.startswith(b'HTTP/', two + 1) or line[two + 7] != 46:
            raise ValueError('bad HTTP version')  # not HTTP/x.y
        if line[two + 6] != 49 or line[two + 8] not in b'01':  # 1.0 or 1.1
            raise _refused(505, 'HTTP version not supported')
        version = '1.1' if line[two + 8] == 49 else '1.0'
        method = 'GET' if one == 3 and line.startswith(b'GET') else line[:one].decode()
        if line[one + 1] != 47:  # '/'
            url = line[one + 1:two]
            if b'://' in url:  # absolute form: keep the path
                url = '/' + url.split(b'://', 1)[1].partition(b'/')[2].decode()
            elif url == b'*':
                url = '*'
            else:
                raise ValueError('bad request target')
        else:
            url = line[one + 1:two].decode()
        headers = NoCaseDict()
        length = coding = None
        limit = cls.max_readline
        skip = cls.skip_headers
        for k in range(1, len(lines)):
            line = lines[k]
            end = len(line) - 1
            if end > limit:
                raise _refused(431, 'Header too large')
            stop = end - 1 if end and line[end - 1] == 13 else end  # without the CR
            if b'\x00' in line:
                raise ValueError('NUL in request head')
            colon = line.find(b':', 0, stop)
            if colon <= 0:  # none, or an empty name
                raise ValueError('bad header name')
            name = line[:colon]
            if b' ' in name or b'\t' in name or b'\r' in name:
                raise ValueError('bad header name')  # also what obsolete line folding looks like
            pos = colon + 2 if line[colon + 1] == 32 else colon + 1  # the usual single space
            value = line[pos:stop]
            if value and (value[0] in _SPACE or value[-1] in _SPACE):
                value = value.strip()
            if b'\r' in value:
                raise ValueError('CR inside a header')
            framing = False  # Content-Length, Transfer-Encoding: always kept
            if colon == 14 or colon == 17:
                lower = name.lower()
                if lower == b'content-length':
                    if length is not None and length != value:
                        raise ValueError('conflicting Content-Length')
                    length = value
                    framing = True
                elif lower == b'transfer-encoding':
                    coding = value
                    framing = True
            line = lines[k] = None  # the line goes as soon as it is parsed
            if skip and not framing and _listed(name.lower(), skip):
                continue
            headers[name.decode()] = value.decode()
        if length is not None:
            length = length.decode()
            if not length or length.strip(_DIGITS):
                raise ValueError('bad Content-Length')  # ASCII digits only (str.isdigit takes
                # more)
        chunked = False
        if coding is not None:
            if coding.lower() != b'chunked':  # gzip, deflate, ...: cannot be framed here
                raise _refused(501, 'Transfer-Encoding not supported')
            if length is not None:
                raise ValueError('Content-Length with Transfer-Encoding')
            chunked = True
        return method, url, version, headers, length, chunked

    @property
    def stream(self):
        """An async reader for the body (`read`, `readline`, `readexactly`, `readuntil`)."""
        if self._stream is None:
            from .streams import AsyncBytesIO  # (a buffered body read as a stream)
            self._stream = AsyncBytesIO(self.body)
        return self._stream

    @property
    def cookies(self):
        """Cookies sent by the client, as a dict (values as sent, not decoded)."""
        cookies = getattr(self, '_cookies', None)
        if cookies is None:
            self._cookies = cookies = {}
            for piece in self.headers.get('Cookie', '').split(';'):
                piece = piece.strip()
                if not piece and ';' not in self.headers.get('Cookie', ''):
                    continue
                if '=' in piece:
                    name, value = piece.split('=', 1)
                else:
                    name, value = piece, ''
                cookies[name] = value
        return cookies

    @property
    def json(self):
        """The body parsed as JSON if the Content-Type is application/json, else None.

        Invalid JSON, or JSON nested deeper than `max_json_depth`, aborts the request with 400.
        """
        value = getattr(self, '_json', None)
        if value is None and _mimetype(self) == 'application/json':
            try:
                self._json = value = loads(self.body, self.max_json_depth)
            except ValueError:
                raise HTTPException(400, 'Invalid JSON')
        return value

    @property
    def form(self):
        """The body of an application/x-www-form-urlencoded request as a MultiDict, else None."""
        form = getattr(self, '_form', None)
        if form is None and _mimetype(self) == 'application/x-www-form-urlencoded':
            try:
                from .urlcodec import parse_query
                self._form = form = parse_query(self.body, MultiDict())
            except ValueError:
                raise HTTPException(400, 'Invalid form data')
        return form

    def vary(self, name):
        """Note that the response depends on the request header `name`: it is added once to
        the response's ``Vary`` header, merged with any the handler set (`vary_names` lists
        them). Extensions call this (cors: Origin, session: Cookie, csrf: Sec-Fetch-Site)."""
        if not self.vary_names:
            self.vary_names = []
        if name not in self.vary_names:
            self.vary_names.append(name)

    def after_request(self, f):
        """Register `f(request, response)` to run after this request only."""
        if not self.after_request_handlers:
            self.after_request_handlers = []
        self.after_request_handlers.append(f)
        return f
