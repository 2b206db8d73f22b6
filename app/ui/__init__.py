"""The device web UI: ``ui.install(app)`` adds the dashboard page, its assets and the JSON API
(documented in docs/web-ui.md) to a Microdot app.

Each handler imports the module that does the work on first use (``ui.status``, ``ui.pins``,
``ui.net``, ``ui.files``, ``ui.live``), so a board spends heap only on the parts in use.
"""
import time

from microdot import Request

STARTED = time.time()
UPLOAD_MAX = 128 * 1024  # bytes per upload request (uploads stream to flash, not to RAM)
_HTML = {'Content-Type': 'text/html; charset=UTF-8', 'Cache-Control': 'no-cache'}


def error(status, message):
    """A JSON error response: ``({"error": message}, status)``."""
    return {'error': message}, status


def params(request):
    """The request's parameters: its JSON object, form fields or query string (in that order)."""
    try:
        data = request.json
    except Exception:
        return None
    if isinstance(data, dict):
        return data
    if data is not None:
        return None
    return request.form or request.args or {}


def _cross_site(request):
    # A page on another site must not be able to drive the device (CSRF): browsers say where a
    # request comes from; curl and scripts send neither header and are let through.
    h = request.headers
    if h.get('Sec-Fetch-Site', 'same-origin') not in ('same-origin', 'none'):
        return True
    origin = h.get('Origin')
    return origin is not None and origin.split('://', 1)[-1] != h.get('Host')


# The JSON API: path under /api/ -> (methods, module of ui that answers it). One shared handler
# (`api`) imports the module on demand; the modules that hold no state are dropped again after
# the request, so their code costs heap only while it runs.
_API = (('status', ['GET']), ('events', ['GET']), ('pins', ['GET']),
        ('pins/<name>', ['GET', 'POST']), ('wifi', ['GET', 'POST', 'DELETE']),
        ('wifi/scan', ['GET']), ('files', ['GET', 'POST']), ('restart', ['POST']),
        ('log', ['GET']))
_MODULES = {'status': 'status', 'events': 'live', 'pins': 'pins', 'wifi': 'net',
            'files': 'files', 'restart': 'files', 'log': 'log'}
_KEEP = ('status', 'live', 'pins', 'log')  # modules that hold state (or run all the time)


async def api(request, name=None):
    """The handler of every /api/ route: ``ui.<module>.api(request, path, name)``."""
    path = request.path[5:]
    module = _MODULES[path.split('/', 1)[0]]
    m = __import__('ui.' + module, None, None, ('api',))
    try:
        return await m.api(request, path, name)
    finally:
        if module not in _KEEP:
            forget('ui.' + module)
            forget('microdot.multipart')


def forget(name):
    """Drop module `name` so that the GC can reclaim it (the next use imports it again)."""
    import sys
    sys.modules.pop(name, None)
    pkg, _, attr = name.rpartition('.')
    if pkg in sys.modules and hasattr(sys.modules[pkg], attr):
        delattr(sys.modules[pkg], attr)


def install(app):
    """Add the UI routes to `app`. Request bodies above 1 kB are streamed, not buffered, so that
    uploads of up to `UPLOAD_MAX` bytes never sit in RAM."""
    Request.max_body_length = 1024
    Request.max_content_length = UPLOAD_MAX

    @app.before_request
    async def same_origin_only(request):
        if request.method not in ('GET', 'HEAD', 'OPTIONS') and _cross_site(request):
            return error(403, 'cross-site request refused')

    @app.get('/')
    async def index(request):
        from ui import page
        try:
            return page.render(), _HTML
        finally:
            forget('ui.page')

    @app.get('/static/<name>')
    async def static(request, name):
        from ui import page
        try:
            return page.asset(request, name)
        finally:
            forget('ui.page')

    for path, methods in _API:
        app.route('/api/' + path, methods=methods)(api)

    from ui import log
    log.add('app started')
