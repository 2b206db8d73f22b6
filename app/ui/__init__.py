"""The device web UI: ``ui.install(app)`` adds the dashboard page, its assets and the JSON API
(documented in docs/web-ui.md) to a Microdot app, and puts every route of the app behind the
owner's password and the device's own host names (``ui.auth``, docs/security.md).

Each handler of the JSON API and of the login pages imports the module that does the work on
first use (``ui.status``, ``ui.pins``, ``ui.live``, ``ui.net``, ``ui.files``, ``ui.update``,
``ui.login``, ``ui.password``), so a board spends heap only on the parts in use; the pages and their assets are
static files sent by `static`, which stays loaded.
"""
import time

STARTED = time.time()
UPLOAD_MAX = 128 * 1024  # bytes per upload request (uploads stream to flash, not to RAM)
state = {}  # what a dropped module keeps between requests (ui.net: the last Wi-Fi join;
# ui.pinstate: the pins; ui.live: the number of live streams)


def error(status, message):
    """A JSON error response: ``({"error": message}, status)``."""
    return {'error': message}, status


def params(request):
    """The request's parameters: its JSON object, form fields or query string (in that order);
    None if the body is not valid JSON or not an object. A MemoryError is raised (the server
    answers 503: try again), never taken for missing parameters."""
    try:
        data = request.json
    except MemoryError:
        raise
    except Exception:
        return None
    if isinstance(data, dict):
        return data
    if data is not None:
        return None
    return request.form or request.args or {}


# The JSON API: /api/<what>[/<name>] -> (module of ui that answers it, methods it accepts).
# Three routes cover it all (each route costs heap; MicroPython's re refuses a pattern of more
# than about ten names); the shared handler `api` imports the module on demand, and the modules
# that hold no state are dropped again after the request, so their code costs heap only while it
# runs. An import that meets a MemoryError is tried once more after `release` (what no stream
# uses goes first). Routes of your own under /api/ still work.
_API = {'status': ('status', 'GET'), 'events': ('live', 'GET'), 'pins': ('pins', 'GET'),
        'pins/': ('pins', 'GET POST'), 'wifi': ('net', 'GET POST DELETE'),
        'wifi/': ('net', 'GET'), 'files': ('files', 'GET POST DELETE'),
        'restart': ('files', 'POST'),
        'log': ('log', 'GET'), 'firmware': ('firmware', 'GET POST'),
        'settings': ('settings', 'GET POST'), 'backup': ('backup', 'GET POST'),
        'reset': ('backup', 'POST')}
_ROUTES = ('/api/<re:status|events|pins|wifi|files|restart|log:what>',
           '/api/<re:firmware|settings|backup|reset:what>',
           '/api/<re:pins|wifi:what>/<name>')
# Below this much free heap once the UI is installed, one page at a time is live: a second
# live stream (about 3.3 KB on the 64-bit unix port) and the requests of the page beside it do
# not fit (an ESP8266). The other pages get 503 for /api/events and ask for the values every few
# seconds instead (static/app.js); the app's own `max_streams`, if set, is left as it is.
TWO_LIVE_HEAP = 40 * 1024
_KEEP = ('log', 'live')  # the log holds state; ui.live goes with the last stream (release)
# What the live stream (ui.live) loads: kept while a stream runs (state['streams'] counts them)
_STREAMED = ('ui.sample', 'ui.pinstate', 'ui.live')  # (the last loaded first)


async def api(request, what, name=None):
    """The handler of the /api/ routes: ``ui.<module>.api(request, path, name)``."""
    module, methods = _API[what + ('/' if name is not None else '')]
    method = request.method
    if (method if method != 'HEAD' else 'GET') not in methods.split():
        return {'error': 'method not allowed'}, 405, {'Allow': methods.replace(' ', ', ')}
    try:
        try:
            m = __import__('ui.' + module, None, None, ('api',))
        except MemoryError:  # what no stream uses goes, then one more try
            release()
            import gc
            gc.collect()
            m = __import__('ui.' + module, None, None, ('api',))
        return await m.api(request, request.path[5:], name)
    finally:  # what the request's module loaded goes before it (the last loaded first: see
        # device.launcher.unload, a failed import's module is let go only so)
        forget('microdot.helpers')  # (microdot.multipart's)
        forget('microdot.multipart')
        forget('device.configfile')  # loaded by a change of the networks
        forget('device.configwrite')  # by a change of the settings
        forget('device.wifiboot')  # by a scan
        forget('microdot.urlcodec')  # by a query string or a form (1.4 KB of a .mpy board's)
        # after a failed import too: what a stream that never started left loaded (the live
        # stream's modules) stayed, and every later import met a MemoryError
        release(module)


