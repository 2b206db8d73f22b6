"""The pages ``/login`` and ``/logout`` (POST) of the device UI, where sessions start and end
(``ui.auth`` checks them). Loaded only while one of them is answered, and kept small: a login
must get through on a board whose heap is in pieces. The UI's handler (``ui.install``) checks
the password before it loads this module, so the check's ``device.owner`` and this module
never need heap at the same time.

- ``GET /login``: the form, the static page ``static/login.html`` (sent by ``ui.static``
  without loading this module; its form posts to its own address, ``?next=`` included);
  ``POST /login`` (``password``, ``next``): a session cookie
  (HttpOnly, SameSite=Strict) and ``303`` to ``next`` if it is a path of this site, else to ``/``.
  A wrong password gets ``401``, a client that must wait ``429`` (``device.owner`` throttles),
  with the form again and the reason (``ui.authpage``, loaded for a refusal only).
  Without an owner password yet: ``303`` to ``/password`` (``ui.password``).
- ``POST /logout``: ends the session, ``303`` to ``/login``.
"""
import time

from microdot import Response

from ui import auth


def start_session():
    """A new session token (the oldest session ends if there are ``auth.MAX_SESSIONS``)."""
    import binascii
    import os
    sessions = auth.sessions
    now = time.time()
    for token in [t for t in sessions if sessions[t] <= now]:
        del sessions[token]
    if len(sessions) >= auth.MAX_SESSIONS:
        del sessions[min(sessions, key=lambda t: sessions[t])]
    token = binascii.hexlify(os.urandom(16)).decode()
    sessions[token] = now + auth.state['ttl']
    return token


def end_sessions(token=None):
    """End the session `token`, or all of them (and forget the last HTTP Basic header)."""
    if token is None:
        auth.sessions.clear()
        auth.state['basic'][:] = bytes(32)
    else:
        auth.sessions.pop(token, None)


def enter(where, token=None):
    """``303`` to `where` with the cookie of the session `token` (default: a new session)."""
    res = Response.redirect(where, 303)
    res.set_cookie(auth.COOKIE, token or start_session(), path='/', http_only=True,
                   same_site='Strict')
    return res


def login(request, ok=None):
    """``POST /login``, after the check of the form's password (`ok`: ``auth.password_ok``'s
    answer, which the caller gets before it loads this module; None: not checked, and no
    session)."""
    if not auth.record():
        return Response.redirect('/password')
    from microdot.urlcodec import safe_path
    form = request.form or {}
    where = safe_path(form.get('next') or request.args.get('next')) or '/'
    if request.method != 'POST':
        ok = None  # the form, no message
    elif ok is True:
        return enter(where)
    from ui import authpage
    return authpage.login_form(where, ok)


def logout(request):
    end_sessions(request.cookies.get(auth.COOKIE))
    res = Response.redirect('/login', 303)
    res.delete_cookie(auth.COOKIE, path='/')
    return res


async def answer(request, what, ok=None):
    """The handler of ``/login`` (`ok`: see `login`) and ``/logout``."""
    if what == 'logout':
        return logout(request) if request.method == 'POST' else \
            ({'error': 'method not allowed'}, 405, {'Allow': 'POST'})
    return login(request, ok)
