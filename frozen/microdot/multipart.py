"""multipart/form-data (HTML forms with file uploads), streamed: the body is read in small
chunks, so an upload far larger than the heap can be saved to flash.

``@with_form_data`` parses the whole form before the route runs (fields in ``request.form``,
files in ``request.files`` as `FileUpload` objects, spooled to a temporary file when larger than
`FileUpload.max_memory_size`). `FormDataIter` walks the parts one by one instead, so a file can
go straight to its destination. Remember that `Request.max_content_length` (16 KiB by default)
still refuses larger bodies with 413: raise it for uploads.
"""
import os

from .request import abort
from .helpers import wraps


def _param(header, name):
    """The value of parameter `name` in a header like ``form-data; name="x"`` (None if absent)."""
    for piece in header.split(';')[1:]:
        key, _, value = piece.strip().partition('=')
        if key.strip().lower() == name:
            value = value.strip()
            if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
                value = value[1:-1].replace('\\"', '"')
            return value
    return None


class FormDataIter:
    """Async iterator over the parts of a multipart/form-data request: yields ``(name, value)``
    with a str for ordinary fields and a `FileUpload` for files. Read (or save) a file before
    advancing, or it is skipped. Malformed bodies abort with 400. `buffer_size` is the read
    chunk size."""

    buffer_size = 256
    max_field_size = 16 * 1024

    def __init__(self, request):
        self.stream = request.stream
        self.buffer = b''
        self.marker = None
        self.state = 0  # 0: before the first part, 1: in a part, 2: between parts, 3: done
        ctype = request.content_type or ''
        if ctype.split(';', 1)[0].strip().lower() == 'multipart/form-data':
            boundary = _param(ctype, 'boundary')
            if boundary:
                self.marker = b'\r\n--' + boundary.encode()

    def __aiter__(self):
        return self

    async def _fill(self):
        data = await self.stream.read(self.buffer_size)
        if not data:
            abort(400, 'Truncated form data')
        self.buffer += data

    async def _line(self):
        while True:
            i = self.buffer.find(b'\r\n')
            if i >= 0:
                line = self.buffer[:i]
                self.buffer = self.buffer[i + 2:]
                return line
            if len(self.buffer) > 1024:
                abort(400, 'Bad form data')
            await self._fill()

    async def _read_part(self, n=-1):
        """Up to `n` bytes (all if n < 0) of the current part; b'' at its end."""
        if self.state != 1:
            return b''
        out = b''
        marker = self.marker
        while n < 0 or len(out) < n:
            i = self.buffer.find(marker)
            if i >= 0:
                take = i if n < 0 else min(i, n - len(out))
                out += self.buffer[:take]
                self.buffer = self.buffer[take:]
                if take == i:
                    self.buffer = self.buffer[len(marker):]
                    self.state = 2
                    break
                continue
            safe = len(self.buffer) - len(marker) + 1
            if safe > 0:
                take = safe if n < 0 else min(safe, n - len(out))
                out += self.buffer[:take]
                self.buffer = self.buffer[take:]
                if n >= 0 and len(out) >= n:
                    break
            await self._fill()
        return out

    async def __anext__(self):
        if self.marker is None:
            raise StopAsyncIteration
        while self.state == 1:  # skip what the caller left of the previous part
            if not await self._read_part(self.buffer_size):
                break
        if self.state == 0:
            self.buffer = b'\r\n'  # the first delimiter has no CRLF before it
            while True:
                i = self.buffer.find(self.marker)
                if i >= 0:
                    self.buffer = self.buffer[i + len(self.marker):]
                    break
                if len(self.buffer) > 4096:
                    abort(400, 'Bad form data')
                await self._fill()
            self.state = 2
        if self.state == 3:
            raise StopAsyncIteration
        while len(self.buffer) < 2:
            await self._fill()
        if self.buffer[:2] == b'--':
            self.state = 3
            raise StopAsyncIteration
        await self._line()  # rest of the delimiter line (normally empty)
        name = filename = None
        content_type = 'text/plain'
        count = 0
        while True:
            line = await self._line()
            if not line:
                break
            count += 1
            if count > 16:
                abort(400, 'Bad form data')
            try:
                header, _, value = line.decode().partition(':')
            except UnicodeError:
                abort(400, 'Bad form data')
            header = header.strip().lower()
            if header == 'content-disposition':
                name = _param(value, 'name')
                filename = _param(value, 'filename')
            elif header == 'content-type':
                content_type = value.strip()
        if name is None:
            abort(400, 'Bad form data')
        self.state = 1
        if filename is not None:
            return name, FileUpload(filename, content_type, self._read_part)
        value = await self._read_part(self.max_field_size + 1)
        if len(value) > self.max_field_size:
            abort(413, 'Form field too large')
        try:
            return name, value.decode()
        except UnicodeError:
            abort(400, 'Bad form data')


