"""The dashboard in a real browser (Debian's Chromium through Playwright, as test_browser.py):
controls first on a phone, PWM only where it applies, the offline banner, the upload limit,
folders and deleting files. Screenshots go to test-artifacts/."""
import os
import signal
import subprocess

import pytest
from playwright.sync_api import expect

from support.browser import shot
from test_app import PASSWORD, HostApp


@pytest.fixture(params=['desktop', 'phone'])
def page(request, open_page, app):
    page = open_page(app, request.param)
    page.size = request.param
    return page


def test_controls_come_first_and_only_pwm_pins_have_a_slider_with_its_value(page, app):
    boxes = [page.locator(s).bounding_box() for s in ('#controls', '#device', '#network')]
    assert boxes[0]['y'] <= boxes[1]['y'] and boxes[0]['y'] <= boxes[2]['y']
    if page.size == 'phone':
        assert boxes[0]['y'] < 844 / 2  # in view without scrolling
    expect(page.locator('#pin-relay input[type=range]')).to_have_count(0)  # a switch
    expect(page.locator('#pin-button .state')).to_have_text('inactive')  # an input
    expect(page.locator('#pin-button button')).to_have_count(0)
    fan = page.locator('#pin-fan input[type=range]')
    expect(page.locator('#pin-fan output')).to_have_text('0 %')
    fan.fill('40')
    expect(page.locator('#pin-fan output')).to_have_text('40 %')
    expect(page.locator('#pin-fan .toggle')).to_have_text('40 %')
    assert app.json('/api/pins/fan')[1]['level'] == 40
    shot(page, 'dashboard-controls-%s.png' % page.size, full_page=False)
    assert app.json('/api/pins/fan', {'level': 0})[0] == 200


def test_offline_banner_disables_the_controls_until_the_stream_is_back(open_page, tmp_path):
    server = HostApp(tmp_path).start()
    try:
        page = open_page(server, 'phone')
        toggle = page.locator('#pin-led .toggle')
        expect(page.locator('#offline')).to_be_hidden()
        expect(toggle).to_be_enabled()
        board = int(subprocess.check_output(['pgrep', '-P', str(server.proc.pid)]).split()[0])
        os.kill(board, signal.SIGSTOP)  # the board hangs (or its Wi-Fi is gone): silence
        expect(page.locator('#offline')).to_be_visible(timeout=15000)
        expect(page.locator('#offline')).to_contain_text('not answering')
        expect(toggle).to_be_disabled()
        expect(page.locator('#pin-fan input[type=range]')).to_be_disabled()
        shot(page, 'dashboard-offline-phone.png', full_page=False)
        os.kill(board, signal.SIGCONT)  # back
        expect(page.locator('#offline')).to_be_hidden(timeout=20000)
        expect(toggle).to_be_enabled()
        toggle.click()
        expect(toggle).to_have_attribute('aria-pressed', 'true')
    finally:
        server.stop()


def test_a_board_that_goes_away_is_offline_at_once_and_after_its_restart_asks_for_a_login(
        open_page, tmp_path):
    """The server process stopped (no answer at all: the stream breaks and the page's check
    fails), then started again on the same port and files: the page is offline with its
    controls disabled while it is gone, and once it is back the page notices the restart (the
    sessions were in RAM) and asks for the password; after it the controls work again."""
    server = HostApp(tmp_path).start()
    try:
        page = open_page(server, 'phone')
        toggle = page.locator('#pin-led .toggle')
        expect(toggle).to_be_enabled()
        server.stop()  # gone: connections refused
        expect(page.locator('#offline')).to_be_visible(timeout=10000)
        expect(toggle).to_be_disabled()
        expect(page.locator('#link')).to_have_text('offline')
        port = server.port
        server = HostApp(tmp_path)
        server.port = port
        server.start()
        expect(page).to_have_url(server.url + '/login?next=%2F', timeout=20000)
        page.fill('input[name=password]', PASSWORD)
        page.click('button[type=submit]')
        expect(page.locator('#link')).to_have_class('on', timeout=10000)
        expect(page.locator('#offline')).to_be_hidden()
        toggle.click()
        expect(toggle).to_have_attribute('aria-pressed', 'true')
        assert server.json('/api/pins/led')[1]['on'] is True
    finally:
        server.stop()


def test_the_upload_limit_is_stated_and_a_413_is_explained(page, tmp_path):
    expect(page.locator('#upload-max')).to_have_text('128.0 kB')
    big = tmp_path / 'big.bin'
    big.write_bytes(b'x' * (130 * 1024))
    page.set_input_files('#upload-form input[name=file]', str(big))
    page.click('#upload-form button[type=submit]')
    expect(page.locator('#upload-msg')).to_contain_text(
        'These files are 130.0 kB: the device takes at most 128.0 kB per upload')
    expect(page.locator('#upload-msg')).to_have_class('msg bad')
    message = page.evaluate('''async () => {  // the device's own 413, past the page's check
        const data = new FormData();
        data.append('file', new Blob([new Uint8Array(140 * 1024)]), 'huge.bin');
        try { await api('files', 'POST', data); } catch (e) { return e.message; }
    }''')
    assert message.startswith('Too large: the device takes at most 128.0 kB per upload')


def test_folders_open_and_files_are_deleted_after_a_confirmation(page, app, tmp_path):
    src = tmp_path / 'gone.py'
    src.write_text('x = 1\n')
    page.fill('#upload-form input[name=dir]', 'lib/deep')
    page.set_input_files('#upload-form input[name=file]', str(src))
    page.click('#upload-form button[type=submit]')
    expect(page.locator('#upload-msg')).to_contain_text('Uploaded lib/deep/gone.py')
    page.locator('#files a', has_text='lib/').click()
    expect(page.locator('#folder')).to_have_text('/lib')
    page.locator('#files a', has_text='deep/').click()
    expect(page.locator('#folder')).to_have_text('/lib/deep')
    expect(page.locator('#upload-form input[name=dir]')).to_have_value('lib/deep')
    row = page.locator('#files li', has_text='gone.py')
    page.once('dialog', lambda d: d.dismiss())
    row.get_by_role('button', name='Delete lib/deep/gone.py').click()
    assert os.path.exists(os.path.join(app.fs, 'lib', 'deep', 'gone.py'))
    shot(page, 'dashboard-folder-%s.png' % page.size)
    page.once('dialog', lambda d: d.accept())
    row.get_by_role('button', name='Delete lib/deep/gone.py').click()
    expect(page.locator('#upload-msg')).to_have_text('Deleted lib/deep/gone.py')
    expect(page.locator('#files li', has_text='gone.py')).to_have_count(0)
    assert not os.path.exists(os.path.join(app.fs, 'lib', 'deep', 'gone.py'))
    page.locator('#files a', has_text='lib/').click()  # the way up
    expect(page.locator('#folder')).to_have_text('/lib')
