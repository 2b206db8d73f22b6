"""microdot.websocket over real sockets with a real client library (websocket-client), on
CPython and the MicroPython unix port (.py and .mpy under a device heap)."""
import socket
import struct
import time

import pytest
import websocket  # websocket-client

from support.servers import ServerProcess


def connect(server, path='/ws/echo', **kw):
    return websocket.create_connection('ws://127.0.0.1:%d%s' % (server.port, path), timeout=10,
                                       **kw)


@pytest.fixture
def server(serve):
    return serve('ext_app', args=['max_message_length=200000'])


def test_echo_text_binary_and_large(server, runtime):
    ws = connect(server)
    ws.send('hello ✓')
    assert ws.recv() == 'hello ✓'
    ws.send_binary(b'\x00\xff' * 10)
    assert ws.recv() == b'\x00\xff' * 10
    # 71680 bytes (64-bit length on the wire); 16 KiB (Microdot's default limit) under the
    # device heap of the .mpy run
    big = bytes(range(256)) * (64 if runtime == 'mp-mpy' else 280)
    ws.send_binary(big)
    assert ws.recv() == big
    ws.close()


def test_message_larger_than_the_device_heap_gets_1009():
    """.mpy under an ESP32's heap, no message limit: a 300 KB message cannot fit, the client
    gets close code 1009 and the server keeps serving."""
    server = ServerProcess('ext_app', 'mp-mpy', heapsize='110wK',
                           args=['max_message_length=0']).start()
    try:
        check_too_big(server)
    finally:
        server.stop()


def check_too_big(server):
    s = raw_upgrade(server)
    n = 300000
    s.sendall(b'\x82\xff' + struct.pack('!Q', n) + b'\x00' * 4)
    s.sendall(b'z' * 4096)
    try:
        assert read_close_code(s) == 1009
    finally:
        s.close()
    ws = connect(server)
    ws.send('alive')
    assert ws.recv() == 'alive'
    ws.close()


def test_ping_is_answered_with_pong(server):
    ws = connect(server)
    ws.ping('are you there')
    frame = ws.recv_frame()
    assert frame.opcode == websocket.ABNF.OPCODE_PONG and frame.data == b'are you there'
    ws.close()


def test_fragmented_message(server):
    ws = connect(server)
    ABNF = websocket.ABNF
    ws.send_frame(ABNF.create_frame('frag', ABNF.OPCODE_TEXT, fin=0))
    ws.send_frame(ABNF.create_frame('men', ABNF.OPCODE_CONT, fin=0))
    ws.ping('in between')
    ws.send_frame(ABNF.create_frame('ted', ABNF.OPCODE_CONT, fin=1))
    assert ws.recv_frame().opcode == ABNF.OPCODE_PONG
    assert ws.recv() == 'fragmented'
    ws.close()


def test_client_close_code_is_echoed(server):
    ws = connect(server)
    ws.send_close(4000, b'done')
    frame = ws.recv_frame()
    assert frame.opcode == websocket.ABNF.OPCODE_CLOSE
    assert struct.unpack('!H', frame.data[:2])[0] == 4000
    ws.shutdown()


def test_server_initiated_close_with_code(server):
    ws = connect(server)
    ws.send('close-me')
    frame = ws.recv_frame()
    assert frame.opcode == websocket.ABNF.OPCODE_CLOSE
    assert struct.unpack('!H', frame.data[:2])[0] == 4001
    assert frame.data[2:] == b'as you wish'
    ws.send_close(4001)
    ws.shutdown()


def raw_upgrade(server, path='/ws/echo'):
    s = socket.create_connection(('127.0.0.1', server.port), timeout=10)
    s.sendall(b'GET ' + path.encode() + b' HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n'
              b'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n'
              b'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
    head = b''
    while b'\r\n\r\n' not in head:
        head += s.recv(1)
    assert head.startswith(b'HTTP/1.1 101')
    assert b's3pPLMBiTxaQ9kYGzzhZRbK+xOo=' in head
    return s


def read_close_code(s):
    """The code of the CLOSE frame the server sends (the first frame expected)."""
    data = b''
    while len(data) < 4:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    assert data[0] == 0x88, data
    return struct.unpack('!H', data[2:4])[0]


def test_unmasked_frame_gets_1002_and_server_keeps_serving(server):
    s = raw_upgrade(server)
    s.sendall(b'\x81\x02hi')  # not masked
    assert read_close_code(s) == 1002
    s.close()
    ws = connect(server)
    ws.send('still here')
    assert ws.recv() == 'still here'
    ws.close()


def test_invalid_utf8_gets_1007(server):
    s = raw_upgrade(server)
    s.sendall(b'\x81\x82\x00\x00\x00\x00\xff\xfe')
    assert read_close_code(s) == 1007
    s.close()


def test_partial_frames_are_read_exactly(server):
    """A frame trickling in byte by byte is parsed whole (no partial-read mis-parsing)."""
    s = raw_upgrade(server)
    payload = b'x' * 300
    mask = b'\x01\x02\x03\x04'
    frame = b'\x82\xfe' + struct.pack('!H', len(payload)) + mask + \
        bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    for i in range(0, len(frame), 7):
        s.sendall(frame[i:i + 7])
        time.sleep(0.001)
    data = b''
    while len(data) < 4 + 300:
        data += s.recv(4096)
    assert data[:4] == b'\x82\x7e\x01\x2c' and data[4:] == payload
    s.close()


def test_broadcast_drops_vanished_clients(server):
    a = connect(server, '/ws/chat')
    b = connect(server, '/ws/chat')
    c = connect(server, '/ws/chat')
    a.send('one')
    got = sorted([a.recv(), a.recv()])
    assert got == ['delivered 3', 'one']
    assert b.recv() == 'one' and c.recv() == 'one'
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    c.sock.close()  # vanishes without a close frame (reset)
    time.sleep(0.3)
    b.send('two')
    replies = sorted([b.recv(), b.recv()])
    assert replies == ['delivered 2', 'two']
    assert a.recv() == 'two'
    a.close()
    b.close()
    time.sleep(0.3)
    import json
    import urllib.request
    stats = json.load(urllib.request.urlopen(server.url + '/ws/stats', timeout=10))
    assert stats['members'] == 0
    assert sorted(stats['closed']) == [1000, 1000, 1006]


def test_websockets_library_client(server):
    """A second, asyncio-based client library (websockets) against the same server."""
    import asyncio
    from websockets.asyncio.client import connect as ws_connect

    async def talk():
        async with ws_connect('ws://127.0.0.1:%d/ws/echo' % server.port) as ws:
            await ws.send('from websockets')
            assert await ws.recv() == 'from websockets'
            await ws.send(b'\x01' * 10000)
            assert await ws.recv() == b'\x01' * 10000
        return ws.close_code

    assert asyncio.run(talk()) == 1000
