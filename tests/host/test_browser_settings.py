"""The settings page in a real browser (Debian's Chromium through Playwright, as in
test_browser.py), desktop and phone sizes; screenshots go to test-artifacts/."""
import json
import os

import pytest
from playwright.sync_api import expect

from test_app import HostApp
from test_browser import browser, log_in, shot  # noqa: F401 (the fixture)

SIZES = {'desktop': {'width': 1100, 'height': 900}, 'phone': {'width': 390, 'height': 844}}


@pytest.fixture(scope='module')
def app(tmp_path_factory):
    server = HostApp(tmp_path_factory.mktemp('board')).start()
    yield server
    server.stop()


def open_settings(browser, app, size):  # noqa: F811
    context = browser.new_context(viewport=SIZES[size], is_mobile=size == 'phone',
                                  has_touch=size == 'phone')
    page = context.new_page()
    errors = []
    page.on('pageerror', lambda exc: errors.append(str(exc)))
    log_in(page, app.url)
    page.click('a[href="/settings"]')
    expect(page).to_have_url(app.url + '/settings')
    expect(page.locator('#device-form input[name=hostname]')).to_have_value('microdot-sim')
    return page, errors


def saved(app):
    with open(os.path.join(app.fs, 'config.json')) as f:
        return json.load(f)


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_a_bad_name_is_explained_beside_the_field_and_a_good_one_saved(browser, app, size):  # noqa: F811
    page, errors = open_settings(browser, app, size)
    page.fill('input[name=hostname]', 'My Kitchen')
    page.click('#device-form button[type=submit]')
    expect(page.locator('#err-hostname')).to_contain_text('a-z, 0-9')
    assert saved(app)['hostname'] == 'microdot-sim'
    shot(page, 'settings-bad-name-%s.png' % size)
    page.fill('input[name=hostname]', 'kitchen')
    page.select_option('select[name=ap_mode]', 'set')
    page.fill('input[name=ap_password]', 'short')
    page.click('#device-form button[type=submit]')
    expect(page.locator('#err-ap_password')).to_contain_text('8 to 63')
    page.fill('input[name=ap_password]', 'a long setup password')
    page.click('#device-form button[type=submit]')
    expect(page.locator('#device-msg')).to_have_text(
        'Saved. Takes effect after a restart: access point password, name.')
    expect(page.locator('label', has_text='Web server port')).to_contain_text(
        'takes effect after a restart')
    cfg = saved(app)
    assert cfg['hostname'] == 'kitchen' and cfg['ap_password'] == 'a long setup password'
    assert cfg['networks'][0]['ssid'] == 'SimNet'
    if size == 'phone':
        assert page.evaluate('document.documentElement.scrollWidth') <= 390
    assert app.json('/api/settings', {'hostname': 'microdot-sim', 'ap_password': ''})[0] == 200
    page.context.close()
    assert not errors, errors


def test_pins_are_added_and_changed_and_the_dashboard_follows(browser, app):  # noqa: F811
    page, errors = open_settings(browser, app, 'desktop')
    rows = page.locator('#pin-rows fieldset')
    expect(rows).to_have_count(4)
    page.click('#add-pin')
    new = rows.nth(4)
    new.locator('input[name=name]').fill('heater')
    new.locator('input[name=pin]').fill('-3')
    page.click('#pins-form button[type=submit]')
    expect(page.locator('#err-pins')).to_contain_text('heater: the GPIO')
    new.locator('input[name=pin]').fill('13')
    new.locator('input[name=on]').check()
    page.click('#pins-form button[type=submit]')
    expect(page.locator('#pins-msg')).to_contain_text('Saved')
    assert saved(app)['pins']['heater'] == {'pin': 13, 'mode': 'switch', 'invert': False,
                                            'on': True}
    shot(page, 'settings-pins.png')
    page.click('a[href="/"]')
    expect(page.locator('#pin-heater .toggle')).to_have_attribute('aria-pressed', 'true')
    expect(page.locator('#pin-heater input[type=range]')).to_be_hidden()  # a switch
    expect(page.locator('#pin-fan input[type=range]')).to_be_visible()  # a PWM pin
    page.context.close()
    assert not errors, errors


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_backup_download_and_restore_in_the_browser(browser, app, size, tmp_path):  # noqa: F811
    page, errors = open_settings(browser, app, size)
    with page.expect_download() as got:
        page.click('#download')
    data = json.loads(open(got.value.path()).read())
    assert data['networks'] == [{'ssid': 'SimNet'}] and 'owner' not in data
    page.check('#secrets')
    with page.expect_download() as got:
        page.click('#download')
    assert json.loads(open(got.value.path()).read())['networks'][0]['password'] == 'simulated'
    bad = tmp_path / 'bad.json'
    bad.write_text(json.dumps({'hostname': 'Bad Name'}))
    page.set_input_files('#restore-form input[name=file]', str(bad))
    page.click('#restore-form button[type=submit]')
    expect(page.locator('#restore-msg')).to_contain_text('hostname: use only a-z')
    data['hostname'] = 'from-backup'
    data['networks'] = [{'ssid': 'Cottage', 'password': 'cottage-pw'}]
    good = tmp_path / 'good.json'
    good.write_text(json.dumps(data))
    page.set_input_files('#restore-form input[name=file]', str(good))
    page.click('#restore-form button[type=submit]')
    expect(page.locator('#restore-msg')).to_contain_text('networks added: Cottage')
    expect(page.locator('#restore-msg')).to_contain_text('Takes effect after a restart: name.')
    expect(page.locator('input[name=hostname]')).to_have_value('from-backup')
    assert [n['ssid'] for n in saved(app)['networks']] == ['SimNet', 'Cottage']
    shot(page, 'settings-backup-%s.png' % size)
    status, _, _ = app.request('/api/wifi?ssid=Cottage', method='DELETE')
    assert status == 200
    assert app.json('/api/settings', {'hostname': 'microdot-sim'})[0] == 200
    page.context.close()
    assert not errors, errors


def test_factory_reset_asks_first_then_the_board_restarts_into_setup(browser, tmp_path):  # noqa: F811
    server = HostApp(tmp_path).start()
    try:
        page, errors = open_settings(browser, server, 'desktop')
        page.once('dialog', lambda d: d.dismiss())
        page.click('#reset')
        page.wait_for_timeout(300)
        assert saved(server)['networks']  # dismissed: nothing happened
        page.once('dialog', lambda d: d.accept())
        page.click('#reset')
        expect(page.locator('#reset-msg')).to_contain_text('setup access point')
        shot(page, 'settings-factory-reset.png')
        server.wait_for('(mode ap)')
        assert saved(server)['networks'] == [] and 'owner' not in saved(server)
        page.context.close()
    finally:
        server.stop()
