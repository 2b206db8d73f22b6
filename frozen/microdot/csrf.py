"""Cross-Site Request Forgery protection from the headers browsers send (``Sec-Fetch-Site`` and
``Origin``): no tokens to embed in forms. Requests from non-browser clients (neither header)
pass."""
from .request import abort


class CSRF:
    """CSRF protection for an app.

    `protect_all`: check every unsafe-method request (else only routes marked with `protect`);
    `cors`: a `microdot.cors.CORS` whose list of allowed origins is trusted as well;
    `allow_subdomains`: also trust ``same-site`` requests and subdomains of trusted origins.
    A refused request gets 403 "Forbidden".
    """

    SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS']

    def __init__(self, app=None, cors=None, protect_all=True, allow_subdomains=False):
        self.cors = None
        self.protect_all = protect_all
        self.allow_subdomains = allow_subdomains
        self.exempt_routes = []
        self.protected_routes = []
        if app is not None:
            self.initialize(app, cors)

    def initialize(self, app, cors=None):
        """Install the check on `app` (a before-request hook)."""
        self.cors = cors
        app.before_request(self.csrf_protect)

    def exempt(self, f):
        """Decorator (directly under the route decorator): never check this route."""
        self.exempt_routes.append(f)
        return f

    def protect(self, f):
        """Decorator (directly under the route decorator): always check this route."""
        self.protected_routes.append(f)
        return f

    def _trusted_origin(self, origin):
        origins = getattr(self.cors, 'allowed_origins', None)
        if not origins or origins == '*':
            return False
        if origin in origins:
            return True
        if self.allow_subdomains and '://' in origin:
            scheme, host = origin.split('://', 1)
            for allowed in origins:
                if '://' not in allowed:
                    continue
                a_scheme, a_host = allowed.split('://', 1)
                if scheme == a_scheme and host.endswith('.' + a_host):
                    return True
        return False

    def csrf_protect(self, request):
        """The before-request check: abort with 403 if the request looks cross-site."""
        route = request.route
        if route in self.protected_routes:
            pass
        elif not self.protect_all or request.method.upper() in self.SAFE_METHODS or \
                route in self.exempt_routes:
            return None
        site = request.headers.get('Sec-Fetch-Site')
        if site is not None:
            if site in ('same-origin', 'none') or \
                    (self.allow_subdomains and site == 'same-site'):
                request.vary('Sec-Fetch-Site')
                return None
        origin = request.headers.get('Origin')
        if origin is not None:
            if self._trusted_origin(origin):
                return None
            abort(403, 'Forbidden')
        if site is not None:
            abort(403, 'Forbidden')
        return None
