"""Browser pages on the ESP8266 profile of `make run-esp8266`: do they load, work and stay live?

    .venv/bin/python bench/pages_esp8266.py [--pages 2] [--heap 56wK 64wK ...] [--runs 1] [--gap 2]

For each heap and run, a fresh simulated board (scripts/run_host.py --rom --heapsize HEAP
--max-connections 3, an owner password set) and Chromium (Playwright, Debian's /usr/bin/chromium)
opening the dashboard in `--pages` separate browsers, `--gap` seconds apart. Each logs in as a
person would (typing the password again when the login form comes back, as it does after the
board's 503 page) and is given `WAIT_S` seconds to become usable: its values shown, either live
(the badge "live": its own stream) or asked for every few seconds (the badge "busy: updates every
few seconds": the board refused it a stream). The last page then switches the LED, and every
page must show it. Printed per page: how it ended up (live, polled or NOT USABLE) and after how
many seconds, whether it is still live or polled at the end, whether it showed the LED switched
from another page, and every request that failed on the wire
(net::ERR_INCOMPLETE_CHUNKED_ENCODING is a response cut off by a MemoryError after its head was
sent; net::ERR_INVALID_CHUNKED_ENCODING a second response spliced into one) or was refused
with 503. A measurement, not a test: the figures go to docs/web-ui.md.
"""
import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, 'tests', 'host'), os.path.join(ROOT, 'tests'),
                os.path.join(ROOT, 'frozen')]
CHROMIUM = '/usr/bin/chromium'
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync']


WAIT_S = 20
BADGES = {'live': 'live', 'busy: updates every few seconds': 'polled'}


def usable(page):
    """'live' or 'polled' if the dashboard shows its values now, else None."""
    link = page.locator('#link')
    if link.count() and page.locator('#uptime').inner_text() != '\u2014':
        return BADGES.get(link.inner_text())
    return None


def open_page(browser, url, password, log):
    """A new browser opening the UI and logging in, as a person would; (page, how it ended up:
    'live', 'polled' or None, seconds it took)."""
    page = browser.new_context().new_page()
    page.on('requestfailed', lambda r: log.append('%s %s' % (r.failure, r.url[len(url):])))
    page.on('response', lambda r: r.status == 503 and log.append('503 %s' % r.url[len(url):]))
    start = time.monotonic()
    try:
        page.goto(url + '/')
    except Exception as exc:  # a net::ERR_* page
        log.append(str(exc).split('\n')[0])
    while time.monotonic() - start < WAIT_S:
        try:
            mode = usable(page)
            if mode:
                return page, mode, time.monotonic() - start
            if not page.locator('#link').count() and \
                    page.locator('input[name=password]').count():
                page.fill('input[name=password]', password, timeout=2000)
                page.click('button[type=submit]', timeout=2000)
        except Exception:  # it navigated meanwhile (the 503 page reloads itself): look again
            pass
        page.wait_for_timeout(300)
    return page, None, time.monotonic() - start


def switched(page):
    return page.evaluate("(e => e && e.getAttribute('aria-pressed'))"
                         "(document.querySelector('#pin-led .toggle'))") == 'true'


def run(heap, pages, gap, browser):
    from test_app import PASSWORD, HostApp
    server = HostApp(tempfile.mkdtemp(prefix='pages-'), '--rom', '--heapsize', heap,
                     '--max-connections', '3').start()
    results = []
    try:
        opened = []
        for _ in range(pages):
            log = []
            opened.append((open_page(browser, server.url, PASSWORD, log), log))
            time.sleep(gap)
        last = opened[-1][0][0]
        try:  # the last page switches the LED on; every page must show it
            last.locator('#pin-led .toggle').click(timeout=5000)
        except Exception as exc:
            opened[-1][1].append('no LED switch: %s' % str(exc).split('\n')[0])
        end = time.monotonic() + 10
        seen = {}
        while time.monotonic() < end and len(seen) < pages:
            for i, ((page, _, _), _) in enumerate(opened):
                if i not in seen and switched(page):
                    seen[i] = True
            time.sleep(0.3)
        time.sleep(3)
        for i, ((page, mode, took), log) in enumerate(opened):
            results.append((mode, took, usable(page), i in seen, log))
            page.context.close()
    finally:
        server.stop()
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--pages', type=int, default=2)
    ap.add_argument('--heap', nargs='+', default=['56wK'])
    ap.add_argument('--gap', type=float, default=2)
    ap.add_argument('--runs', type=int, default=1)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        for heap in args.heap:
            for n in range(args.runs):
                for i, (mode, took, now, led, log) in enumerate(
                        run(heap, args.pages, args.gap, browser)):
                    print('%-6s run %d page %d: %-10s %-8s now %-7s LED %-4s %s' % (
                        heap, n + 1, i + 1, mode or 'NOT USABLE', '%.1f s' % took,
                        now or 'neither', 'seen' if led else 'NOT', '; '.join(log) or '-'))
        browser.close()


if __name__ == '__main__':
    main()
