"""The upper bound: a bare `asyncio.start_server` responder for the benchmark's two JSON routes
(with keep-alive), no framework. Same measurement routes as json_app."""
import asyncio
import gc
import json

_alloc = [0]


def answer(path):
    if path == b'/':
        return 200, json.dumps({'hello': 'world'})
    if path.startswith(b'/user/'):
        try:
            return 200, json.dumps({'id': int(path[6:]), 'name': 'user'})
        except ValueError:
            return 404, 'Not found'
    if path == b'/_alloc/start':
        if hasattr(gc, 'mem_alloc'):
            gc.collect()
            gc.disable()
            _alloc[0] = gc.mem_alloc()
        return 200, 'ok'
    if path == b'/_alloc/stop':
        used = gc.mem_alloc() - _alloc[0] if hasattr(gc, 'mem_alloc') else 0
        gc.enable()
        return 200, str(used)
    return 404, 'Not found'


async def handle(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            keep = line.endswith(b'HTTP/1.1\r\n')
            while True:
                h = await reader.readline()
                if not h or h == b'\r\n':
                    break
                if h[:11].lower() == b'connection:' and b'close' in h.lower():
                    keep = False
            status, body = answer(line.split(b' ')[1])
            body = body.encode()
            writer.write(b'HTTP/1.1 %d OK\r\nContent-Type: application/json\r\n'
                         b'Content-Length: %d\r\n%s\r\n' % (
                             status, len(body), b'' if keep else b'Connection: close\r\n') + body)
            await writer.drain()
            if not keep:
                break
    except OSError:
        pass
    writer.close()
    if hasattr(writer, 'wait_closed'):
        try:
            await writer.wait_closed()
        except OSError:
            pass


async def main(port):
    server = await asyncio.start_server(handle, '127.0.0.1', port, backlog=64)
    if hasattr(server, 'serve_forever'):
        await server.serve_forever()
    else:
        await server.wait_closed()


def serve(port):
    asyncio.run(main(port))