def release(module=None):
    """Drop ``ui.<module>`` after use, unless it holds state or a live stream uses it; while no
    stream runs, drop what streams use too (`_STREAMED`: loaded for a stream that never started,
    or by the last one: ``ui.live`` calls this as a stream ends). What `module` loaded goes
    first (the last loaded first: ``device.launcher.unload``)."""
    streams = state.get('streams')
    if not streams and module != 'live':
        for name in _STREAMED:
            forget(name)
    try:
        if module and module not in _KEEP and not (streams and 'ui.' + module in _STREAMED):
            forget('ui.' + module)
    except MemoryError:  # no heap for its name: see `forget`
        pass


def forget(name):
    """Drop module `name` so that the GC can reclaim it (the next use imports it again):
    ``device.launcher.unload``. Short of heap for that (it splits the name), the module stays
    until it is dropped again: a request's clean-up never turns the answer of a change that
    was made into a 503."""
    try:
        from device import launcher
        launcher.unload(name)
    except MemoryError:
        pass


_TYPES = {'html': 'text/html', 'css': 'text/css', 'js': 'application/javascript',
          'svg': 'image/svg+xml'}


def static(request, name):
    """The page or asset `name`: the dashboard (``static/index.html``, at ``/``), the settings
    page (``static/settings.html``, at ``/settings``), their CSS and scripts (``/static/<name>``).

    Each is a static file stored gzipped by the build (``scripts/build_assets.py``) and sent as it
    is, with an ETag, in small reads (304 if the browser has it, 404 if there is none); to a
    client that does not take gzip (curl, wget) decompressed on the way (``ui.plain``); the pages'
    scripts fill them in from the JSON API. The pages ask for the assets as
    ``/static/app.js?v=<content hash>``, which may be cached for a year because an update changes
    the hash. This code stays loaded (no module to import per page): on a board that has been
    busy the heap is in pieces of a few hundred bytes, and a page must still load; a file send in
    512-byte reads needs no more than that. (Not ``microdot.static.send_static``: it kept about
    1 KB more in use on the ESP8266 profile, see docs/memory.md; the bytes are sent by
    ``Response.send_file`` either way.)"""
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
    except MemoryError:
        return busy()
    try:
        etag = '"%x-%x"' % (st[6], st[8])
        headers = {'ETag': etag, 'Vary': 'Accept-Encoding', 'Cache-Control':
                   'max-age=31536000, immutable' if 'v' in request.args else 'no-cache'}
        res = request.headers.get('Accept-Encoding', '')
        if 'gzip' not in res or 'q=0' in res:  # not a browser: maybe plain (ui.plain)
            from ui import plain
            res = plain.answer(request, path, etag, headers, _TYPES[ext])
            if res:
                return res
        if request.headers.get('If-None-Match') == etag:
            return Response(b'', 304, headers)
        res = Response.send_file(path, content_type=_TYPES[ext] + '; charset=UTF-8',
                                 compressed=True)
        res.send_file_buffer_size = 512  # small reads: a fragmented heap has room for them
        res.headers.update(headers)
        return res
    except MemoryError:
        return busy()


def busy():
    """The answer to a page the board has no heap for at the moment (MemoryError): 503 with the
    framework's page that loads itself again in 2 s (``microdot.response.BUSY_PAGE``, what it answers
    a MemoryError in a handler with), so a second browser on a small board waits for its turn
    instead of stopping at an error page."""
    import gc
    from microdot.response import BUSY_PAGE
    gc.collect()
    return BUSY_PAGE, 503, {'Content-Type': 'text/html; charset=UTF-8', 'Retry-After': '2',
                        'Cache-Control': 'no-store'}


