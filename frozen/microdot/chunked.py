"""A chunked request body (``Transfer-Encoding: chunked``): `read_chunked`, used by
`Request.create` for such a request only. A module of its own, dropped again after each use:
browsers send no chunked bodies, so a board that loads the framework as ``.mpy`` keeps this
code out of its heap but while a client sends one."""
import sys

from .streams import LineTooLong, RequestError


_HEX = '0123456789abcdefABCDEF'


async def _chunk_line(reader, limit):
    """The next line of a chunked body (a size or a trailer) as str without its line end; None
    at the end of the stream. Longer than `limit`: `RequestError` 431."""
    try:
        line = await reader.readline()
    except LineTooLong:
        line = None
    if line is None or len(line) > limit:
        raise RequestError(431, 'Header too large')
    if not line:
        return None
    if b'\x00' in line:
        raise ValueError('NUL in request head')
    return line.rstrip(b'\r\n').decode()  # not UTF-8: UnicodeError, a ValueError


async def _read(reader, max_readline, max_body_length, whole, buf):
    used = 0
    while True:
        line = await _chunk_line(reader, max_readline)
        if line is None:
            raise EOFError('connection closed inside the body')
        size = line.split(';', 1)[0].strip(' \t')
        if not size or size.strip(_HEX):  # no sign, 0x, _ or spaces inside
            raise ValueError('bad chunk size')
        size = int(size, 16)
        if used + size > max_body_length:
            raise RequestError(413, 'Payload too large')
        if size == 0:
            break
        if buf is None:  # the largest first, while the heap is at its tidiest
            try:
                buf = bytearray(max_body_length)
            except MemoryError:  # a small body may still fit: grown later if it must
                buf = bytearray(min(max_body_length, max(size, 128)))
        if used + size > len(buf):
            try:
                grown = bytearray(max_body_length)
            except MemoryError:  # a heap in pieces: twice the size, or what this chunk needs
                grown = bytearray(min(max_body_length, max(used + size, 2 * len(buf))))
            if used:
                grown[:used] = memoryview(buf)[:used]
            buf = grown
            grown = None
        end = used + size
        while used < end:  # read in place, no intermediate bytes
            data = await reader.read(end - used)
            if not data:
                raise EOFError('connection closed inside the body')
            buf[used:used + len(data)] = data
            used += len(data)
        data = None
        if await reader.readexactly(2) != b'\r\n':
            raise ValueError('bad chunk')
    while await _chunk_line(reader, max_readline):  # trailers, ignored
        pass
    if buf is None:
        return b''
    if used <= whole:
        return bytes(memoryview(buf)[:used])
    if used < len(buf):
        buf[used:] = b''  # in place: the block keeps its size, no copy is made
    return buf


async def read_chunked(reader, max_readline, max_body_length, buf=None):
    """A chunked request body from `reader`, in a buffer of `max_body_length`, never one
    allocation per chunk: `buf` if given (`Request` takes it before it imports this module,
    while the heap's largest block is whole), else one allocated at the first chunk. If the
    heap has no such block then, a small one (128 bytes, or the first chunk's size) that is
    replaced by one of `max_body_length` if the body outgrows it, or, if there is still no such
    block, by one twice as large: doubling from the start needs 8 KB and 16 KB blocks at once
    for a 16 KiB body, which got 503 on 64wK; a 1 KB block, as this fell back to before, a heap
    in pieces often has not. The reader reads 128 bytes at a time meanwhile, so that taking a
    line or a chunk from its buffer copies little (with 512-byte reads a 1-byte chunk took
    three copies of ~500 bytes, each a block a heap in pieces may not have).
    Returned as `readbuffer` returns a body: bytes if it fits one chunk of the reader, else the
    buffer itself, its unused end cut off in place (no copy). Chunk sizes must be hex digits
    only; a body over `max_body_length` is `RequestError` 413, a size or trailer line over
    `max_readline` 431.

    This module is dropped once the body is read (from ``sys.modules`` and the package): the
    next chunked body imports it again."""
    whole = getattr(reader, 'chunk_size', 512)
    if whole > 128:  # small reads: each line or chunk taken from the reader's buffer copies
        reader.chunk_size = 128  # what is left of it (a 1-byte chunk: three ~500 B copies)
    try:
        return await _read(reader, max_readline, max_body_length, whole, buf)
    finally:
        if whole > 128:
            reader.chunk_size = whole
        sys.modules.pop(__name__, None)
        package = sys.modules.get(__name__.rpartition('.')[0])
        if package is not None:
            package.__dict__.pop('chunked', None)
