"""A raw WebSocket client for tests: frames built byte by byte (valid or not), the handshake
over a plain socket, and a reader of the server's frames."""
import base64
import os
import socket
import struct

from support.rawhttp import read_head


def frame(opcode, payload, fin=True, mask=True, rsv=0, length=None):
    n = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | rsv << 4 | opcode])
    bit = 0x80 if mask else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + struct.pack('!H', n)
    else:
        head += bytes([bit | 127]) + struct.pack('!Q', n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def upgrade(port, path='/echo', key=None, extra=b''):
    """Send the handshake (a random key unless `key` is given; `extra`: more header lines,
    each ending in CRLF); returns (socket, response head, bytes after it)."""
    s = socket.create_connection(('127.0.0.1', port), timeout=5)
    key = key or base64.b64encode(os.urandom(16))
    s.sendall(b'GET ' + path.encode() + b' HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n'
              b'Connection: Upgrade\r\nSec-WebSocket-Key: ' + key +
              b'\r\nSec-WebSocket-Version: 13\r\n' + extra + b'\r\n')
    data = read_head(s)
    head, _, rest = data.partition(b'\r\n\r\n')
    return s, head, rest


def open_ws(port, path='/echo'):
    """An open WebSocket: (socket, bytes already received after the handshake)."""
    s, head, rest = upgrade(port, path)
    assert head.startswith(b'HTTP/1.1 101'), head
    return s, rest


def parse(data):
    """Complete frames at the start of `data`: ([(opcode, payload)], rest)."""
    frames = []
    while len(data) >= 2:
        op, n = data[0] & 0x0f, data[1] & 0x7f
        pos = 2
        if n == 126:
            if len(data) < 4:
                break
            n, pos = struct.unpack('!H', data[2:4])[0], 4
        elif n == 127:
            if len(data) < 10:
                break
            n, pos = struct.unpack('!Q', data[2:10])[0], 10
        if len(data) < pos + n:
            break
        frames.append((op, data[pos:pos + n]))
        data = data[pos + n:]
    return frames, data


def read_frames(s, pending):
    """Server frames until the connection ends: [(opcode, payload)]. A CLOSE from the server is
    answered with a CLOSE, as a client does, so the server need not wait for it."""
    frames, data = parse(pending)
    while not any(op == 8 for op, _ in frames):
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            return frames
        if not chunk:
            return frames
        more, data = parse(data + chunk)
        frames += more
    try:
        s.sendall(frame(8, [p for op, p in frames if op == 8][0][:2]))
        s.shutdown(socket.SHUT_WR)  # and end our side, as the closing handshake is done
        while s.recv(65536):
            pass
    except OSError:
        pass
    return frames
