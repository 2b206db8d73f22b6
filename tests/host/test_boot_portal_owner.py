"""The setup and recovery portal under attack, on the simulated board: request limits (deadline,
line and header limits, connection cap), the cross-site check on every POST, the owner password
(asked at first setup, needed for every change, throttled, replaceable in safe mode only) and
the setup network's own WPA2 password."""
import json
import os
import socket
import time
import urllib.parse

from device import owner  # frozen/ is on the test path (tests/conftest.py)
from test_boot_portal import CAFE, HOME, OWNER, start_ap

PASSWORD = 'device password'


def owned(board, **config):
    """A board that has an owner password and falls back to its access point."""
    cfg = {'networks': [{'ssid': 'home', 'password': 'wrong'}], 'owner': owner.make(PASSWORD)}
    cfg.update(config)
    return start_ap(board, cfg)


def post(board, path, headers=None, **fields):
    req_headers = {'Content-Type': 'application/x-www-form-urlencoded'}
    req_headers.update(headers or {})
    return board.http(path, urllib.parse.urlencode(fields).encode(), headers=req_headers)


def raw(board, data, wait=5.0):
    s = socket.create_connection(('127.0.0.1', board.port), timeout=wait)
    try:
        s.sendall(data)
        return s.recv(1000)
    finally:
        s.close()


# --- first setup ---------------------------------------------------------------------------------

def test_first_setup_asks_for_an_owner_password_with_the_network(board):
    start_ap(board)
    body = board.http('/setup')[2]
    assert 'name=owner ' in body and 'name=owner2 ' in body
    for fields, reason in (({'ssid': 'home', 'password': 'secret'}, '8 to 64 characters'),
                           (dict(OWNER, owner2='something else', ssid='home'), 'differ'),
                           ({'owner': 'short', 'owner2': 'short', 'ssid': 'home'}, '8 to 64')):
        status, _, body = post(board, '/setup', **fields)
        assert status == 400 and reason in body, fields
    assert board.proc.poll() is None
    assert 'config.json' not in os.listdir(board.fs)  # nothing saved


# --- the cross-site check ------------------------------------------------------------------------

def test_a_post_from_another_site_is_refused(board):
    start_ap(board)
    for headers in ({'Origin': 'http://evil.example'}, {'Sec-Fetch-Site': 'cross-site'},
                    {'Origin': 'null'}, {'Sec-Fetch-Site': 'same-site'}):
        for path, fields in (('/reboot', {}), ('/setup', dict(OWNER, ssid='home')),
                             ('/forget', {'ssid': 'home'}), ('/leave-safe-mode', {})):
            status, _, body = post(board, path, headers, **fields)
            assert status == 403 and 'cross-site' in body, (path, headers)
    time.sleep(0.7)
    assert board.proc.poll() is None  # no reboot
    assert 'config.json' not in os.listdir(board.fs)
    # the page's own form posts (same origin) still work
    headers = {'Origin': 'http://127.0.0.1:%d' % board.port, 'Sec-Fetch-Site': 'same-origin'}
    assert post(board, '/setup', headers, **dict(OWNER, ssid='home', password='secret'))[0] == 200
    assert board.wait_exit() == 77


# --- the owner password --------------------------------------------------------------------------

def test_with_an_owner_every_change_needs_the_password(board):
    owned(board)
    body = board.http('/setup')[2]
    assert 'name=owner ' in body and 'name=owner2' not in body  # one field: the password
    for (path, fields), wait in ((('/setup', {'ssid': 'evil', 'password': 'evilpass'}), 1),
                                 (('/forget', {'ssid': 'home'}), 2), (('/reboot', {}), 4)):
        status, _, body = post(board, path, **fields)
        assert status == 401 and 'Wrong device password' in body, path
        time.sleep(wait + 0.1)  # the throttle's growing wait
    saved = json.loads(board.read('config.json'))
    assert [n['ssid'] for n in saved['networks']] == ['home']
    assert board.proc.poll() is None
    assert post(board, '/forget', owner=PASSWORD, ssid='home')[0] == 302
    assert json.loads(board.read('config.json'))['networks'] == []
    assert post(board, '/reboot', owner=PASSWORD)[0] == 200
    assert board.wait_exit() == 77


def test_wrong_passwords_are_throttled_per_client(board):
    owned(board)
    assert post(board, '/reboot', owner='guess one')[0] == 401
    status, _, body = post(board, '/reboot', owner=PASSWORD)  # held back: not even checked
    assert status == 429 and 'wait 1 s' in body
    time.sleep(1.1)
    assert post(board, '/reboot', owner='guess two')[0] == 401
    status, _, body = post(board, '/reboot', owner='guess three')
    assert status == 429 and 'wait 2 s' in body
    assert board.proc.poll() is None
    time.sleep(2.1)
    assert post(board, '/reboot', owner=PASSWORD)[0] == 200
    assert board.wait_exit() == 77


