"""microdot.sse over real sockets (http.client reading the stream as it arrives), on three
runtimes."""
import http.client
import json
import time


def open_stream(server, path):
    conn = http.client.HTTPConnection('127.0.0.1', server.port, timeout=10)
    conn.request('GET', path, headers={'Accept': 'text/event-stream'})
    return conn, conn.getresponse()


def events_of(body):
    out = []
    for block in body.decode().split('\n\n'):
        fields = {}
        for line in block.split('\n'):
            if line and not line.startswith(':'):
                name, _, value = line.partition(': ')
                fields[name] = value
        if fields:
            out.append(fields)
    return out


def test_counter_stream(serve):
    server = serve('ext_app')
    conn, res = open_stream(server, '/sse/count/5')
    assert res.status == 200
    assert res.getheader('Content-Type') == 'text/event-stream'
    events = events_of(res.read())  # the stream ends when the handler returns
    assert [json.loads(e['data']) for e in events] == [{'i': i} for i in range(5)]
    assert [e['event'] for e in events] == ['tick'] * 5
    assert [e['id'] for e in events] == [str(i) for i in range(5)]
    conn.close()


def test_events_arrive_while_streaming_and_disconnect_cancels(serve):
    server = serve('ext_app')
    conn, res = open_stream(server, '/sse/forever')
    first = res.read1(100) if hasattr(res, 'read1') else res.read(10)
    assert b'data: 0' in first  # delivered before the handler ends (it never does)
    time.sleep(0.1)
    conn.sock.close()
    conn.close()
    deadline = time.time() + 5
    while time.time() < deadline:
        c = http.client.HTTPConnection('127.0.0.1', server.port, timeout=10)
        c.request('GET', '/sse/stats')
        stats = json.loads(c.getresponse().read())
        c.close()
        if stats['cancelled'] == 1:
            break
        time.sleep(0.1)
    assert stats == {'cancelled': 1}
