"""The device web UI (app/) over real sockets, served exactly as `make run` serves it:
scripts/run_host.py on the MicroPython unix port with the simulated board, in a temporary
board filesystem. One behaviour per test; the browser test (test_browser.py) drives the page."""
import base64
import gzip
import http.client
import json
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.request


from support.console import ConsoleProcess
from support.servers import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASSWORD = 'owner of the board'


def basic(password=PASSWORD, user='admin'):
    """The Authorization header value of HTTP Basic credentials."""
    return 'Basic ' + base64.b64encode(('%s:%s' % (user, password)).encode()).decode()


class HostApp(ConsoleProcess):
    """`make run`'s server (scripts/run_host.py) on a free port with its own board filesystem.
    With `password`, the board's config.json (the first one, or one the test wrote) holds that
    owner password (and the settings in `config`), and requests send it (HTTP Basic) unless
    told otherwise (``auth=False`` or an Authorization header of their own)."""

    name = 'server'
    wait_timeout = 20

    def __init__(self, fs, *options, password=PASSWORD, config=None):
        self.fs = str(fs)
        self.port = free_port()
        self.options = list(options)
        self.lines = []
        self.password = password
        if password or config:  # added to a config.json the test wrote, else to the first one
            sys.path.insert(0, os.path.join(ROOT, 'scripts'))
            from run_host import FIRST_CONFIG
            from device import owner
            os.makedirs(self.fs, exist_ok=True)
            path = os.path.join(self.fs, 'config.json')
            cfg = dict(FIRST_CONFIG)
            if os.path.exists(path):
                with open(path) as f:
                    cfg = json.load(f)
            if password:
                cfg['owner'] = owner.make(password)
            cfg.update(config or {})
            with open(path, 'w') as f:
                json.dump(cfg, f)

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def start(self, timeout=60):
        cmd = [sys.executable, os.path.join(ROOT, 'scripts', 'run_host.py'), '--host',
               '127.0.0.1', '--port', str(self.port), '--fs', self.fs] + self.options
        self.launch(cmd, cwd=ROOT)
        self.wait_for('Starting async server', timeout)
        return self

    def restart(self):
        """The UI's Restart (machine.reset()): waits until the board has booted again and
        serves, and returns its /api/status."""
        mark = len(self.lines)
        assert self.json('/api/restart', method='POST') == (202, {'restarting': True})
        self.wait_for('run: the board reset', after=mark)
        self.wait_for('Starting async server', after=mark + 1)
        status, s = self.json('/api/status')
        assert status == 200, s
        return s

    def saved(self):
        """The settings as saved on the board (its config.json)."""
        with open(os.path.join(self.fs, 'config.json')) as f:
            return json.load(f)

    def request(self, path, data=None, method=None, headers=None, timeout=10, auth=True):
        """(status, headers, body bytes). Redirects are not followed."""
        h = dict(headers or {})
        if auth and self.password and 'Authorization' not in h:
            h['Authorization'] = basic(self.password)
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=h)
        try:
            with _OPENER.open(req, timeout=timeout) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def json(self, path, body=None, method=None, headers=None, auth=True):
        """(status, parsed JSON) of a request with an optional JSON body."""
        h = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h['Content-Type'] = 'application/json'
        status, _, raw = self.request(path, data, method, h, auth=auth)
        return status, json.loads(raw) if raw else None

    def upload(self, files, folder=None, headers=None, names=True):
        """POST /api/files with a multipart body: `files` is [(filename, bytes)], announced
        first in the `names` field as the page does (`names=False`: no such field)."""
        boundary = 'testboundary7MA4YWxkTrZu0gW'
        parts = []
        fields = [('dir', folder)] if folder is not None else []
        if names and files:
            fields.append(('names', '\n'.join(name for name, _ in files)))
        for key, value in fields:
            parts.append(b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                         % (boundary.encode(), key.encode(), value.encode()))
        for name, content in files:
            parts.append(b'--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
                         b'Content-Type: application/octet-stream\r\n\r\n%s\r\n'
                         % (boundary.encode(), name.encode(), content))
        body = b''.join(parts) + b'--%s--\r\n' % boundary.encode()
        h = {'Content-Type': 'multipart/form-data; boundary=' + boundary}
        h.update(headers or {})
        status, headers, raw = self.request('/api/files', body, 'POST', h)
        if 'json' not in headers.get('Content-Type', ''):
            return status, raw.decode()
        return status, json.loads(raw)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def read_events(port, count, timeout=10, on_open=None, password=PASSWORD):
    """The first `count` Server-Sent Events of /api/events as (event, data) pairs."""
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
    conn.request('GET', '/api/events', headers={'Authorization': basic(password)})
    res = conn.getresponse()
    assert res.status == 200
    assert res.getheader('Content-Type').startswith('text/event-stream')
    if on_open:
        on_open()
    events, event, deadline = [], None, time.monotonic() + timeout
    try:
        while len(events) < count and time.monotonic() < deadline:
            line = res.fp.readline().decode().rstrip('\r\n')
            if line.startswith('event: '):
                event = line[7:]
            elif line.startswith('data: '):
                events.append((event, json.loads(line[6:])))
    finally:
        conn.close()
    return events


