"""The pages the device itself serves (device/portal.py, device/recovery.py) in a real browser
(Debian's Chromium through Playwright, as test_browser.py), desktop and phone sizes: the first
setup (portal, then "saved", then the app on the network), the welcome page of a board with no
app yet, the recovery page, the login page. Screenshots go to test-artifacts/."""
import json

import pytest
from playwright.sync_api import expect

from test_boot_portal import CAFE, HOME
from support.browser import goto_when_up, shot
from support.design import check_usable


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_first_setup_portal_then_saved_says_where_to_go_then_the_app(open_page, board, size):
    board.world(networks=[HOME, CAFE])
    board.write('main.py', 'from microdot import Microdot\napp = Microdot()\n'
                '@app.get("/")\nasync def i(r):\n    return "the app"\n')
    board.boot(connect_timeout=1, retries=1)
    board.wait_for('portal: serving on port')
    url = 'http://127.0.0.1:%d' % board.port
    page = open_page(size=size, url=url + '/generate_204')  # the phone's captive check
    expect(page).to_have_url(url + '/setup')
    rows = page.locator('label.net')
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text('home')
    expect(rows.first.locator('b.s4')).to_have_count(1)  # -40 dBm: four bars
    expect(rows.nth(1).locator('b.s1, b.s2')).to_have_count(1)  # a weak one: fewer
    expect(rows.first.locator('svg.k')).to_have_count(1)  # secured: the lock icon
    password = page.locator('input[name=password]')
    password.fill('secret')
    expect(password).to_have_attribute('type', 'password')
    page.check('text=Show the password')
    expect(password).to_have_attribute('type', 'text')
    rows.first.click()
    page.fill('input[name=hostname]', 'Kitchen Light')
    page.fill('input[name=owner]', 'my new board')
    page.fill('input[name=owner2]', 'my new board')
    check_usable(page)  # fits its width, controls usable, no emoji
    shot(page, 'portal-%s.png' % size)
    page.click('button:has-text("Save and reboot")')
    expect(page.locator('body')).to_contain_text('device name takes a-z')  # 400, nothing saved
    page.locator('label.net').first.click()
    page.fill('input[name=password]', 'secret')
    page.fill('input[name=hostname]', 'kitchen')
    page.fill('input[name=owner]', 'my new board')
    page.fill('input[name=owner2]', 'my new board')
    page.click('button:has-text("Save and reboot")')
    expect(page.locator('h2')).to_have_text('Saved')
    expect(page.locator('main')).to_contain_text('joins home')
    expect(page.locator('a[href="http://kitchen.local:%d/"]' % board.port)).to_have_count(1)
    expect(page.locator('main')).to_contain_text("router's list of devices")
    check_usable(page)  # fits its width, controls usable, no emoji
    shot(page, 'portal-saved-%s.png' % size)
    assert board.wait_exit() == 77
    cfg = json.loads(board.read('config.json'))
    assert cfg['hostname'] == 'kitchen' and cfg['networks'][0]['ssid'] == 'home'
    board.lines.clear()
    board.boot()  # "after the reboot": the station, and the app
    board.wait_for("connected to 'home'")
    board.wait_for('launcher: starting the app')
    goto_when_up(page, 'http://127.0.0.1:%d/' % board.port)
    expect(page.locator('body')).to_have_text('the app')


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_a_board_without_an_app_welcomes_and_says_how_to_deploy(open_page, board, size):
    board.world(networks=[HOME])
    board.write('config.json', json.dumps({'networks': [{'ssid': 'home', 'password': 'secret'}]}))
    board.boot()
    board.wait_for('portal: serving on port')
    page = open_page(size=size, url='http://127.0.0.1:%d/' % board.port)
    expect(page.locator('header')).to_have_text('Welcome')
    expect(page.locator('main')).to_contain_text('no main.py on it yet')
    expect(page.locator('main')).to_contain_text('make deploy DEVICE=')
    assert 'failed' not in page.locator('main').inner_text()
    check_usable(page)  # fits its width, controls usable, no emoji
    shot(page, 'welcome-%s.png' % size)


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_the_recovery_page_shows_the_error_in_the_same_design(open_page, board, size):
    board.world(networks=[HOME])
    board.write('config.json', json.dumps({'networks': [{'ssid': 'home', 'password': 'secret'}]}))
    board.write('main.py', 'import nothing_here\n')
    board.boot()
    board.wait_for('portal: serving on port')
    page = open_page(size=size, url='http://127.0.0.1:%d/' % board.port)
    expect(page.locator('header')).to_have_text('Recovery')
    expect(page.locator('pre')).to_contain_text('nothing_here')
    assert page.evaluate('getComputedStyle(document.querySelector("header")).backgroundColor') \
        == 'rgb(10, 102, 194)'  # the dashboard's accent
    check_usable(page)  # fits its width, controls usable, no emoji
    shot(page, 'recovery-%s.png' % size)
