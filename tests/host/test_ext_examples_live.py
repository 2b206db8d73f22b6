"""The examples run on the host's unix port (.py as `make example` runs them, and .mpy under a
device heap) and work with real clients."""
import http.client
import os
import socket
import subprocess
import time

import pytest
import websocket

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def start(example, runtime, *args):
    from support.servers import ServerProcess
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    cmd, env = ServerProcess('none', runtime).command()  # frozen/ as .py, or .mpy + device heap
    cmd = cmd[:-2] + [os.path.join(ROOT, 'examples', example, 'main.py'), str(port)] + list(args)
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    deadline = time.time() + 10
    while time.time() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        try:
            socket.create_connection(('127.0.0.1', port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError('example did not start')


@pytest.mark.parametrize('runtime', ['mp-py', 'mp-mpy'])
def test_websocket_echo_example(runtime):
    proc, port = start('websocket_echo', runtime)
    try:
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
        conn.request('GET', '/')
        res = conn.getresponse()
        assert res.status == 200 and b'new WebSocket' in res.read()
        ws = websocket.create_connection('ws://127.0.0.1:%d/echo' % port, timeout=10)
        for msg in ('one', 'två', 'x' * 1000):
            ws.send(msg)
            assert ws.recv() == msg
        ws.close()
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize('runtime', ['mp-py', 'mp-mpy'])
def test_sse_counter_example(runtime):
    proc, port = start('sse_counter', runtime, '0.05')
    try:
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
        conn.request('GET', '/events?from=10')
        res = conn.getresponse()
        assert res.getheader('Content-Type') == 'text/event-stream'
        seen = b''
        while seen.count(b'\n\n') < 3:
            seen += res.read1(1000)
        blocks = seen.split(b'\n\n')[:3]
        assert blocks[0] == b'event: count\nid: 10\ndata: {"count": 10}'
        assert blocks[2] == b'event: count\nid: 12\ndata: {"count": 12}'
        conn.close()
    finally:
        proc.kill()
        proc.wait()
