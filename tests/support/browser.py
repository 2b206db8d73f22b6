"""What the browser tests (tests/host/test_browser*.py) share: Debian's Chromium
(/usr/bin/chromium, never a downloaded browser) driven by Playwright, the page sizes they test,
the login through the page, and screenshots into test-artifacts/ (gitignored). The fixtures
``browser`` and ``open_page`` (tests/host/conftest.py) are built on these."""
import os

CHROMIUM = '/usr/bin/chromium'
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync']
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARTIFACTS = os.path.join(ROOT, 'test-artifacts')
SIZES = {'desktop': {'viewport': {'width': 1100, 'height': 900}},
         'phone': {'viewport': {'width': 390, 'height': 844}, 'is_mobile': True,
                   'has_touch': True}}


def new_page(browser, size='desktop', **context):
    """A page in a browser context of its own (`size` from `SIZES`, or `context` options);
    ``page.errors`` collects the page's script errors."""
    page = browser.new_context(**(context or SIZES[size])).new_page()
    page.errors = []
    page.on('pageerror', lambda exc: page.errors.append(str(exc)))
    return page


def log_in(page, server, live=True):
    """Open the dashboard of `server` (a test_app.HostApp) through the login page it redirects
    to, with the owner password; with `live`, wait until its live stream is up. A page or login
    refused with 503 (a board at its connection cap) is tried again, as a person would."""
    from playwright.sync_api import expect
    url = server.url
    for _ in range(10):
        if page.goto(url + '/').status == 503:
            page.wait_for_timeout(1000)
            continue
        expect(page).to_have_url(url + '/login?next=/')
        page.fill('input[name=password]', server.password)
        with page.expect_navigation() as sent:
            page.click('button[type=submit]')
        if sent.value is None or sent.value.status != 503:
            break
        page.wait_for_timeout(1000)
    expect(page).to_have_url(url + '/')
    expect(page.locator('#pins .pin').first).to_be_visible(timeout=20000)  # the page is up
    if live:
        expect(page.locator('#link')).to_have_class('on', timeout=10000)  # the live stream


class Held:
    """The answers to the `method` requests of `path` (any query) in `page` held back while
    `held`: what a slow or busy board does to a page's request, at a moment the test chooses.
    Other methods and paths pass. `wait()` until one is held, `release()` to let them all through.
    (Routing also turns the browser's cache off.)"""

    def __init__(self, page, path, method='GET'):
        from urllib.parse import urlsplit
        self.page, self.method, self.routes, self.held = page, method, [], True
        page.route(lambda url: urlsplit(url).path == path, self._route)

    def _route(self, route):
        if self.held and route.request.method == self.method:
            self.routes.append(route)
        else:
            route.continue_()

    def wait(self, timeout=20000):
        for _ in range(timeout // 50):
            if self.routes:
                return
            self.page.wait_for_timeout(50)  # (Playwright calls the route handler meanwhile)
        raise AssertionError('no request was held')

    def release(self):
        self.held = False
        while self.routes:
            self.routes.pop(0).continue_()


def goto_when_up(page, url, timeout=15):
    """Open `url` in `page`, trying again while the server is not listening yet (a board that
    has just started: its log says it starts the app before the app's socket is open)."""
    import time
    from playwright.sync_api import Error
    deadline = time.monotonic() + timeout
    while True:
        try:
            return page.goto(url)
        except Error as exc:
            if 'ERR_CONNECTION_REFUSED' not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def shot(page, name, full_page=True):
    """A screenshot of `page` as test-artifacts/`name`; returns its path."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name)
    page.screenshot(path=path, full_page=full_page)
    return path
