"""``GET /static/<name>``: the page's assets (``static/*.css|js|svg``), stored gzipped by the
build and sent as they are, with an ETag. The page asks for them as
``/static/app.js?v=<content hash>``, which may be cached for a year because an update changes
the hash.

A module of its own, loaded for one request and dropped again: a page view asks for its assets
all at once, and each concurrent request may hold a copy of the module that answers it (this
one is half the size of ``ui.page``, where they were).
"""

_TYPES = {'css': 'text/css', 'js': 'application/javascript', 'svg': 'image/svg+xml'}


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
