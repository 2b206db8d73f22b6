"""microdot.cors and microdot.csrf through the test client (dual-runtime)."""
from microdot import Microdot
from microdot.cors import CORS
from microdot.csrf import CSRF
from microdot.test_client import TestClient


def cors_app(**kwargs):
    app = Microdot()

    @app.route('/', methods=['GET', 'POST'])
    async def index(request):
        return 'ok'

    @app.route('/vary')
    async def vary(request):
        return 'ok', {'Vary': 'Accept-Encoding'}

    CORS(app, **kwargs)
    return app


async def test_any_origin_is_echoed_with_vary():
    client = TestClient(cors_app(allowed_origins='*'))
    res = await client.get('/', headers={'Origin': 'https://a.example'})
    assert res.headers['Access-Control-Allow-Origin'] == 'https://a.example'
    assert 'Origin' in res.headers['Vary']
    assert 'Access-Control-Allow-Credentials' not in res.headers


async def test_any_origin_without_origin_header_is_star():
    res = await TestClient(cors_app(allowed_origins='*')).get('/')
    assert res.headers['Access-Control-Allow-Origin'] == '*'


async def test_listed_origins_only():
    client = TestClient(cors_app(allowed_origins=['https://good.example'],
                                 allow_credentials=True))
    res = await client.get('/', headers={'Origin': 'https://good.example'})
    assert res.headers['Access-Control-Allow-Origin'] == 'https://good.example'
    assert res.headers['Access-Control-Allow-Credentials'] == 'true'
    res = await client.get('/', headers={'Origin': 'https://evil.example'})
    assert 'Access-Control-Allow-Origin' not in res.headers


async def test_vary_origin_only_when_the_origin_is_echoed():
    client = TestClient(cors_app(allowed_origins=['https://good.example']))
    res = await client.get('/', headers={'Origin': 'https://good.example'})
    assert res.headers['Vary'] == 'Origin'
    for headers in ({'Origin': 'https://evil.example'}, {}):
        assert 'Vary' not in (await client.get('/', headers=headers)).headers
    res = await client.get('/vary', headers={'Origin': 'https://evil.example'})
    assert res.headers['Vary'] == 'Accept-Encoding'
    res = await TestClient(cors_app(allowed_origins='*')).get('/')
    assert 'Vary' not in res.headers


async def test_cors_session_and_csrf_vary_names_are_merged_once():
    from microdot.session import Session, with_session
    app = Microdot()
    cors = CORS(app, allowed_origins=['https://good.example'])
    CSRF(app, cors=cors)
    Session(app, secret_key='k' * 32)

    @app.post('/s')
    @with_session
    async def s(request, session):
        request.vary('cookie')  # already noted by the session: not repeated
        request.vary('X-Mine')
        return 'ok', {'Vary': 'accept-encoding, Origin'}

    res = await TestClient(app).post('/s', headers={'Origin': 'https://good.example',
                                                    'Sec-Fetch-Site': 'same-origin'})
    assert res.status_code == 200
    assert res.headers['Vary'] == 'accept-encoding, Origin, Sec-Fetch-Site, Cookie, X-Mine'


async def test_vary_is_merged():
    client = TestClient(cors_app(allowed_origins='*'))
    res = await client.get('/vary', headers={'Origin': 'https://a.example'})
    names = [v.strip() for v in res.headers['Vary'].split(',')]
    assert sorted(names) == ['Accept-Encoding', 'Origin']


async def test_expose_headers():
    client = TestClient(cors_app(allowed_origins='*', expose_headers=['X-A', 'X-B']))
    res = await client.get('/', headers={'Origin': 'https://a.example'})
    assert res.headers['Access-Control-Expose-Headers'] == 'X-A, X-B'


