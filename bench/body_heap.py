"""The largest request body a small heap accepts whole (``request.body``), per framing.

    .venv/bin/python bench/body_heap.py [--heaps 56 60 64] [--sizes 8000 16384 512]

For each heap (in wK, the unit of `micropython -X heapsize`) and each framing (Content-Length,
chunked in 4096-byte chunks, chunked in 1-byte chunks), a fresh server of
``tests/apps/hard_app.py`` on the unix port with the framework as ``.mpy`` is sent one
``POST /size`` of each size in turn (the route answers ``len(request.body)``). Printed: the
sizes answered 200 with the right length, and those that were not (a 503 means the heap had no
room). A measurement, not a test: ``tests/host/test_hostile_bodies.py`` holds the line at 64wK.
"""
import argparse
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, 'tests')]

from support import rawhttp  # noqa: E402
from support.servers import ServerProcess  # noqa: E402


def post(port, body, chunk=None):
    return rawhttp.post(port, b'/size', body, chunk)


def accepted(answer, size):
    if not answer.startswith(b'HTTP/1.1 200'):
        return False
    return json.loads(answer.partition(b'\r\n\r\n')[2])['received'] == size


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--heaps', type=int, nargs='+', default=[56, 60, 64])
    parser.add_argument('--sizes', type=int, nargs=3, default=[8000, 16384, 512],
                        metavar=('FIRST', 'LAST', 'STEP'))
    args = parser.parse_args()
    first, last, step = args.sizes
    sizes = list(range(first, last, step)) + [last]
    for heap in args.heaps:
        for name, chunk in (('Content-Length', 0), ('4096-byte chunks', 4096),
                            ('1-byte chunks', 1)):
            server = ServerProcess('hard_app', 'mp-mpy', heapsize='%dwK' % heap).start()
            good, bad = [], []
            for size in sizes:
                (good if accepted(post(server.port, b'x' * size, chunk), size) else
                 bad).append(size)
            server.stop()
            print('%dwK  %-16s  largest accepted: %-6s refused: %s'
                  % (heap, name, max(good) if good else '-', bad or 'none'))


if __name__ == '__main__':
    main()
