"""Streams (WebSocket, Server-Sent Events) cannot hold the server's connection slots: they have
their own cap below the connection cap (`Microdot.max_streams`), silent WebSocket peers are
pinged and dropped, and idle streams end (`WebSocket.idle_timeout`, `SSE.idle_timeout`).
Real servers under every runtime, raw sockets."""
import socket
import struct
import time

import pytest

from support.rawhttp import exchange, read_head
from support.wsclient import frame, open_ws, parse, read_frames, upgrade


def sse_open(port, path='/events'):
    s = socket.create_connection(('127.0.0.1', port), timeout=5)
    s.sendall(b'GET ' + path.encode() + b' HTTP/1.1\r\nHost: x\r\n\r\n')
    return s, read_head(s)


def read_until_closed(s, limit=10):
    """Everything the server sends until it closes (or `limit` seconds pass: then None)."""
    s.settimeout(0.5)
    data = b''
    end = time.time() + limit
    while time.time() < end:
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk
    return None


def test_streams_have_their_own_cap_and_pages_still_load(serve, runtime):
    # 3 connections as on an ESP8266: at most 2 streams, so a page always gets a slot
    server = serve('hard_ws_app', heapsize='64wK' if runtime == 'mp-mpy' else None,
                   args=['max_connections=3'])
    ws1, _ = open_ws(server.port)
    sse, head = sse_open(server.port)
    assert head.startswith(b'HTTP/1.1 200'), head
    s3, head3, _ = upgrade(server.port)
    assert head3.startswith(b'HTTP/1.1 503'), head3
    s3.close()
    sse4, head4 = sse_open(server.port)
    assert head4.startswith(b'HTTP/1.1 503'), head4
    sse4.close()
    for _ in range(3):
        assert exchange(server.port, b'GET / HTTP/1.1\r\n\r\n').endswith(b'hello')
    ws1.sendall(frame(1, b'still here'))
    frames, _ = parse(ws1.recv(4096))
    assert frames[0] == (1, b'still here')
    ws1.close()
    sse.close()
    time.sleep(0.5)
    ws5, _ = open_ws(server.port)  # the slots of closed streams are free again
    ws5.close()
    assert 'Traceback' not in server.stop()


def test_silent_websocket_peer_is_pinged_then_dropped(serve, runtime):
    server = serve('hard_ws_app', args=['ws.ping_interval=0.5'])
    s, pending = open_ws(server.port)
    data = read_until_closed(s)  # we never answer
    assert data is not None, 'the server kept a dead peer'
    frames, _ = parse(pending + data)
    assert frames and frames[0][0] == 9, frames  # a PING first
    s.close()
    assert exchange(server.port, b'GET / HTTP/1.1\r\n\r\n').endswith(b'hello')
    assert 'Traceback' not in server.stop()


def test_websocket_peer_that_answers_pings_stays_and_idle_limit_closes_1001(serve, runtime):
    server = serve('hard_ws_app', args=['ws.ping_interval=0.3', 'ws.idle_timeout=2'])
    s, data = open_ws(server.port)
    s.settimeout(0.2)
    pings = 0
    closes = []
    end = time.time() + 8
    while time.time() < end and not closes:
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            continue
        if not chunk:
            break
        frames, data = parse(data + chunk)
        for op, payload in frames:
            if op == 9:
                pings += 1
                s.sendall(frame(10, payload))
            elif op == 8:
                closes.append(payload)
    s.close()
    assert pings >= 2, pings  # kept alive by answering, until the idle limit
    assert closes and struct.unpack('!H', closes[0][:2])[0] == 1001, (closes, data, time.time() - end)
    assert 'Traceback' not in server.stop()


def test_idle_event_stream_ends(serve, runtime):
    server = serve('hard_ws_app', args=['sse.idle_timeout=1', 'max_connections=3'])
    s, head = sse_open(server.port)
    assert head.startswith(b'HTTP/1.1 200') and b'text/event-stream' in head
    start = time.time()
    s.settimeout(0.5)
    data = head
    while time.time() - start < 8 and not data.endswith(b'0\r\n\r\n'):
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            continue
        if not chunk:
            break
        data += chunk
    s.close()
    assert b'data: hello' in data and data.endswith(b'0\r\n\r\n'), data  # the stream ended
    stats = exchange(server.port, b'GET /stats HTTP/1.1\r\nConnection: close\r\n\r\n')
    assert b'"streams": 0' in stats, stats
    assert 'Traceback' not in server.stop()


