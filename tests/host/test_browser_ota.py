"""The Firmware card in a real browser (Chromium through Playwright, as test_browser.py): an
image chosen in the page, hashed by the page's own SHA-256, sent in pieces to the board that
`make run` serves with a simulated ESP32 flash (`scripts/run_host.py --ota`); the board restarts
into the new slot, the page's next request confirms it, and after the login (a restart ends the
sessions) the page says the new firmware is kept. Screenshots in test-artifacts/."""
import hashlib
import os
import re
import sys

import pytest
from playwright.sync_api import expect

from support.browser import ARTIFACTS, SIZES
from support.design import check_usable
from test_app import PASSWORD, ROOT, HostApp

sys.path.insert(0, os.path.join(ROOT, 'scripts', 'sim'))
import esp32flash  # noqa: E402


@pytest.fixture
def ota_app(tmp_path):
    server = HostApp(tmp_path, '--ota').start()
    yield server
    server.stop()


def card(page, name):
    """Screenshot of the Firmware card into test-artifacts/."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.locator('#firmware').scroll_into_view_if_needed()
    page.locator('#firmware').screenshot(path=os.path.join(ARTIFACTS, name))


DESKTOP = {'viewport': {'width': 1100, 'height': 1400}}  # the Firmware card in view


def test_the_page_hashes_like_hashlib(open_page, ota_app):
    page = open_page(ota_app, **DESKTOP)
    for n in (0, 55, 64, 1000, 70001):
        data = bytes((i * 7 + n) & 0xFF for i in range(n))
        got = page.evaluate('(a) => sha256hex(new Uint8Array(a))', list(data))
        assert got == hashlib.sha256(data).hexdigest(), n


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_a_firmware_update_from_the_page_boots_and_is_kept(open_page, ota_app,
                                                           tmp_path_factory, size):
    page = open_page(ota_app, **(DESKTOP if size == 'desktop' else SIZES['phone']))
    expect(page.locator('#fw-info')).to_contain_text('Running micropython 1.0.0 from ota_0')
    image = tmp_path_factory.mktemp('upload') / 'micropython.bin'
    image.write_bytes(esp32flash.make_image('2.0.0', 300000))
    page.set_input_files('#fw-form input[name=image]', str(image))
    page.click('#fw-form button[type=submit]')
    expect(page.locator('#fw-msg')).to_contain_text('written to ota_1', timeout=30000)
    # The board restarts, which ends every session: the page goes through the login page.
    expect(page).to_have_url(re.compile(r'/login\?next='), timeout=40000)
    page.fill('input[name=password]', PASSWORD)
    page.click('button[type=submit]')
    expect(page.locator('#fw-msg')).to_contain_text(
        'The new firmware is running (2.0.0) and is kept', timeout=20000)
    expect(page.locator('#fw-info')).to_contain_text('Running micropython 2.0.0 from ota_1')
    check_usable(page)  # fits its width, controls usable, no emoji
    card(page, 'firmware-updated-%s.png' % size)
    flash = esp32flash.Flash(os.path.join(ota_app.fs, '.flash'))
    assert flash.running() == 'ota_1'
    assert flash.active() == ('ota_1', 'valid')
    assert 'mark_app_valid_cancel_rollback: ota_1 confirmed' in ota_app.output


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_a_file_that_is_no_firmware_gets_a_readable_error(open_page, ota_app,
                                                          tmp_path_factory, size):
    page = open_page(ota_app, **(DESKTOP if size == 'desktop' else dict(
        SIZES['phone'], device_scale_factor=2)))
    expect(page.locator('#fw-form')).to_be_visible()
    junk = tmp_path_factory.mktemp('upload') / 'photo.bin'
    junk.write_bytes(b'\x89PNG' + bytes(20000))
    page.set_input_files('#fw-form input[name=image]', str(junk))
    page.click('#fw-form button[type=submit]')
    expect(page.locator('#fw-msg')).to_contain_text('not an ESP32 firmware image')
    expect(page.locator('#fw-msg')).to_have_class('msg bad')
    card(page, 'firmware-refused-%s.png' % size)
    check_usable(page)
    flash = esp32flash.Flash(os.path.join(ota_app.fs, '.flash'))
    assert flash.boot_label() == 'ota_0' and flash.running() == 'ota_0'


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_a_board_without_ota_says_to_update_over_usb(open_page, tmp_path, size):
    app = HostApp(tmp_path).start()
    try:
        page = open_page(app, **(DESKTOP if size == 'desktop' else SIZES['phone']))
        expect(page.locator('#fw-info')).to_contain_text('Update it over USB instead')
        expect(page.locator('#fw-form')).to_be_hidden()
        card(page, 'firmware-no-ota-%s.png' % size)
        check_usable(page)
    finally:
        app.stop()


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_the_card_says_when_an_update_was_rolled_back(open_page, tmp_path, size):
    # The board last wrote an update to ota_1, but the bootloader went back to ota_0.
    with open(os.path.join(str(tmp_path), 'ota.json'), 'w') as f:
        f.write('{"label": "ota_1", "from": "ota_0", "version": "2.0.0"}')
    app = HostApp(tmp_path, '--ota').start()
    try:
        page = open_page(app, **(DESKTOP if size == 'desktop' else SIZES['phone']))
        expect(page.locator('#fw-msg')).to_contain_text(
            'The update to 2.0.0 did not start properly and was rolled back')
        expect(page.locator('#fw-info')).to_contain_text('Running micropython 1.0.0 from ota_0')
        card(page, 'firmware-rolled-back-%s.png' % size)
        check_usable(page)
        app.wait_for('was rolled back; running ota_0')
    finally:
        app.stop()
