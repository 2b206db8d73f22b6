"""The settings page in a real browser (Debian's Chromium through Playwright, as in
test_browser.py), desktop and phone sizes; screenshots go to test-artifacts/."""
import json

import pytest
from playwright.sync_api import expect

from support.browser import shot
from support.design import check_usable
from test_app import HostApp

def open_settings(open_page, app, size):
    """A page logged in to `app`'s dashboard that has gone to the settings page by its link."""
    page = open_page(app, size)
    page.click('a[href="/settings"]')
    expect(page).to_have_url(app.url + '/settings')
    expect(page.locator('#device-form input[name=hostname]')).to_have_value('microdot-sim')
    return page


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_a_bad_name_is_explained_beside_the_field_and_a_good_one_saved(open_page, app, size):
    page = open_settings(open_page, app, size)
    page.fill('input[name=hostname]', 'My Kitchen')
    page.click('#device-form button[type=submit]')
    expect(page.locator('#err-hostname')).to_contain_text('a-z, 0-9')
    assert app.saved()['hostname'] == 'microdot-sim'
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
    cfg = app.saved()
    assert cfg['hostname'] == 'kitchen' and cfg['ap_password'] == 'a long setup password'
    assert cfg['networks'][0]['ssid'] == 'SimNet'
    if size == 'phone':
        assert page.evaluate('document.documentElement.scrollWidth') <= 390
    assert app.json('/api/settings', {'hostname': 'microdot-sim', 'ap_password': ''})[0] == 200


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_pins_are_added_and_changed_and_the_dashboard_follows(open_page, tmp_path, size):
    app = HostApp(tmp_path).start()  # its own board: the pins it adds stay
    try:
        pins_added(open_settings(open_page, app, size), app, size)
    finally:
        app.stop()


def pins_added(page, app, size):
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
    assert app.saved()['pins']['heater'] == {'pin': 13, 'mode': 'switch', 'invert': False,
                                            'on': True}
    shot(page, 'settings-pins-%s.png' % size)
    check_usable(page)  # five pin rows still fit the width, controls usable
    page.click('a[href="/"]')
    expect(page.locator('#pin-heater .toggle')).to_have_attribute('aria-pressed', 'true')
    expect(page.locator('#pin-heater input[type=range]')).to_be_hidden()  # a switch
    expect(page.locator('#pin-fan input[type=range]')).to_be_visible()  # a PWM pin


def test_what_is_typed_before_the_settings_arrive_or_beside_a_save_is_kept(open_page, tmp_path):
    """The settings of a slow board (held here until the user has typed) set the name field
    and replaced the pin rows, so a name typed and a pin added while the page loaded were lost;
    and a save of one form filled the other one again, losing its unsaved edits."""
    from support.browser import Held, log_in
    app = HostApp(tmp_path).start()  # its own board: the pins it saves stay
    try:
        page = open_page()
        log_in(page, app)
        settings = Held(page, '/api/settings')
        page.click('a[href="/settings"]')
        settings.wait()
        name, rows = page.locator('input[name=hostname]'), page.locator('#pin-rows fieldset')
        name.fill('kitchen')
        page.click('#add-pin')
        rows.nth(0).locator('input[name=name]').fill('heater')
        rows.nth(0).locator('input[name=pin]').fill('13')
        settings.release()
        expect(rows).to_have_count(5)  # the board's four, then the one added
        expect(rows.nth(4).locator('input[name=name]')).to_have_value('heater')
        expect(name).to_have_value('kitchen')
        expect(page.locator('input[name=port]')).to_have_value('80')  # not typed in: the board's
        page.click('#pins-form button[type=submit]')  # the pins saved: the name stays typed
        expect(page.locator('#pins-msg')).to_contain_text('Saved')
        pins = app.saved()['pins']
        assert pins['heater']['pin'] == 13 and len([p for p in pins.values() if p]) == 5
        expect(name).to_have_value('kitchen')
        assert app.saved()['hostname'] == 'microdot-sim'
        page.click('#add-pin')  # the name saved: the pin row being added stays
        rows.nth(5).locator('input[name=name]').fill('pump')
        page.click('#device-form button[type=submit]')
        expect(page.locator('#device-msg')).to_contain_text('Saved')
        assert app.saved()['hostname'] == 'kitchen'
        expect(rows).to_have_count(6)
        expect(rows.nth(5).locator('input[name=name]')).to_have_value('pump')
        expect(name).to_have_value('kitchen')
        expect(page.locator('select[name=ap_mode]')).to_have_value('keep')
    finally:
        app.stop()