@pytest.mark.parametrize('runtime', ['mp-py', 'mp-mpy'])  # CPython has no heap to exhaust
def test_event_producers_survive_memory_errors(serve, runtime):
    server = serve('hard_ws_app', heapsize='64wK' if runtime == 'mp-mpy' else '128wK')
    for _ in range(2):
        s, head = sse_open(server.port, '/big-event')
        data = head + (read_until_closed(s) or b'')
        s.close()
        assert head.startswith(b'HTTP/1.1 200'), head
        assert b'data: after: dropped' in data and data.endswith(b'0\r\n\r\n'), data
        s, head = sse_open(server.port, '/dying-producer')
        data = read_until_closed(s)
        s.close()
        assert data is not None, 'a dead producer left its stream open'
        assert b'data: first' in head + data
    assert exchange(server.port, b'GET / HTTP/1.1\r\n\r\n').endswith(b'hello')
    stats = exchange(server.port, b'GET /stats HTTP/1.1\r\nConnection: close\r\n\r\n')
    assert b'"streams": 0' in stats, stats
    assert 'Traceback' not in server.stop()


def test_event_stream_whose_client_hangs_up_ends_at_once(serve, runtime):
    # /events sends one event and then nothing: only watching the socket can notice the client
    # has gone, and free its task, buffers and stream slot without waiting for another event
    server = serve('hard_ws_app', heapsize='64wK' if runtime == 'mp-mpy' else '128wK')
    for _ in range(3):
        s, head = sse_open(server.port)
        assert head.startswith(b'HTTP/1.1 200'), head
        s.close()
    time.sleep(0.5)
    stats = exchange(server.port, b'GET /stats HTTP/1.1\r\nConnection: close\r\n\r\n')
    assert b'"streams": 0' in stats and b'"conns": 1' in stats, stats
    assert 'Traceback' not in server.stop()


@pytest.mark.parametrize('runtime', ['mp-py', 'mp-mpy'])  # CPython has no heap to exhaust
def test_a_websocket_handler_that_dies_of_a_memory_error_frees_its_stream_slot(serve, runtime):
    """Issue 13 (memory): a WebSocket route whose handler dies of a MemoryError ends its
    connection and leaves no stream slot taken, as an event stream's producer does."""
    server = serve('hard_ws_app', heapsize='64wK' if runtime == 'mp-mpy' else '128wK',
                   args=['max_connections=4'])
    for _ in range(4):  # more than the stream cap (3): a slot kept would refuse the last one
        s, pending = open_ws(server.port, '/dying-ws')
        s.sendall(frame(1, b'hi'))
        s.settimeout(10)
        frames = read_frames(s, pending)  # until the server closes (a CLOSE is answered)
        s.close()
        assert frames and frames[0] == (1, b'hi'), frames
        assert frames[-1][0] == 8, 'the connection of a dead handler stayed open: %r' % frames
    time.sleep(0.3)
    stats = exchange(server.port, b'GET /stats HTTP/1.1\r\nConnection: close\r\n\r\n')
    assert b'"streams": 0' in stats, stats
    assert exchange(server.port, b'GET / HTTP/1.1\r\n\r\n').endswith(b'hello')
    server.stop()


def test_an_event_stream_ends_when_the_requests_beside_it_keep_finding_no_heap(serve, runtime):
    # microdot.server.STARVED (3) requests in a row answered 503 for want of heap (here a
    # handler that meets a MemoryError), with none served between them, while an event stream
    # is open: the stream that has run longest ends, and its heap goes to the requests. A
    # request served between them starts the count again; a stream refused at the cap (503,
    # but not for the heap) does not count.
    server = serve('hard_ws_app', heapsize='64wK' if runtime == 'mp-mpy' else None,
                   args=['max_connections=3', 'max_streams=1'])
    sse, head = sse_open(server.port)
    assert head.startswith(b'HTTP/1.1 200'), head
    no_heap = b'GET /no-heap HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
    for ask in (no_heap, no_heap, b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
                no_heap, no_heap):
        answer = exchange(server.port, ask)
        assert answer.startswith(b'HTTP/1.1 503' if ask is no_heap else b'HTTP/1.1 200'), answer
        refused, head = sse_open(server.port)  # the cap's 503: not a want of heap
        assert head.startswith(b'HTTP/1.1 503'), head
        refused.close()
    time.sleep(0.5)
    sse.setblocking(False)
    try:
        while True:  # its first event, then nothing: open (an end would read b'')
            assert sse.recv(4096), 'the stream ended too early'
    except BlockingIOError:
        pass
    sse.setblocking(True)
    assert exchange(server.port, no_heap).startswith(b'HTTP/1.1 503')  # the third in a row
    rest = read_until_closed(sse, limit=5)
    sse.close()
    assert rest is not None, 'the event stream was not ended'
    again, head = sse_open(server.port)  # its slot is free again
    assert head.startswith(b'HTTP/1.1 200'), head
    again.close()