# --- first run, dashboard, assets ------------------------------------------------------------

def test_first_run_sets_up_the_simulated_board(app):
    config = json.load(open(os.path.join(app.fs, 'config.json')))
    assert config['networks'][0]['ssid'] == 'SimNet'
    assert os.path.exists(os.path.join(app.fs, 'main.py'))
    assert 'run: the device UI is at %s/' % app.url in app.output
    assert "wifi: connected to 'SimNet'" in app.output


def test_status_reports_device_memory_filesystem_and_network(app):
    status, s = app.json('/api/status')
    assert status == 200
    assert s['name'] == 'microdot-sim'
    assert s['micropython'].startswith('1.')
    assert s['board'] and s['platform'] == 'linux'
    assert s['heap_free'] > 0 and s['heap_used'] > 0
    assert s['fs_total'] >= s['fs_free'] > 0
    assert s['wifi'] == {'mode': 'station', 'connected': True, 'ssid': 'SimNet', 'ip': '127.0.0.1'}
    assert s['rssi'] == -48
    assert s['temperature'] is None  # the unix port has no sensor
    assert isinstance(s['uptime'], int)


def test_dashboard_page_is_static_and_its_script_fills_it_from_the_api(app):
    """The page at / is the gzipped static/index.html (the heap of a file send, not of a
    template), revalidated by its ETag; the values come from /api/status (test_browser.py
    shows them filled in)."""
    status, headers, body = app.request('/', headers={'Accept-Encoding': 'gzip'})
    assert status == 200 and headers['Content-Type'].startswith('text/html')
    assert headers['Content-Encoding'] == 'gzip' and headers['Cache-Control'] == 'no-cache'
    page = gzip.decompress(body).decode()
    with open(os.path.join(ROOT, 'app', 'static', 'index.html')) as f:
        assert page.split('/static/')[0] == f.read().split('@static/')[0]
    assert re.search(r'/static/app\.css\?v=\w{10}"', page) and \
        re.search(r'/static/app\.js\?v=\w{10}"', page)
    assert '<meta name="viewport"' in page and '<dd id="ssid">' in page
    assert app.request('/', headers={'If-None-Match': headers['ETag'],
                                     'Accept-Encoding': 'gzip'})[0] == 304
    assert app.request('/', auth=False)[0] == 302  # the owner's page still
    assert app.json('/api/status')[1]['wifi']['ssid'] == 'SimNet'


def test_assets_are_served_gzipped_with_an_etag_and_long_cache(app):
    status, headers, body = app.request('/static/app.js?v=1', headers={'Accept-Encoding': 'gzip'})
    assert status == 200
    assert headers['Content-Encoding'] == 'gzip'
    assert headers['Content-Type'].startswith('application/javascript')
    assert 'immutable' in headers['Cache-Control']
    with open(os.path.join(ROOT, 'app', 'static', 'app.js'), 'rb') as f:
        assert gzip.decompress(body) == f.read()
    status, headers2, body = app.request('/static/app.js', headers={
        'If-None-Match': headers['ETag'], 'Accept-Encoding': 'gzip'})
    assert status == 304 and body == b''
    assert headers2['Cache-Control'] == 'no-cache'


