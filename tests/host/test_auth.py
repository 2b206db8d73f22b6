"""The owner-only device UI over real sockets (scripts/run_host.py on the unix port): nothing
changes and nothing sensitive is read without the owner's password or from a foreign Host;
login, logout, sessions, the login throttle and the first "set a password" page.
The browser side is in test_browser.py."""
import gzip
import json
import os
import time
import urllib.parse

import pytest

from test_app import PASSWORD, HostApp, basic

# Every state-changing request of the UI, and every sensitive read.
CHANGES = [('/api/pins/led', 'POST', b'{"on": true}'), ('/api/wifi', 'POST', b'{"ssid": "x"}'),
           ('/api/wifi?ssid=SimNet', 'DELETE', None), ('/api/files', 'POST', b'x'),
           ('/api/restart', 'POST', b''), ('/password', 'POST', b'password=abcdefgh')]
READS = ['/', '/api/status', '/api/pins', '/api/pins/led', '/api/wifi', '/api/wifi/scan',
         '/api/files', '/api/log', '/api/events', '/api/hello']
JSON = {'Content-Type': 'application/json'}
FORM = {'Content-Type': 'application/x-www-form-urlencoded'}


def form(**fields):
    return urllib.parse.urlencode(fields).encode()


def login(app, password=PASSWORD, next_path=None):
    """POST /login: (status, headers)."""
    fields = {'password': password}
    if next_path is not None:
        fields['next'] = next_path
    status, headers, _ = app.request('/login', form(**fields), 'POST', FORM, auth=False)
    return status, headers


def cookie_of(headers):
    value = headers['Set-Cookie']
    return value.split(';')[0]


def led(app):
    return app.json('/api/pins/led')[1]['on']


# --- nothing without the owner ------------------------------------------------------------------

def test_no_change_without_credentials(app):
    before = open(os.path.join(app.fs, 'config.json')).read()
    for path, method, body in CHANGES:
        status, _, raw = app.request(path, body, method, JSON, auth=False)
        assert status in (401, 302), (path, status)
        if status == 302:  # pages send browsers to the login page
            continue
        assert b'log in' in raw
    assert led(app) is False
    assert open(os.path.join(app.fs, 'config.json')).read() == before
    assert 'restart requested' not in app.output


def test_no_sensitive_read_without_credentials(app):
    for path in READS:
        status, headers, raw = app.request(path, auth=False)
        if path.startswith('/api/'):
            assert status == 401, path
            assert headers['WWW-Authenticate'].startswith('Basic realm=')  # curl -u
            assert json.loads(raw) == {'error': 'log in first (or HTTP Basic: -u admin:PASSWORD)'}
        else:
            assert status == 302 and headers['Location'] == '/login?next=/', path


def test_login_and_set_password_pages_and_assets_are_public(app):
    status, headers, body = app.request('/login', headers={'Accept-Encoding': 'gzip'},
                                        auth=False)  # a static page, gzipped
    assert status == 200 and headers['Content-Encoding'] == 'gzip'
    assert b'type="password"' in gzip.decompress(body)
    assert app.request('/static/app.css', auth=False)[0] == 200


def test_http_basic_with_the_owner_password_works_like_curl_u(app):
    assert app.json('/api/pins/led', {'on': True})[0] == 200
    assert app.json('/api/pins/led', {'on': False})[0] == 200
    assert app.json('/api/status')[0] == 200


def test_wrong_credentials_are_refused(app):
    for header in (basic('wrong password'), basic(PASSWORD, user='root'), 'Basic !!!',
                   'Basic ' + 'QQ==', 'Bearer ' + PASSWORD, basic(PASSWORD + ' ')):
        status, _, _ = app.request('/api/status', headers={'Authorization': header,
                                                           'X-Client': header})
        assert status in (401, 429), header
        time.sleep(0)  # the throttle may hold the client back: also a refusal


def test_failed_logins_are_throttled_with_a_growing_wait(tmp_path):
    server = HostApp(tmp_path).start()
    try:
        assert login(server, 'wrong 1')[0] == 401
        status, headers = login(server, PASSWORD)  # held back: the right one is not looked at
        assert status == 429 and headers['Retry-After'] == '1'
        assert server.request('/api/status')[0] == 429  # Basic too: the same client
        time.sleep(1.1)
        assert login(server, 'wrong 2')[0] == 401
        status, headers = login(server, 'wrong 3')
        assert status == 429 and headers['Retry-After'] == '2'
        time.sleep(2.1)
        assert login(server, PASSWORD)[0] == 303
    finally:
        server.stop()


