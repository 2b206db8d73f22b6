"""User sessions kept in a signed cookie (a JWT, HS256): ``Session(app, secret_key=...)`` and
``@with_session`` routes get ``(request, session)``. Nothing is stored on the server. A cookie
that is missing, tampered with, malformed or expired simply gives an empty session."""
from .helpers import wraps
from . import jwt


class SessionDict(dict):
    """The session of one request: a dict; `save()` sends it back as the cookie, `delete()`
    removes the cookie."""

    def __init__(self, request=None, session_dict=None):
        super().__init__(session_dict or {})
        self.request = request

    def save(self):
        """Store the session (the response sets the cookie)."""
        self.request.app._session.update(self.request, self)

    def delete(self):
        """End the session (the response deletes the cookie)."""
        self.request.app._session.delete(self.request)


class Session:
    """Session support for an app.

    `secret_key` signs the cookie (the class attribute is the default for every app);
    `cookie_options` are passed to `Response.set_cookie` (default ``path='/'``,
    ``http_only=True``); an ``max_age`` option also puts an ``exp`` claim in the token so the
    server refuses it after that many seconds. `cookie_name` is the cookie's name.
    """

    secret_key = None
    cookie_name = 'session'

    def __init__(self, app=None, secret_key=None, cookie_options=None):
        self.secret_key = secret_key
        self.cookie_options = {}
        if app is not None:
            self.initialize(app, secret_key=secret_key, cookie_options=cookie_options)

    def initialize(self, app, secret_key=None, cookie_options=None):
        """Attach to `app` (as ``app._session``)."""
        if secret_key is not None:
            self.secret_key = secret_key
        options = {'path': '/', 'http_only': True}
        options.update(cookie_options or {})
        self.cookie_options = options
        app._session = self

    def get(self, request):
        """The request's `SessionDict` (empty if there is no valid cookie)."""
        if not self.secret_key:
            raise ValueError('The session secret key is not configured')
        session = getattr(request.g, '_session', None)
        if session is not None:
            return session
        request.vary('Cookie')
        data = {}
        cookie = request.cookies.get(self.cookie_name)
        if cookie:
            try:
                data = self.decode(cookie)
            except ValueError:
                data = {}
            data.pop('exp', None)
        request.g._session = SessionDict(request, data)
        return request.g._session

    def update(self, request, session):
        """Make the response to `request` store `session` in the cookie."""
        payload = {k: v for k, v in session.items()}  # dict(subclass) fails on MicroPython
        max_age = self.cookie_options.get('max_age')
        if max_age:
            payload['exp'] = jwt.now() + int(max_age)
        token = self.encode(payload)
        options = self.cookie_options
        name = self.cookie_name

        @request.after_request
        def _set_cookie(request, response):
            response.set_cookie(name, token, **options)
            return response

    def delete(self, request):
        """Make the response to `request` delete the session cookie."""
        options = dict(self.cookie_options)
        name = self.cookie_name
        request.g._session = SessionDict(request, {})

        @request.after_request
        def _delete_cookie(request, response):
            response.delete_cookie(name, **options)
            return response

    def encode(self, payload, secret_key=None):
        """Sign `payload` as a JWT (HS256)."""
        return jwt.encode(payload, secret_key or self.secret_key)

    def decode(self, session, secret_key=None):
        """Verify a JWT and return its payload; `ValueError` if invalid or expired."""
        return jwt.decode(session, secret_key or self.secret_key)


def with_session(f):
    """Decorator: the route gets ``(request, session, **args)``; call ``session.save()`` to keep
    changes."""
    @wraps(f)
    async def wrapper(request, *args, **kwargs):
        from .app import invoke_handler
        return await invoke_handler(f, request, request.app._session.get(request), *args,
                                    **kwargs)
    return wrapper
