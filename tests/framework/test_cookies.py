# Cookies: parsing on requests, set_cookie/delete_cookie on responses, the test client's jar.
from check import raises
from microdot import Microdot, Response
from microdot.test_client import TestClient


def test_set_cookie_attribute_order():
    res = Response()
    res.set_cookie('a', '1', path='/p', domain='x.org', expires='Wed, 21 Oct 2026 07:28:00 GMT',
                   max_age=60, secure=True, http_only=True, partitioned=True)
    assert res.headers['Set-Cookie'] == [
        'a=1; Path=/p; Domain=x.org; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Max-Age=60; '
        'Secure; HttpOnly; Partitioned']


def test_set_cookie_appends_and_supports_samesite():
    res = Response()
    res.set_cookie('a', '1')
    res.set_cookie('b', '2', same_site='Lax')
    assert res.headers['Set-Cookie'] == ['a=1', 'b=2; SameSite=Lax']


def test_set_cookie_rejects_semicolon_and_crlf():
    res = Response()
    with raises(ValueError):
        res.set_cookie('a', 'x;y')
    with raises(ValueError):
        res.set_cookie('a', 'x\r\nSet-Cookie: b=c')
    with raises(ValueError):
        res.set_cookie('a', 'x', path='/\n')


def test_delete_cookie_ignores_expiry_arguments():
    res = Response()
    res.delete_cookie('s', path='/', max_age=100, expires='never')
    assert res.headers['Set-Cookie'] == [
        's=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0']


async def test_request_cookies_are_parsed_without_decoding():
    app = Microdot()

    @app.route('/')
    async def index(req):
        return req.cookies

    res = await TestClient(app).get('/', headers={'Cookie': 'a=1; b=x%20y; flag; a=2'})
    assert res.json == {'a': '2', 'b': 'x%20y', 'flag': ''}


async def test_test_client_keeps_cookies_and_honours_path_and_deletion():
    app = Microdot()

    @app.route('/set')
    async def set_(req):
        res = Response('ok')
        res.set_cookie('user', 'bob')
        res.set_cookie('scoped', 'yes', path='/admin')
        return res

    @app.route('/show')
    async def show(req):
        return req.cookies

    @app.route('/admin/show')
    async def admin_show(req):
        return req.cookies

    @app.route('/clear')
    async def clear(req):
        res = Response('gone')
        res.delete_cookie('user')
        return res

    client = TestClient(app)
    await client.get('/set')
    assert (await client.get('/show')).json == {'user': 'bob'}
    assert (await client.get('/admin/show')).json == {'user': 'bob', 'scoped': 'yes'}
    await client.get('/clear')
    assert (await client.get('/show')).json == {}
    assert 'user' not in client.cookies


async def test_client_jar_removes_only_the_cookie_a_response_deletes():
    app = Microdot()

    @app.route('/')
    async def index(req):
        res = Response(req.cookies.get('a', '-') + req.cookies.get('b', '-') +
                       req.cookies.get('c', '-'))
        res.set_cookie('d', '4')
        res.delete_cookie('b')  # path /, as stored: removed
        res.delete_cookie('a', path='/elsewhere')  # another path: a browser keeps 'a'
        return res

    client = TestClient(app, cookies={'a': '1', 'b': '2'})
    res = await client.get('/', headers={'Cookie': 'c=3'})
    assert res.text == '123'
    assert client.cookies == {'a': '1', 'd': '4'}


async def test_client_jar_follows_max_age_before_expires():
    app = Microdot()

    @app.route('/')
    async def index(req):
        res = Response('x')
        res.set_cookie('keep', 'k', expires='Thu, 01 Jan 1970 00:00:01 GMT', max_age=60)
        res.set_cookie('future', 'f', expires='Fri, 01 Jan 2100 00:00:00 GMT')
        res.set_cookie('past', 'p', expires='Sat, 01 Jan 2005 00:00:00 GMT')
        res.set_cookie('zero', 'z', max_age=0)
        return res

    client = TestClient(app, cookies={'past': 'old', 'zero': 'old'})
    await client.get('/')
    assert client.cookies == {'keep': 'k', 'future': 'f'}


async def test_client_jar_keeps_paths_as_microdot_does():
    app = Microdot()

    @app.route('/set')
    async def set_(req):
        res = Response('ok')
        res.set_cookie('scoped', 'yes', path='/admin')
        return res

    @app.route('/<path:p>')
    async def show(req, p):
        return req.cookies

    client = TestClient(app, cookies={'t': ('1', '/admin')})
    await client.get('/set')
    assert client.cookies == {'t': ('1', '/admin'), 'scoped': ('yes', '/admin')}
    assert (await client.get('/admin/x')).json == {'t': '1', 'scoped': 'yes'}
    assert (await client.get('/administrator')).json == {}
