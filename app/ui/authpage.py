"""The owner's pages of the device UI that are written in Python, not static: the login form
again after a refused password (``ui.login``) and the password page (``ui.password``). Loaded
only for them, so that a login that succeeds never loads page text."""
from microdot import Response

_PAGE = ('<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" '
         'content="width=device-width, initial-scale=1"><title>%s</title><link rel="stylesheet" '
         'href="/static/app.css"><header><h1>%s</h1></header><main class="auth"><section>%s'
         '</section></main>')
_FORM = ('<form method="post" action="/login"><label>Password <input name="password" '
         'type="password" required maxlength="64" autocomplete="current-password" autofocus>'
         '</label><input type="hidden" name="next" value="%s"><div class="row"><button '
         'type="submit">Log in</button></div></form>')


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


def failed(ok):
    """(status, message, headers) of a refused password: wrong (False) or wait (seconds)."""
    if ok:
        return 429, 'Too many wrong passwords: wait %d s and try again.' % ok, \
            {'Retry-After': str(ok)}
    return 401, 'Wrong password.', None


def login_form(where, ok=None):
    """The login form that leads to `where` (a safe path), after the password check's answer
    `ok` (``auth.password_ok``: False or seconds to wait; None: not checked, no message)."""
    status, text, headers = failed(ok) if ok is not None else (200, '', None)
    return page('Log in', note(text) + _FORM % esc(where), status, headers)
