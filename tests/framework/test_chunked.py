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
