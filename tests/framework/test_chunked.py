# microdot.chunked: a chunked request body is read by a module that is loaded for it and dropped
# again (a board running the framework as .mpy keeps its code out of the heap in between).
import sys

import microdot
from microdot import AsyncBytesIO, Microdot, Request

BODY = b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'


async def test_the_chunked_reader_is_dropped_after_each_body():
    for _ in range(2):  # and imported again for the next one
        req = await Request.create(Microdot(), AsyncBytesIO(BODY), None, ('127.0.0.1', 9))
        assert req.body == b'hello'
        assert 'microdot.chunked' not in sys.modules
        assert 'chunked' not in microdot.__dict__


async def test_the_chunked_reader_is_dropped_after_a_bad_body_too():
    bad = BODY.replace(b'5\r\n', b'x5\r\n')
    try:
        await Request.create(Microdot(), AsyncBytesIO(bad), None, ('127.0.0.1', 9))
    except ValueError:
        pass
    assert 'microdot.chunked' not in sys.modules


async def test_a_chunked_body_is_read_on_a_heap_without_a_block_of_its_limit():
    # The first chunk's buffer was the body's limit, or 1 KB if the heap had no such block: on
    # the UI as .mpy at 64wK under a soak (its heap in pieces of a few hundred bytes) every
    # chunked body got 503. Now a small one, twice as large each time the body outgrows it;
    # the body is whole all the same, and the reader's chunk size is its own again after it.
    from check import heap_in_pieces, release
    from microdot import chunked
    from microdot.streams import BufferedReader
    body = b'1\r\n{\r\n' * 200 + b'0\r\n\r\n'
    reader = BufferedReader(AsyncBytesIO(body))
    keep = heap_in_pieces(256) if sys.implementation.name == 'micropython' else None
    try:
        got = await chunked.read_chunked(reader, 2048, 1024)
    finally:
        release(keep)
    assert bytes(got) == b'{' * 200 and reader.chunk_size == 512
