"""Invalid WebSocket frames from a raw socket, through the real server under every runtime: each
is answered with a CLOSE frame carrying the right status code (1002 protocol error, 1007 invalid
data, 1009 too big), the TCP connection ends, nothing reaches the console, and the server keeps
serving HTTP and WebSocket clients."""
import struct

from support.wsclient import frame, open_ws, read_frames


CASES = [
    ('unmasked frame', frame(1, b'hi', mask=False), 1002),
    ('reserved bit set', frame(1, b'hi', rsv=4), 1002),
    ('unknown opcode', frame(3, b'hi'), 1002),
    ('control frame over 125 bytes', frame(9, b'p' * 126), 1002),
    ('fragmented control frame', frame(9, b'p', fin=False), 1002),
    ('continuation without a start', frame(0, b'hi'), 1002),
    ('new message inside a fragmented one', frame(1, b'a', fin=False) + frame(1, b'b'), 1002),
    ('text that is not UTF-8', frame(1, b'\xff\xfe\xc3\x28'), 1007),
    ('close with an invalid code', frame(8, struct.pack('!H', 999)), 1002),
    ('close with a one-byte payload', frame(8, b'\x03'), 1002),
    ('close reason not UTF-8', frame(8, struct.pack('!H', 1000) + b'\xff'), 1007),
    ('message over the limit', frame(2, b'', length=10 ** 9), 1009),
]


def run_case(port, data):
    s, pending = open_ws(port)
    s.sendall(frame(1, b'ok'))  # a valid message first: the echo proves the socket works
    s.sendall(data)
    frames = read_frames(s, pending)
    s.close()
    return frames


def test_each_invalid_frame_gets_close_with_its_code(serve, runtime):
    from concurrent.futures import ThreadPoolExecutor
    server = serve('hard_ws_app', heapsize='64wK' if runtime == 'mp-mpy' else None,
                   args=['max_connections=16'])
    with ThreadPoolExecutor(4) as pool:  # 4 at a time: a 64wK heap has room for that many
        results = list(pool.map(lambda c: run_case(server.port, c[1]), CASES))
    wrong = []
    for (name, _, code), frames in zip(CASES, results):
        closes = [p for op, p in frames if op == 8]
        if not frames or frames[0] != (1, b'ok') or not closes or \
                struct.unpack('!H', closes[0][:2])[0] != code:
            wrong.append((name, code, frames[:3]))
    s, pending = open_ws(server.port)  # the server still takes WebSocket clients
    s.sendall(frame(1, b'again') + frame(8, struct.pack('!H', 1000)))
    frames = read_frames(s, pending)
    s.close()
    out = server.stop()
    assert not wrong, wrong
    assert frames[0] == (1, b'again') and frames[-1][0] == 8
    assert 'Traceback' not in out, out