def test_a_page_the_board_has_no_heap_for_is_a_503_page_that_loads_itself_again():
    """ui.busy, what the page handlers answer to a MemoryError (on a small heap it cannot be
    forced at will): 503, Retry-After, and a page that reloads itself, never the server's
    plain-text 503 a browser would stop at."""
    sys.path.insert(0, os.path.join(ROOT, 'app'))
    try:
        import ui
        body, status, headers = ui.busy()
    finally:
        sys.path.remove(os.path.join(ROOT, 'app'))
        sys.modules.pop('ui', None)
    assert status == 503 and headers['Retry-After'] == '2'
    assert headers['Content-Type'].startswith('text/html')
    assert b'<meta http-equiv="refresh" content="2">' in body


def test_unknown_asset_is_404(app):
    assert app.request('/static/nothing.js')[0] == 404
    assert app.request('/static/..%2fconfig.json')[0] == 404


def test_build_keeps_the_assets_under_20_kb_gzipped():
    sys.path.insert(0, os.path.join(ROOT, 'scripts'))
    import build_assets
    sizes = build_assets.main(['--quiet'])
    assert set(sizes) == {'static/app.css', 'static/app.js', 'static/firmware.js',
                          'static/index.html', 'static/login.html', 'static/settings.html',
                          'static/settings.js'}
    assert sum(sizes.values()) < 20 * 1024


def test_api_answers_a_wrong_method_with_405_and_unknown_paths_with_404(app):
    status, headers, body = app.request('/api/status', b'{}', 'POST')
    assert status == 405 and headers['Allow'] == 'GET'
    assert json.loads(body) == {'error': 'method not allowed'}
    assert app.request('/api/pins', b'', 'DELETE')[0] == 405
    assert app.request('/api/wifi/other')[0] == 404
    assert app.request('/api/nothing')[0] == 404
    assert app.request('/api/status', method='HEAD')[0] == 200


def test_routes_of_your_own_under_api_still_work(app):
    assert app.json('/api/hello?name=board') == (200, {'hello': 'board'})


# --- controls ----------------------------------------------------------------------------------

def test_led_switches_on_and_off_and_the_api_agrees(app):
    status, led = app.json('/api/pins/led', {'on': True})
    assert status == 200 and led['on'] is True and led['level'] == 100
    assert [p for p in app.json('/api/pins')[1] if p['name'] == 'led'][0]['on'] is True
    status, led = app.json('/api/pins/led', {'on': False})
    assert led['on'] is False and app.json('/api/pins/led')[1]['on'] is False


def test_pins_named_in_the_config_are_listed(app):
    names = [p['name'] for p in app.json('/api/pins')[1]]
    assert names == ['button', 'fan', 'led', 'relay']  # safe_mode is an input of the boot package


def test_pin_accepts_form_and_query_parameters(app):
    status, _, body = app.request('/api/pins/relay?on=1', data=b'', method='POST')
    assert status == 200 and json.loads(body)['on'] is True
    status, _, body = app.request('/api/pins/relay', data=b'on=0', method='POST', headers={
        'Content-Type': 'application/x-www-form-urlencoded'})
    assert status == 200 and json.loads(body)['on'] is False


def test_bad_pin_requests_get_4xx_and_the_server_keeps_serving(app):
    assert app.json('/api/pins/nope', {'on': True})[0] == 404
    assert app.json('/api/pins/led', {'level': 'bright'})[0] == 400
    assert app.json('/api/pins/led', {'level': 150})[0] == 400
    assert app.json('/api/pins/led', {'colour': 'red'})[0] == 400
    status, _, body = app.request('/api/pins/led', b'{"level": 1e999}', 'POST',
                                  {'Content-Type': 'application/json'})
    assert status == 400 and b'level' in body  # not a 500 (OverflowError)
    status, _, _ = app.request('/api/pins/led', b'{nope', 'POST', {'Content-Type': 'application/json'})
    assert status == 400
    assert app.json('/api/status')[0] == 200


