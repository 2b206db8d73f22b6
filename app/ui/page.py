"""The device's pages and their assets, all static files: the dashboard (``static/index.html``,
at ``/``), the settings page (``static/settings.html``, at ``/settings``), their CSS and scripts.

Each is stored gzipped by the build (``scripts/build_assets.py``) and sent as it is, with an
ETag, in small reads; the pages' scripts fill them in from the JSON API. So a page view costs the
heap of a file send, not of a template: on a board that has been busy, its heap is in small
pieces, and a page must still load. The pages ask for the assets as
``/static/app.js?v=<content hash>``, which may be cached for a year because an update changes
the hash.
"""

_TYPES = {'html': 'text/html', 'css': 'text/css', 'js': 'application/javascript', 'svg': 'image/svg+xml'}


def asset(request, name):
    """``GET /static/<name>`` (and the pages): the gzipped file, 304 if the browser has it, or
    404."""
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
