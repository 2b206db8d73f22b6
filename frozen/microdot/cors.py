"""Cross-Origin Resource Sharing: ``CORS(app, allowed_origins=...)`` answers preflight requests and
adds the ``Access-Control-*`` headers to every response."""


class CORS:
    """CORS support for an app.

    `allowed_origins`: ``'*'`` (any origin, echoed back) or a list of origins; `allow_credentials`
    adds ``Access-Control-Allow-Credentials: true``; `allowed_methods` / `allowed_headers`
    (None: whatever the preflight asks for) limit what a preflight allows; `expose_headers` lists
    response headers scripts may read; `max_age` (seconds) lets browsers cache a preflight.
    With `handle_cors=False` only the object is set up (call `initialize` later).
    """

    def __init__(self, app=None, allowed_origins=None, allow_credentials=False,
                 allowed_methods=None, expose_headers=None, allowed_headers=None, max_age=None,
                 handle_cors=True):
        self.allowed_origins = allowed_origins
        self.allow_credentials = allow_credentials
        self.allowed_methods = allowed_methods
        self.expose_headers = expose_headers
        self.allowed_headers = None if allowed_headers is None \
            else [h.lower() for h in allowed_headers]
        self.max_age = max_age
        self.default_options_handler = None
        if app is not None:
            self.initialize(app, handle_cors=handle_cors)

    def initialize(self, app, handle_cors=True):
        """Install the preflight handler and the after-request hooks on `app`."""
        self.default_options_handler = app.options_handler
        if handle_cors:
            app.options_handler = self.options_handler
            app.after_request(self.after_request)
            app.after_error_request(self.after_request)

    def origin_allowed(self, origin):
        """True if `origin` may use the app."""
        if self.allowed_origins == '*':
            return True
        return bool(self.allowed_origins) and origin in self.allowed_origins

    def get_cors_headers(self, request):
        """The CORS headers for `request` (a dict; empty when its origin is not allowed)."""
        headers = {}
        origin = request.headers.get('Origin')
        if self.allowed_origins == '*' and origin is None:
            headers['Access-Control-Allow-Origin'] = '*'
        elif origin is not None and self.origin_allowed(origin):
            headers['Access-Control-Allow-Origin'] = origin
            if self.allow_credentials:
                headers['Access-Control-Allow-Credentials'] = 'true'
            request.vary('Origin')  # the answer echoes it (not for a refused origin)
        if not headers:
            return headers
        if self.expose_headers:
            headers['Access-Control-Expose-Headers'] = ', '.join(self.expose_headers)
        if request.method == 'OPTIONS':
            if self.max_age:
                headers['Access-Control-Max-Age'] = str(self.max_age)
            method = request.headers.get('Access-Control-Request-Method')
            if method and (self.allowed_methods is None or
                           method.upper() in [m.upper() for m in self.allowed_methods]):
                headers['Access-Control-Allow-Methods'] = method
            wanted = request.headers.get('Access-Control-Request-Headers')
            if wanted:
                if self.allowed_headers is None:
                    allowed = [h.strip() for h in wanted.split(',') if h.strip()]
                else:
                    allowed = [h.strip() for h in wanted.split(',')
                               if h.strip().lower() in self.allowed_headers]
                if allowed:
                    headers['Access-Control-Allow-Headers'] = ', '.join(allowed)
        return headers

    def options_handler(self, request):
        """Headers for an automatic OPTIONS answer: the app's ``Allow`` plus CORS headers."""
        headers = {}
        if self.default_options_handler:
            headers = self.default_options_handler(request)
        headers.update(self.get_cors_headers(request))
        return headers

    def after_request(self, request, response):
        """Add the CORS headers to `response` (those it does not already have); the 400 for a
        request that could not be parsed (`request` None) is passed through unchanged."""
        if request is None:
            return
        for name, value in self.get_cors_headers(request).items():
            if name not in response.headers:
                response.headers[name] = value
