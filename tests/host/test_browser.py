"""The device web UI in a real browser: Playwright drives Debian's Chromium (/usr/bin/chromium,
never a downloaded browser) against the server `make run` starts (scripts/run_host.py); the
fixtures `browser`, `open_page` and `app` are in conftest.py, the helpers in support/browser.py.
Screenshots go to test-artifacts/ (gitignored)."""
import json
import os
import socket
import time

import pytest
from playwright.sync_api import expect

from support.browser import shot
from support.design import check_usable
from test_app import PASSWORD, HostApp, basic


@pytest.fixture
def page(open_page, app):
    return open_page(app)


def test_dashboard_loads_with_status_and_controls(page):
    expect(page.locator('#name')).to_have_text('microdot-sim')
    expect(page.locator('#ssid')).to_have_text('SimNet')
    expect(page.locator('#ip')).to_have_text('127.0.0.1')
    expect(page.locator('#rssi')).to_contain_text('-48 dBm')
    expect(page.locator('#micropython')).to_contain_text('1.')
    expect(page.locator('#heap')).to_contain_text('kB')
    expect(page.locator('#fs')).to_contain_text('used of')
    expect(page.locator('#pins .pin')).to_have_count(4)
    expect(page.locator('#saved li')).to_have_text(['SimNetForget'])
    expect(page.locator('#log-lines li').first).to_contain_text('app started')
    shot(page, 'dashboard.png')


def test_a_live_value_changes_without_reloading(page):
    uptime = page.locator('#uptime')
    expect(uptime).to_contain_text('s')
    before = uptime.inner_text()
    expect(uptime).not_to_have_text(before, timeout=6000)  # pushed by the event stream


def test_toggling_the_led_changes_it_in_every_browser_and_the_api_agrees(page, open_page, app):
    other = open_page(app)
    toggle = page.locator('#pin-led .toggle')
    expect(toggle).to_have_attribute('aria-pressed', 'false')
    toggle.click()
    expect(toggle).to_have_attribute('aria-pressed', 'true')
    expect(toggle).to_have_text('On')
    assert app.json('/api/pins/led')[1]['on'] is True
    expect(other.locator('#pin-led .toggle')).to_have_attribute('aria-pressed', 'true')
    shot(other, 'led-on-second-browser.png')
    other.context.close()
    toggle.click()
    expect(toggle).to_have_attribute('aria-pressed', 'false')
    assert app.json('/api/pins/led')[1]['on'] is False


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_wifi_scan_and_form_submit_saves_the_network(open_page, tmp_path, size):
    app = HostApp(tmp_path / 'board').start()  # its own board: the joins move it
    try:
        wifi_join(open_page(app, size), app, size)
    finally:
        app.stop()


def wifi_join(page, app, size):
    """Scan, a wrong password (the failure, then back on the saved network), the right one
    (joined, saved first), then forget it."""
    page.click('#scan')
    expect(page.locator('#networks li')).to_have_count(3)
    # each with its signal bars (CSS) and, when secured, the lock (SVG), as on the setup page
    expect(page.locator('#networks li b.b')).to_have_count(3)
    expect(page.locator('#networks li', has_text='SimNet').locator('b.s4')).to_have_count(1)
    expect(page.locator('#networks li', has_text='Neighbours').locator('svg.k')).to_have_count(1)
    page.locator('#networks li', has_text='Neighbours').get_by_role('button').click()
    expect(page.locator('#wifi-form input[name=ssid]')).to_have_value('Neighbours')
    page.fill('#wifi-form input[name=password]', 'not the password')
    page.click('#wifi-form button[type=submit]')
    expect(page.locator('#wifi-msg')).to_contain_text('Joining \u201cNeighbours\u201d')
    expect(page.locator('#wifi-msg')).to_contain_text(
        'Could not join \u201cNeighbours\u201d: wrong password. Saved as not verified', timeout=15000)
    expect(page.locator('#wifi-msg')).to_have_class('msg bad')
    expect(page.locator('#saved li').last).to_contain_text('Neighboursnot verified')
    shot(page, 'wifi-wrong-password-%s.png' % size)
    check_usable(page)  # the message and the not-verified entry fit, controls usable
    expect(page.locator('#ssid')).to_have_text('SimNet', timeout=15000)  # back on SimNet
    page.fill('#wifi-form input[name=ssid]', 'Neighbours')
    page.fill('#wifi-form input[name=password]', 'secret123')
    page.click('#wifi-form button[type=submit]')
    expect(page.locator('#wifi-msg')).to_contain_text(
        'Joined \u201cNeighbours\u201d: the device is at http://127.0.0.1/ there, and at '
        'http://microdot-sim.local/', timeout=15000)
    expect(page.locator('#saved li').first).to_have_text('NeighboursForget')  # verified
    saved = json.load(open(os.path.join(app.fs, 'config.json')))['networks']
    assert saved[0] == {'ssid': 'Neighbours', 'password': 'secret123'}
    shot(page, 'wifi-%s.png' % size)
    page.locator('#saved li', has_text='Neighbours').get_by_role('button').click()
    expect(page.locator('#wifi-msg')).to_contain_text('Forgot')
    expect(page.locator('#saved li')).to_have_count(1)