class FileUpload:
    """An uploaded file: `filename`, `content_type`, and async `read(n=-1)`, `save(path or
    file)`, `copy()` and `close()`. `max_memory_size` (bytes) is how much `copy` keeps in RAM
    before spooling to a temporary file in `temp_dir`."""

    max_memory_size = 1024
    temp_dir = ''

    def __init__(self, filename, content_type, read):
        self.filename = filename
        self.content_type = content_type
        self._read = read
        self._temp = None

    async def read(self, n=-1):
        """Up to `n` bytes of the file (all that is left if n < 0); b'' at the end."""
        return await self._read(n)

    async def save(self, path_or_file):
        """Write the (rest of the) file to a path or an open binary file, in small chunks."""
        f = open(path_or_file, 'wb') if isinstance(path_or_file, str) else path_or_file
        try:
            while True:
                chunk = await self._read(FormDataIter.buffer_size)
                if not chunk:
                    break
                f.write(chunk)
        finally:
            if f is not path_or_file:
                f.close()

    async def copy(self, max_memory_size=None):
        """Read the whole file now, so the form can advance; returns a new `FileUpload` backed by
        memory (up to `max_memory_size`) or by a temporary file."""
        limit = self.max_memory_size if max_memory_size is None else max_memory_size
        pieces = []  # 256-byte pieces, not one growing buffer: a small heap may have no free
        size = 0  # block of `limit` bytes, and a file that goes to flash needs none
        while size <= limit:
            piece = await self._read(256)
            if not piece:
                from .streams import AsyncBytesIO
                return FileUpload(self.filename, self.content_type,
                                  AsyncBytesIO(b''.join(pieces)).read)
            pieces.append(piece)
            size += len(piece)
        name = self.temp_dir + 'upload_' + ''.join('%02x' % b for b in os.urandom(6))
        try:
            f = open(name, 'x+b')
        except (ValueError, OSError):  # no 'x' mode on this port (MicroPython)
            f = open(name, 'w+b')
        try:
            for piece in pieces:
                f.write(piece)
            pieces = piece = None
            await self.save(f)
            f.seek(0)
        except BaseException:
            f.close()
            os.remove(name)
            raise
        copy = FileUpload(self.filename, self.content_type, _FileReader(f).read)
        copy._temp = (f, name)
        return copy

    async def close(self):
        """Delete the temporary file made by `copy` (if any)."""
        if self._temp:
            f, name = self._temp
            self._temp = None
            f.close()
            try:
                os.remove(name)
            except OSError:
                pass


class _FileReader:
    def __init__(self, f):
        self.f = f

    async def read(self, n=-1):
        return self.f.read(n)


def with_form_data(f):
    """Decorator: parse a multipart/form-data body before the route runs; fields go to
    ``request.form`` (a dict, last value wins) and files to ``request.files``. Temporary files
    are removed after the route. For a request without a form both stay None (an urlencoded
    body still gives ``request.form``), as in Microdot."""
    @wraps(f)
    async def wrapper(request, *args, **kwargs):
        from .app import invoke_handler
        form = {}
        files = {}
        parts = FormDataIter(request)
        try:
            if parts.marker is not None:  # else not multipart: form and files stay as they are
                async for name, value in parts:
                    if isinstance(value, FileUpload):
                        old = files.get(name)
                        if old is not None:
                            await old.close()
                        files[name] = await value.copy()
                    else:
                        form[name] = value
                if form or files:
                    request._form = form
                    request.files = files
            return await invoke_handler(f, request, *args, **kwargs)
        finally:
            for upload in files.values():
                await upload.close()
    return wrapper
