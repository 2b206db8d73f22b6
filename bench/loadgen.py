"""A small asyncio HTTP/1.1 load generator (CPython), used by `make bench`, `make soak` and the
soak test in `make test`. Each of `concurrency` workers sends requests until `total` have been
sent, over a new connection per request or a kept-alive one, and records the status (or the kind
of failure) and the latency of each."""
import asyncio
import collections
import time


class Result:
    def __init__(self):
        self.statuses = collections.Counter()  # status code (int) or failure name (str)
        self.latencies = []
        self.elapsed = 0.0

    @property
    def count(self):
        return sum(self.statuses.values())

    @property
    def rate(self):
        return self.count / self.elapsed if self.elapsed else 0.0

    def percentile(self, p):
        if not self.latencies:
            return 0.0
        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(len(data) * p / 100.0))]

    def failures(self):
        return {k: v for k, v in self.statuses.items() if not isinstance(k, int)}


async def _read_response(reader):
    head = await reader.readuntil(b'\r\n\r\n')
    line, _, rest = head.partition(b'\r\n')
    status = int(line.split()[1])
    length = None
    close = line.startswith(b'HTTP/1.0')
    for h in rest.split(b'\r\n'):
        name, _, value = h.partition(b':')
        name = name.strip().lower()
        if name == b'content-length':
            length = int(value)
        elif name == b'connection':
            close = value.strip().lower() == b'close'
    if length is None:
        body = await reader.read()
        close = True
    else:
        body = await reader.readexactly(length)
    return status, body, close


async def run(host, port, total, concurrency, keep_alive=False, requests=None, timeout=10.0):
    """Send `total` requests (bytes from the list `requests`, round-robin; default ``GET /``)
    from `concurrency` concurrent connections; returns a `Result`."""
    if requests is None:
        requests = [b'GET / HTTP/1.1\r\nHost: x\r\n\r\n']
    if not keep_alive:
        requests = [r.replace(b'\r\n\r\n', b'\r\nConnection: close\r\n\r\n', 1) for r in requests]
    result = Result()
    state = {'next': 0}

    async def worker():
        reader = writer = None
        while state['next'] < total:
            i = state['next']
            state['next'] += 1
            start = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.wait_for(
                        asyncio.open_connection(host, port), timeout)
                writer.write(requests[i % len(requests)])
                status, _, close = await asyncio.wait_for(_read_response(reader), timeout)
                result.statuses[status] += 1
                result.latencies.append(time.perf_counter() - start)
            except (asyncio.IncompleteReadError, ConnectionError) as exc:
                result.statuses[type(exc).__name__] += 1
                close = True
            except asyncio.TimeoutError:
                result.statuses['timeout'] += 1
                close = True
            except OSError as exc:
                result.statuses['OSError %s' % exc.errno] += 1
                close = True
            if close or not keep_alive:
                writer.close() if writer is not None else None
                reader = writer = None
        if writer is not None:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(concurrency)])
    result.elapsed = time.perf_counter() - start
    return result


def run_sync(*args, **kwargs):
    return asyncio.run(run(*args, **kwargs))
