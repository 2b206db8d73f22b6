"""HTTP authentication decorators: `BasicAuth` (user name and password) and `TokenAuth` (bearer
tokens). The authenticated user is in ``request.g.current_user``."""
import binascii

from .request import abort
from .helpers import wraps


class BaseAuth:
    """Common part: `authenticate(f)` registers the callback that turns credentials into a user
    (None = refused), `errorhandler(f)` replaces the error response, and the object itself is
    the decorator (``@auth`` requires a user, ``@auth.optional`` allows anonymous requests)."""

    def __init__(self):
        self.auth_callback = None
        self.error_callback = None

    def authenticate(self, f):
        """Register ``f(request, *credentials) -> user or None``."""
        self.auth_callback = f
        return f

    def errorhandler(self, f):
        """Register ``f(request)`` to produce the response when authentication fails."""
        self.error_callback = f
        return f

    def get_credentials(self, request):  # pragma: no cover - subclasses define it
        return None

    async def _user(self, request):
        from .app import invoke_handler
        credentials = self.get_credentials(request)
        if credentials is None or self.auth_callback is None:
            return None
        return await invoke_handler(self.auth_callback, request, *credentials)

    async def _error(self, request):
        from .app import invoke_handler
        return await invoke_handler(self.error_callback, request)

    def __call__(self, f):
        @wraps(f)
        async def wrapper(request, *args, **kwargs):
            from .app import invoke_handler
            user = await self._user(request)
            if user is None:
                return await self._error(request)
            request.g.current_user = user
            return await invoke_handler(f, request, *args, **kwargs)
        return wrapper

    def optional(self, f):
        """Decorator: authenticate if credentials are given; ``g.current_user`` is None if not."""
        @wraps(f)
        async def wrapper(request, *args, **kwargs):
            from .app import invoke_handler
            request.g.current_user = await self._user(request)
            return await invoke_handler(f, request, *args, **kwargs)
        return wrapper


class BasicAuth(BaseAuth):
    """HTTP Basic authentication; the callback is ``f(request, username, password)``.

    A failure answers `error_status` with ``WWW-Authenticate: <scheme> realm=..., charset=...``.
    """

    def __init__(self, realm='Please login', charset='UTF-8', scheme='Basic', error_status=401):
        super().__init__()
        self.realm = realm
        self.charset = charset
        self.scheme = scheme
        self.error_status = error_status
        self.error_callback = self.authentication_error

    def get_credentials(self, request):
        auth = request.headers.get('Authorization')
        if not auth or ' ' not in auth:
            return None
        scheme, value = auth.split(' ', 1)
        if scheme.lower() != self.scheme.lower():
            return None
        try:
            text = binascii.a2b_base64(value.strip()).decode()
        except Exception:
            return None
        if ':' not in text:
            return None
        return text.split(':', 1)

    def authentication_error(self, request):
        return '', self.error_status, {
            'WWW-Authenticate': '{} realm="{}", charset="{}"'.format(self.scheme, self.realm,
                                                                     self.charset)}


class TokenAuth(BaseAuth):
    """Token authentication; the callback is ``f(request, token)``.

    The token is read from ``<header>: <scheme> <token>`` (with a custom `header`, its whole
    value is the token). A failure aborts with `error_status`.
    """

    def __init__(self, header='Authorization', scheme='Bearer', error_status=401):
        super().__init__()
        self.header = header
        self.scheme = scheme.lower()
        self.error_status = error_status
        self.error_callback = self.authentication_error

    def get_credentials(self, request):
        value = request.headers.get(self.header)
        if not value:
            return None
        if self.header.lower() == 'authorization':
            if ' ' not in value:
                return None
            scheme, token = value.split(' ', 1)
            if scheme.lower() != self.scheme:
                return None
            return (token.strip(),)
        return (value,)

    def authentication_error(self, request):
        abort(self.error_status)
