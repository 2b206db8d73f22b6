"""microdot.jwt, microdot.session, microdot.auth and microdot.login (dual-runtime)."""
import binascii

from check import raises
from microdot import Microdot
from microdot import jwt
from microdot.auth import BasicAuth, TokenAuth
from microdot.login import Login, safe_path
from microdot.session import Session, with_session
from microdot.test_client import TestClient


# --- JWT ----------------------------------------------------------------------------------------

def test_hmac_sha256_rfc4231_vectors():
    # RFC 4231 test cases 1, 2 and 6 (key longer than a block)
    assert binascii.hexlify(jwt.hmac_sha256(b'\x0b' * 20, b'Hi There')) == \
        b'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'
    assert binascii.hexlify(jwt.hmac_sha256(b'Jefe', b'what do ya want for nothing?')) == \
        b'5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'
    assert binascii.hexlify(jwt.hmac_sha256(
        b'\xaa' * 131, b'Test Using Larger Than Block-Size Key - Hash Key First')) == \
        b'60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'


def test_hmacsha256_the_path_without_an_hmac_module_gives_the_rfc4231_vectors():
    # what jwt and device.owner use on MicroPython (no `hmac`), run on CPython too: RFC 4231
    # cases 2 and 6 (a key longer than a block), one key's padded keys used for two messages
    import hmacsha256
    keys = hmacsha256.pads(b'Jefe')
    assert binascii.hexlify(hmacsha256.mac(keys, b'what do ya want for nothing?')) == \
        b'5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'
    assert hmacsha256.mac(keys, b'another') == jwt.hmac_sha256(b'Jefe', b'another')
    keys = hmacsha256.pads(b'\xaa' * 131)
    assert binascii.hexlify(hmacsha256.mac(
        keys, b'Test Using Larger Than Block-Size Key - Hash Key First')) == \
        b'60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'


def test_jwt_known_token():
    # the well-known example token from RFC 7519 tooling (secret "your-256-bit-secret")
    token = ('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4g'
             'RG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c')
    assert jwt.decode(token, 'your-256-bit-secret') == {
        'sub': '1234567890', 'name': 'John Doe', 'iat': 1516239022}


def test_jwt_roundtrip_and_rejections():
    token = jwt.encode({'a': 1, 'b': 'ü'}, 'k')
    assert jwt.decode(token, 'k') == {'a': 1, 'b': 'ü'}
    with raises(jwt.InvalidTokenError):
        jwt.decode(token, 'other key')
    head, body, sig = token.split('.')
    forged = jwt.b64url_encode(b'{"a":2,"b":"x"}').decode()
    with raises(jwt.InvalidTokenError):
        jwt.decode(head + '.' + forged + '.' + sig, 'k')
    none_head = jwt.b64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
    with raises(jwt.InvalidTokenError):
        jwt.decode(none_head + '.' + body + '.', 'k')
    for junk in ('', 'abc', 'a.b', 'a.b.c', '!!.@@.##', token + 'x'):
        with raises(ValueError):
            jwt.decode(junk, 'k')


def test_jwt_expiry_and_not_before():
    now = jwt.now()
    assert jwt.decode(jwt.encode({'exp': now + 60}, 'k'), 'k')['exp'] == now + 60
    with raises(jwt.InvalidTokenError, 'expired'):
        jwt.decode(jwt.encode({'exp': now - 1}, 'k'), 'k')
    with raises(jwt.InvalidTokenError):
        jwt.decode(jwt.encode({'nbf': now + 60}, 'k'), 'k')
    with raises(jwt.InvalidTokenError):
        jwt.decode(jwt.encode({'exp': 'soon'}, 'k'), 'k')


def test_jwt_needs_a_key():
    with raises(ValueError):
        jwt.encode({}, None)


# --- sessions -----------------------------------------------------------------------------------

def session_app(**options):
    app = Microdot()
    Session(app, secret_key='top-secret', cookie_options=options or None)

    @app.get('/set/<value>')
    @with_session
    async def set_value(request, session, value):
        session['value'] = value
        session.save()
        return 'saved'

    @app.get('/get')
    @with_session
    def get_value(request, session):
        return session.get('value', 'none')

    @app.get('/clear')
    @with_session
    async def clear(request, session):
        session.delete()
        return 'cleared'

    return app


async def test_session_roundtrip_and_delete():
    client = TestClient(session_app())
    res = await client.get('/set/abc')
    cookie = res.headers['Set-Cookie'][0]
    assert cookie.startswith('session=') and 'HttpOnly' in cookie and 'Path=/' in cookie
    assert 'Cookie' in res.headers['Vary']
    assert jwt.decode(client.cookies['session'], 'top-secret') == {'value': 'abc'}
    assert (await client.get('/get')).text == 'abc'
    await client.get('/clear')
    assert 'session' not in client.cookies
    assert (await client.get('/get')).text == 'none'


