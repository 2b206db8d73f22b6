"""The `Microdot` application: routes, hooks, error handling and request dispatch."""
from .platform import invoke_handler, invoke_route
from .request import HTTPException, Request, abort
from .response import Response, status_text
from .routing import URLPattern

def mro(cls):
    """The classes `cls` inherits from, nearest first (MicroPython has no __mro__)."""
    if hasattr(cls, '__mro__'):
        return cls.__mro__
    out = [cls]
    for base in getattr(cls, '__bases__', ()):
        for c in mro(base):
            if c not in out:
                out.append(c)
    return out


# Helpers of Microdot.dispatch_request, kept out of the class: each entry of a class's dict is
# heap on a board, and a module-level function needs no staticmethod wrapper.

def _error_handler(app, req, key):
    """The error handler of `app` for `key` (status or exception class); a locally mounted
    sub-app's own first."""
    subapp = req.subapp if req is not None else None
    if subapp is not None and key in subapp.error_handlers:
        return subapp.error_handlers[key]
    return app.error_handlers.get(key)


def _exception_handler(app, req, exc):
    """The handler for `exc`: that of its class, else of the nearest base class."""
    classes = mro(type(exc))
    for cls in classes:
        handler = _error_handler(app, req, cls)
        if handler is not None:
            return handler
    return None


def _make_response(value):
    """A handler's return value as a Response: a Response, (body, status, headers) tuples and
    their shorter forms, a status, or a body."""
    if isinstance(value, Response):
        return value
    if isinstance(value, tuple):
        if isinstance(value[0], int):
            value = ('', value[0], value[1] if len(value) > 1 else {})
        if isinstance(value[1], int):
            return Response(value[0], value[1], value[2] if len(value) > 2 else None)
        return Response(value[0], 200, value[1])
    if isinstance(value, int):
        return Response('', value)
    return Response(value)


def _merge_vary(res, names):
    """Add the header `names` a response depends on to its Vary header, once each."""
    current = [v.strip() for v in res.headers.get('Vary', '').split(',') if v.strip()]
    lower = [v.lower() for v in current]
    for name in names:
        if name.lower() not in lower:
            current.append(name)
            lower.append(name.lower())
    res.headers['Vary'] = ', '.join(current)


async def _exception_response(app, req, exc):
    """The response of `app` for an exception a route or hook raised: its handler's, else 500
    (400 for CR/LF from the client that reached a header). Its own coroutine, so that
    `Microdot.dispatch_request`, which every request runs, stays small."""
    res = None
    from .streams import HeaderInjection  # (loaded on the first error, not at import)
    if isinstance(exc, HeaderInjection):  # CR/LF from the client reached a header
        res = await app.error_response(req, 400)
    else:
        from .platform import print_exception  # (not a global: errors only)
        print_exception(exc)
        handler = _exception_handler(app, req, exc)
        if handler is not None:
            try:
                res = await invoke_handler(handler, req, exc)
            except Exception as exc2:
                print_exception(exc2)
                res = None
    if res is None:
        res = await app.error_response(req, 500)
    return res


