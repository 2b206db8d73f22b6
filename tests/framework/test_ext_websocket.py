"""microdot.websocket through the test client (dual-runtime): messages, fragments, control frames,
protocol errors and close codes, the peer-gone signal and WebSocketGroup."""
import asyncio

from microdot import Microdot, Request
from microdot.test_client import TestClient, _Pipe, _client_frame
from microdot.websocket import WebSocket, WebSocketError, WebSocketGroup, with_websocket


def echo_app():
    app = Microdot()

    @app.route('/echo')
    @with_websocket
    async def echo(request, ws):
        while True:
            data = await ws.receive()
            await ws.send(data)

    return app


async def test_echo_text_and_binary():
    client = TestClient(echo_app())
    replies = []

    def talk():
        replies.append((yield 'hello'))
        replies.append((yield b'\x00\x01\xff'))
        replies.append((yield 'x' * 300))
        replies.append((yield b'y' * 10000))

    res = await client.websocket('/echo', talk)
    assert res.status_code is None and res.body is None
    assert replies[0] == 'hello'
    assert replies[1] == b'\x00\x01\xff'
    assert replies[2] == 'x' * 300
    assert replies[3] == b'y' * 10000


async def test_64bit_length_encoding_is_read():
    WebSocket.max_message_length = 0  # unlimited
    try:
        out = await run_raw(echo_app(), frame64(2, b'z' * 3000) + frame(8, b''))
    finally:
        WebSocket.max_message_length = -1
    assert out[0] == (2, b'z' * 3000, True)


def frame64(op, payload):
    key = b'\x05\x06\x07\x08'
    masked = bytearray(payload)
    for i in range(len(masked)):
        masked[i] ^= key[i & 3]
    return bytes((0x80 | op, 0xff)) + len(payload).to_bytes(8, 'big') + key + bytes(masked)


async def test_not_an_upgrade_is_400():
    client = TestClient(echo_app())
    res = await client.get('/echo')
    assert res.status_code == 400


async def test_unsupported_version_is_426():
    client = TestClient(echo_app())

    def talk():
        yield 'x'

    res = await client.websocket('/echo', talk, headers={'Sec-WebSocket-Version': '8'})
    assert res.status_code == 426