def test_file_upload_lands_on_the_board(page, app, tmp_path):
    src = tmp_path / 'hello.py'
    src.write_text('print("hello from an upload")\n')
    page.fill('#upload-form input[name=dir]', 'lib')
    page.set_input_files('#upload-form input[name=file]', str(src))
    page.click('#upload-form button[type=submit]')
    expect(page.locator('#upload-msg')).to_contain_text('Uploaded lib/hello.py')
    with open(os.path.join(app.fs, 'lib', 'hello.py')) as f:
        assert f.read() == 'print("hello from an upload")\n'
    expect(page.locator('#files li', has_text='lib/')).to_have_count(1)
    expect(page.locator('#log-lines')).to_contain_text('update: wrote lib/hello.py')
    shot(page, 'upload.png')


def test_a_folder_typed_before_the_listing_arrives_is_kept_and_the_upload_lands_there(
        open_page, app, tmp_path):
    """The folder field follows the folder shown, but what the user typed wins: the listing of
    a slow board (held here until the folder is typed) set the field to the folder it shows,
    and the upload went there instead (a flaky test_file_upload_lands_on_the_board on a busy
    machine). The same when a folder opened by a click is typed in before its listing comes."""
    from support.browser import Held, log_in
    page = open_page()
    listing = Held(page, '/api/files')
    log_in(page, app)
    listing.wait()
    field = page.locator('#upload-form input[name=dir]')
    field.fill('early')
    listing.release()
    expect(page.locator('#files li').first).to_be_visible()
    expect(page.locator('#folder')).to_have_text('/')
    expect(field).to_have_value('early')
    src = tmp_path / 'race.py'
    src.write_text('x = "typed first"\n')
    page.set_input_files('#upload-form input[name=file]', str(src))
    page.click('#upload-form button[type=submit]')
    expect(page.locator('#upload-msg')).to_contain_text('Uploaded early/race.py')
    with open(os.path.join(app.fs, 'early', 'race.py')) as f:
        assert f.read() == 'x = "typed first"\n'
    assert not os.path.exists(os.path.join(app.fs, 'race.py'))
    expect(field).to_have_value('')  # the upload done, the field shows the folder shown again
    listing.held = True
    page.locator('#files a', has_text='early/').click()
    expect(field).to_have_value('early')  # a click chooses the folder at once
    listing.wait()
    field.fill('early/deeper')
    listing.release()
    expect(page.locator('#folder')).to_have_text('/early')
    expect(page.locator('#files li', has_text='race.py')).to_have_count(1)
    expect(field).to_have_value('early/deeper')


def test_a_folder_typed_and_files_chosen_while_an_upload_goes_are_kept(open_page, app, tmp_path):
    """The upload's answer cleared the whole form (reset()): a folder typed and files chosen
    for the next upload while this one went (held here) were lost."""
    from support.browser import Held
    page = open_page(app)
    for name in ('first.py', 'next.py'):
        (tmp_path / name).write_text('n = %r\n' % name)
    field, chooser = page.locator('#upload-form input[name=dir]'), '#upload-form input[name=file]'
    upload = Held(page, '/api/files', 'POST')
    field.fill('one')
    page.set_input_files(chooser, str(tmp_path / 'first.py'))
    page.click('#upload-form button[type=submit]')
    upload.wait()
    field.fill('two')
    page.set_input_files(chooser, str(tmp_path / 'next.py'))
    upload.release()
    expect(page.locator('#upload-msg')).to_contain_text('Uploaded one/first.py')
    assert os.path.exists(os.path.join(app.fs, 'one', 'first.py'))
    expect(field).to_have_value('two')
    assert page.eval_on_selector(chooser, 'e => [...e.files].map((f) => f.name)') == ['next.py']
    page.click('#upload-form button[type=submit]')  # and nothing typed meanwhile: cleared
    expect(page.locator('#upload-msg')).to_contain_text('Uploaded two/next.py')
    expect(field).to_have_value('')
    assert page.eval_on_selector(chooser, 'e => e.files.length') == 0


