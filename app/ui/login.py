"""The pages ``/login``, ``/logout`` (POST) and ``/password`` of the device UI, where sessions
start and end (``ui.auth`` checks them). Loaded only while one of them is answered.

- ``GET /login``: the form; ``POST /login`` (``password``, ``next``): a session cookie
  (HttpOnly, SameSite=Strict) and ``303`` to ``next`` if it is a path of this site, else to ``/``.
  A wrong password gets ``401``, a client that must wait ``429`` (``device.owner`` throttles).
- ``POST /logout``: ends the session, ``303`` to ``/login``.
- ``/password``: set the owner password (``password``, ``confirm``), the first time without
  credentials, later with the current one (``current``); every session ends, this browser gets
  a new one.
"""
import time

from microdot import Response

from ui import auth, verify

_PAGE = ('<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" '
         'content="width=device-width, initial-scale=1"><title>%s</title><link rel="stylesheet" '
         'href="/static/app.css"><header><h1>%s</h1></header><main class="auth"><section>%s'
         '</section></main>')
_FIELD = ('<label>%s <input name="%s" type="password" required maxlength="64" '
          'autocomplete="%s"%s></label>')


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
    h = {'Content-Type': 'text/html; charset=UTF-8', 'Cache-Control': 'no-store'}
    h.update(headers or {})
    return Response(_PAGE % (title, title, body), status, h)


def esc(value):
    """`value` as text safe inside HTML."""
    return str(value).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;') \
        .replace('"', '&quot;')


def _note(text):
    return '<p class="msg bad" role="alert">%s</p>' % esc(text) if text else ''


def _enter(where):
    res = Response.redirect(where, 303)
    res.set_cookie(auth.COOKIE, start_session(), path='/', http_only=True,
                   same_site='Strict')
    return res


def _failed(ok):
    """(status, message, headers) of a refused password: wrong (False) or wait (seconds)."""
    if ok:
        return 429, 'Too many wrong passwords: wait %d s and try again.' % ok, \
            {'Retry-After': str(ok)}
    return 401, 'Wrong password.', None


def _safe_path(url):
    import sys
    loaded = 'microdot.login' in sys.modules
    from microdot.login import safe_path
    if not loaded:
        from ui import forget
        forget('microdot.login')
    return safe_path(url)


def login(request):
    if not auth.record():
        return Response.redirect('/password')
    form = request.form or {}
    where = _safe_path(form.get('next') or request.args.get('next')) or '/'
    status, note, headers = 200, '', None
    if request.method == 'POST':
        ok = verify.password_ok(request, form.get('password', ''))
        if ok is True:
            return _enter(where)
        status, note, headers = _failed(ok)
    return page('Log in', _note(note) + '<form method="post" action="/login">' +
                _FIELD % ('Password', 'password', 'current-password', ' autofocus') +
                '<input type="hidden" name="next" value="%s"><div class="row"><button '
                'type="submit">Log in</button></div></form>' % esc(where), status, headers)


def logout(request):
    end_sessions(request.cookies.get(auth.COOKIE))
    res = Response.redirect('/login', 303)
    res.delete_cookie(auth.COOKIE, path='/')
    return res


def password(request):
    from device import owner
    first = not auth.record()
    status, note, headers = 200, '', None
    if request.method == 'POST':
        form = request.form or {}
        new = form.get('password', '')
        ok = True if first else verify.password_ok(request, form.get('current', ''))
        if ok is not True:
            status, note, headers = _failed(ok)
            if not ok:
                note = 'The current password is wrong.'
        else:
            note = owner.valid(new) or (new != form.get('confirm') and
                                        'The two passwords differ.')
            status = 400
        if not note:
            from device import config
            from ui import log
            cfg = config.current()
            config.change(cfg, owner.set_password, new)
            auth.load(cfg)
            end_sessions()
            log.add('owner password', 'set' if first else 'changed')
            return _enter('/')
    intro = ('<p>Choose the password that protects this device: every change needs it. '
             'Scripts use it too: <code>curl -u admin:PASSWORD</code>.</p>' if first else '')
    return page('Set a password' if first else 'Change the password', intro + _note(note) +
                '<form method="post" action="/password">' +
                ('' if first else _FIELD % ('Current password', 'current',
                                            'current-password', ' autofocus')) +
                _FIELD % ('New password', 'password', 'new-password',
                          ' minlength="%d"' % owner.MIN_LENGTH) +
                _FIELD % ('Repeat it', 'confirm', 'new-password', '') +
                '<div class="row"><button type="submit">Save</button></div></form>',
                status, headers)


async def answer(request, what):
    """The handler of ``/login``, ``/logout`` and ``/password``."""
    if what == 'logout':
        return logout(request) if request.method == 'POST' else \
            ({'error': 'method not allowed'}, 405, {'Allow': 'POST'})
    return login(request) if what == 'login' else password(request)
