"""The pages ``/login`` and ``/logout`` (POST) of the device UI, where sessions start and end
(``ui.auth`` checks them), and what ``ui.password`` shares with them. Loaded only while one of
them is answered, and kept small: a login must get through on a board whose heap is in pieces.

- ``GET /login``: the form, the static page ``static/login.html`` (sent by ``ui.static``
  without loading this module; its form posts to its own address, ``?next=`` included);
  ``POST /login`` (``password``, ``next``): a session cookie
  (HttpOnly, SameSite=Strict) and ``303`` to ``next`` if it is a path of this site, else to ``/``.
  A wrong password gets ``401``, a client that must wait ``429`` (``device.owner`` throttles).
  Without an owner password yet: ``303`` to ``/password`` (``ui.password``).
- ``POST /logout``: ends the session, ``303`` to ``/login``.
"""
import time

from microdot import Response

from ui import auth

_PAGE = ('<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" '
         'content="width=device-width, initial-scale=1"><title>%s</title><link rel="stylesheet" '
         'href="/static/app.css"><header><h1>%s</h1></header><main class="auth"><section>%s'
         '</section></main>')
_FORM = ('<form method="post" action="/login"><label>Password <input name="password" '
         'type="password" required maxlength="64" autocomplete="current-password" autofocus>'
         '</label><input type="hidden" name="next" value="%s"><div class="row"><button '
         'type="submit">Log in</button></div></form>')


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


def page(title, body, status=200, headers=None):
    """An HTML page of the UI (not cached) with `title` and `body` (HTML)."""
    h = {'Content-Type': 'text/html; charset=UTF-8', 'Cache-Control': 'no-store'}
    if headers:
        h.update(headers)
    return Response(_PAGE % (title, title, body), status, h)


def esc(value):
    """`value` as text safe inside HTML."""
    return str(value).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;') \
        .replace('"', '&quot;')


def note(text):
    """The alert paragraph of a refused form ('' without `text`)."""
    return '<p class="msg bad" role="alert">%s</p>' % esc(text) if text else ''


def enter(where):
    """``303`` to `where` with a new session's cookie."""
    res = Response.redirect(where, 303)
    res.set_cookie(auth.COOKIE, start_session(), path='/', http_only=True,
                   same_site='Strict')
    return res


def failed(ok):
    """(status, message, headers) of a refused password: wrong (False) or wait (seconds)."""
    if ok:
        return 429, 'Too many wrong passwords: wait %d s and try again.' % ok, \
            {'Retry-After': str(ok)}
    return 401, 'Wrong password.', None


def login(request):
    if not auth.record():
        return Response.redirect('/password')
    from microdot.urlcodec import safe_path
    form = request.form or {}
    where = safe_path(form.get('next') or request.args.get('next')) or '/'
    status, text, headers = 200, '', None
    if request.method == 'POST':
        ok = auth.password_ok(request, form.get('password', ''))
        if ok is True:
            return enter(where)
        status, text, headers = failed(ok)
    return page('Log in', note(text) + _FORM % esc(where), status, headers)


def logout(request):
    end_sessions(request.cookies.get(auth.COOKIE))
    res = Response.redirect('/login', 303)
    res.delete_cookie(auth.COOKIE, path='/')
    return res


async def answer(request, what):
    """The handler of ``/login`` and ``/logout``."""
    if what == 'logout':
        return logout(request) if request.method == 'POST' else \
            ({'error': 'method not allowed'}, 405, {'Allow': 'POST'})
    return login(request)