def test_an_upload_from_the_dashboard_works_on_the_esp8266_profile(open_page, tmp_path):
    """`make run-esp8266`'s board (ROMFS framework, 56wK, 3 connections), its dashboard live:
    an upload from the page installs the file, and the page is live again afterwards. The heap
    has room for the live stream or an upload, not both: the page pauses its stream while the
    files go. Before, the upload got "The device answered 503" after its five tries, 3 runs in
    3."""
    from support.browser import log_in
    server = HostApp(tmp_path, '--rom', '--heapsize', '56wK', '--max-connections', '3').start()
    try:
        page = open_page(size='desktop')
        log_in(page, server)
        src = tmp_path / 'hello.py'
        text = 'print("hello from an upload")\n' * 20
        src.write_text(text)
        page.fill('#upload-form input[name=dir]', 'lib')
        page.set_input_files('#upload-form input[name=file]', str(src))
        page.click('#upload-form button[type=submit]')
        expect(page.locator('#upload-msg')).to_contain_text('Uploaded lib/hello.py',
                                                            timeout=30000)
        with open(os.path.join(server.fs, 'lib', 'hello.py')) as f:
            assert f.read() == text
        expect(page.locator('#link')).to_have_class('on', timeout=15000)
        expect(page.locator('#link')).to_have_text('live')
        shot(page, 'upload-esp8266.png')
    finally:
        server.stop()


def test_usable_on_a_phone(open_page, app):
    page = open_page(app, viewport={'width': 390, 'height': 844}, is_mobile=True,
                     has_touch=True, device_scale_factor=2)
    width = page.evaluate('document.documentElement.scrollWidth')
    assert width <= 390  # one column, nothing sideways
    box = page.locator('#pin-led .toggle').bounding_box()
    assert box['height'] >= 40 and box['width'] >= 80  # a finger can hit it
    page.locator('#pin-led .toggle').tap()
    expect(page.locator('#pin-led .toggle')).to_have_attribute('aria-pressed', 'true')
    shot(page, 'phone.png')


def test_a_page_without_a_stream_to_spare_is_busy_not_offline(open_page, tmp_path):
    """A board that serves one stream (`--max-connections 2`: the server keeps one connection
    free of streams). The first page is fully up, its live stream open, before the second one
    is opened, so which page holds the stream is decided: the second page's stream is refused
    while the device answers, so it says it is busy (not offline), keeps its controls and sees
    a change made from the first page by asking."""
    server = HostApp(tmp_path, '--max-connections', '2').start()
    try:
        pages = [open_page(server)]  # its stream up
        pages.append(open_page(server, live=False))
        expect(pages[1].locator('#link')).to_have_text('busy: updates every few seconds',
                                                       timeout=20000)
        expect(pages[1].locator('#offline')).to_be_hidden()
        expect(pages[1].locator('#pin-led .toggle')).to_be_enabled()
        pages[0].locator('#pin-led .toggle').click()
        expect(pages[0].locator('#pin-led .toggle')).to_have_attribute('aria-pressed', 'true')
        expect(pages[1].locator('#pin-led .toggle')).to_have_attribute('aria-pressed', 'true',
                                                                       timeout=20000)
        expect(pages[0].locator('#link')).to_have_class('on')  # the first page kept its stream
        shot(pages[1], 'second-page-busy.png', full_page=False)
    finally:
        server.stop()


