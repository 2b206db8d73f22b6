"""Captive DNS: a UDP server answering every A query with the device's own address.

While the setup access point is up, phones and laptops resolve their connectivity-check hosts
(connectivitycheck.gstatic.com, captive.apple.com, www.msftconnecttest.com, ...) to the device,
fetch the check URL from our portal and are redirected to the setup page.

``answer(packet, ip)`` is the pure packet logic (runs on CPython too); ``serve(ip, port)`` the
asyncio server. Malformed packets are dropped, never raised.
"""
import asyncio
import socket

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

_QR = const(0x8000)
_AA = const(0x0400)
_RD = const(0x0100)
_OPCODE = const(0x7800)
_NOTIMP = const(4)
_FORMERR = const(1)
_TYPE_A = const(1)
_TYPE_ANY = const(255)
_CLASS_IN = const(1)
_TTL = const(60)
_POLL_MS = const(20)


def ip_bytes(ip):
    """'192.168.4.1' -> b'\\xc0\\xa8\\x04\\x01'; ValueError if it is not a dotted IPv4."""
    parts = ip.split('.')
    if len(parts) != 4:
        raise ValueError('not an IPv4 address: %r' % (ip,))
    try:
        octets = bytes([int(p) for p in parts])  # ValueError past 255 too
    except ValueError:
        raise ValueError('not an IPv4 address: %r' % (ip,))
    return octets


def question_end(packet):
    """Offset just past the first question (name, type, class), or -1 if malformed."""
    i = 12
    n = len(packet)
    while i < n:
        length = packet[i]
        if length == 0:
            i += 5  # the zero byte, qtype, qclass
            return i if i <= n else -1
        if length & 0xC0:  # compression pointers have no place in a query's question
            return -1
        i += 1 + length
    return -1


def qname(packet):
    """The first question's name as a str ('a.b.c'), or None if malformed."""
    end = question_end(packet)
    if end < 0:
        return None
    labels, i = [], 12
    while packet[i]:
        labels.append(bytes(packet[i + 1:i + 1 + packet[i]]))
        i += 1 + packet[i]
    try:
        return b'.'.join(labels).decode()
    except UnicodeError:
        return None


def answer(packet, ip):
    """The reply to DNS query `packet` pointing every name at `ip` (4 bytes), or None to drop.

    A/ANY questions in class IN get one A record; other types (AAAA, ...) get an empty
    NOERROR answer so clients fall back to IPv4; non-query opcodes get NOTIMP."""
    if len(packet) < 12:
        return None
    flags = (packet[2] << 8) | packet[3]
    if flags & _QR:  # a response, not a query: never answer (no loops between servers)
        return None
    out_flags = _QR | _AA | (flags & (_OPCODE | _RD))
    qd = (packet[4] << 8) | packet[5]
    if flags & _OPCODE:
        return bytes(packet[0:2]) + bytes([out_flags >> 8, (out_flags & 0xFF) | _NOTIMP]) + \
            bytes(8)
    end = question_end(packet) if qd >= 1 else -1
    if end < 0:
        return bytes(packet[0:2]) + bytes([out_flags >> 8, (out_flags & 0xFF) | _FORMERR]) + \
            bytes(8)
    qtype = (packet[end - 4] << 8) | packet[end - 3]
    qclass = (packet[end - 2] << 8) | packet[end - 1]
    count = 1 if qclass == _CLASS_IN and qtype in (_TYPE_A, _TYPE_ANY) else 0
    head = bytes(packet[0:2]) + bytes([out_flags >> 8, out_flags & 0xFF, 0, 1, 0, count,
                                       0, 0, 0, 0])
    reply = head + bytes(packet[12:end])
    if count:
        # name = pointer to offset 12 (the question), type A, class IN, TTL, 4-byte address
        reply += bytes([0xC0, 12, 0, _TYPE_A, 0, _CLASS_IN,
                        0, 0, _TTL >> 8, _TTL & 0xFF, 0, 4]) + ip
    return reply


class Server:
    """The captive DNS server: ``srv = Server(ip, port)``, ``await srv.run()``; ``close()``
    stops it. ``queries`` counts the answered packets."""

    def __init__(self, ip, port=53, host='0.0.0.0'):
        self.ip = ip_bytes(ip)
        self.queries = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(socket.getaddrinfo(host, port)[0][-1])
        self.sock.setblocking(False)
        self.closed = False

    def handle(self):
        """Answer every datagram waiting on the socket; return how many were read."""
        n = 0
        while True:
            try:
                packet, addr = self.sock.recvfrom(512)
            except OSError:  # EAGAIN: nothing waiting
                return n
            n += 1
            reply = answer(packet, self.ip)
            if reply:
                try:
                    self.sock.sendto(reply, addr)
                    self.queries += 1
                except OSError:
                    pass

    async def run(self):
        """Serve until ``close()`` (or cancellation). UDP has no asyncio stream, so the
        socket is polled every few milliseconds."""
        sleep_ms = getattr(asyncio, 'sleep_ms', None)  # MicroPython: no float per nap
        try:
            while not self.closed:
                if not self.handle():
                    if sleep_ms:
                        await sleep_ms(_POLL_MS)
                    else:
                        await asyncio.sleep(_POLL_MS / 1000)
        finally:
            self.close()

    def close(self):
        if not self.closed:
            self.closed = True
            self.sock.close()