async def test_tampered_or_foreign_cookie_gives_empty_session():
    app = session_app()
    client = TestClient(app)
    await client.get('/set/abc')
    token = client.cookies['session']
    head, body, sig = token.split('.')
    evil = jwt.b64url_encode(b'{"value":"admin"}').decode()
    for bad in (head + '.' + evil + '.' + sig, jwt.encode({'value': 'x'}, 'wrong-key'),
                'garbage', token[:-2]):
        res = await TestClient(app, cookies={'session': bad}).get('/get')
        assert res.status_code == 200 and res.text == 'none'


async def test_deeply_nested_token_is_invalid_not_a_crash():
    deep = jwt.b64url_encode(b'[' * 3000 + b']' * 3000).decode()
    body = jwt.b64url_encode(b'{"a":1}').decode()
    for token in (deep + '.' + body + '.x', body + '.' + deep + '.x'):
        with raises(jwt.InvalidTokenError):
            jwt.decode(token, 'top-secret')
    deep = jwt.b64url_encode(b'[' * 1400).decode()  # a cookie within the header line limit
    res = await TestClient(session_app(), cookies={'session': deep + '.' + body + '.x'}).get('/get')
    assert res.status_code == 200 and res.text == 'none'


async def test_expired_session_cookie_is_ignored():
    app = session_app()
    expired = jwt.encode({'value': 'old', 'exp': jwt.now() - 10}, 'top-secret')
    res = await TestClient(app, cookies={'session': expired}).get('/get')
    assert res.status_code == 200 and res.text == 'none'


async def test_max_age_option_puts_exp_in_token():
    client = TestClient(session_app(max_age=120, secure=True))
    res = await client.get('/set/v')
    cookie = res.headers['Set-Cookie'][0]
    assert 'Max-Age=120' in cookie and 'Secure' in cookie
    payload = jwt.decode(client.cookies['session'], 'top-secret')
    assert payload['value'] == 'v' and 0 < payload['exp'] - jwt.now() <= 120
    assert (await client.get('/get')).text == 'v'


async def test_session_without_key_is_an_error():
    app = Microdot()
    Session(app)

    @app.get('/')
    @with_session
    async def index(request, session):
        return 'x'

    res = await TestClient(app).get('/')
    assert res.status_code == 500


# --- auth ---------------------------------------------------------------------------------------

class User:
    def __init__(self, id, name):
        self.id = id
        self.name = name


USERS = {1: User(1, 'susan'), 2: User(2, 'david')}


def auth_app():
    app = Microdot()
    basic = BasicAuth()
    token = TokenAuth()
    api_key = TokenAuth(header='X-API-Key')

    @basic.authenticate
    async def check(request, username, password):
        if username == 'susan' and password == 'hunter:2':
            return USERS[1]

    @token.authenticate
    def check_token(request, value):
        if value == 'tok-2':
            return USERS[2]

    @api_key.authenticate
    async def check_key(request, value):
        if value == 'k1':
            return USERS[1]

    @app.get('/basic')
    @basic
    async def basic_route(request):
        return 'hi ' + request.g.current_user.name

    @app.get('/token')
    @token
    async def token_route(request):
        return 'hi ' + request.g.current_user.name

    @app.get('/optional')
    @token.optional
    async def optional_route(request):
        user = request.g.current_user
        return 'hi ' + (user.name if user else 'anonymous')

    @app.get('/key')
    @api_key
    async def key_route(request):
        return 'key ' + request.g.current_user.name

    return app, token


def basic_header(user, password):
    return 'Basic ' + binascii.b2a_base64((user + ':' + password).encode())[:-1].decode()


async def test_basic_auth():
    client = TestClient(auth_app()[0])
    res = await client.get('/basic', headers={'Authorization': basic_header('susan', 'hunter:2')})
    assert res.status_code == 200 and res.text == 'hi susan'
    res = await client.get('/basic', headers={'Authorization': basic_header('susan', 'x')})
    assert res.status_code == 401
    assert res.headers['WWW-Authenticate'] == 'Basic realm="Please login", charset="UTF-8"'
    for bad in ('Basic !!!', 'Basic', 'Bearer abc', basic_header('nocolon', '')[:-4]):
        res = await client.get('/basic', headers={'Authorization': bad})
        assert res.status_code == 401
    assert (await client.get('/basic')).status_code == 401


