"""Request bodies up to the documented 16 KiB limit on a device heap (unix port, .mpy, 64wK):
a body is read into one block of its declared length (a chunked one into a buffer that grows
once, from 1 KB to `Request.max_body_length`), and that block is `request.body`, not copied
into bytes (the copy needed a second block of the body's size, which this heap does not have:
12-16 kB bodies got 503, and whether 12 kB passed depended on the checkout path's length)."""
import json

import pytest

from support.rawhttp import exchange


def post(port, body, chunk=None):
    head = b'POST /size HTTP/1.1\r\nConnection: close\r\n'
    if chunk is None:
        return exchange(port, head + b'Content-Length: %d\r\n\r\n' % len(body) + body)
    data = bytearray(head + b'Transfer-Encoding: chunked\r\n\r\n')
    for i in range(0, len(body), chunk):
        piece = body[i:i + chunk]
        data += b'%x\r\n' % len(piece) + piece + b'\r\n'
    return exchange(port, bytes(data + b'0\r\n\r\n'), timeout=30)


def received(answer):
    assert answer.startswith(b'HTTP/1.1 200'), answer[:40]
    return json.loads(answer.partition(b'\r\n\r\n')[2])['received']


@pytest.mark.parametrize('runtime', ['mp-mpy'])
def test_bodies_up_to_the_limit_fit_a_device_heap(serve, runtime):
    server = serve('hard_app', heapsize='64wK')
    for size in (12000, 14000, 16384):
        assert received(post(server.port, b'x' * size)) == size, size
    assert received(post(server.port, b'y' * 8192, chunk=1)) == 8192
    assert received(post(server.port, b'z' * 12000, chunk=4096)) == 12000
    assert received(post(server.port, b'w' * 16384, chunk=4096)) == 16384
    assert 'Traceback' not in server.stop()


@pytest.mark.parametrize('runtime', ['mp-mpy'])
def test_16KiB_in_one_byte_chunks(serve, runtime):
    server = serve('hard_app', heapsize='64wK')
    assert received(post(server.port, bytes(range(256)) * 64, chunk=1)) == 16384
    assert 'Traceback' not in server.stop()
