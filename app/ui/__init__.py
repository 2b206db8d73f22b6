"""The device web UI: ``ui.install(app)`` adds the dashboard page, its assets and the JSON API
(documented in docs/web-ui.md) to a Microdot app, and puts every route of the app behind the
owner's password and the device's own host names (``ui.auth``, docs/security.md).

Each handler imports the module that does the work on first use (``ui.status``, ``ui.pins``,
``ui.live``, ``ui.net``, ``ui.files``, ``ui.update``, ``ui.page``, ``ui.login``), so a board
spends heap only on the parts in use.
"""
import time

STARTED = time.time()
UPLOAD_MAX = 128 * 1024  # bytes per upload request (uploads stream to flash, not to RAM)
state = {}  # what a dropped module keeps between requests (ui.net: the last Wi-Fi join)


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
# runs. Routes of your own under /api/ still work.
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
_KEEP = ('status', 'live', 'pins', 'log')  # modules that hold state (or run all the time)


async def api(request, what, name=None):
    """The handler of the /api/ routes: ``ui.<module>.api(request, path, name)``."""
    module, methods = _API[what + ('/' if name is not None else '')]
    method = request.method
    if (method if method != 'HEAD' else 'GET') not in methods.split():
        return {'error': 'method not allowed'}, 405, {'Allow': methods.replace(' ', ', ')}
    m = __import__('ui.' + module, None, None, ('api',))
    try:
        return await m.api(request, request.path[5:], name)
    finally:
        if module not in _KEEP:
            forget('ui.' + module)
            forget('microdot.multipart')


def forget(name):
    """Drop module `name` so that the GC can reclaim it (the next use imports it again):
    ``device.launcher.unload``."""
    from device import launcher
    launcher.unload(name)


def static(request, name):
    """The page or asset `name` (``ui.page``, loaded for it)."""
    try:
        from ui import page
        return page.asset(request, name)
    except MemoryError:
        return busy()
    finally:
        forget('ui.page')


_BUSY = ('<!doctype html><meta http-equiv="refresh" content="2"><title>Busy</title>'
         'Service unavailable: busy, trying again in a moment.')


def busy():
    """The answer to a page the board has no heap for at the moment (MemoryError): 503 with a
    page that loads itself again in 2 s, as the server's own 503 does, so a second browser on a
    small board waits for its turn instead of stopping at an error page."""
    import gc
    gc.collect()
    return _BUSY, 503, {'Content-Type': 'text/html; charset=UTF-8', 'Retry-After': '2',
                        'Cache-Control': 'no-store'}


def install(app):
    """Add the UI routes to `app`. On these routes only, request bodies above 1 kB are streamed,
    not buffered, so that uploads of up to `UPLOAD_MAX` bytes never sit in RAM; the app's own
    routes keep the `Request` defaults."""
    from ui import auth
    auth.load()
    app.before_request(auth.check)  # host, cross-site and owner checks (ui.auth), before all

    @app.route('/<re:login|logout|password|settings:what>', methods=['GET', 'POST'],
               max_body_length=1024)
    async def owner_pages(request, what):
        if what == 'settings':  # the settings page: its form posts to /api/settings
            return static(request, 'settings.html')
        try:
            from ui import login
            return await login.answer(request, what)
        except MemoryError:
            return busy()
        finally:
            forget('ui.login')
            forget('ui.verify')

    @app.get('/')
    async def index(request):  # the dashboard: a static page its script fills in
        return static(request, 'index.html')

    @app.get('/static/<name>')
    async def assets(request, name):
        return static(request, name)

    for pattern in _ROUTES:
        app.route(pattern, methods=['GET', 'POST', 'DELETE'], max_content_length=UPLOAD_MAX,
                  max_body_length=1024)(api)

    from ui import poweron
    poweron.run()  # the outputs' power-on states
    forget('ui.poweron')
    from ui import log
    log.add('app started')
    from device import launcher
    if launcher.restored:  # this boot put the previous app back: say so on the page
        lines = launcher.restored.strip().split('\n')
        log.add('update:', lines[0], lines[-1])
