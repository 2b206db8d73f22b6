"""Raw HTTP over a socket: send bytes exactly as given and collect the whole answer."""
import socket


def exchange(port, data, timeout=5.0):
    """Send `data` to 127.0.0.1:`port`, half-close, and read until the server closes. Returns the
    bytes received (a reset after an answer counts as a close)."""
    s = socket.create_connection(('127.0.0.1', port), timeout=timeout)
    try:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may close early (e.g. 413 before the body): read its answer
        out = []
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            out.append(chunk)
        return b''.join(out)
    finally:
        s.close()


def read_head(s):
    """Read from socket `s` until the end of a response head (a blank line) or a close; returns
    all bytes received, so anything after the head is in it too."""
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def post(port, path, body, chunk=None):
    """POST `body` to `path` with ``Connection: close`` (by `exchange`): with a Content-Length,
    or, given `chunk`, in chunks of that many bytes (chunked transfer coding)."""
    head = b'POST ' + path + b' HTTP/1.1\r\nConnection: close\r\n'
    if not chunk:
        return exchange(port, head + b'Content-Length: %d\r\n\r\n' % len(body) + body)
    data = bytearray(head + b'Transfer-Encoding: chunked\r\n\r\n')
    for i in range(0, len(body), chunk):
        piece = body[i:i + chunk]
        data += b'%x\r\n' % len(piece) + piece + b'\r\n'
    return exchange(port, bytes(data + b'0\r\n\r\n'), timeout=30)
