# Sub-applications mounted under a prefix, with shared or local hooks.
from microdot import Microdot
from microdot.test_client import TestClient


def make_sub():
    sub = Microdot()

    @sub.route('/')
    async def root(req):
        return 'sub root at ' + req.url_prefix

    @sub.route('/<int:id>')
    async def item(req, id):
        return {'id': id, 'is_sub': req.subapp is sub}

    @sub.before_request
    def tag(req):
        req.g.tag = 'sub-hook'

    @sub.after_request
    def mark(req, res):
        res.headers['X-Sub'] = getattr(req.g, 'tag', 'none')

    @sub.errorhandler(404)
    def sub_404(req):
        return 'sub 404', 404

    return sub


async def test_mounted_routes_get_the_prefix():
    app = Microdot()
    app.mount(make_sub(), url_prefix='/customers')
    client = TestClient(app)
    res = await client.get('/customers/')
    assert res.text == 'sub root at /customers'
    assert (await client.get('/customers')).status_code == 404
    res = await client.get('/customers/7')
    assert res.json == {'id': 7, 'is_sub': True}


async def test_non_local_mount_moves_hooks_to_the_parent():
    app = Microdot()

    @app.route('/main')
    async def main(req):
        return 'main'

    sub = make_sub()
    app.mount(sub, url_prefix='/s')
    client = TestClient(app)
    assert (await client.get('/main')).headers['X-Sub'] == 'sub-hook'
    assert (await client.get('/missing')).text == 'sub 404'
    assert sub.before_request_handlers == [] and sub.error_handlers == {}


async def test_local_mount_keeps_hooks_on_its_routes():
    app = Microdot()

    @app.route('/main')
    async def main(req):
        return 'main'

    app.mount(make_sub(), url_prefix='/s', local=True)
    client = TestClient(app)
    assert 'X-Sub' not in (await client.get('/main')).headers
    assert (await client.get('/s/1')).headers['X-Sub'] == 'sub-hook'
    assert (await client.get('/missing')).text == 'Not found'


async def test_routes_added_after_mounting_are_not_seen():
    app = Microdot()
    sub = Microdot()
    app.mount(sub, url_prefix='/late')

    @sub.route('/x')
    async def x(req):
        return 'x'

    assert (await TestClient(app).get('/late/x')).status_code == 404


async def test_nested_mounts_accumulate_prefixes():
    inner = Microdot()

    @inner.route('/leaf')
    async def leaf(req):
        return req.url_prefix

    middle = Microdot()
    middle.mount(inner, url_prefix='/b')
    app = Microdot()
    app.mount(middle, url_prefix='/a')
    assert (await TestClient(app).get('/a/b/leaf')).text == '/a/b'


async def test_local_mount_error_handlers_answer_for_the_sub_apps_routes():
    sub = Microdot()

    @sub.post('/only-post')
    async def only_post(req):
        return 'posted'

    @sub.route('/boom')
    async def boom(req):
        raise KeyError('k')

    @sub.errorhandler(405)
    def sub_405(req):
        return 'sub 405', 405

    @sub.errorhandler(LookupError)  # a base class of the exception raised
    def sub_lookup(req, exc):
        return 'sub lookup', 500

    app = Microdot()

    @app.errorhandler(405)
    def app_405(req):
        return 'app 405', 405

    @app.errorhandler(404)
    def app_404(req):
        return 'app 404', 404

    @app.route('/mine', methods=['POST'])
    async def mine(req):
        return 'mine'

    app.mount(sub, url_prefix='/sub', local=True)
    client = TestClient(app)
    res = await client.get('/sub/only-post')
    assert (res.status_code, res.text) == (405, 'sub 405')
    res = await client.get('/sub/boom')
    assert (res.status_code, res.text) == (500, 'sub lookup')
    assert (await client.get('/sub/missing')).text == 'app 404'
    assert (await client.get('/mine')).text == 'app 405'
    assert (await client.post('/sub/only-post')).text == 'posted'