def test_what_is_typed_while_a_save_goes_is_kept(open_page, tmp_path):
    """A save's answer filled its form again (the device form reset, the pin rows rebuilt):
    what was typed while the save went (held here) was lost. Nothing typed: the saved values."""
    from support.browser import Held
    app = HostApp(tmp_path).start()  # its own board: the pins it saves stay
    try:
        page = open_settings(open_page, app, 'desktop')
        name, rows = page.locator('input[name=hostname]'), page.locator('#pin-rows fieldset')
        save = Held(page, '/api/settings', 'POST')
        name.fill('kitchen')
        page.click('#device-form button[type=submit]')
        save.wait()
        name.fill('kitchen-two')
        save.release()
        expect(page.locator('#device-msg')).to_contain_text('Saved')
        assert app.saved()['hostname'] == 'kitchen'
        expect(name).to_have_value('kitchen-two')
        save.held = True
        page.click('#add-pin')
        rows.nth(4).locator('input[name=name]').fill('heater')
        rows.nth(4).locator('input[name=pin]').fill(' 13 ')
        page.click('#pins-form button[type=submit]')
        save.wait()
        page.click('#add-pin')
        rows.nth(5).locator('input[name=name]').fill('pump')
        save.release()
        expect(page.locator('#pins-msg')).to_contain_text('Saved')
        assert app.saved()['pins']['heater']['pin'] == 13 and 'pump' not in app.saved()['pins']
        expect(rows).to_have_count(6)
        expect(rows.nth(5).locator('input[name=name]')).to_have_value('pump')
        expect(rows.nth(4).locator('input[name=pin]')).to_have_value(' 13 ')  # as typed
        rows.nth(5).get_by_role('button', name='Remove').click()
        page.click('#pins-form button[type=submit]')  # nothing typed meanwhile: as saved
        expect(page.locator('#pins-msg')).to_contain_text('Saved')
        expect(rows).to_have_count(5)
        page.wait_for_function('''() => [...document.querySelectorAll('#pin-rows [name=pin]')]
                                  .some((e) => e.value === '13')''')  # the row rebuilt
        assert ' 13 ' not in page.eval_on_selector_all('#pin-rows [name=pin]',
                                                        'es => es.map((e) => e.value)')
        page.click('#device-form button[type=submit]')
        expect(page.locator('#device-msg')).to_contain_text('Saved')
        assert app.saved()['hostname'] == 'kitchen-two'
        expect(name).to_have_value('kitchen-two')
        expect(page.locator('#name')).to_have_text('kitchen-two')
    finally:
        app.stop()


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_backup_download_and_restore_in_the_browser(open_page, app, size, tmp_path):
    page = open_settings(open_page, app, size)
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
    assert [n['ssid'] for n in app.saved()['networks']] == ['SimNet', 'Cottage']
    shot(page, 'settings-backup-%s.png' % size)
    status, _, _ = app.request('/api/wifi?ssid=Cottage', method='DELETE')
    assert status == 200
    assert app.json('/api/settings', {'hostname': 'microdot-sim'})[0] == 200


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_factory_reset_asks_first_then_the_board_restarts_into_setup(open_page, tmp_path, size):
    server = HostApp(tmp_path).start()
    try:
        page = open_settings(open_page, server, size)
        page.once('dialog', lambda d: d.dismiss())
        page.click('#reset')
        page.wait_for_timeout(300)
        assert server.saved()['networks']  # dismissed: nothing happened
        page.once('dialog', lambda d: d.accept())
        page.click('#reset')
        expect(page.locator('#reset-msg')).to_contain_text('setup access point')
        shot(page, 'settings-factory-reset-%s.png' % size)
        check_usable(page)
        server.wait_for('(mode ap)')
        assert server.saved()['networks'] == [] and 'owner' not in server.saved()
    finally:
        server.stop()


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_a_board_without_pins_says_where_to_add_them(open_page, tmp_path, size):
    """A board as `make run-device` (or a first setup) leaves it, with no pins: the dashboard's
    Controls card says how to add some and links the settings page (it said "No outputs
    configured" and nothing more)."""
    app = HostApp(tmp_path, config={'pins': {'safe_mode': None}}).start()
    try:
        page = open_page(size=size, url=app.url + '/')  # to the login page
        page.fill('input[name=password]', app.password)
        page.click('button[type=submit]')
        expect(page).to_have_url(app.url + '/')
        expect(page.locator('#link')).to_have_class('on', timeout=10000)  # pins loaded, live
        hint = page.locator('#pins .hint')
        expect(hint).to_have_text('No pins yet: add them on the settings page.')
        shot(page, 'dashboard-no-pins-%s.png' % size)
        check_usable(page)
        hint.get_by_role('link', name='settings page').click()
        expect(page).to_have_url(app.url + '/settings')
        expect(page.locator('#pin-rows fieldset')).to_have_count(0)
    finally:
        app.stop()
