# Body limits per route (Microdot.route's max_content_length / max_body_length): what one route
# sets applies to it alone; the Request class attributes keep working for every other route.
from microdot import Microdot, Request
from microdot.test_client import TestClient


def limits_app():
    app = Microdot()

    async def report(request):
        streamed = b''
        if not request.body:
            streamed = await request.stream.read()
        return {'body': len(request.body), 'streamed': len(streamed),
                'json': request.json is not None}

    app.route('/upload', methods=['POST'], max_content_length=32 * 1024,
              max_body_length=1024)(report)
    app.route('/small', methods=['POST'], max_content_length=100)(report)
    app.route('/mine', methods=['POST'])(report)
    return app


async def test_a_route_streams_and_accepts_what_it_says():
    client = TestClient(limits_app())
    res = await client.post('/upload', body=b'u' * 20000)  # above the class's 16 KB limit
    assert res.json == {'body': 0, 'streamed': 20000, 'json': False}
    res = await client.post('/upload', body=b'u' * 1000)
    assert res.json == {'body': 1000, 'streamed': 0, 'json': False}
    assert (await client.post('/upload', body=b'u' * 40000)).status_code == 413
    assert (await client.post('/small', body=b's' * 101)).status_code == 413
    assert (await client.post('/small', body=b's' * 100)).json['body'] == 100


async def test_other_routes_keep_the_class_limits():
    client = TestClient(limits_app())
    big_json = {'k': 'v' * 3000}
    res = await client.post('/mine', body=big_json)  # over /upload's 1 KB: still buffered here
    assert res.json == {'body': 3009, 'streamed': 0, 'json': True}
    assert (await client.post('/mine', body=b'm' * 20000)).status_code == 413
    saved = Request.max_body_length
    Request.max_body_length = 10  # the Microdot way still tunes the routes without limits
    try:
        res = await client.post('/mine', body=b'm' * 20)
        assert res.json == {'body': 0, 'streamed': 20, 'json': False}
        res = await client.post('/upload', body=b'u' * 20)
        assert res.json == {'body': 20, 'streamed': 0, 'json': False}
    finally:
        Request.max_body_length = saved


async def test_mounted_routes_keep_their_limits():
    app = Microdot()
    app.mount(limits_app(), url_prefix='/sub')
    client = TestClient(app)
    res = await client.post('/sub/upload', body=b'u' * 20000)
    assert res.json == {'body': 0, 'streamed': 20000, 'json': False}
    assert (await client.post('/sub/small', body=b's' * 101)).status_code == 413
