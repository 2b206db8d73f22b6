"""Log-in sessions for browser apps (like Flask-Login), built on `microdot.session.Session`:
`Login.login_user` / `logout_user`, ``@login`` to require a logged-in user (others are
redirected to the login page), ``@login.fresh`` to also refuse remember-me logins.
The user is in ``request.g.current_user``; user objects need an ``id``."""
from .helpers import wraps
from .response import redirect
from .urlcodec import safe_path, urlencode  # noqa: F401 (safe_path: part of this API)


class Login:
    """Login support. `login_url` is where ``@login`` sends anonymous users (with ``?next=``)."""

    remember_cookie = '_remember'

    def __init__(self, login_url='/login'):
        self.login_url = login_url
        self.user_loader_callback = None

    def user_loader(self, f):
        """Register ``f(user_id) -> user or None``."""
        self.user_loader_callback = f
        return f

    def _session(self, request):
        return request.app._session

    async def _load(self, user_id):
        from .app import invoke_handler
        return await invoke_handler(self.user_loader_callback, user_id)

    async def login_user(self, request, user, remember=False, redirect_url='/'):
        """Log `user` in and return the redirect response (to ``?next=`` if it is a local path,
        else `redirect_url`). `remember`: True (30 days) or a number of days for a remember-me
        cookie that logs the user in again after the session ends."""
        session_obj = self._session(request)
        session = session_obj.get(request)
        session['_user_id'] = user.id
        session['_fresh'] = True
        session.save()
        if remember:
            from . import jwt
            days = 30 if remember is True else int(remember)
            token = session_obj.encode({'user_id': user.id,
                                        'exp': jwt.now() + days * 24 * 3600})
            name = self.remember_cookie
            max_age = days * 24 * 3600

            @request.after_request
            def _remember(request, response):
                response.set_cookie(name, token, path='/', max_age=max_age, http_only=True)
                return response
        request.g.current_user = user
        return redirect(safe_path(request.args.get('next')) or redirect_url)

    async def logout_user(self, request):
        """Log the current user out (session and remember-me cookie)."""
        session = self._session(request).get(request)
        session.pop('_user_id', None)
        session.pop('_fresh', None)
        session.save()
        if self.remember_cookie in request.cookies:
            name = self.remember_cookie

            @request.after_request
            def _forget(request, response):
                response.delete_cookie(name, path='/')
                return response
        request.g.current_user = None

    async def get_current_user(self, request):
        """The logged-in user, or None (restoring a remembered login if there is one)."""
        if getattr(request.g, 'current_user', None) is not None:
            return request.g.current_user
        session_obj = self._session(request)
        session = session_obj.get(request)
        user_id = session.get('_user_id')
        user = None
        if user_id is not None:
            user = await self._load(user_id)
        elif self.remember_cookie in request.cookies:
            try:
                data = session_obj.decode(request.cookies[self.remember_cookie])
            except ValueError:
                data = {}
            if 'user_id' in data:
                user = await self._load(data['user_id'])
                if user is not None:
                    session['_user_id'] = user.id
                    session['_fresh'] = False
                    session.save()
        request.g.current_user = user
        return user

    def _redirect_to_login(self, request):
        return redirect(self.login_url + '?next=' + urlencode(request.url))

    def __call__(self, f):
        @wraps(f)
        async def wrapper(request, *args, **kwargs):
            from .app import invoke_handler
            if await self.get_current_user(request) is None:
                return self._redirect_to_login(request)
            return await invoke_handler(f, request, *args, **kwargs)
        return wrapper

    login_required = __call__  # ``@login.login_required`` reads like Flask-Login

    def fresh(self, f):
        """Decorator: like ``@login`` but a remember-me login is sent to log in again."""
        @wraps(f)
        async def wrapper(request, *args, **kwargs):
            from .app import invoke_handler
            if await self.get_current_user(request) is None or \
                    not self._session(request).get(request).get('_fresh'):
                return self._redirect_to_login(request)
            return await invoke_handler(f, request, *args, **kwargs)
        return wrapper