def test_an_upload_while_the_stream_is_refused_leaves_one_stream_and_the_page_live(open_page,
                                                                                    tmp_path):
    """A board that serves one stream (`--max-connections 2`), held by another client: the
    page's stream is refused and it asks again every few seconds. The other client goes, the
    page uploads a file, and after the upload it opens its stream again: it is live and stays
    live. Before, the retry that was already due opened a second stream beside it, which was
    refused while the first held the board's one stream unseen: the page said "busy" for as
    long as it stayed open."""
    server = HostApp(tmp_path, '--max-connections', '2').start()
    held = socket.create_connection(('127.0.0.1', server.port), timeout=5)
    try:
        held.sendall(b'GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ' +
                     basic().encode() + b'\r\n\r\n')
        assert held.recv(64).startswith(b'HTTP/1.1 200'), server.output
        page = open_page(server, live=False)
        expect(page.locator('#link')).to_have_text('busy: updates every few seconds',
                                                   timeout=20000)
        held.close()
        time.sleep(1)  # the board sees the other client go
        src = tmp_path / 'hello.txt'
        src.write_text('hello')
        page.set_input_files('#upload-form input[name=file]', str(src))
        page.click('#upload-form button[type=submit]')
        expect(page.locator('#upload-msg')).to_contain_text('Uploaded hello.txt', timeout=15000)
        expect(page.locator('#link')).to_have_text('live', timeout=15000)
        for _ in range(8):  # and stays live (the retry came within 2 s)
            time.sleep(0.5)
            expect(page.locator('#link')).to_have_text('live')
    finally:
        held.close()
        server.stop()


def test_two_pages_share_a_board_with_an_esp8266s_three_connections(open_page, tmp_path):
    """With the server capped at 3 connections (an ESP8266's default) and so at two streams
    (microdot.server: one less than the connections) both pages hold a live stream; a refused
    asset (503) is retried until the page works."""
    server = HostApp(tmp_path, '--max-connections', '3').start()
    pages = []
    try:
        for _ in range(2):
            pages.append(open_page(server))
            expect(pages[-1].locator('#offline')).to_be_hidden()
            expect(pages[-1].locator('#files li').first).to_be_visible(timeout=10000)
            time.sleep(1)  # the settled page's idle sockets become evictable (evict_after)
        for page in pages:
            expect(page.locator('#pins .pin')).to_have_count(4, timeout=10000)
            assert page.evaluate('getComputedStyle(document.body).margin') == '0px'  # CSS
        pages[1].locator('#pin-led .toggle').click()
        for page in pages:
            expect(page.locator('#pin-led .toggle')).to_have_attribute('aria-pressed', 'true',
                                                                       timeout=10000)
        for _ in range(10):  # both pages hold a stream: curl may meet the cap and retry
            status, body = server.request('/api/pins/led')[::2]
            if status != 503:
                break
            time.sleep(1)
        assert json.loads(body)['on'] is True
        shot(pages[0], 'two-pages-three-connections.png')
    finally:
        server.stop()


# --- the owner: first setup, login, logout, an expired session --------------------------------

@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_first_visit_to_a_board_without_a_password_sets_one(open_page, tmp_path, size):
    server = HostApp(tmp_path, password=None).start()
    try:
        page = open_page(size=size)
        page.goto(server.url + '/')
        expect(page).to_have_url(server.url + '/password')
        expect(page.locator('header h1')).to_have_text('Set a password')
        page.fill('input[name=password]', 'my new board')
        page.fill('input[name=confirm]', 'my new board!')
        page.click('button[type=submit]')
        expect(page.locator('.msg.bad')).to_have_text('The two passwords differ.')
        check_usable(page)  # fits its width, controls usable, no emoji
        shot(page, 'set-password-%s.png' % size)
        page.fill('input[name=password]', 'my new board')
        page.fill('input[name=confirm]', 'my new board')
        page.click('button[type=submit]')
        expect(page).to_have_url(server.url + '/')
        expect(page.locator('#link')).to_have_class('on', timeout=10000)
        expect(page.locator('#log-lines')).to_contain_text('owner password set')
        server.password = 'my new board'
        assert server.request('/api/status')[0] == 200  # and scripts use it too
    finally:
        server.stop()


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_login_refuses_a_wrong_password_then_logout_ends_the_session(open_page, tmp_path, size):
    app = HostApp(tmp_path / 'board').start()  # its own board: a wrong password slows the next
    try:
        login_logout(open_page(size=size), app, size)
    finally:
        app.stop()