async def test_preflight():
    client = TestClient(cors_app(allowed_origins='*', max_age=600,
                                 allowed_methods=['GET', 'POST'],
                                 allowed_headers=['X-Token', 'Content-Type']))
    res = await client.request('OPTIONS', '/', headers={
        'Origin': 'https://a.example', 'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'x-token, X-Other'})
    assert res.status_code == 200
    assert res.headers['Access-Control-Allow-Origin'] == 'https://a.example'
    assert res.headers['Access-Control-Max-Age'] == '600'
    assert res.headers['Access-Control-Allow-Methods'] == 'POST'
    assert res.headers['Access-Control-Allow-Headers'] == 'x-token'
    assert 'POST' in res.headers['Allow']


async def test_preflight_disallowed_method():
    client = TestClient(cors_app(allowed_origins='*', allowed_methods=['GET']))
    res = await client.request('OPTIONS', '/', headers={
        'Origin': 'https://a.example', 'Access-Control-Request-Method': 'DELETE'})
    assert 'Access-Control-Allow-Methods' not in res.headers


async def test_preflight_echoes_requested_headers_when_unrestricted():
    client = TestClient(cors_app(allowed_origins='*'))
    res = await client.request('OPTIONS', '/', headers={
        'Origin': 'https://a.example', 'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'X-A, X-B'})
    assert res.headers['Access-Control-Allow-Methods'] == 'PUT'
    assert res.headers['Access-Control-Allow-Headers'] == 'X-A, X-B'


async def test_error_responses_get_cors_headers():
    client = TestClient(cors_app(allowed_origins='*'))
    res = await client.get('/missing', headers={'Origin': 'https://a.example'})
    assert res.status_code == 404
    assert res.headers['Access-Control-Allow-Origin'] == 'https://a.example'


def csrf_app(**kwargs):
    app = Microdot()
    cors = kwargs.pop('cors', None)
    csrf = CSRF(app, cors=cors, **kwargs)

    @app.post('/submit')
    async def submit(request):
        return 'done'

    @app.post('/hook')
    @csrf.exempt
    async def hook(request):
        return 'hooked'

    @app.get('/danger')
    @csrf.protect
    async def danger(request):
        return 'danger'

    return app


async def test_csrf_same_origin_allowed():
    client = TestClient(csrf_app())
    res = await client.post('/submit', headers={'Sec-Fetch-Site': 'same-origin'})
    assert res.status_code == 200 and res.text == 'done'
    assert 'Sec-Fetch-Site' in res.headers['Vary']
    res = await client.post('/submit', headers={'Sec-Fetch-Site': 'none'})
    assert res.status_code == 200


async def test_csrf_cross_site_refused():
    client = TestClient(csrf_app())
    res = await client.post('/submit', headers={'Sec-Fetch-Site': 'cross-site'})
    assert res.status_code == 403 and res.text == 'Forbidden'
    res = await client.post('/submit', headers={'Origin': 'https://evil.example'})
    assert res.status_code == 403


async def test_csrf_non_browser_allowed():
    res = await TestClient(csrf_app()).post('/submit')
    assert res.status_code == 200


async def test_csrf_same_site_needs_allow_subdomains():
    res = await TestClient(csrf_app()).post('/submit', headers={'Sec-Fetch-Site': 'same-site'})
    assert res.status_code == 403
    res = await TestClient(csrf_app(allow_subdomains=True)).post(
        '/submit', headers={'Sec-Fetch-Site': 'same-site'})
    assert res.status_code == 200


async def test_csrf_trusts_cors_origins():
    cors = CORS(allowed_origins=['https://app.example'])
    client = TestClient(csrf_app(cors=cors))
    res = await client.post('/submit', headers={'Sec-Fetch-Site': 'cross-site',
                                                'Origin': 'https://app.example'})
    assert res.status_code == 200
    res = await client.post('/submit', headers={'Origin': 'https://api.app.example'})
    assert res.status_code == 403
    client = TestClient(csrf_app(cors=cors, allow_subdomains=True))
    res = await client.post('/submit', headers={'Origin': 'https://api.app.example'})
    assert res.status_code == 200
    res = await client.post('/submit', headers={'Origin': 'http://api.app.example'})
    assert res.status_code == 403


async def test_csrf_exempt_and_protect():
    client = TestClient(csrf_app())
    res = await client.post('/hook', headers={'Sec-Fetch-Site': 'cross-site'})
    assert res.status_code == 200
    res = await client.get('/danger', headers={'Sec-Fetch-Site': 'cross-site'})
    assert res.status_code == 403
    res = await TestClient(csrf_app(protect_all=False)).post(
        '/submit', headers={'Sec-Fetch-Site': 'cross-site'})
    assert res.status_code == 200


async def test_a_request_that_cannot_be_parsed_gets_its_400_through_the_cors_hooks():
    # The 400 for an unparseable request goes through the after_error_request hooks with no
    # request: CORS passes it through (it failed on None, and the client got no answer at all).
    from check import answer_of
    for origins in ('*', ['https://good.example']):
        answer = await answer_of(cors_app(allowed_origins=origins), b'garbage\r\n\r\n')
        assert answer.startswith(b'HTTP/1.1 400 '), answer
        assert b'Access-Control' not in answer
        res = await TestClient(cors_app(allowed_origins=origins)).get(
            '/', headers={'Origin': 'https://good.example'})
        assert res.headers['Access-Control-Allow-Origin'] == 'https://good.example'
