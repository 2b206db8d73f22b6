"""One design for every page the device serves (issue 14), in a real browser (Debian's Chromium
through Playwright, as test_browser.py), desktop and phone sizes: the boot package's own pages
(the setup page, the welcome page of a board with no app yet) and the app's (login, dashboard,
settings) have the same computed look, in the light and the dark palette, fit the page's width
with controls a finger can hit, and draw their icons without emoji. Screenshots:
test-artifacts/design-*.png."""
import json

import pytest
from playwright.sync_api import expect

from support.browser import log_in, shot
from support.design import check_usable, look
from test_boot_portal import CAFE, HOME


def device_pages(board):
    """Boot `board` with a network saved and no app: its portal serves the welcome page at /
    and the setup page at /setup."""
    board.world(networks=[HOME, CAFE])
    board.write('config.json', json.dumps({'networks': [{'ssid': 'home', 'password': 'secret'}]}))
    board.boot()
    board.wait_for('portal: serving on port')
    return 'http://127.0.0.1:%d' % board.port


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_every_page_has_the_one_design(open_page, board, app, size):
    url = device_pages(board)
    page = open_page(size=size, url=url + '/setup')
    looks = {}

    def visit(name):
        looks[name] = look(page)
        assert check_usable(page) > 0, name  # it has controls, and they are usable
        shot(page, 'design-%s-%s.png' % (name, size))
    expect(page.locator('label.net')).to_have_count(2)
    # the icons are drawn: the lock an inline SVG, the signal bars CSS boxes in the accent
    lock = page.locator('label.net').first.locator('svg.k').bounding_box()
    assert lock['width'] == 14 and lock['height'] == 14
    bars = page.evaluate('[...document.querySelectorAll("label.net")[0].querySelectorAll("b i")]'
                         '.map((i) => [i.getBoundingClientRect().height, '
                         'getComputedStyle(i).backgroundColor])')
    assert [h for h, _ in bars] == [4, 8, 12, 16]  # four bars, rising
    assert {c for _, c in bars} == {'rgb(10, 102, 194)'}  # all lit: -40 dBm
    visit('setup')
    page.goto(url + '/')
    expect(page.locator('header')).to_have_text('Welcome')
    visit('welcome')
    page.goto(app.url + '/login')
    expect(page.locator('header h1')).to_have_text('Log in')
    visit('login')
    log_in(page, app)
    visit('dashboard')
    dot = page.evaluate('(() => { const c = getComputedStyle(document.querySelector("#link"), '
                        '"::before"); return [c.content, c.width, c.backgroundColor]; })()')
    assert dot[0] == '""' and dot[1] != '0px'  # the live dot is a drawn circle, no glyph
    page.click('a[href="/settings"]')
    expect(page.locator('#device-form input[name=hostname]')).to_have_value('microdot-sim')
    visit('settings')

    setup = looks['setup']
    assert setup['header'][0] == 'rgb(10, 102, 194)'  # the accent
    for name, got in looks.items():
        for part, style in got.items():
            if style is not None and setup[part] is not None:
                assert style == setup[part], (name, part, style, setup[part])
    assert all(looks['dashboard'][part] for part in setup), looks['dashboard']

    # the dark palette, when the system asks for it, is the same on both sides too
    page.emulate_media(color_scheme='dark')
    dark = look(page)
    assert dark['header'][0] == 'rgb(90, 169, 255)' and dark['body'][3] == 'rgb(20, 24, 30)'
    assert dark['header'][1] == dark['button'][1] == 'rgb(11, 26, 43)'  # dark text on the accent
    shot(page, 'design-settings-dark-%s.png' % size)
    page.goto(url + '/setup')
    device_dark = look(page)
    for part in ('body', 'header', 'card', 'field', 'label'):
        assert device_dark[part] == dark[part], part
    shot(page, 'design-setup-dark-%s.png' % size)
