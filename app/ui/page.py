"""The dashboard page, the settings page and their assets.

The page is ``templates/index.html``, compiled by utemplate at build time
(``scripts/build_assets.py``) into the generator module ``templates/index_html``, so the board
needs no template engine; it is streamed chunk by chunk as the generator runs, and the module is
dropped from memory afterwards (a page view is rare, heap on an ESP8266 is not).

The assets (``static/*.css|js``) are stored gzipped by the build and sent as they are, with an
ETag; the page asks for them as ``/static/app.js?v=<content hash>``, which may be cached for a
year because an update changes the hash.
"""


def esc(value):
    """`value` as text safe inside HTML (None shows as a dash)."""
    if value is None:
        return '\u2014'
    return str(value).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;') \
        .replace('"', '&quot;')


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


def settings(request):
    """The settings page: a static page (``static/settings.html``, gzipped like the assets; its
    script fills it from ``/api/settings``), so it costs no more heap than an asset."""
    return asset(request, 'settings.html')


def _then_forget(chunks, name):
    from ui import forget
    try:
        yield from chunks
    finally:
        forget(name)


_TYPES = {'html': 'text/html', 'css': 'text/css', 'js': 'application/javascript', 'svg': 'image/svg+xml'}


def asset(request, name):
    """``GET /static/<name>``: the gzipped asset, 304 if the browser has it, or 404."""
    import os
    from microdot import Response
    ext = name.rpartition('.')[2]
    if ext not in _TYPES or name[0] == '.':
        return Response('Not found', 404)
    path = 'static/' + name + '.gz'
    try:
        st = os.stat(path)
    except OSError:
        return Response('Not found', 404)
    etag = '"%x-%x"' % (st[6], st[8])
    headers = {'ETag': etag, 'Vary': 'Accept-Encoding', 'Cache-Control':
               'max-age=31536000, immutable' if 'v' in request.args else 'no-cache'}
    if request.headers.get('If-None-Match') == etag:
        return Response(b'', 304, headers)
    res = Response.send_file(path, content_type=_TYPES[ext] + '; charset=UTF-8',
                             compressed=True)
    res.send_file_buffer_size = 512  # small reads: a fragmented heap has room for them
    res.headers.update(headers)
    return res
