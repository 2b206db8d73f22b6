"""Browser pages on the ESP8266 profile of `make run-esp8266`: do they load and stay live?

    .venv/bin/python bench/pages_esp8266.py [--pages 2] [--heap 56wK 64wK ...] [--gap 2]

For each heap, a fresh simulated board (scripts/run_host.py --rom --heapsize HEAP
--max-connections 3, an owner password set) and Chromium (Playwright, Debian's /usr/bin/chromium)
opening the dashboard in `--pages` separate browsers, `--gap` seconds apart, each logging in.
Printed per page: whether its live stream came up (the page's "live" badge), and every request
that failed on the wire (net::ERR_INCOMPLETE_CHUNKED_ENCODING is a response cut off by a
MemoryError after its head was sent; net::ERR_INVALID_CHUNKED_ENCODING a second response spliced
into one) or was refused with 503. A measurement, not a test: the figures go to bench/README.md.
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


def open_page(browser, url, password, log):
    """A new browser opening the UI and logging in; True if its live stream came up."""
    page = browser.new_context().new_page()
    page.on('requestfailed', lambda r: log.append('%s %s' % (r.failure, r.url[len(url):])))
    page.on('response', lambda r: r.status == 503 and log.append('503 %s' % r.url[len(url):]))
    try:
        for _ in range(5):  # a refused navigation is reloaded, as a user would
            if page.goto(url + '/login').status != 503:
                break
            time.sleep(1)
        page.fill('input[name=password]', password, timeout=5000)
        page.click('button[type=submit]')
        page.wait_for_selector('#link.on', timeout=15000)
        return page, True
    except Exception:
        return page, False


def run(heap, pages, gap, browser):
    from test_app import PASSWORD, HostApp
    server = HostApp(tempfile.mkdtemp(prefix='pages-'), '--rom', '--heapsize', heap,
                     '--max-connections', '3').start()
    results = []
    try:
        opened = []
        for _ in range(pages):
            log = []
            page, live = open_page(browser, server.url, PASSWORD, log)
            opened.append((page, log, live))
            time.sleep(gap)
        time.sleep(3)
        for page, log, live in opened:
            still = page.evaluate("(document.getElementById('link') || {}).className") == 'on'
            results.append((live, still, log))
            page.context.close()
    finally:
        server.stop()
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--pages', type=int, default=2)
    ap.add_argument('--heap', nargs='+', default=['56wK'])
    ap.add_argument('--gap', type=float, default=2)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        for heap in args.heap:
            for i, (live, still, log) in enumerate(run(heap, args.pages, args.gap, browser)):
                print('%-6s page %d: %-9s %-13s %s' % (
                    heap, i + 1, 'live' if live else 'NOT LIVE',
                    '(still live)' if still else '(offline now)', '; '.join(log) or '-'))
        browser.close()


if __name__ == '__main__':
    main()
