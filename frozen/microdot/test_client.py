"""`TestClient`: drive an app in-process, without sockets, for tests.

Requests are rendered to bytes and parsed by the real `Request.create`, then dispatched by the
app; the response is collected into a `TestResponse`. Cookies set by the app are kept across
requests (honouring Path, and deleted by Max-Age<=0 or an expiry in 1970).
"""
import json

from .request import Request
from .response import Response
from .streams import AsyncBytesIO


class TestResponse:
    """A collected response: `status_code`, `reason`, `headers`, `body` (bytes; None for HEAD
    and WebSocket), `text`, `json` (for application/json) and `events` (for text/event-stream:
    dicts with data, data_json, event, event_id, retry)."""

    __test__ = False

    def __init__(self):
        self.status_code = None
        self.reason = None
        self.headers = None
        self.body = None
        self.text = None
        self.json = None
        self.events = None

    @classmethod
    async def create(cls, res):
        self = cls()
        self.status_code = res.status_code
        self.reason = res.reason or ('OK' if res.status_code == 200 else 'N/A')
        res.complete()
        self.headers = res.headers
        if res.is_head:
            return self
        chunks = []
        async for chunk in res.body_iter():
            chunks.append(chunk.encode() if isinstance(chunk, str) else chunk)
        self.body = b''.join(chunks)
        try:
            self.text = self.body.decode()
        except ValueError:
            pass
        mimetype = res.headers.get('Content-Type', '').split(';')[0].strip()
        if mimetype == 'application/json' and self.text is not None:
            self.json = json.loads(self.text)
        elif mimetype == 'text/event-stream':
            self.events = _parse_events(self.body)
        return self


def _parse_events(body):
    events = []
    for block in body.split(b'\n\n'):
        if not block.strip():
            continue
        event = {'data': b'', 'data_json': None, 'event': None, 'event_id': None, 'retry': None}
        data = []
        for line in block.split(b'\n'):
            if line.startswith(b':'):
                continue
            name, _, value = line.partition(b':')
            value = value[1:] if value.startswith(b' ') else value
            if name == b'data':
                data.append(value)
            elif name == b'event':
                event['event'] = value.decode()
            elif name == b'id':
                event['event_id'] = value.decode()
            elif name == b'retry':
                event['retry'] = int(value)
        if not data and event['event'] is None and event['retry'] is None:
            continue
        event['data'] = b'\n'.join(data)
        try:
            event['data_json'] = json.loads(event['data'].decode())
        except ValueError:
            pass
        events.append(event)
    return events


class TestClient:
    """An in-process client for `app`. `cookies` is the cookie jar (name -> value)."""

    __test__ = False

    def __init__(self, app, cookies=None, scheme=None, host=None):
        self.app = app
        self.cookies = cookies or {}
        self.cookie_paths = {}
        self.scheme = scheme
        self.host = host or 'example.com:1234'

    def _cookie_header(self, path):
        pairs = []
        for name, value in self.cookies.items():
            if path.startswith(self.cookie_paths.get(name, '/')):
                pairs.append(name + '=' + value)
        return '; '.join(pairs)

    def _update_cookies(self, res):
        cookies = res.headers.get('Set-Cookie', [])
        if isinstance(cookies, str):
            cookies = [cookies]
        for cookie in cookies:
            parts = cookie.split(';')
            name, _, value = parts[0].strip().partition('=')
            delete = False
            path = '/'
            for attr in parts[1:]:
                key, _, val = attr.strip().partition('=')
                key = key.lower()
                if key == 'path' and val:
                    path = val
                elif key == 'max-age':
                    delete = delete or int(val) <= 0
                elif key == 'expires':
                    delete = delete or '1970' in val
            if delete:
                self.cookies.pop(name, None)
                self.cookie_paths.pop(name, None)
            else:
                self.cookies[name] = value
                self.cookie_paths[name] = path

    def _render(self, method, path, headers, body):
        headers = dict(headers or {})
        lower = [k.lower() for k in headers]
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            if 'content-type' not in lower:
                headers['Content-Type'] = 'application/json'
        if isinstance(body, str):
            body = body.encode()
        body = body or b''
        if body and 'content-length' not in lower:
            headers['Content-Length'] = str(len(body))
        if 'host' not in lower:
            headers['Host'] = self.host
        cookie = self._cookie_header(path.split('?', 1)[0])
        if cookie:
            headers['Cookie'] = cookie + '; ' + headers['Cookie'] if 'Cookie' in headers \
                else cookie
        lines = [method + ' ' + path + ' HTTP/1.0']
        for name, value in headers.items():
            lines.append(name + ': ' + str(value))
        return ('\n'.join(lines) + '\n\n').encode() + body

    async def request(self, method, path, headers=None, body=None, sock=None):
        """Send a request and return its `TestResponse`."""
        raw = self._render(method, path, headers, body)
        reader = AsyncBytesIO(raw)
        writer = sock[1] if sock else AsyncBytesIO(b'')
        req = await Request.create(self.app, sock[0] if sock else reader, writer,
                                   ('127.0.0.1', 1234), scheme=self.scheme)
        res = await self.app.dispatch_request(req)
        if res is Response.already_handled:
            return TestResponse()
        self._update_cookies(res)
        return await TestResponse.create(res)

    async def get(self, path, headers=None):
        return await self.request('GET', path, headers=headers)

    async def post(self, path, headers=None, body=None):
        return await self.request('POST', path, headers=headers, body=body)

    async def put(self, path, headers=None, body=None):
        return await self.request('PUT', path, headers=headers, body=body)

    async def patch(self, path, headers=None, body=None):
        return await self.request('PATCH', path, headers=headers, body=body)

    async def delete(self, path, headers=None):
        return await self.request('DELETE', path, headers=headers)

    async def query(self, path, headers=None, body=None):
        return await self.request('QUERY', path, headers=headers, body=body)