async def test_token_auth_and_optional():
    app, token = auth_app()
    client = TestClient(app)
    res = await client.get('/token', headers={'Authorization': 'Bearer tok-2'})
    assert res.text == 'hi david'
    res = await client.get('/token', headers={'Authorization': 'Bearer nope'})
    assert res.status_code == 401 and res.text == '401 error'
    assert (await client.get('/optional')).text == 'hi anonymous'
    res = await client.get('/optional', headers={'Authorization': 'bearer tok-2'})
    assert res.text == 'hi david'
    res = await client.get('/key', headers={'X-API-Key': 'k1'})
    assert res.text == 'key susan'

    @token.errorhandler
    def custom(request):
        return {'error': 'no entry'}, 403

    res = await client.get('/token')
    assert res.status_code == 403 and res.json == {'error': 'no entry'}


# --- login --------------------------------------------------------------------------------------

def login_app():
    app = Microdot()
    Session(app, secret_key='login-secret')
    login = Login()

    @login.user_loader
    async def load(user_id):
        return USERS.get(user_id)

    @app.post('/login')
    async def do_login(request):
        user = USERS[int(request.args.get('id', '1'))]
        remember = request.args.get('remember')
        return await login.login_user(request, user, remember=int(remember) if remember
                                      else False)

    @app.post('/logout')
    async def do_logout(request):
        await login.logout_user(request)
        return 'bye'

    @app.get('/me')
    @login
    async def me(request):
        return request.g.current_user.name

    @app.get('/fresh')
    @login.fresh
    async def fresh(request):
        return 'fresh ' + request.g.current_user.name

    return app


async def test_login_required_redirects_with_next():
    client = TestClient(login_app())
    res = await client.get('/me?x=1&y=2')
    assert res.status_code == 302
    assert res.headers['Location'] == '/login?next=/me%3Fx%3D1%26y%3D2'


async def test_login_logout_cycle():
    client = TestClient(login_app())
    res = await client.post('/login?id=2')
    assert res.status_code == 302 and res.headers['Location'] == '/'
    assert (await client.get('/me')).text == 'david'
    assert (await client.get('/fresh')).text == 'fresh david'
    await client.post('/logout')
    assert (await client.get('/me')).status_code == 302


async def test_login_next_must_be_local():
    client = TestClient(login_app())
    res = await client.post('/login?next=/me')
    assert res.headers['Location'] == '/me'
    res = await client.post('/login?next=https://evil.example/')
    assert res.headers['Location'] == '/'
    res = await client.post('/login?next=//evil.example/')
    assert res.headers['Location'] == '/'


# Targets that browsers would take to another site: backslashes read as slashes, tabs and
# newlines dropped, and the same once percent-encoded (the query string decodes once already).
OFF_SITE = ['/%5Cevil.example/', '/%5cevil.example/', '/%09/evil.example/', '/%0A/evil.example/',
            '/%0D%0A/evil.example/', '/%00/evil.example', '/%20/evil.example', '/%7F/x',
            '/%2F/evil.example/', '/%2fevil.example', '/%255Cevil.example', '/%252F/evil.example',
            '/%2509/evil.example', '/%5C%5Cevil.example', '/x%5C..%5C..%5Cevil', '%2F%2Fevil.example',
            '/%5C/evil.example', '\\evil.example', 'https:evil.example', '/%25zz', '']


async def test_login_next_is_refused_when_a_browser_would_leave_the_site():
    client = TestClient(login_app())
    for target in OFF_SITE:
        res = await client.post('/login?next=' + target)
        assert res.headers['Location'] == '/', target


async def test_login_next_keeps_ordinary_paths():
    client = TestClient(login_app())
    for target, location in (('/me', '/me'), ('/a%2Fb', '/a/b'), ('/x%3Fy%3D1', '/x?y=1'),
                             ('/caf%C3%A9', '/caf\u00e9'), ('/a%2Bb', '/a+b')):
        res = await client.post('/login?next=' + target)
        assert res.headers['Location'] == location, target


def test_safe_path_directly():
    assert safe_path('/settings') == '/settings'
    assert safe_path('/a/b?c=d#e') == '/a/b?c=d#e'
    for bad in ('/\\evil.example/', '/\t/evil.example/', '//evil.example', '/\nx', None, 42,
                'evil.example', '/%5Cevil.example', '/%2F/evil', '/%09/evil', '/%zz'):
        assert safe_path(bad) is None, bad


async def test_remember_me_restores_login_but_not_fresh():
    app = login_app()
    client = TestClient(app)
    res = await client.post('/login?id=1&remember=2')
    cookies = res.headers['Set-Cookie']
    remember = [c for c in cookies if c.startswith('_remember=')][0]
    assert 'Max-Age=172800' in remember
    token = client.cookies['_remember']
    later = TestClient(app, cookies={'_remember': token})  # session cookie gone
    assert (await later.get('/me')).text == 'susan'
    res = await later.get('/fresh')
    assert res.status_code == 302
    forged = TestClient(app, cookies={'_remember': token[:-3] + 'AAA'})
    assert (await forged.get('/me')).status_code == 302
    await client.post('/logout')
    assert '_remember' not in client.cookies
