# send_file: content types, caching, compression, extensions, streams.
import os

from microdot import Microdot, Response, send_file
from microdot.test_client import TestClient

DIR = '/tmp/microdot-firmware-send-file-test'  # host-only test: the unix port has /tmp


def write(name, data):
    try:
        os.mkdir(DIR)
    except OSError:
        pass
    path = DIR + '/' + name
    with open(path, 'wb') as f:
        f.write(data)
    return path


def test_content_type_from_extension():
    for name, expected in (('a.html', 'text/html'), ('a.css', 'text/css'),
                           ('a.js', 'application/javascript'), ('a.svg', 'image/svg+xml'),
                           ('a.bin', 'application/octet-stream'), ('noext', 'application/octet-stream')):
        res = send_file(write(name, b'x'))
        assert res.headers['Content-Type'] == expected, name
        res.body.close()


def test_explicit_content_type_max_age_and_default_max_age():
    res = send_file(write('a.txt', b'hi'), content_type='text/x-special', max_age=60)
    assert res.headers['Content-Type'] == 'text/x-special'
    assert res.headers['Cache-Control'] == 'max-age=60'
    res.body.close()
    Response.default_send_file_max_age = 300
    try:
        res = send_file(write('b.txt', b'hi'))
        assert res.headers['Cache-Control'] == 'max-age=300'
        res.body.close()
    finally:
        Response.default_send_file_max_age = None
    res = send_file(write('c.txt', b'hi'))
    assert 'Cache-Control' not in res.headers
    res.body.close()


def test_compressed_files_use_the_inner_extension():
    res = send_file(write('app.js.gz', b'\x1f\x8b'), compressed=True)
    assert res.headers['Content-Type'] == 'application/javascript'
    assert res.headers['Content-Encoding'] == 'gzip'
    res.body.close()
    res = send_file(write('x.css', b'br'), compressed='br')
    assert res.headers['Content-Encoding'] == 'br'
    res.body.close()


def test_file_extension_is_appended_when_opening():
    write('page.html.gz', b'zipped')
    res = send_file(DIR + '/page.html', compressed=True, file_extension='.gz')
    assert res.headers['Content-Type'] == 'text/html'
    assert res.body.read() == b'zipped'
    res.body.close()


async def test_file_is_streamed_with_length():
    data = bytes(range(256)) * 20
    path = write('blob.bin', data)
    app = Microdot()

    @app.route('/f')
    async def f(req):
        return send_file(path)

    res = await TestClient(app).get('/f')
    assert res.body == data
    assert res.headers['Content-Length'] == str(len(data))


async def test_stream_argument_is_sent_instead_of_a_file():
    import io
    res = send_file('virtual.json', stream=io.BytesIO(b'{"v": 1}'))
    assert res.headers['Content-Type'] == 'application/json'
    app = Microdot()

    @app.route('/v')
    async def v(req):
        return res

    assert (await TestClient(app).get('/v')).body == b'{"v": 1}'


def test_missing_file_raises_oserror():
    try:
        send_file(DIR + '/does-not-exist.txt')
    except OSError:
        return
    raise AssertionError('no OSError')


async def test_a_file_is_written_whole_through_one_buffer_allocated_before_the_head():
    """A file body is read piece after piece into one buffer (MicroPython) that exists before
    the response's head is written: once a file send has begun it needs no more heap, so a
    MemoryError cannot cut it off halfway (a browser saw the ESP8266 profile's dashboard and
    app.js cut off, net::ERR_CONTENT_LENGTH_MISMATCH); one that strikes earlier finds nothing
    sent, and the server answers 503. Every byte arrives, in order, in pieces of any size."""
    import sys
    from microdot.response import _stream_body
    from microdot.streams import AsyncBytesIO
    data = bytes(range(256)) * 9 + b'end'  # 2307 bytes: 4 full pieces and a short one
    for size in (512, 100, 4096):
        res = send_file(write('pieces.bin', data))
        res.send_file_buffer_size = size
        out = AsyncBytesIO(b'')
        await _stream_body(res, out, '1.1', False)
        head, _, body = out.data.partition(b'\r\n\r\n')
        assert body == data and b'Content-Length: 2307' in head, size
    buffered = send_file(write('pieces.bin', data)).body_iter()
    assert (buffered.buf is not None) == (sys.implementation.name == 'micropython')
    await buffered.aclose()

    class Short(Response):
        def body_iter(self):
            raise MemoryError()  # what allocating the buffer meets on a full heap

    res = Short(body=open(write('pieces.bin', data), 'rb'), headers={'Content-Length': '2307'})
    out = AsyncBytesIO(b'')
    try:
        await _stream_body(res, out, '1.1', True)
    except MemoryError:
        pass
    else:
        raise AssertionError('no MemoryError')
    res.body.close()
    assert out.data == b''  # nothing sent: the server answers 503, never half a response


async def test_on_a_heap_in_pieces_a_file_is_read_through_a_smaller_buffer():
    """With no free block of `send_file_buffer_size` (an ESP8266 serving a live page has
    pieces of a few hundred bytes), the buffer is a quarter of it: the file is sent in smaller
    pieces instead of a 503 for every page and asset."""
    import sys
    from check import heap_in_pieces, release
    from microdot.streams import BodyIter
    mp = sys.implementation.name == 'micropython'
    f = open(write('pieces.bin', b'x' * 700), 'rb')
    keep = heap_in_pieces(300) if mp else None  # free blocks of about 300 bytes at most
    try:
        it = BodyIter(f, 1024)
        size = None if it.buf is None else len(it.buf)
    finally:
        release(keep)
    assert size == (256 if mp else None)
    got = b''
    async for chunk in it:
        got += bytes(chunk)
    assert got == b'x' * 700