# --- the Host allow-list and the cross-site check ---------------------------------------------

def test_foreign_host_names_are_refused_before_any_handler(app):
    # DNS rebinding: a page on evil.example re-points its name at the device; the browser then
    # sends Host and Origin of evil.example and calls itself same-origin.
    rebinding = {'Host': 'evil.example', 'Origin': 'http://evil.example',
                 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json'}
    for host in ('evil.example', 'evil.example:%d' % app.port, 'microdot-sim.evil.example',
                 '127.0.0.1.evil.example', 'microdot-sim.localx', '10.0.0.1', '[::2]'):
        rebinding['Host'] = host
        rebinding['Origin'] = 'http://' + host
        status, _, raw = app.request('/api/pins/led', b'{"on": true}', 'POST', rebinding)
        assert status == 421, host
        assert b'unknown host name' in raw
        assert app.request('/', headers={'Host': host}, auth=False)[0] == 421
        assert app.request('/login', headers={'Host': host}, auth=False)[0] == 421
    assert led(app) is False


def test_the_devices_own_names_are_accepted(app):
    for host in ('127.0.0.1', '127.0.0.1:%d' % app.port, 'localhost:%d' % app.port,
                 'microdot-sim', 'MicroDot-Sim.local', 'microdot-sim.local.', '[::1]:80'):
        assert app.request('/api/status', headers={'Host': host})[0] == 200, host


def test_extra_names_come_from_the_hosts_setting(tmp_path):
    server = HostApp(tmp_path, config={'hosts': ['board.lan']}).start()
    try:
        assert server.request('/api/status', headers={'Host': 'board.lan'})[0] == 200
        assert server.request('/api/status', headers={'Host': 'other.lan'})[0] == 421
    finally:
        server.stop()


def test_cross_site_requests_are_refused_even_with_credentials(app):
    for h in ({'Origin': 'http://evil.example'}, {'Sec-Fetch-Site': 'cross-site'},
              {'Sec-Fetch-Site': 'same-site'}):
        h.update(JSON)
        assert app.request('/api/pins/led', b'{"on": true}', 'POST', h)[0] == 403, h
    assert led(app) is False


# --- login, sessions, logout --------------------------------------------------------------------

def test_login_sets_a_strict_httponly_session_cookie_that_opens_the_ui(app):
    status, headers = login(app, next_path='/api/status')
    assert status == 303 and headers['Location'] == '/api/status'
    cookie = headers['Set-Cookie']
    assert 'HttpOnly' in cookie and 'SameSite=Strict' in cookie and 'Path=/' in cookie
    assert PASSWORD not in cookie
    h = {'Cookie': cookie_of(headers)}
    assert app.request('/api/status', headers=h, auth=False)[0] == 200
    assert app.request('/', headers=h, auth=False)[0] == 200


def test_wrong_password_gets_the_login_page_again(app):
    status, headers, body = app.request('/login', form(password='not it'), 'POST', FORM,
                                        auth=False)
    assert status == 401 and b'Wrong password' in body and 'Set-Cookie' not in headers
    time.sleep(1.1)  # the throttle's first wait


def _stylesheet(headers, body):
    if headers.get('Content-Encoding') == 'gzip':
        body = gzip.decompress(body)
    start = body.index(b'rel="stylesheet" href="') + 23
    return body[start:body.index(b'"', start)].decode()


def test_pages_written_in_python_link_the_stylesheet_by_the_versioned_url_of_the_others(
        tmp_path):
    """The login form after a wrong password and the password page are built by ui.authpage.page,
    the login form itself is a static page: all name the stylesheet by one URL, with the
    version query that lets the browser keep it (no revalidation on every page). (A server of
    its own: the wrong password makes the login throttle wait.)"""
    app = HostApp(tmp_path).start()
    try:
        _one_stylesheet_url(app)
    finally:
        app.stop()


def _one_stylesheet_url(app):
    status, headers, body = app.request('/login', auth=False)
    assert status == 200
    url = _stylesheet(headers, body)
    assert url.startswith('/static/app.css?v=') and len(url) > len('/static/app.css?v=')
    status, headers, body = app.request('/password')
    assert status == 200 and _stylesheet(headers, body) == url
    status, headers, body = app.request('/login', form(password='not it either'), 'POST', FORM,
                                        auth=False)
    assert status == 401 and _stylesheet(headers, body) == url
    status, headers, _ = app.request(url, auth=False)
    assert status == 200 and 'immutable' in headers['Cache-Control']


def test_a_forged_or_unknown_session_cookie_is_refused(app):
    for value in ('owner=00000000000000000000000000000000', 'owner=', 'owner=' + PASSWORD,
                  'session=abc'):
        assert app.request('/api/status', headers={'Cookie': value}, auth=False)[0] == 401


@pytest.mark.parametrize('target', [
    '/%5Cevil.example/', '/%09/evil.example/', '//evil.example/', '/\\evil.example/',
    '/%5cevil.example', '/%2Fevil.example/', '/%252Fevil.example', '/%0A/evil.example',
    '/%0d/evil.example', '/%20/evil.example', 'http://evil.example/', 'evil.example',
    '%2F%2Fevil.example', '/%7F/evil.example', '/x\\..\\evil'])
def test_login_never_redirects_off_the_site(app, target):
    status, headers = login(app, next_path=urllib.parse.unquote(target))
    assert status == 303 and headers['Location'] == '/', target
    time.sleep(0)


def test_the_login_page_escapes_what_it_echoes(tmp_path):
    evil = '/"><script>alert(1)</script>'
    server = HostApp(tmp_path).start()  # a wrong password: the throttle holds this client back
    try:
        status, _, body = server.request('/login?next=' + urllib.parse.quote(evil), auth=False)
        assert status == 200 and b'<script>' not in body  # echoes nothing (plain: urllib)
        # the form of a refused login keeps `next`, escaped
        status, _, body = server.request('/login', form(password='wrong', next=evil), 'POST',
                                         FORM, auth=False)
        assert status == 401 and b'<script>' not in body
        assert b'value="/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in body
    finally:
        server.stop()


def test_logout_ends_the_session_and_is_a_post(app):
    _, headers = login(app)
    h = {'Cookie': cookie_of(headers)}
    assert app.request('/logout', headers=h, auth=False)[0] == 405
    assert app.request('/api/status', headers=h, auth=False)[0] == 200
    # logout from another site is refused (CSRF): the session lives on
    evil = dict(h, Origin='http://evil.example')
    assert app.request('/logout', b'', 'POST', evil, auth=False)[0] == 403
    assert app.request('/api/status', headers=h, auth=False)[0] == 200
    status, out, _ = app.request('/logout', b'', 'POST', h, auth=False)
    assert status == 303 and out['Location'] == '/login'
    assert 'Max-Age=0' in out['Set-Cookie'] or 'Expires=' in out['Set-Cookie']
    assert app.request('/api/status', headers=h, auth=False)[0] == 401


def test_the_live_stream_ends_with_the_session_it_was_opened_with(app):
    import http.client
    _, headers = login(app)
    cookie = cookie_of(headers)
    conn = http.client.HTTPConnection('127.0.0.1', app.port, timeout=10)
    conn.request('GET', '/api/events', headers={'Cookie': cookie})
    res = conn.getresponse()
    assert res.status == 200
    assert res.readline().startswith(b'event: ')  # streaming
    app.request('/logout', b'', 'POST', {'Cookie': cookie}, auth=False)
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:  # the board closes it within a period (2 s)
        if not res.readline():
            break
    else:
        raise AssertionError('the stream outlived its session')
    conn.close()


def test_login_from_another_site_is_refused(app):
    status, _, _ = app.request('/login', form(password=PASSWORD), 'POST',
                               dict(FORM, Origin='http://evil.example'), auth=False)
    assert status == 403


def test_the_password_and_its_hash_never_leave_the_device(app):
    record = json.load(open(os.path.join(app.fs, 'config.json')))['owner']
    digest = record.split('$')[3]
    for path in READS[1:-2] + ['/']:
        if path == '/api/events':
            continue
        _, headers, body = app.request(path)
        if headers.get('Content-Encoding') == 'gzip':  # the dashboard: a static page
            body = gzip.decompress(body)
        body = body.decode()
        assert PASSWORD not in body and digest not in body and 'pbkdf2' not in body, path
    assert PASSWORD not in app.output and digest not in app.output


# --- password change and restart end every session -----------------------------------------------

def test_changing_the_password_needs_the_current_one_and_ends_all_sessions(tmp_path):
    server = HostApp(tmp_path).start()
    try:
        _, headers = login(server)
        h = dict(FORM, Cookie=cookie_of(headers))
        wrong = form(current='wrong one', password='new pass 1', confirm='new pass 1')
        status, _, body = server.request('/password', wrong, 'POST', h, auth=False)
        assert status == 401 and b'current password is wrong' in body
        time.sleep(1.1)
        assert server.request('/password', form(current=PASSWORD, password='short',
                                                confirm='short'), 'POST', h, auth=False)[0] == 400
        assert server.request('/password', form(current=PASSWORD, password='new pass 1',
                                                confirm='new pass 2'), 'POST', h,
                              auth=False)[0] == 400
        status, out, _ = server.request('/password', form(current=PASSWORD, password='new pass 1',
                                                          confirm='new pass 1'), 'POST', h,
                                        auth=False)
        assert status == 303 and out['Location'] == '/'
        assert server.request('/api/status', headers=h, auth=False)[0] == 401  # old session
        assert server.request('/api/status', headers={'Cookie': cookie_of(out)},
                              auth=False)[0] == 200  # this browser's new one
        assert server.request('/api/status')[0] == 401  # the old password
        time.sleep(1.1)  # (the throttle's wait after that failure)
        server.password = 'new pass 1'
        assert server.request('/api/status')[0] == 200
        assert 'new pass 1' not in open(os.path.join(server.fs, 'config.json')).read()
        # a restart ends every session
        _, headers = login(server, 'new pass 1')
        h = {'Cookie': cookie_of(headers)}
        assert server.request('/api/status', headers=h, auth=False)[0] == 200
        mark = len(server.lines)
        assert server.json('/api/restart', method='POST')[0] == 202
        server.wait_for('Starting async server', after=mark + 1)
        assert server.request('/api/status', headers=h, auth=False)[0] == 401
        assert server.request('/api/status')[0] == 200
    finally:
        server.stop()


# --- a board without a password, and sessions that expire ----------------------------------------

def test_a_board_without_a_password_asks_for_one_before_anything_else(tmp_path):
    server = HostApp(tmp_path, password=None, config={'session_s': 2}).start()
    try:
        status, headers, _ = server.request('/')
        assert status == 302 and headers['Location'] == '/password'
        assert server.request('/login')[2] == b'' and server.request('/login')[0] == 302
        for path, method, body in CHANGES[:-1]:
            status, _, raw = server.request(path, body, method, JSON)
            assert status == 403 and b'set one at /password' in raw, path
        status, _, body = server.request('/password')
        assert status == 200 and b'Set a password' in body and b'current' not in body
        assert server.request('/password', form(password='short', confirm='short'), 'POST',
                              FORM)[0] == 400
        assert server.request('/password', form(password='abcdefgh', confirm='abcdefgX'), 'POST',
                              FORM)[0] == 400
        evil = dict(FORM, Origin='http://evil.example')
        assert server.request('/password', form(password='abcdefgh', confirm='abcdefgh'), 'POST',
                              evil)[0] == 403
        status, headers, _ = server.request('/password', form(password='first pass',
                                                              confirm='first pass'), 'POST', FORM)
        assert status == 303 and headers['Location'] == '/'
        h = {'Cookie': cookie_of(headers)}
        assert server.request('/', headers=h)[0] == 200
        record = json.load(open(os.path.join(server.fs, 'config.json')))['owner']
        assert record.startswith('pbkdf2-sha256$') and 'first pass' not in record
        # now it is set, /password needs the owner like everything else
        status, headers, _ = server.request('/password')
        assert status == 302 and headers['Location'].startswith('/login')
        assert server.request('/password', form(password='taken over', confirm='taken over'),
                              'POST', FORM)[0] == 401
        # the session ends 2 s (session_s) after its last use
        time.sleep(1)
        assert server.request('/api/status', headers=h)[0] == 200  # use extends it
        time.sleep(2.5)
        assert server.request('/api/status', headers=h)[0] == 401
    finally:
        server.stop()