# Request headers a browser sends that nothing of the UI reads (about half of Chromium's 700-800
# bytes): not kept (microdot's Request.skip_headers), so each request holds less heap
SKIPPED = (b'user-agent accept accept-language referer priority sec-ch-ua sec-ch-ua-mobile '
           b'sec-ch-ua-platform sec-fetch-dest sec-fetch-user upgrade-insecure-requests '
           b'cache-control pragma dnt')


def _room_for_modules(more=8):
    """Grow ``sys.modules`` now, at boot, to hold `more` modules than are loaded: a dict grows
    only when it is full, into a new table of the next size that must be one free block (592
    bytes at 37 entries), which a board's heap in pieces may not have; the modules a request
    loads and drops again (an upload: ``ui.files``, ``ui.update``, ``microdot.multipart``,
    ``device.kept``...) then fit in the table as it is (deleted entries are reused), and a
    refused upload gets its 400, not a 503 (audit2 F2). Costs the larger table (~130 bytes)."""
    import sys
    names = ['_room%d' % i for i in range(more)]
    for name in names:
        sys.modules[name] = None
    for name in names:
        del sys.modules[name]


def install(app):
    """Add the UI routes to `app`. On these routes only, request bodies above 1 kB are streamed,
    not buffered, so that uploads of up to `UPLOAD_MAX` bytes never sit in RAM; the app's own
    routes keep the `Request` defaults. Every request of the app drops the headers in
    `SKIPPED` (a route of your own that reads one of them: take it out of
    ``Request.skip_headers``). With less than `TWO_LIVE_HEAP` free once installed, the app's
    `max_streams` (if it set none) becomes 1: one page live, the others asking."""
    from microdot.request import Request
    Request.skip_headers = SKIPPED
    from ui import auth  # stays loaded: the check before every route
    auth.load()
    app.before_request(auth.check)  # host, cross-site and owner checks (ui.auth), before all

    @app.route('/<re:login|logout|password|settings:what>', methods=['GET', 'POST'],
               max_body_length=1024)
    async def owner_pages(request, what):
        if what == 'settings':  # the settings page: its form posts to /api/settings
            return static(request, 'settings.html')
        if what == 'login' and request.method == 'GET' and auth.record():
            return static(request, 'login.html')  # the form: posts to its own URL (?next=)
        page = 'ui.password' if what == 'password' else 'ui.login'  # set, or use a password
        try:
            ok = None
            if what != 'logout' and request.method == 'POST' and auth.record():
                # the form's password (a change: the current one) is checked before the
                # page's module loads: device.owner is dropped again by then, so on a heap in
                # pieces the two never need room at the same time
                ok = auth.password_ok(request, (request.form or {}).get(
                    'password' if what == 'login' else 'current', ''))
            return await __import__(page, None, None, ('answer',)).answer(request, what, ok)
        except MemoryError:
            return busy()
        finally:
            forget(page)
            forget('ui.login')  # ui.password's helpers
            forget('ui.authpage')  # the page of a refusal, and ui.password's
            forget('ui.verify')
            forget('device.configfile')
            forget('device.configwrite')  # loaded by a new password

    @app.get('/')
    async def index(request):  # the dashboard: a static page its script fills in
        return static(request, 'index.html')

    @app.get('/static/<name>')
    async def assets(request, name):
        return static(request, name)

    for pattern in _ROUTES:
        app.route(pattern, methods=['GET', 'POST', 'DELETE'], max_content_length=UPLOAD_MAX,
                  max_body_length=1024)(api)

    _room_for_modules()
    from ui import poweron
    poweron.run()  # the outputs' power-on states
    forget('ui.poweron')
    from ui import log
    log.add('app started')
    from device import launcher
    if launcher.restored:  # this boot put the previous app back: say so on the page
        lines = launcher.restored.strip().split('\n')
        log.add('update:', lines[0], lines[-1])
    import gc
    gc.collect()
    if app.max_streams is None and gc.mem_free() < TWO_LIVE_HEAP:
        app.max_streams = 1  # one live page; the others ask every few seconds