def test_pwm_level_dims_a_pin_and_full_levels_switch_it(app):
    assert app.json('/api/pins/fan')[1]['pwm'] is True
    status, fan = app.json('/api/pins/fan', {'level': 40})
    assert status == 200 and fan['level'] == 40 and fan['on'] is True
    app.wait_for('[sim] PWM pin 4 duty_u16 %d' % (40 * 65535 // 100), timeout=5)  # the hardware
    assert app.json('/api/pins/fan')[1]['level'] == 40
    status, fan = app.json('/api/pins/fan', {'level': 0})
    assert status == 200 and fan['on'] is False and fan['level'] == 0
    app.wait_for('[sim] PWM pin 4 off', timeout=5)


def test_cross_site_requests_cannot_drive_the_device(app):
    status, body = app.json('/api/pins/led', {'on': True}, headers={'Origin': 'http://evil.example'})
    assert status == 403
    status, _ = app.json('/api/pins/led', {'on': False}, headers={
        'Origin': 'http://127.0.0.1:%d' % app.port, 'Sec-Fetch-Site': 'same-origin'})
    assert status == 200


# --- live data -----------------------------------------------------------------------------------

def test_live_stream_starts_with_pins_and_log_then_live_values(app):
    events = read_events(app.port, 4, timeout=10)
    kinds = [e for e, _ in events]
    assert kinds[:3] == ['pins', 'log', 'live']
    assert {'uptime', 'heap_free', 'heap_used', 'rssi', 'temperature', 'wifi'} <= set(events[2][1])
    assert events[2][1]['wifi']['ssid'] == 'SimNet'
    assert events[3][0] == 'live' and events[3][1]['uptime'] > events[2][1]['uptime'] - 1


def test_a_change_is_pushed_to_every_open_stream(app):
    def toggle():
        time.sleep(0.3)
        app.json('/api/pins/relay', {'on': True})
    events = read_events(app.port, 8, timeout=8, on_open=lambda: threading.Thread(
        target=toggle).start())
    pins = [data for event, data in events if event == 'pins']
    relay = [p for p in pins[-1] if p['name'] == 'relay'][0]
    assert len(pins) >= 2 and relay['on'] is True
    app.json('/api/pins/relay', {'on': False})


# --- Wi-Fi -------------------------------------------------------------------------------------

def test_scan_lists_the_simulated_networks_strongest_first(app):
    status, nets = app.json('/api/wifi/scan')
    assert status == 200
    assert [n['ssid'] for n in nets] == ['SimNet', 'Neighbours', 'Cafe Guest']
    assert nets[2]['secure'] is False and nets[0]['secure'] is True


def test_connect_saves_the_network_joins_it_and_forget_removes_it(app):
    status, body = app.json('/api/wifi', {'ssid': 'Neighbours', 'password': 'secret123'})
    assert status == 202 and body['connecting'] == 'Neighbours'
    assert body['saved'] == ['SimNet', 'Neighbours'] and body['unverified'] == ['Neighbours']
    deadline = time.monotonic() + 10
    while app.json('/api/wifi')[1]['status']['ssid'] != 'Neighbours':
        assert time.monotonic() < deadline, app.output
        time.sleep(0.2)
    saved = json.load(open(os.path.join(app.fs, 'config.json')))['networks']
    assert saved[0] == {'ssid': 'Neighbours', 'password': 'secret123'}
    status, body = app.json('/api/wifi?ssid=Neighbours', method='DELETE')
    assert status == 200 and body['saved'] == ['SimNet']
    status, body = app.json('/api/wifi?ssid=Neighbours', method='DELETE')  # a retry
    assert status == 200 and body['saved'] == ['SimNet']
    assert app.json('/api/wifi?ssid=Nowhere', method='DELETE')[0] == 404
    app.json('/api/wifi', {'ssid': 'SimNet', 'password': 'simulated'})
    app.wait_for("wifi: joined SimNet")


def test_wifi_settings_reject_bad_input(app):
    assert app.json('/api/wifi', {'password': 'x'})[0] == 400
    assert app.json('/api/wifi', {'ssid': 'x' * 40})[0] == 400
    assert app.json('/api/wifi', method='DELETE')[0] == 400


# --- app update and log --------------------------------------------------------------------------

def test_upload_lands_in_the_folder_and_is_listed(app):
    status, body = app.upload([('notes.txt', b'hello board\n'), ('b.bin', bytes(range(256)) * 8)],
                              folder='data')
    assert status == 201
    assert body['files'] == [{'name': 'data/notes.txt', 'size': 12},
                             {'name': 'data/b.bin', 'size': 2048}]
    with open(os.path.join(app.fs, 'data', 'b.bin'), 'rb') as f:
        assert f.read() == bytes(range(256)) * 8
    assert not [n for n in os.listdir(os.path.join(app.fs, 'data')) if n.endswith('.new')]
    listing = app.json('/api/files?dir=data')[1]
    assert {'name': 'notes.txt', 'size': 12, 'dir': False} in listing
    assert {'name': 'data', 'size': 0, 'dir': True} in app.json('/api/files')[1]


def test_refused_upload_leaves_the_old_files_untouched(app):
    app.upload([('keep.txt', b'old')])
    status, body = app.upload([('keep.txt', b'new'), ('../escape.py', b'x')])
    assert status == 400 and 'bad file name' in body['error']
    with open(os.path.join(app.fs, 'keep.txt'), 'rb') as f:
        assert f.read() == b'old'
    assert not os.path.exists(os.path.join(app.fs, 'keep.txt.new'))
    assert not os.path.exists(os.path.join(os.path.dirname(app.fs), 'escape.py'))


def test_upload_over_the_size_limit_is_413(app):
    status, body = app.upload([('big.bin', b'x' * (130 * 1024))])
    assert status == 413
    assert not os.path.exists(os.path.join(app.fs, 'big.bin'))
    assert app.json('/api/status')[0] == 200


def test_upload_without_a_file_or_not_multipart_is_400(app):
    assert app.upload([], folder='x')[0] == 400
    assert app.request('/api/files', b'abc', 'POST', {'Content-Type': 'text/plain'})[0] == 400


def test_log_records_what_happened(app):
    app.json('/api/pins/led', {'on': True})
    texts = [line['text'] for line in app.json('/api/log')[1]]
    assert texts[-1] == 'pin led level 100'
    assert any(t.startswith('update: wrote data/notes.txt') for t in texts) or len(texts) == 30


# --- restart (last: it reboots the board) --------------------------------------------------------

def test_restart_reboots_the_board_which_then_serves_again(app):
    assert app.restart()['uptime'] < 5


# --- the ESP8266-class heap ---------------------------------------------------------------------

SMALL_HEAP_UPLOAD = '64wK'


def test_app_answers_its_pages_in_a_small_heap_with_mpy_bytecode(tmp_path):
    """The app as .mpy; frozen/ and the simulation in a ROMFS image (imported in place, like
    frozen code); the heap is `SMALL_HEAP_UPLOAD` beyond the image (see docs/web-ui.md for the
    other figures).

    The upload after the live stream is what needs the most: at 58wK it passed (with the
    stream's heap given back at once, Listener.accept_loop) until the upload's 'names' check
    (f46fff9) made ui.update larger; since then it fails at 58wK every time (MemoryError
    importing device.install, 503) and passed at 59wK and 60wK, until device.install grew
    again (restore removing added files, 3a16474) and the request head became bytes (c2b8c03):
    at 60wK it then failed 3 runs in 5, at 62wK and 64wK it passed 6 of 6. Lower it as heap is
    won back."""
    server = HostApp(tmp_path, '--rom', '--heapsize', SMALL_HEAP_UPLOAD).start()
    try:
        assert os.path.exists(os.path.join(server.fs, 'main.mpy'))
        assert not os.path.exists(os.path.join(server.fs, 'main.py'))
        line = [ln for ln in server.lines if 'heap free after the app started' in ln][0]
        print(line)
        assert server.request('/')[0] == 200
        for asset in ('app.css', 'app.js'):
            assert server.request('/static/%s?v=1' % asset,
                                  headers={'Accept-Encoding': 'gzip'})[0] == 200
        for path in ('/api/status', '/api/pins', '/api/wifi', '/api/files', '/api/log'):
            assert server.request(path)[0] == 200, (path, server.output)
        status, _, body = server.request('/api/pins/led', b'{"on": true}', 'POST',
                                         {'Content-Type': 'application/json'})
        assert status == 200 and json.loads(body)['on'] is True, server.output
        assert [e for e, _ in read_events(server.port, 3)] == ['pins', 'log', 'live']
        # at once, one try: the server ends the stream its client left before it serves the
        # next connection (microdot.server Listener.accept_loop; the watchdog alone takes up to
        # 0.1 s, and an upload sent sooner met the dead stream's heap: 503)
        status = server.upload([('x.txt', b'small')])[0]
        assert status == 201, server.output
        assert server.request('/api/status')[0] == 200, server.output
        for path in ('/settings', '/static/settings.js', '/api/settings', '/api/backup'):
            assert server.request(path, headers={'Accept-Encoding': 'gzip'})[0] == 200, \
                (path, server.output)
    finally:
        server.stop()


def test_settings_are_saved_in_the_same_small_heap(tmp_path):
    """The settings page's save on the heap of the test above, on a fresh board (measured: after
    the live stream and an upload in that heap, a save was answered 503, MemoryError)."""
    server = HostApp(tmp_path, '--rom', '--heapsize', '58wK').start()
    try:
        status, _, body = server.request('/api/settings', b'{"hostname": "small"}', 'POST',
                                         {'Content-Type': 'application/json'})
        assert status == 200 and json.loads(body)['hostname'] == 'small', server.output
        with open(os.path.join(server.fs, 'config.json')) as f:
            assert json.load(f)['hostname'] == 'small'
        assert server.request('/api/status')[0] == 200, server.output
    finally:
        server.stop()


ESP8266_DASHBOARD_HEAP = '60wK'


def test_dashboard_loads_whole_on_the_esp8266_profile_with_its_live_stream_open(tmp_path):
    """A browser's dashboard visit over real HTTP on the ESP8266 profile of make run-esp8266
    (.mpy app, frozen/ in ROMFS, 3 connections): log in, the page and its assets whole, then
    the live stream held open while the page's API calls are answered, all 200.

    `ESP8266_DASHBOARD_HEAP` is the lowest heap this passes at every run today. (With the
    dashboard as a static page 58wK passed 10 of 10 on one day and about half the runs the
    next: the margin there is a few hundred bytes.) At 56wK (make run-esp8266's
    default) the API calls get 503 while the stream is open: since 789df22, where this fitted
    56wK, free heap after boot fell from 68 KB to 40 KB (64-bit port; ui.auth and the routes,
    device.config/launcher/wifi, the framework, and a 6th qstr pool of 7 KB now allocated at
    boot), and what a page view leaves is in pieces (docs/memory.md). Keep it green here so
    that it gets no worse; lower it as heap is won back."""
    server = HostApp(tmp_path, '--rom', '--heapsize', ESP8266_DASHBOARD_HEAP,
                     '--max-connections', '3').start()
    try:
        host = {'Host': '127.0.0.1:%d' % server.port}
        form = ('password=%s&next=/' % PASSWORD.replace(' ', '+')).encode()
        status, headers, _ = server.request(
            '/login', form, 'POST', dict(host, **{'Content-Type':
                                                  'application/x-www-form-urlencoded'}),
            auth=False)
        assert status == 303, server.output
        cookie = {'Cookie': headers['Set-Cookie'].split(';')[0]}
        status, headers, page = server.request(
            '/', headers=dict(cookie, **{'Accept-Encoding': 'gzip'}), auth=False)
        page = gzip.decompress(page)  # a static page, stored gzipped
        assert status == 200 and page.rstrip().endswith(b'</html>'), server.output
        assets = re.findall(rb'/static/[\w.]+\?v=\w+', page)
        assert len(assets) >= 2
        for path in assets:
            status, headers, body = server.request(
                path.decode(), headers=dict(cookie, **{'Accept-Encoding': 'gzip'}), auth=False)
            assert status == 200 and len(body) == int(headers['Content-Length']), path
        stream = http.client.HTTPConnection('127.0.0.1', server.port, timeout=10)
        try:
            stream.request('GET', '/api/events', headers=cookie)
            res = stream.getresponse()
            assert res.status == 200, server.output
            while not res.fp.readline().startswith(b'data: '):
                pass
            for path in ('/api/wifi', '/api/files', '/api/firmware', '/api/status',
                         '/api/pins'):
                status, _, body = server.request(path, headers=cookie, auth=False)
                assert status == 200, (path, body, server.output)
                json.loads(body)
        finally:
            stream.close()
    finally:
        server.stop()
