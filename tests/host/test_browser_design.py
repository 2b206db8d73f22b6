"""One design for every page the device serves (issue 14), in a real browser (Debian's Chromium
through Playwright, as test_browser.py), desktop and phone sizes: the boot package's own pages
(the setup page, the welcome page of a board with no app yet) and the app's (login, dashboard,
settings) have the same computed look, in the light and the dark palette, fit the page's width
with controls a finger can hit, and draw their icons without emoji. Screenshots:
test-artifacts/design-*.png."""
import json
import time

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


def _busy_pages(board):
    """Every 503 page the device can answer, each from a real server on the unix port: the
    built-in server's refusal (its one connection held by an upload still coming), the page of
    a MemoryError in a handler (hard_app's /hog, as .mpy in a 64wK heap) and the setup portal's
    refusal (`board`, its connections all held by clients that send nothing). Yields their
    URLs."""
    import socket

    from device.portal import MAX_CONNECTIONS
    from support.servers import ServerProcess
    # the upload's body is streamed to its handler (above max_body_length) and may take its time
    # (request_timeout): it is a request under way, which the cap never closes for a newcomer. A
    # body buffered before the handler is a client still sending its request, closed for a
    # newcomer once it has taken `evict_after` (0.5 s): on a loaded machine the page came later
    # than that and was served 200 (both sizes, in one full run)
    full = ServerProcess('hard_app', 'mp-py', args=['max_connections=1', 'max_body_length=1024',
                                                    'request_timeout=300']).start()
    hog = ServerProcess('hard_app', 'mp-mpy', heapsize='64wK').start()
    portal = device_pages(board)
    held = [socket.create_connection(('127.0.0.1', full.port), timeout=5)]
    try:
        held[0].sendall(b'POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 9000\r\n\r\nabc')
        time.sleep(1)  # under way for longer than evict_after, as on a loaded machine
        yield 'http://127.0.0.1:%d/' % full.port
        yield 'http://127.0.0.1:%d/hog' % hog.port
        # the portal gives a silent client TIMEOUT_S (5 s): ample for this page's two loads
        held += [socket.create_connection(('127.0.0.1', board.port), timeout=5)
                 for _ in range(MAX_CONNECTIONS)]
        yield portal + '/setup'
    finally:
        for s in held:
            s.close()
        full.stop()
        hog.stop()


@pytest.mark.parametrize('size', ['desktop', 'phone'])
def test_the_busy_pages_have_the_one_design_inline(open_page, board, app, size):
    """The 503 page a busy board answers (issue 14: it was unstyled) has the device's look
    without a second request: the page, its title in the accent bar, the palette light and dark
    the same as the login page's; it fits a phone; it still loads itself again."""
    page = open_page(size=size, url=app.url + '/login')
    login = {'light': look(page)}
    page.emulate_media(color_scheme='dark')
    login['dark'] = look(page)
    asked = []
    page.on('request', lambda r: asked.append(r.url))
    for n, url in enumerate(_busy_pages(board)):
        for scheme in ('light', 'dark'):
            page.emulate_media(color_scheme=scheme)
            del asked[:]
            answer = page.goto(url)
            assert answer.status == 503
            expect(page.locator('h1')).to_have_text('Busy')
            got = page.evaluate('''() => { const c = getComputedStyle(document.querySelector('h1'));
                return [c.backgroundColor, c.fontSize, c.fontWeight, c.color, c.marginTop,
                        getComputedStyle(document.body).marginTop]; }''')
            ref = login[scheme]
            assert look(page)['body'] == ref['body'], (url, scheme)
            assert got[:5] == [ref['header'][0]] + ref['title'], (url, scheme, got, ref)
            assert asked == [url], asked  # the look came with the page
            check_usable(page)
            shot(page, 'design-busy-%d-%s-%s.png' % (n, scheme, size))
        expect(page.locator('body')).to_contain_text('busy, trying again in a moment')
        with page.expect_request(url, timeout=5000):  # it loads itself again
            pass
