# The test client: request rendering, bodies, headers, response fields.
from microdot import Microdot, Response
from microdot.test_client import TestClient


def echo_app():
    app = Microdot()

    @app.route('/echo', methods=['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
    async def echo(req):
        return {'method': req.method, 'body': req.body.decode(), 'type': req.content_type,
                'length': req.content_length, 'host': req.headers.get('Host'),
                'x': req.headers.get('X-Custom'), 'scheme': req.scheme}

    return app


async def test_json_body_sets_content_type_and_length():
    res = await TestClient(echo_app()).post('/echo', body={'a': 1})
    assert res.json['type'] == 'application/json'
    assert res.json['body'] == '{"a": 1}' and res.json['length'] == 8


async def test_text_and_bytes_bodies_and_custom_headers():
    client = TestClient(echo_app(), scheme='https', host='device.local')
    res = await client.put('/echo', body='caf\u00e9', headers={'X-Custom': 'yes'})
    assert res.json['body'] == 'caf\u00e9' and res.json['length'] == 5
    assert res.json['x'] == 'yes' and res.json['host'] == 'device.local'
    assert res.json['scheme'] == 'https'
    res = await client.patch('/echo', body=b'\x00\x01')
    assert res.json['length'] == 2
    res = await client.delete('/echo')
    assert res.json['method'] == 'DELETE' and res.json['length'] == 0


async def test_response_fields():
    app = Microdot()

    @app.route('/r')
    async def r(req):
        return Response(b'\xff\xfe', 202, {'X-A': 'b'}, reason='Accepted!')

    res = await TestClient(app).get('/r')
    assert res.status_code == 202 and res.reason == 'Accepted!'
    assert res.headers['X-A'] == 'b'
    assert res.body == b'\xff\xfe' and res.text is None and res.json is None


async def test_initial_cookies_are_sent():
    app = Microdot()

    @app.route('/c')
    async def c(req):
        return req.cookies

    client = TestClient(app, cookies={'session': 'abc'})
    assert (await client.get('/c')).json == {'session': 'abc'}
    res = await client.get('/c', headers={'Cookie': 'extra=1'})
    assert res.json == {'session': 'abc', 'extra': '1'}


async def test_event_stream_responses_are_parsed():
    app = Microdot()

    @app.route('/events')
    async def events(req):
        return (b'event: tick\nid: 1\ndata: {"n": 1}\n\n: keep-alive\n\nretry: 5000\ndata: plain\n\n',
                {'Content-Type': 'text/event-stream'})

    res = await TestClient(app).get('/events')
    assert [e['event'] for e in res.events] == ['tick', None]
    assert res.events[0]['data_json'] == {'n': 1} and res.events[0]['event_id'] == '1'
    assert res.events[1]['data'] == b'plain' and res.events[1]['retry'] == 5  # seconds