def test_safe_mode_sets_a_new_password_without_the_old_one(board):
    board.world(networks=[HOME])
    board.write('config.json', {'networks': [HOME], 'owner': owner.make('forgotten one')})
    board.write('main.py', 'from microdot import Microdot\napp = Microdot()\n')
    board.write('safemode', '')
    board.boot()
    board.wait_for('portal: serving on port')
    body = board.http('/')[2]
    assert 'New device password' in body
    status, _, body = post(board, '/setup', ssid='home', password='secret',
                           owner='a new password', owner2='a new password')
    assert status == 200 and 'Saved' in body
    assert board.wait_exit() == 77
    record = json.loads(board.read('config.json'))['owner']
    assert owner.matches(record, 'a new password') and not owner.matches(record, 'forgotten one')


def test_the_recovery_page_on_the_lan_needs_the_password_too(board):
    board.world(networks=[HOME])
    board.write('config.json', {'networks': [HOME], 'owner': owner.make(PASSWORD)})
    board.write('main.py', 'import no_such_module\n')
    board.boot()
    board.wait_for('portal: serving on port')
    assert 'name=owner ' in board.http('/')[2]
    assert post(board, '/reboot')[0] == 401
    # DNS rebinding: another name for the device is sent to the setup page, nothing runs
    time.sleep(1.1)
    for host in ('evil.example', 'microdot.evil.example',
                 '127.0.0.1.evil.example:%d' % board.port):
        status, headers, _ = post(board, '/reboot', {'Host': host}, owner=PASSWORD)
        assert status == 302 and headers['Location'].endswith('/setup'), host
    time.sleep(0.7)
    assert board.proc.poll() is None
    for host in ('microdot', 'MICRODOT.local', '127.0.0.1:%d' % board.port):  # its own names
        assert board.http('/setup', host=host)[0] == 200, host
    assert post(board, '/reboot', owner=PASSWORD)[0] == 200
    assert board.wait_exit() == 77


# --- limits --------------------------------------------------------------------------------------

def test_long_lines_and_too_many_headers_are_400(board):
    start_ap(board)
    assert raw(board, b'GET /' + b'a' * 1000 + b' HTTP/1.0\r\n\r\n').startswith(b'HTTP/1.0 400')
    assert raw(board, b'GET / HTTP/1.0\r\nX: ' + b'b' * 1000 + b'\r\n\r\n').startswith(
        b'HTTP/1.0 400')
    many = b''.join(b'X-%d: y\r\n' % i for i in range(40))
    assert raw(board, b'GET /setup HTTP/1.0\r\n' + many + b'\r\n').startswith(b'HTTP/1.0 400')
    assert board.http('/setup')[0] == 200


def test_a_request_that_never_finishes_is_dropped_after_the_deadline(board):
    start_ap(board)
    s = socket.create_connection(('127.0.0.1', board.port), timeout=10)
    try:
        s.sendall(b'GET /setup HTTP/1.0\r\nHost: 127.0.0.1\r\n')  # and then nothing
        start = time.monotonic()
        reply = s.recv(1000)
        assert reply.startswith(b'HTTP/1.0 408') and time.monotonic() - start < 9
    finally:
        s.close()
    assert board.http('/setup')[0] == 200


def test_connections_beyond_the_cap_get_503_and_the_portal_recovers(board):
    start_ap(board)
    idle = [socket.create_connection(('127.0.0.1', board.port), timeout=10) for _ in range(3)]
    try:
        time.sleep(0.3)
        reply = raw(board, b'GET /setup HTTP/1.0\r\n\r\n')
        assert reply.startswith(b'HTTP/1.0 503') and b'Retry-After' in reply
    finally:
        for s in idle:
            s.close()
    time.sleep(0.5)
    assert board.http('/setup')[0] == 200


# --- the setup network's password ----------------------------------------------------------------

def test_auto_gives_the_setup_network_its_own_password_printed_at_boot(board):
    start_ap(board, {'ap_password': 'auto'})
    saved = json.loads(board.read('config.json'))['ap_password']
    assert len(saved) == 12 and saved != 'auto' and saved.isalnum()
    assert "at 127.0.0.1 (WPA2, password %s)" % saved in board.output
    assert '(open)' not in board.output
    board.stop()
    board.lines.clear()
    board.boot(connect_timeout=1, retries=1)  # the next start keeps it
    board.wait_for('portal: serving on port')
    assert json.loads(board.read('config.json'))['ap_password'] == saved
    assert "(WPA2, password %s)" % saved in board.output


def test_the_default_setup_network_is_open(board):
    start_ap(board, {'networks': [{'ssid': 'home', 'password': 'wrong'}]})
    assert '(open)' in board.output and 'WPA2' not in board.output
    assert CAFE  # (the scanned networks of start_ap)
