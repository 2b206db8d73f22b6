"""Soak: many requests at 50 concurrent connections against the unix port under a device heap
(``-X heapsize=64wK``). Every request must get 200 or 503 (the cap), the server must not crash
or print a traceback, and its heap must be back at its baseline afterwards.

`make test` runs a short version; `make soak` sets SOAK_REQUESTS=10000."""
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'bench'))
import loadgen  # noqa: E402
from support.rawhttp import exchange  # noqa: E402

TOTAL = int(os.environ.get('SOAK_REQUESTS', '1500'))
MIXED = [b'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
         b'GET /json?a=1&b=%E2%9C%93 HTTP/1.1\r\nHost: x\r\n\r\n',
         b'POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
         b'Content-Length: 27\r\n\r\n{"a": [1, 2, 3], "b": "xy"}',
         b'GET /user/42 HTTP/1.1\r\nHost: x\r\n\r\n']


def heap_in_use(server):
    res = loadgen.run_sync('127.0.0.1', server.port, 1, 1,
                           requests=[b'GET /mem HTTP/1.1\r\nHost: x\r\n\r\n'])
    assert res.statuses[200] == 1, res.statuses
    data = exchange(server.port, b'GET /mem HTTP/1.1\r\nConnection: close\r\n\r\n')
    return json.loads(data.partition(b'\r\n\r\n')[2])['alloc']


@pytest.mark.parametrize('runtime', ['mp-mpy'])  # the device build (.py needs heap to compile)
@pytest.mark.parametrize('keep_alive', [False, True], ids=['new-connection', 'keep-alive'])
def test_soak_50_concurrent_under_64wK_heap(serve, runtime, keep_alive):
    server = serve('hard_app', heapsize='64wK')
    # Warm up: the first burst grows structures that keep their high-water mark (asyncio's
    # poll table, dicts); the baseline is the heap after it, so what is compared is growth
    # with the number of requests, i.e. a leak.
    loadgen.run_sync('127.0.0.1', server.port, 300, 50, keep_alive=keep_alive, requests=MIXED)
    base = heap_in_use(server)
    total = TOTAL
    result = loadgen.run_sync('127.0.0.1', server.port, total, 50, keep_alive=keep_alive,
                              requests=MIXED, timeout=20)
    assert result.count == total
    assert set(result.statuses) <= {200, 503}, result.statuses
    assert result.statuses[200] >= total // 4, result.statuses  # most of it was served
    after = heap_in_use(server)
    assert server.alive()
    out = server.stop()
    assert 'Traceback' not in out and 'Error' not in out, out[-2000:]
    # back to the baseline: within 4 KB (3 % of the heap; the conservative GC keeps a few
    # blocks alive from stale references), where a leak of one byte per request would be 10 KB
    assert after <= base + 4096, (base, after)
    print('%s %s: %s in %.1fs (%.0f req/s), heap %d -> %d' % (
        runtime, 'keep-alive' if keep_alive else 'new-connection', dict(result.statuses),
        result.elapsed, result.rate, base, after))