def login_logout(page, app, size):
    context = page.context
    page.goto(app.url + '/api/status')
    assert page.evaluate('document.body.innerText').find('log in first') >= 0  # no session
    page.goto(app.url + '/')
    expect(page).to_have_url(app.url + '/login?next=/')
    page.fill('input[name=password]', 'not the password')
    page.click('button[type=submit]')
    expect(page.locator('.msg.bad')).to_have_text('Wrong password.')
    shot(page, 'login-wrong-%s.png' % size)
    check_usable(page)
    time.sleep(1.1)  # the throttle's first wait
    page.fill('input[name=password]', PASSWORD)
    page.click('button[type=submit]')
    expect(page.locator('#link')).to_have_class('on', timeout=10000)
    cookie = [c for c in context.cookies() if c['name'] == 'owner'][0]
    assert cookie['httpOnly'] and cookie['sameSite'] == 'Strict'
    assert page.evaluate('document.cookie') == ''  # scripts on the page cannot read it
    page.click('#logout')
    expect(page).to_have_url(app.url + '/login')
    page.goto(app.url + '/')
    expect(page).to_have_url(app.url + '/login?next=/')  # the session is gone


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_an_expired_session_leads_back_to_the_login_page(open_page, tmp_path, size):
    server = HostApp(tmp_path, config={'session_s': 2}).start()
    try:
        page = open_page(server, size)
        page.context.set_offline(True)  # quiet for longer than session_s: the session ends
        time.sleep(3)
        page.context.set_offline(False)
        # the live stream ends with the session; the page, refused, goes to the login page
        expect(page).to_have_url(server.url + '/login?next=%2F', timeout=15000)
        assert server.json('/api/pins/led')[1]['on'] is False
        page.fill('input[name=password]', PASSWORD)
        page.click('button[type=submit]')
        expect(page).to_have_url(server.url + '/')
    finally:
        server.stop()


def test_first_setup_in_the_setup_portal_sets_network_and_password(open_page, board):
    from test_boot_portal import start_ap
    start_ap(board)
    page = open_page()
    page.goto('http://127.0.0.1:%d/generate_204' % board.port)  # the phone's captive check
    expect(page).to_have_url('http://127.0.0.1:%d/setup' % board.port)
    page.check('input[name=ssid][value=home]')
    page.fill('input[name=password]', 'secret')
    page.fill('input[name=owner]', 'my new board')
    page.fill('input[name=owner2]', 'my new board')
    shot(page, 'portal-first-setup.png')
    page.click('button:has-text("Save and reboot")')
    expect(page.locator('body')).to_contain_text('The device restarts and joins home')
    assert board.wait_exit() == 77
    saved = json.loads(board.read('config.json'))
    assert saved['networks'] == [{'ssid': 'home', 'password': 'secret'}]
    assert saved['owner'].startswith('pbkdf2-sha256$') and 'my new board' not in json.dumps(saved)


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_recovery_page_upload_and_restore_in_a_browser(open_page, board, tmp_path, size):
    """A board whose main.py does not compile, with an earlier version kept: the recovery page's
    upload form (its script, the device password) installs a fix, and its restore button puts
    the kept version back."""
    from device import owner
    home = {'ssid': 'home', 'password': 'secret'}
    board.world(networks=[home])
    board.write('config.json', {'networks': [home], 'owner': owner.make(PASSWORD, 10)})
    board.write('main.py', 'from microdot import Microdot\napp = Microdot(\n')
    os.mkdir(os.path.join(board.fs, '.prev'))
    good = 'from microdot import Microdot\napp = Microdot()\n'
    board.write('.prev/main.py', good)
    board.boot()
    board.wait_for('portal: serving on port')
    page = open_page(size=size, url='http://127.0.0.1:%d/' % board.port)
    expect(page.locator('pre')).to_contain_text('SyntaxError')
    fix = tmp_path / 'main.py'
    fix.write_text(good + '# fixed\n')
    page.set_input_files('#file', str(fix))
    page.fill('#pw', 'not the password')
    page.click('button:has-text("Upload")')
    expect(page.locator('#msg')).to_contain_text('wrong device password')
    time.sleep(1.1)  # the throttle after a wrong password
    page.fill('#pw', PASSWORD)
    page.click('button:has-text("Upload")')
    expect(page.locator('#msg')).to_contain_text('Installed main.py')
    assert board.read('main.py') == good + '# fixed\n'
    assert board.read('.prev/main.py') == good  # the kept version stays the one that worked
    check_usable(page)  # fits its width, controls usable, no emoji
    shot(page, 'recovery-upload-%s.png' % size)
    page.fill('form[action="/restore"] input[name=owner]', PASSWORD)
    page.click('button:has-text("Restore the previous app")')
    expect(page.locator('body')).to_contain_text('Restored main.py')
    assert board.wait_exit() == 77
    assert board.read('main.py') == good
