# device.dns: the captive DNS answers every name with the device address; bad packets dropped.
import asyncio
import socket
import struct

from check import raises
from device import dns

IP = dns.ip_bytes('192.168.4.1')


def query(name, qtype=1, qclass=1, ident=0x1234, flags=0x0100):
    q = struct.pack('>HHHHHH', ident, flags, 1, 0, 0, 0)
    for label in name.split('.'):
        q += bytes([len(label)]) + label.encode()
    return q + b'\x00' + struct.pack('>HH', qtype, qclass)


def test_ip_bytes():
    assert dns.ip_bytes('10.0.0.255') == b'\x0a\x00\x00\xff'
    for bad in ('1.2.3', '1.2.3.256', 'a.b.c.d', ''):
        with raises(ValueError):
            dns.ip_bytes(bad)


def test_a_query_is_answered_with_the_device_address():
    q = query('connectivitycheck.gstatic.com')
    r = dns.answer(q, IP)
    ident, flags, qd, an, ns, ar = struct.unpack('>HHHHHH', r[:12])
    assert ident == 0x1234
    assert flags & 0x8000 and flags & 0x0400  # a response, authoritative
    assert flags & 0x0100  # recursion-desired copied
    assert flags & 0x000F == 0  # NOERROR
    assert (qd, an, ns, ar) == (1, 1, 0, 0)
    assert r[12:len(q)] == q[12:]  # question echoed
    assert r[len(q):len(q) + 2] == b'\xc0\x0c'  # name points at the question
    rtype, rclass, ttl, rdlen = struct.unpack('>HHIH', r[len(q) + 2:len(q) + 12])
    assert (rtype, rclass, rdlen) == (1, 1, 4) and ttl > 0
    assert r[-4:] == IP


def test_every_name_gets_the_same_address():
    for name in ('captive.apple.com', 'www.msftconnecttest.com', 'x', 'a.very.deep.name.example'):
        assert dns.answer(query(name), IP)[-4:] == IP


def test_aaaa_query_gets_empty_noerror_answer():
    r = dns.answer(query('example.com', qtype=28), IP)
    ident, flags, qd, an, ns, ar = struct.unpack('>HHHHHH', r[:12])
    assert flags & 0x000F == 0 and an == 0 and qd == 1


def test_responses_are_never_answered():
    assert dns.answer(query('a.b', flags=0x8180), IP) is None


def test_short_packets_are_dropped():
    for p in (b'', b'\x00' * 11):
        assert dns.answer(p, IP) is None


def test_truncated_or_compressed_question_gets_formerr():
    for p in (query('abc.def')[:-3], query('abc')[:14], struct.pack('>HHHHHH', 7, 0, 1, 0, 0, 0)
              + b'\xc0\x0c\x00\x01\x00\x01'):
        r = dns.answer(p, IP)
        assert r[:2] == p[:2]
        assert r[3] & 0x0F == 1  # FORMERR


def test_other_opcodes_get_notimp():
    r = dns.answer(query('a.b', flags=0x2800), IP)  # opcode 5 (UPDATE)
    assert r[3] & 0x0F == 4


def test_qname():
    assert dns.qname(query('captive.apple.com')) == 'captive.apple.com'
    assert dns.qname(b'\x00' * 12 + b'\x05ab') is None


def bind_server(first=45353):
    """(a dns.Server on 127.0.0.1, its port, the claim on that port: close it after the server).

    The server sets SO_REUSEADDR, so a second server on the same port (another test run on
    this machine) would bind as well and take some of the first one's packets: trying ports
    until a bind succeeds is not enough, and the unix port's sockets cannot say which port 0
    gave. So each port is first claimed by a socket on 127.0.0.2 without SO_REUSEADDR, which
    fails while anyone else holds that port (another run's claim, or a socket on every address)
    and does not stop our own server on 127.0.0.1. The claim is kept while the server runs."""
    for port in range(first, first + 200):
        claim = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            claim.bind(socket.getaddrinfo('127.0.0.2', port)[0][-1])
            return dns.Server('10.1.2.3', port, '127.0.0.1'), port, claim
        except OSError:
            claim.close()
    raise AssertionError('no free UDP port')


def test_two_runs_never_share_a_port():
    # as two test runs on one machine would: the second server goes to another port
    srv1, port1, claim1 = bind_server()
    try:
        srv2, port2, claim2 = bind_server()
        srv2.close()
        claim2.close()
    finally:
        srv1.close()
        claim1.close()
    assert port2 != port1


async def test_server_answers_real_udp_queries():
    srv, port, claim = bind_server()
    task = asyncio.create_task(srv.run())
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.setblocking(False)
    addr = socket.getaddrinfo('127.0.0.1', port)[0][-1]
    replies = []
    try:
        for name in ('captive.apple.com', 'clients3.google.com'):
            c.sendto(query(name, ident=len(replies) + 1), addr)
            for _ in range(100):
                await asyncio.sleep(0.01)
                try:
                    replies.append(c.recvfrom(512)[0])
                    break
                except OSError:
                    pass
        c.sendto(b'junk', addr)  # dropped without killing the server
        c.sendto(query('after.junk', ident=9), addr)
        for _ in range(100):
            await asyncio.sleep(0.01)
            try:
                replies.append(c.recvfrom(512)[0])
                break
            except OSError:
                pass
    finally:
        c.close()
        srv.close()
        await task
        claim.close()
    assert len(replies) == 3
    assert [r[1] for r in replies] == [1, 2, 9]
    assert all(r[-4:] == b'\x0a\x01\x02\x03' for r in replies)
    assert srv.queries == 3