class Microdot:
    """A web application.

    Class attributes tune the built-in server for every app: `max_connections` (concurrent
    connections; above it new ones get 503; None picks a default for the board),
    `listen_backlog`, `keep_alive` (serve several requests per connection),
    `keep_alive_timeout` (seconds a kept-alive connection may wait for its next request to
    begin), `request_timeout` (seconds to receive a request's line, headers and buffered body,
    from its first byte; the two never replace each other; also
    the limit for each read of a streamed body), `write_timeout` (seconds one write to the
    client may take), `evict_after` (seconds a connection must have waited for a request head
    before it may be closed to make room at the cap; see `microdot.server`),
    `memory_reserve` (MicroPython: a new connection is refused with 503 while less heap than
    this is free), `drain_limit` (unread body bytes discarded to keep a connection alive) and
    `max_streams` (concurrent WebSocket and event-stream connections; more get 503; None:
    one less than the connection cap, at least 1, so ordinary requests always have a slot).
    """

    max_connections = None
    listen_backlog = None
    route_limits = None  # {URLPattern: (max_content_length, max_body_length)} once a route has
    keep_alive = True
    keep_alive_timeout = 5
    request_timeout = 10
    write_timeout = 10
    evict_after = 0.5
    memory_reserve = 4096
    drain_limit = 4096
    max_streams = None

    def __init__(self):
        self.url_map = []
        self.before_request_handlers = []
        self.after_request_handlers = []
        self.after_error_request_handlers = []
        self.error_handlers = {}
        self.options_handler = self.default_options_handler
        self.debug = False
        self.ssl = False
        self.server = None

    # --- registration ---------------------------------------------------------------------

    def route(self, url_pattern, methods=None, max_content_length=None, max_body_length=None):
        """Decorator: `f` handles `url_pattern` for `methods` (default ``['GET']``).

        `max_content_length` and `max_body_length` replace the `Request` class attributes of
        those names for this route only (None: the class's), e.g. to take large uploads as a
        stream on one route without changing what every other route accepts.
        """
        def decorated(f):
            pattern = URLPattern(url_pattern)
            self.url_map.append(([m.upper() for m in methods or ['GET']], pattern, f, '', None))
            if max_content_length is not None or max_body_length is not None:
                if self.route_limits is None:
                    self.route_limits = {}
                self.route_limits[pattern] = (max_content_length, max_body_length)
            return f
        return decorated

    def limits_for(self, cls, method, url):
        """``(max_content_length, max_body_length)`` for a request to `method` `url`: those of
        the route it goes to (a None in them: the request class `cls`'s); None when that route
        or none sets limits. Called before the body is read (by `Request.create` and the
        ASGI/WSGI adapters)."""
        if not self.route_limits:
            return None
        path = url.split('?', 1)[0] if '?' in url else url
        for methods, pattern, _, _, _ in self.url_map:
            if method in methods and pattern.match(path) is not None:  # (HEAD has no body)
                limits = self.route_limits.get(pattern)
                if limits is None:
                    break
                return (cls.max_content_length if limits[0] is None else limits[0],
                        cls.max_body_length if limits[1] is None else limits[1])
        return None

    def get(self, url_pattern):
        """Shortcut for ``route(url_pattern, methods=['GET'])``."""
        return self.route(url_pattern, ['GET'])

    def post(self, url_pattern):
        """Shortcut for ``route(url_pattern, methods=['POST'])``."""
        return self.route(url_pattern, ['POST'])

    def put(self, url_pattern):
        """Shortcut for ``route(url_pattern, methods=['PUT'])``."""
        return self.route(url_pattern, ['PUT'])

    def patch(self, url_pattern):
        """Shortcut for ``route(url_pattern, methods=['PATCH'])``."""
        return self.route(url_pattern, ['PATCH'])

    def delete(self, url_pattern):
        """Shortcut for ``route(url_pattern, methods=['DELETE'])``."""
        return self.route(url_pattern, ['DELETE'])

    def query(self, url_pattern):
        """Shortcut for ``route(url_pattern, methods=['QUERY'])``."""
        return self.route(url_pattern, ['QUERY'])

    def before_request(self, f):
        """Register `f(request)` to run before each route; a truthy return is the response."""
        self.before_request_handlers.append(f)
        return f

    def after_request(self, f):
        """Register `f(request, response)`; a non-None return replaces the response."""
        self.after_request_handlers.append(f)
        return f

    def after_error_request(self, f):
        """Like `after_request`, for responses produced by errors (and automatic OPTIONS)."""
        self.after_error_request_handlers.append(f)
        return f

    def errorhandler(self, status_code_or_exception_class):
        """Decorator: handle an error status (``f(request)``) or exception
        (``f(request, exc)``)."""
        def decorated(f):
            self.error_handlers[status_code_or_exception_class] = f
            return f
        return decorated

    def mount(self, subapp, url_prefix='', local=False):
        """Add the routes of `subapp` under `url_prefix`.

        Routes are copied now. Unless `local`, the sub-app's hooks and error handlers move to
        this app and apply everywhere; with `local` they apply only to the sub-app's routes.
        """
        limits = subapp.route_limits or {}
        for methods, pattern, handler, prefix, sub in subapp.url_map:
            new = URLPattern(url_prefix + pattern.url_pattern)
            self.url_map.append((methods, new, handler, url_prefix + prefix, sub or subapp))
            if pattern in limits:
                if self.route_limits is None:
                    self.route_limits = {}
                self.route_limits[new] = limits[pattern]
        if not local:
            for attr in ('before_request_handlers', 'after_request_handlers',
                         'after_error_request_handlers'):
                getattr(self, attr).extend(getattr(subapp, attr))
                setattr(subapp, attr, [])
            for key, handler in subapp.error_handlers.items():
                self.error_handlers[key] = handler
            subapp.error_handlers = {}

    abort = staticmethod(abort)

    # --- dispatch -------------------------------------------------------------------------

    def find_route(self, req):
        """Return the handler for `req` (setting its url_args, url_prefix, subapp, route), or
        404 / 405. For a 405 the request's `subapp` is that of the first route of the path, so a
        locally mounted sub-app's error handlers answer it."""
        method = req.method
        if not method.isupper():
            method = method.upper()
        status = 404
        for methods, pattern, handler, prefix, subapp in self.url_map:
            args = pattern.match(req.path)
            if args is None:
                continue
            if method in methods or (method == 'HEAD' and 'GET' in methods):
                req.url_args = args
                if prefix or status == 405:  # else the class's default ('', None) stands
                    req.url_prefix = prefix
                if subapp is not None or status == 405:
                    req.subapp = subapp
                req.route = handler
                return handler
            if status == 404:
                status = 405
                req.url_prefix = prefix
                req.subapp = subapp
        return status

    def default_options_handler(self, req):
        """Headers for an automatic OPTIONS response: ``Allow`` lists the path's methods."""
        allow = []
        for methods, pattern, _, _, _ in self.url_map:
            if pattern.match(req.path) is not None:
                for m in methods:
                    if m not in allow:
                        allow.append(m)
        if 'GET' in allow and 'HEAD' not in allow:
            allow.append('HEAD')
        allow.append('OPTIONS')
        return {'Allow': ', '.join(allow)}

    def get_request_handlers(self, req, attr, local_first=True):
        """The app's `attr` hooks ('before_request', ...) plus those of the request's locally
        mounted sub-app, sub-app first if `local_first`."""
        handlers = getattr(self, attr + '_handlers')
        subapp = req.subapp if req is not None else None
        local = getattr(subapp, attr + '_handlers', None) if subapp is not None else None
        if not local:
            return handlers
        return local + handlers if local_first else handlers + local

    async def error_response(self, req, status_code, reason=None):
        """The response for an error status: its handler's, or the default text."""
        handler = _error_handler(self, req, status_code)
        if handler is not None:
            return await invoke_handler(handler, req)
        return Response(reason or status_text(status_code), status_code)

    async def dispatch_request(self, req):
        """Run the full request cycle for `req` (None means unparseable: 400) and return the
        Response. Used by the built-in server, the test client and the ASGI/WSGI adapters."""
        after_done = False
        if req is not None:
            method = req.method
            if not method.isupper():
                method = method.upper()
            limit = req.max_content_length  # the route's, or the class's
            if req.content_length and self.route_limits:
                limits = self.limits_for(type(req), method, req.url)
                if limits:
                    limit = limits[0]
        if req is None:
            res = await self.error_response(None, 400)
        elif req.content_length > limit:
            res = await self.error_response(req, 413)
        elif method == 'OPTIONS' and self.options_handler:
            res = Response(headers=await invoke_handler(self.options_handler, req))
        else:
            try:
                f = self.find_route(req)
                if isinstance(f, int):
                    res = await self.error_response(req, f)
                else:
                    res = None
                    local = req.subapp is not None  # else the app's own hooks only
                    for handler in self.get_request_handlers(req, 'before_request', False) \
                            if local else self.before_request_handlers:
                        res = await invoke_handler(handler, req)
                        if res:
                            break
                    if res is None:
                        res = await invoke_route(f, req, req.url_args)
                    res = _make_response(res)
                    for handler in self.get_request_handlers(req, 'after_request', True) \
                            if local else self.after_request_handlers:
                        new = await invoke_handler(handler, req, res)
                        if new is not None:
                            res = new
                    for handler in req.after_request_handlers:
                        new = await invoke_handler(handler, req, res)
                        if new is not None:
                            res = new
                    after_done = True
            except HTTPException as exc:
                res = await self.error_response(req, exc.status_code, exc.reason)
            except MemoryError:
                import gc
                from .response import BUSY_PAGE
                gc.collect()
                res = Response(BUSY_PAGE, 503, {'Content-Type': 'text/html; charset=UTF-8',
                                                'Retry-After': '1', 'Cache-Control': 'no-store'})
            except Exception as exc:
                res = await _exception_response(self, req, exc)
        if isinstance(res, tuple):
            res = Response(*res)
        elif not isinstance(res, Response):
            res = Response(res)
        if not after_done:
            for handler in self.get_request_handlers(req, 'after_error_request', True):
                new = await invoke_handler(handler, req, res)
                if new is not None:
                    res = new
        if req is not None:
            if method == 'HEAD' or res.is_head:  # (a response object may be reused)
                res.is_head = method == 'HEAD'
            if req.vary_names:
                _merge_vary(res, req.vary_names)
        return res

    # --- serving --------------------------------------------------------------------------

    async def handle_request(self, reader, writer):
        """Serve one client connection (the built-in server calls this per connection)."""
        from .server import serve_connection
        await serve_connection(self, reader, writer)

    async def start_server(self, host='0.0.0.0', port=5000, debug=False, ssl=None,
                           start_serving=True):
        """Serve the app until `shutdown()` is called (see `microdot.server`)."""
        from .server import start_server
        return await start_server(self, host, port, debug, ssl, start_serving)

    def run(self, host='0.0.0.0', port=5000, debug=False, ssl=None):
        """Start the server and block until `shutdown()`."""
        import asyncio
        asyncio.run(self.start_server(host=host, port=port, debug=debug, ssl=ssl))

    def shutdown(self):
        """Stop accepting connections; `run()` / `start_server()` then return."""
        if self.server is not None:
            self.server.close()

