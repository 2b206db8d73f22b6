# Routing through the app: methods, HEAD, OPTIONS, 404/405, URL arguments.
from microdot import Microdot
from microdot.test_client import TestClient


def make_app():
    app = Microdot()

    @app.route('/')
    async def index(req):
        return 'index'

    @app.route('/items', methods=['GET', 'post'])
    async def items(req):
        return req.method

    @app.put('/items/<int:id>')
    async def put_item(req, id):
        return {'put': id}

    @app.patch('/items/<int:id>')
    async def patch_item(req, id):
        return {'patch': id}

    @app.delete('/items/<int:id>')
    async def delete_item(req, id):
        return {'deleted': id}

    @app.get('/items/<int:id>')
    async def get_item(req, id):
        return {'get': id}

    @app.query('/search')
    async def search(req):
        return 'q'

    return app


async def test_methods_route_to_their_handlers():
    client = TestClient(make_app())
    assert (await client.get('/')).text == 'index'
    assert (await client.post('/items')).text == 'POST'
    assert (await client.get('/items/3')).json == {'get': 3}
    assert (await client.put('/items/3')).json == {'put': 3}
    assert (await client.patch('/items/3')).json == {'patch': 3}
    assert (await client.delete('/items/3')).json == {'deleted': 3}
    assert (await client.query('/search')).text == 'q'


async def test_unknown_path_is_404_and_wrong_method_is_405():
    client = TestClient(make_app())
    res = await client.get('/nope')
    assert res.status_code == 404 and res.text == 'Not found' and res.reason == 'N/A'
    res = await client.delete('/items')
    assert res.status_code == 405 and res.text == 'Not found'


async def test_head_runs_get_handler_without_body():
    client = TestClient(make_app())
    res = await client.request('HEAD', '/items/5')
    assert res.status_code == 200
    assert res.body is None
    assert res.headers['Content-Length'] == '10'


async def test_automatic_options_lists_allowed_methods():
    client = TestClient(make_app())
    res = await client.request('OPTIONS', '/items/1')
    assert res.status_code == 200
    assert res.headers['Allow'] == 'PUT, PATCH, DELETE, GET, HEAD, OPTIONS'
    res = await client.request('OPTIONS', '/unknown')
    assert res.headers['Allow'] == 'OPTIONS'


async def test_options_handler_none_makes_options_an_ordinary_method():
    app = make_app()
    app.options_handler = None
    res = await TestClient(app).request('OPTIONS', '/items/1')
    assert res.status_code == 405


async def test_first_matching_route_wins():
    app = Microdot()

    @app.get('/a/<name>')
    async def by_name(req, name):
        return 'name'

    @app.get('/a/special')
    async def special(req):
        return 'special'

    assert (await TestClient(app).get('/a/special')).text == 'name'


async def test_request_exposes_route_data():
    app = Microdot()
    seen = {}

    @app.get('/r/<int:x>')
    async def handler(req, x):
        seen.update(route=req.route, args=req.url_args, prefix=req.url_prefix,
                    subapp=req.subapp)
        return ''

    await TestClient(app).get('/r/9')
    assert seen == {'route': handler, 'args': {'x': 9}, 'prefix': '', 'subapp': None}