async def test_handshake_accept_key():
    app = echo_app()
    to_server, from_server = _Pipe(), _Pipe()
    to_server.feed(b'GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: WebSocket\r\n'
                   b'Connection: keep-alive, Upgrade\r\n'
                   b'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
    to_server.feed(_client_frame(b'\x03\xe8', 8))
    req = await Request.create(app, to_server, from_server, ('127.0.0.1', 1))
    await app.dispatch_request(req)
    head = from_server.buffer.split(b'\r\n\r\n')[0]
    assert head.startswith(b'HTTP/1.1 101 ')
    assert b'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=' in head


async def run_raw(app, frames, path='/echo'):
    """Send raw client bytes after a handshake; return the server's frames (opcode, payload)."""
    to_server, from_server = _Pipe(), _Pipe()
    to_server.feed(b'GET ' + path.encode() + b' HTTP/1.1\r\nUpgrade: websocket\r\n'
                   b'Connection: Upgrade\r\nSec-WebSocket-Key: a2V5a2V5a2V5a2V5a2V5aw==\r\n\r\n')
    to_server.feed(frames)
    to_server.close()
    req = await Request.create(app, to_server, from_server, ('127.0.0.1', 1))
    await app.dispatch_request(req)
    data = from_server.buffer.split(b'\r\n\r\n', 1)[1]
    out = []
    while data:
        n = data[1] & 0x7f
        start = 2
        if n == 126:
            n = int.from_bytes(data[2:4], 'big')
            start = 4
        elif n == 127:
            n = int.from_bytes(data[2:10], 'big')
            start = 10
        assert not data[1] & 0x80  # server frames are never masked
        out.append((data[0] & 0x0f, data[start:start + n], bool(data[0] & 0x80)))
        data = data[start + n:]
    return out


def frame(op, payload, fin=True, mask=True, rsv=0):
    head = bytes(((0x80 if fin else 0) | rsv | op, (0x80 if mask else 0) | len(payload)))
    if not mask:
        return head + payload
    key = b'\x01\x02\x03\x04'
    return head + key + bytes(b ^ key[i & 3] for i, b in enumerate(payload))


async def test_fragmented_message_is_joined():
    out = await run_raw(echo_app(), frame(1, b'hel', fin=False) + frame(0, b'lo ', fin=False) +
                        frame(0, b'world') + frame(8, b'\x03\xe8'))
    assert out[0] == (1, b'hello world', True)
    assert out[1][0] == 8 and out[1][1] == b'\x03\xe8'


async def test_ping_between_fragments_gets_pong():
    out = await run_raw(echo_app(), frame(2, b'ab', fin=False) + frame(9, b'png') +
                        frame(0, b'cd') + frame(8, b''))
    assert out[0] == (10, b'png', True)
    assert out[1] == (2, b'abcd', True)
    assert out[2][0] == 8


async def test_pong_is_ignored():
    out = await run_raw(echo_app(), frame(10, b'x') + frame(1, b'hi') + frame(8, b'\x03\xe8'))
    assert out[0] == (1, b'hi', True)


async def test_close_code_is_echoed():
    app = Microdot()
    seen = {}

    @app.route('/echo')
    @with_websocket
    async def handler(request, ws):
        try:
            await ws.receive()
        except WebSocketError:
            seen['code'] = ws.close_code
            seen['reason'] = ws.close_reason
            seen['closed'] = ws.closed
            raise

    out = await run_raw(app, frame(8, b'\x0f\xa0bye'))
    assert out == [(8, b'\x0f\xa0', True)]
    assert seen == {'code': 4000, 'reason': 'bye', 'closed': True}


async def close_code_for(frames):
    out = await run_raw(echo_app(), frames)
    closes = [p for op, p, _ in out if op == 8]
    assert len(closes) == 1, out
    return int.from_bytes(closes[0][:2], 'big')


async def test_unmasked_frame_is_protocol_error():
    assert await close_code_for(frame(1, b'hi', mask=False)) == WebSocket.PROTOCOL_ERROR


async def test_reserved_bits_are_protocol_error():
    assert await close_code_for(frame(1, b'hi', rsv=0x40)) == 1002


async def test_unknown_opcode_is_protocol_error():
    assert await close_code_for(frame(3, b'hi')) == 1002


async def test_continuation_without_start_is_protocol_error():
    assert await close_code_for(frame(0, b'hi')) == 1002


async def test_new_message_inside_fragmented_one_is_protocol_error():
    assert await close_code_for(frame(1, b'a', fin=False) + frame(1, b'b')) == 1002


async def test_fragmented_control_frame_is_protocol_error():
    assert await close_code_for(frame(9, b'a', fin=False)) == 1002


async def test_bad_close_payloads():
    assert await close_code_for(frame(8, b'\x03')) == 1002
    assert await close_code_for(frame(8, b'\x03\xed')) == 1002  # 1005 may not be sent
    assert await close_code_for(frame(8, b'\x03\xe8\xff\xfe')) == WebSocket.INVALID_DATA


async def test_invalid_utf8_text_is_1007():
    assert await close_code_for(frame(1, b'\xff\xfe')) == 1007


async def test_message_too_large_is_1009():
    WebSocket.max_message_length = 10
    try:
        assert await close_code_for(frame(2, b'x' * 11)) == WebSocket.MESSAGE_TOO_BIG
        assert await close_code_for(frame(2, b'x' * 6, fin=False) +
                                    frame(0, b'x' * 6)) == 1009
    finally:
        WebSocket.max_message_length = -1


async def test_default_limit_follows_max_body_length():
    old = Request.max_body_length
    Request.max_body_length = 100
    try:
        assert await close_code_for(frame(2, b'x' * 101)) == 1009
    finally:
        Request.max_body_length = old


async def test_truncated_frame_ends_the_route():
    app = Microdot()
    seen = {}

    @app.route('/echo')
    @with_websocket
    async def handler(request, ws):
        try:
            await ws.receive()
        except WebSocketError:
            seen['code'] = ws.close_code
            seen['closed'] = ws.closed

    await run_raw(app, frame(1, b'hello')[:5])
    assert seen == {'code': WebSocket.ABNORMAL_CLOSURE, 'closed': True}


async def test_server_close_with_code():
    app = Microdot()

    @app.route('/echo')
    @with_websocket
    async def handler(request, ws):
        await ws.close(4001, 'go away')
        with_error = False
        try:
            await ws.send('late')
        except WebSocketError:
            with_error = True
        assert with_error

    out = await run_raw(app, frame(8, b'\x0f\xa1'))
    assert out == [(8, b'\x0f\xa1go away', True)]


async def test_send_to_gone_peer_raises_websocket_error_and_group_drops_it():
    group = WebSocketGroup()
    done = asyncio.Event()
    app = Microdot()

    @app.route('/echo')
    @with_websocket
    async def handler(request, ws):
        group.add(ws)
        await done.wait()

    to_server, from_server = _Pipe(), _Pipe()
    to_server.feed(b'GET /echo HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
                   b'Sec-WebSocket-Key: a2V5a2V5a2V5a2V5a2V5aw==\r\n\r\n')
    req = await Request.create(app, to_server, from_server, ('127.0.0.1', 1))
    task = asyncio.create_task(app.dispatch_request(req))
    while not len(group):
        await asyncio.sleep(0)
    assert await group.broadcast('one') == 1
    from_server.close()  # the peer vanished: writes now fail
    ws = group.members[0]
    assert await group.broadcast('two') == 0
    assert len(group) == 0
    assert ws.closed and ws.close_code == WebSocket.ABNORMAL_CLOSURE
    with_error = False
    try:
        await ws.send('three')
    except WebSocketError:
        with_error = True
    assert with_error
    await ws.wait_closed()  # returns at once now
    done.set()
    to_server.close()
    await task


async def test_wait_closed_wakes_other_task():
    app = Microdot()
    woke = []

    @app.route('/echo')
    @with_websocket
    async def handler(request, ws):
        async def watcher():
            await ws.wait_closed()
            woke.append(ws.close_code)
        t = asyncio.create_task(watcher())
        try:
            while True:
                await ws.receive()
        finally:
            await asyncio.sleep(0)
            await t

    await run_raw(app, frame(1, b'a') + frame(8, b'\x03\xe9'))
    assert woke == [1001]


async def test_url_args_reach_handler():
    app = Microdot()

    @app.route('/room/<int:n>')
    @with_websocket
    async def room(request, ws, n):
        await ws.send('room %d' % n)
        await ws.receive()

    client = TestClient(app)
    got = []

    def talk():
        got.append((yield 'hi'))

    await client.websocket('/room/7', talk)
    assert got == ['room 7']


async def test_sec_websocket_key_must_be_16_bytes_of_base64():
    client = TestClient(echo_app())

    def talk():
        yield 'x'

    for key in ('x', 'dGhlIHNhbXBsZSBub25jZQ=', 'dGhlIHNhbXBsZSBub25jZQ==x',
                'dGhlIHNhbXBsZSBub25jZR==', 'dGhlIHNhbXBsZSBub2!jZQ==', 'YWJj',
                'dGhlIHNhbXBsZSBub25jZQ' + '\u00e9' + '=', 'a' * 24, ' ' * 24):
        res = await client.websocket('/echo', talk, headers={'Sec-WebSocket-Key': key})
        assert res.status_code == 400, key


async def test_too_many_fragments_is_1009():
    frames = frame(2, b'', fin=False) + frame(0, b'', fin=False) * (WebSocket.max_fragments + 5)
    assert await close_code_for(frames) == WebSocket.MESSAGE_TOO_BIG
    ok = frame(2, b'a', fin=False) + frame(0, b'', fin=False) * 10 + frame(0, b'c')
    out = await run_raw(echo_app(), ok + frame(8, b'\x03\xe8'))
    assert out[0] == (2, b'ac', True)
