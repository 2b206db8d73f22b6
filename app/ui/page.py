"""The dashboard page and the settings page (their assets: ``ui.assets``).

The page is ``templates/index.html``, compiled by utemplate at build time
(``scripts/build_assets.py``) into the generator module ``templates/index_html``, so the board
needs no template engine; it is streamed chunk by chunk as the generator runs, and the module is
dropped from memory afterwards (a page view is rare, heap on an ESP8266 is not).
"""
from ui import esc  # noqa: F401  (page.esc: the templates' escaping)


def kb(n):
    """A byte count for people: 812 B, 3.4 kB, 1.2 MB, 4.0 GB."""
    if n is None:
        return '\u2014'
    for unit in ('B', 'kB', 'MB'):
        if n < 1024:
            return ('%d %s' if unit == 'B' else '%.1f %s') % (n, unit)
        n /= 1024
    return '%.1f GB' % n


def render():
    """The page as a generator of str chunks, with the current status filled in."""
    from ui.status import status
    from templates import index_html
    return _then_forget(index_html.render(status(), esc, kb), 'templates.index_html')


def settings():
    """The settings page (``templates/settings.html``; its script fills it from the API)."""
    from device import config
    from templates import settings_html
    return _then_forget(settings_html.render(config.get('hostname'), esc),
                        'templates.settings_html')


def _then_forget(chunks, name):
    from ui import forget
    try:
        yield from chunks
    finally:
        forget(name)
