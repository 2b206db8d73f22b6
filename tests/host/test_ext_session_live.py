"""Our HS256 JWT against PyJWT, both ways, with tokens made and checked on every runtime; and the
session cookie of a real server verified by PyJWT."""
import json
import subprocess
import time
import urllib.request

import jwt as pyjwt
import pytest


APP_SECRET = 'ext-app-secret-0123456789abcdef-0123'
SECRET = 'interop-secret-ü' * 5  # long enough for PyJWT's HS512 advice


def run_ours(runtime, code):
    """Run `code` (after ``from microdot import jwt``) on `runtime` as the harness would run a
    server there (.mpy under a device heap for mp-mpy); returns its stdout."""
    from support.servers import ServerProcess
    cmd, env = ServerProcess('none', runtime).command()
    cmd = cmd[:-2] + ['-c', 'import json\nfrom microdot import jwt\n' + code]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout.strip()


@pytest.mark.parametrize('runtime', ['cpython', 'mp-py', 'mp-mpy'])
def test_our_tokens_verify_with_pyjwt(runtime):
    payload = {'user': 'susan', 'n': [1, 2.5, None, True], 'text': 'ü ✓'}
    token = run_ours(runtime, 'print(jwt.encode(%r, %r))' % (payload, SECRET))
    assert pyjwt.decode(token, SECRET, algorithms=['HS256']) == payload
    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.decode(token, 'w' * 32, algorithms=['HS256'])
    exp = int(time.time()) + 60
    token = run_ours(runtime, 'print(jwt.encode({"exp": %d}, %r))' % (exp, SECRET))
    assert pyjwt.decode(token, SECRET, algorithms=['HS256']) == {'exp': exp}
    token = run_ours(runtime, 'print(jwt.encode({"exp": %d}, %r))' % (exp - 120, SECRET))
    with pytest.raises(pyjwt.ExpiredSignatureError):
        pyjwt.decode(token, SECRET, algorithms=['HS256'])


@pytest.mark.parametrize('runtime', ['cpython', 'mp-py', 'mp-mpy'])
def test_pyjwt_tokens_verify_with_ours(runtime):
    payload = {'sub': '42', 'roles': ['a', 'b'], 'iat': int(time.time())}
    good = pyjwt.encode(payload, SECRET, algorithm='HS256')
    expired = pyjwt.encode({'exp': int(time.time()) - 5}, SECRET, algorithm='HS256')
    future = pyjwt.encode({'nbf': int(time.time()) + 300}, SECRET, algorithm='HS256')
    hs512 = pyjwt.encode(payload, SECRET, algorithm='HS512')
    forged = good.rsplit('.', 1)[0] + '.' + pyjwt.encode(payload, 'x' * 32, algorithm='HS256') \
        .rsplit('.', 1)[1]
    code = '''
def check(token):
    try:
        return jwt.decode(token, %r)
    except ValueError as e:
        return 'rejected'
print(json.dumps([check(t) for t in %r]))
''' % (SECRET, [good, expired, future, hs512, forged])
    results = json.loads(run_ours(runtime, code))
    assert results == [payload, 'rejected', 'rejected', 'rejected', 'rejected']


def test_server_session_cookie_is_a_standard_jwt(serve, runtime):
    server = serve('ext_app')
    res = urllib.request.urlopen(server.url + '/session/set/hello', timeout=10)
    cookie = res.headers['Set-Cookie']
    token = cookie.split(';')[0].split('=', 1)[1]
    assert 'HttpOnly' in cookie
    assert pyjwt.decode(token, APP_SECRET, algorithms=['HS256']) == {'value': 'hello'}
    # a session made by PyJWT is accepted; a tampered one gives an empty session, not an error
    mine = pyjwt.encode({'value': 'from-pyjwt'}, APP_SECRET, algorithm='HS256')
    for token, expected in ((mine, 'from-pyjwt'), (mine[:-2] + 'xx', None),
                            (pyjwt.encode({'value': 'x', 'exp': 1}, APP_SECRET), None)):
        req = urllib.request.Request(server.url + '/session/get',
                                     headers={'Cookie': 'session=' + token})
        res = urllib.request.urlopen(req, timeout=10)
        assert res.status == 200 and json.load(res) == {'value': expected}
