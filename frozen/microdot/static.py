"""Serve a directory of files safely: `static(app, '/static', 'www')`.

- **Safety:** the URL path is percent-decoded once and then checked: ``..`` segments, absolute
  paths, backslashes, NUL and control characters, and a ``:`` in the first segment (a drive or
  a scheme) are refused with 400; names that start with ``.`` (hidden files) get 404, as do
  missing files. Only files under the directory are ever opened.
- **gzip:** if the client accepts gzip and ``name.gz`` exists beside ``name``, the compressed
  file is sent with ``Content-Encoding: gzip`` (``Vary: Accept-Encoding`` always), so a UI can
  be stored compressed in flash. ``name.gz`` alone (no plain copy) is served the same way to
  clients that accept gzip, and 406 to those that do not.
- **Caching:** a strong ``ETag`` from the file's size and modification time (and encoding);
  ``If-None-Match`` answers 304 with no body. ``Cache-Control`` is ``no-cache`` (the browser
  revalidates, cheaply, with the ETag) unless a `max_age` is given.
- A directory URL ending in ``/`` serves its `index` file (``index.html``); without the slash
  it is redirected (301) to the URL with it, so the page's relative links resolve.

Costs nothing unless imported.
"""
from .response import Response, status_text
from .urlcodec import urldecode

_BAD = '\\\x00'


def _stat(path):
    import os
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st[0], st[6], int(st[8])  # mode, size, mtime


def _is_dir(mode):
    return mode & 0o170000 == 0o040000


def safe_path(path):
    """`path` (a raw, still percent-encoded URL path relative to the served directory) as a
    list of segments, or an int: 400 for a path that tries to escape or is malformed, 404 for a
    hidden name."""
    try:
        path = urldecode(path.replace('+', '%2B'), True)
    except ValueError:  # bad percent-escape or not UTF-8
        return 400
    if path.startswith('/'):
        return 400
    parts = []
    for seg in path.split('/'):
        if seg in ('', '.'):
            continue
        if seg == '..':
            return 400
        for ch in seg:
            if ch in _BAD or ord(ch) < 32 or ord(ch) == 127:
                return 400
        if seg[0] == '.':
            return 404
        parts.append(seg)
    if parts and ':' in parts[0]:  # a drive letter or a URL scheme
        return 400
    return parts


def send_static(request, root, path, max_age=None, index='index.html', gzip=True):
    """The Response for `path` (raw URL path, relative) under directory `root`: the file,
    304, or 400 / 404 as described in this module's documentation."""
    parts = safe_path(path)
    if isinstance(parts, int):
        return Response(status_text(parts), parts)
    name = root.rstrip('/') + '/' + '/'.join(parts) if parts else root.rstrip('/') or '/'
    st = _stat(name)
    if st is not None and _is_dir(st[0]):
        if not index:
            return Response(status_text(404), 404)
        if path and not path.endswith('/'):
            return Response.redirect(request.path + '/', 301)
        name = name.rstrip('/') + '/' + index
        st = _stat(name)
    if st is not None and _is_dir(st[0]):
        st = None
    gz = _stat(name + '.gz') if gzip else None
    if gz is not None and _is_dir(gz[0]):
        gz = None
    encoding = None
    if gz is not None and (st is None
                           or 'gzip' in request.headers.get('Accept-Encoding', '').lower()):
        if 'gzip' not in request.headers.get('Accept-Encoding', '').lower():
            return Response('Not acceptable: only a gzip copy exists', 406)
        st, encoding = gz, 'gzip'
    if st is None:
        return Response(status_text(404), 404)
    etag = '"%x-%x%s"' % (st[1], st[2], '-gz' if encoding else '')
    headers = {'ETag': etag, 'Vary': 'Accept-Encoding',
               'Cache-Control': 'no-cache' if max_age is None else 'max-age=%d' % max_age}
    match = request.headers.get('If-None-Match')
    if match and (match.strip() == '*' or etag in [m.strip() for m in match.split(',')]
                  or 'W/' + etag in match):
        headers['Content-Length'] = str(st[1])  # what a 200 would have said
        return Response(b'', 304, headers)
    res = Response.send_file(name, compressed=encoding or False,
                             file_extension='.gz' if encoding else '')
    res.headers.update(headers)
    return res


def static(app, url_prefix, root, max_age=None, index='index.html', gzip=True):
    """Serve the files under directory `root` at `url_prefix` (GET and HEAD) on `app`.

    Returns the handler, so it can be wrapped or removed; see the module documentation for the
    rules it follows.
    """
    prefix = '/' + url_prefix.strip('/')
    if prefix == '/':
        prefix = ''

    async def serve_static(request, path=''):
        return send_static(request, root, path, max_age, index, gzip)

    app.route(prefix + '/<path:path>')(serve_static)
    app.route(prefix + '/')(serve_static)
    return serve_static

